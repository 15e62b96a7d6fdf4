using Truffle;

namespace SchemaLock;

[TruffleMessage("notes")]
public partial record Memo(string Id, int Stars);
