using Truffle;

namespace Board;

/// <summary>A pinned note: the one message of the "board" namespace.</summary>
[TruffleMessage("board")]
public partial record Pin(string Text);
