using Truffle;

namespace Hosted;

[TruffleMessage("notes")]
public partial record Greeting(string Text);

[TruffleMessage("notes")]
public partial record GetNote(string Id) : IRequest<Note>;

[TruffleMessage("notes")]
public partial record Note(string Id, string Text);
