using System.Reflection;
using Truffle.Fuzz;
using Xunit;

namespace Truffle.Tests.Fuzzing;

/// <summary>
/// The fuzz corpus without afl (docs/security.md, "Fuzzing"): every committed input, seeds and the crashes found
/// and fixed, runs through its decoder, which may throw only its documented malformed-input exception.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static readonly string CorpusRoot =
        typeof(FuzzCorpusTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FuzzCorpus").Value!;

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Committed_corpus_replays_without_a_crash(string target)
    {
        IReadOnlyList<string> inputs = Replay.Inputs([Path.Combine(CorpusRoot, target)]);
        Assert.NotEmpty(inputs);

        IReadOnlyList<(string File, Exception Crash)> crashes = Replay.Run(FuzzTargets.Find(target)!, inputs);

        Assert.Empty(crashes.Select(c => $"{Path.GetFileName(c.File)}: {c.Crash}"));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Committed_seeds_are_the_current_encodings(string target)
    {
        // A seed that no longer matches what the encoder writes would fuzz a format nobody sends.
        foreach ((string name, byte[] bytes) in FuzzTargets.Find(target)!.Seeds())
        {
            string file = Path.Combine(CorpusRoot, target, name + ".bin");
            Assert.True(File.Exists(file), $"{file} is missing: run 'Truffle.Fuzz seed tests/Truffle.Fuzz/corpus'.");
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(file)), $"{file} is stale: run 'Truffle.Fuzz seed tests/Truffle.Fuzz/corpus'.");
        }
    }

    [Fact]
    public void A_decoder_exception_outside_its_documented_one_is_a_crash()
    {
        // The documented refusal is the decoder working; anything else must reach afl-fuzz, never be swallowed.
        var target = new ThrowingTarget();

        Assert.Throws<KeyNotFoundException>(() => target.Run(new byte[] { 1 }));
        target.Run(ReadOnlyMemory<byte>.Empty);
    }

    private sealed class ThrowingTarget : FuzzTarget
    {
        public override string Name => "throwing";

        public override IEnumerable<(string Name, byte[] Bytes)> Seeds() => [];

        protected override void Decode(ReadOnlyMemory<byte> input) =>
            throw (input.IsEmpty ? new TruffleSerializationException("refused") : new KeyNotFoundException());

        protected override bool IsDocumented(Exception exception) => exception is TruffleSerializationException;
    }
}
