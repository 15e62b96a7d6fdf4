using System.Collections.Immutable;
using Truffle;

namespace Chat;

/// <summary>A line of chat, broadcast to the room.</summary>
[TruffleMessage("chat")]
public partial record ChatMessage(string Author, string Text);

/// <summary>Someone started or stopped typing; sent to one device.</summary>
[TruffleMessage("chat", Type = "typing")]
public partial record Typing(bool IsTyping);

/// <summary>Asks a device for the last messages it saw.</summary>
[TruffleMessage("chat")]
public partial record GetHistory(int Count) : IRequest<History>;

/// <summary>The reply to <see cref="GetHistory"/>.</summary>
[TruffleMessage("chat")]
public partial record History(ImmutableArray<ChatMessage> Messages);

/// <summary>What each device shares about itself.</summary>
[SyncedSlice("presence")]
public partial record Presence(string Status, int Battery, ImmutableArray<string> OpenFiles);
