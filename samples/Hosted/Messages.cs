using Truffle;

namespace Hosted;

/// <summary>A greeting, sent to one device.</summary>
[TruffleMessage("notes")]
public partial record Greeting(string Text);

/// <summary>Asks for a note by its id.</summary>
[TruffleMessage("notes")]
public partial record GetNote(string Id) : IRequest<Note>;

/// <summary>The reply to <see cref="GetNote"/>.</summary>
[TruffleMessage("notes")]
public partial record Note(string Id, string Text);
