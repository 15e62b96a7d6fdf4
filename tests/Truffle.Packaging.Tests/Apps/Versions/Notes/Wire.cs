using Truffle;

namespace Notes;

/// <summary>The message that changes between the two builds (the test adds a member to the second one's copy).</summary>
[TruffleMessage("notes")]
public partial record Memo(string Id, int Stars);

/// <summary>The same in both builds: the two devices meet through it.</summary>
[TruffleMessage("chat")]
public partial record Line(string Text);
