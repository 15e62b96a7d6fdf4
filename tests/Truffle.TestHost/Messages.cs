using Truffle;

namespace Truffle.TestHost;

/// <summary>A line sent or broadcast between test nodes.</summary>
[TruffleMessage("probe")]
public partial record Note(string Text);

/// <summary>A request answered with <see cref="Pong"/>.</summary>
[TruffleMessage("probe")]
public partial record Ping(string Text) : IRequest<Pong>;

/// <summary>The answer to <see cref="Ping"/>, naming the device that answered.</summary>
[TruffleMessage("probe")]
public partial record Pong(string Text, string DeviceId);

/// <summary>Each node's slice of a shared store: what it last set with the "set" command.</summary>
[SyncedSlice("probe-board")]
public sealed partial record Board(string Text);
