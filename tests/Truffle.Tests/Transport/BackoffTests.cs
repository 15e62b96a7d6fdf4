using Truffle.Transport;
using Xunit;

namespace Truffle.Tests.Transport;

public sealed class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0, 50, 100)]
    [InlineData(1, 100, 200)]
    [InlineData(4, 800, 1600)]
    [InlineData(8, 12_800, 25_600)]
    [InlineData(9, 15_000, 30_000)]
    [InlineData(1000, 15_000, 30_000)]
    public void Delay_is_between_half_and_all_of_base_times_two_to_the_n_capped(int attempt, double lowMs, double highMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(lowMs), Backoff.Delay(Base, Max, attempt, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(highMs), Backoff.Delay(Base, Max, attempt, 1));
        Assert.InRange(Backoff.Delay(Base, Max, attempt, 0.5), TimeSpan.FromMilliseconds(lowMs), TimeSpan.FromMilliseconds(highMs));
    }

    [Fact]
    public void Next_grows_within_bounds_and_reset_starts_over()
    {
        var backoff = new Backoff(Base, Max, new Random(1));
        for (int attempt = 0; attempt < 20; attempt++)
        {
            TimeSpan delay = backoff.Next();
            Assert.InRange(delay, Backoff.Delay(Base, Max, attempt, 0), Backoff.Delay(Base, Max, attempt, 1));
        }

        Assert.Equal(20, backoff.Attempt);
        backoff.Reset();
        Assert.InRange(backoff.Next(), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100));
    }
}
