using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Truffle.Cli;

/// <summary>
/// The tool's own device in a mesh: always an observer (it never becomes a candidate and never counts toward a
/// quorum, so its coming and going cannot move the primary or the term), with a state directory of its own.
/// </summary>
internal sealed class MeshSession : IAsyncDisposable
{
    private readonly string? _temporaryState;
    private readonly SemaphoreSlim _changed = new(0);

    private MeshSession(TruffleNode node, string? temporaryState)
    {
        Node = node;
        _temporaryState = temporaryState;
        node.DeviceDiscovered += (_, _) => _changed.Release();
        node.DeviceUpdated += (_, _) => _changed.Release();
        node.DeviceOffline += (_, _) => _changed.Release();
        node.RoleChanged += (_, _) => _changed.Release();
    }

    public TruffleNode Node { get; }

    /// <summary>Joins the mesh of <paramref name="settings"/> as an observer.</summary>
    public static async Task<MeshSession> JoinAsync(CliSettings settings, Output output, CancellationToken cancellationToken)
    {
        string app = settings.RequireApp();
        SidecarPermissions.EnsureExecutable(settings.SidecarPath);
        string? temporary = null;
        string state = settings.StateDirectory ?? (settings.Network == TruffleNetwork.Loopback
            ? temporary = Directory.CreateTempSubdirectory("truffle-cli-").FullName
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "truffle-cli", app));
        var options = new TruffleOptions
        {
            AppId = app,
            DeviceName = "truffle-cli@" + Environment.MachineName,
            DeviceType = "cli",
            Observer = true,
            StateDirectory = state,
            Network = settings.Network,
            LoopbackDirectory = settings.LoopbackDirectory,
            SidecarPath = settings.SidecarPath,
            OnAuthRequired = url => output.Note($"Log in to Tailscale to let the tool join: {url}"),
            LoggerFactory = settings.Verbose ? new StderrLoggerFactory() : NullLoggerFactory.Instance,
        };
        try
        {
            TruffleNode node = await output.SpinAsync(
                "Joining the mesh as an observer…", () => TruffleNode.StartAsync(options, cancellationToken)).ConfigureAwait(false);
            return new MeshSession(node, temporary);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
    }

    /// <summary>
    /// Waits until this device has met every device the network lists and knows the primary (or there are no
    /// devices), at most <paramref name="timeout"/>; false when that did not happen in time.
    /// </summary>
    public async Task<bool> DiscoverAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!IsDiscovered())
        {
            try
            {
                // Discovery raises no event when the network lists a peer, only when its hello arrives; the short
                // wait re-reads the listed count meanwhile.
                await _changed.WaitAsync(TimeSpan.FromMilliseconds(200), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return IsDiscovered();
            }
        }

        return true;
    }

    private bool IsDiscovered()
    {
        int online = Node.Devices.Count(d => d.IsOnline);
        bool anyMember = Node.Devices.Any(d => d.IsOnline && d.Kind == DeviceKind.Member);
        return online >= Node.ListedPeerCount && (!anyMember || Node.PrimaryId is not null);
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync().ConfigureAwait(false);
        DeleteQuietly(_temporaryState);
        _changed.Dispose();
    }

    private static void DeleteQuietly(string? directory)
    {
        if (directory is null)
        {
            return;
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless; the OS cleans /tmp.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    /// <summary>With <c>--verbose</c>, the runtime's warnings and errors go to stderr.</summary>
    private sealed class StderrLoggerFactory : ILoggerFactory, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine($"truffle: {logLevel}: {formatter(state, exception)}");
            }
        }

        public void Dispose()
        {
        }
    }
}
