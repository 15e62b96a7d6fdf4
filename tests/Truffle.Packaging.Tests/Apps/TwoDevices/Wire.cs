using Truffle;

namespace TwoDevices;

[TruffleMessage("probe")]
public partial record Ping(int Number);

[TruffleMessage("probe")]
public partial record Add(int A, int B) : IRequest<Sum>;

[TruffleMessage("probe")]
public partial record Sum(int Value);

[SyncedSlice("counter")]
public partial record Counter(int Value);
