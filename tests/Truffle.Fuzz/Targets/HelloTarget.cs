using Truffle.Transport;

namespace Truffle.Fuzz.Targets;

/// <summary><see cref="HelloCodec.TryRead"/>: a null and a problem for anything but a valid hello, never an exception.</summary>
internal sealed class HelloTarget : FuzzTarget
{
    public override string Name => "hello";

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        yield return ("minimal", HelloCodec.Encode(new Hello(
            Hello.CurrentVersion, "app", "device-a", "", "", "", "", 0, false, 0, [], new Dictionary<string, string>())));
        yield return ("full", HelloCodec.Encode(new Hello(
            Hello.CurrentVersion, "com.example.app", "device-b", "Kitchen tablet", "tablet", "linux", "n1234CNTRL", 1_700_000_000,
            true, 5, [Hello.ObserverCapability, "future"], new Dictionary<string, string> { ["room"] = "kitchen", ["v"] = "2" })));
    }

    protected override void Decode(ReadOnlyMemory<byte> input) => HelloCodec.TryRead(input, out _);
}
