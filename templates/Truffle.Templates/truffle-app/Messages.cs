using Truffle;

namespace TruffleApp;

// What the devices say to each other. The source generator writes their serializers and the typed API on the bus
// (bus.Chat for the "chat" namespace); every record must be partial.

/// <summary>A chat line in the "chat" namespace.</summary>
[TruffleMessage("chat")]
public partial record ChatMessage(string Author, string Text);

/// <summary>A request: the asked device answers with a <see cref="Mood"/>.</summary>
[TruffleMessage("chat")]
public partial record HowAreYou(string Asker) : IRequest<Mood>;

/// <summary>The reply to <see cref="HowAreYou"/>.</summary>
[TruffleMessage("chat")]
public partial record Mood(string Text);

/// <summary>Shared state: each device writes its own slice of the "presence" store and reads everyone else's.</summary>
[SyncedSlice("presence")]
public partial record Presence(string Name, string Status);
