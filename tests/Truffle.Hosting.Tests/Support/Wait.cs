namespace Truffle.Hosting.Tests.Support;

/// <summary>How long a test waits for something that should happen; only a failing test waits this long.</summary>
internal static class Wait
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static Task<T> For<T>(Task<T> task) => task.WaitAsync(Timeout);

    public static Task For(Task task) => task.WaitAsync(Timeout);
}
