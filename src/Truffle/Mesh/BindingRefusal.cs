namespace Truffle.Mesh;

/// <summary>Why <see cref="DeviceBindings.TryBind"/> refused a claim.</summary>
/// <param name="Tag">For the metric: <c>self</c>, <c>bound_elsewhere</c> or <c>full</c>.</param>
/// <param name="Reason">For the log and the close frame (short: a close reason fits in 123 bytes).</param>
internal readonly record struct BindingRefusal(string Tag, string Reason);
