namespace Truffle.Tests.Mesh;

[TruffleMessage("meshtest")]
public partial record Shout(string Text, int Number);

[TruffleMessage("meshtest")]
public partial record WhoAreYou(string Question) : IRequest<IAm>;

[TruffleMessage("meshtest")]
public partial record IAm(string DeviceId, string Answer);

[TruffleMessage("meshtest")]
public partial record Unanswered(int Value) : IRequest<IAm>;
