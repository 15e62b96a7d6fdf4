namespace Truffle.Hosting.Tests.Support;

[TruffleMessage("hosting")]
public sealed partial record Greeting(string Text);

[TruffleMessage("hosting")]
public sealed partial record GetNote(string Id) : IRequest<Note>;

[TruffleMessage("hosting")]
public sealed partial record Note(string Id, string Text, string Scope);

[SyncedSlice("hosting-presence")]
public sealed partial record Presence(string Status);
