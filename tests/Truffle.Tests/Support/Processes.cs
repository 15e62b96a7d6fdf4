using System.Diagnostics;

namespace Truffle.Tests.Support;

internal static class Processes
{
    /// <summary>Whether the process with <paramref name="pid"/> is gone (or has exited and not been reaped yet).</summary>
    public static bool HasExited(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
