using Truffle;

namespace Contracts;

/// <summary>Says a device is subscribed and ready; answered once with <see cref="Reply"/> set.</summary>
[TruffleMessage("chat")]
public partial record Hello(string From, bool Reply);

/// <summary>A question one app asks the other.</summary>
[TruffleMessage("chat")]
public partial record Ask(string Question) : IRequest<Answer>;

/// <summary>The reply to <see cref="Ask"/>.</summary>
[TruffleMessage("chat")]
public partial record Answer(string Text);
