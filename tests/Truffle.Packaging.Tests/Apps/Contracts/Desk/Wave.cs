using Truffle;

namespace Desk;

/// <summary>
/// A "chat" message of this app's own, next to the library's: one wire namespace declared in two assemblies. The
/// Tool declares the same wire message in its own assembly, as a separately built program would.
/// </summary>
[TruffleMessage("chat")]
public partial record Wave(string From, int Number);
