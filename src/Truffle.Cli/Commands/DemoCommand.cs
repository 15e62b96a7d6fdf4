using System.CommandLine;
using System.Text.Json;

namespace Truffle.Cli.Commands;

/// <summary>
/// <c>truffle demo</c>: the local chat demo. Three devices join a loopback network and elect a primary; every line
/// typed is broadcast by the first as a <c>chat/chat-message</c> (the same bytes the Chat sample's generated
/// formatter writes) and printed by the others. End of input (Ctrl+D) or Ctrl+C stops it.
/// </summary>
internal static class DemoCommand
{
    private const string Namespace = "chat";
    private const string Type = "chat-message";

    public static Command Create()
    {
        var command = new Command("demo", "The local chat demo: three devices on a loopback network; each line you type is broadcast to the others.");
        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliSettings settings, Output output, CancellationToken cancellationToken)
    {
        string root = Directory.CreateTempSubdirectory("truffle-demo-").FullName;
        await using var mesh = new LocalMesh();
        string[] names = ["ana", "bo", "cy"];
        var received = new SemaphoreSlim(0);
        foreach (string name in names)
        {
            TruffleNode node = await mesh.StartAsync(new TruffleOptions
            {
                AppId = settings.AppId ?? "chat-demo",
                DeviceName = name,
                StateDirectory = Path.Combine(root, name),
                Network = TruffleNetwork.Loopback,
                LoopbackDirectory = settings.LoopbackDirectory ?? Path.Combine(root, "registry"),
                SidecarPath = settings.SidecarPath,
            }, cancellationToken).ConfigureAwait(false);
            node.Bus.Subscribe(Namespace, Type, (message, _) =>
            {
                output.Line($"[{name}] {JsonPayload.ToJson(message.Payload)}");
                received.Release();
                return ValueTask.CompletedTask;
            });
        }

        output.Line($"three devices ({string.Join(", ", names)}) joined a loopback network in {root}; type a line to broadcast it from ana, Ctrl+D to stop.");
        TruffleNode ana = mesh.Nodes[0];
        TruffleDevice[] others = [];
        while (others.Length < names.Length - 1)
        {
            await mesh.WaitForChangeAsync(settings.Timeout, cancellationToken).ConfigureAwait(false);
            others = [.. ana.Devices.Where(d => d.IsOnline)];
            cancellationToken.ThrowIfCancellationRequested();
        }

        bool typedAny = false;
        while (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            typedAny = true;
            await BroadcastAsync(ana, line, cancellationToken).ConfigureAwait(false);
        }

        if (!typedAny)
        {
            // Nothing typed (input redirected from nothing): show one message going round, then stop.
            await BroadcastAsync(ana, "hi from ana", cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < names.Length - 1; i++)
            {
                if (!await received.WaitAsync(settings.Timeout, cancellationToken).ConfigureAwait(false))
                {
                    throw new CliException(ExitCodes.Timeout, "The demo's message did not reach every device in time.");
                }
            }
        }

        return ExitCodes.Success;
    }

    private static ValueTask BroadcastAsync(TruffleNode from, string text, CancellationToken cancellationToken)
    {
        string json = JsonSerializer.Serialize(text, CliJsonContext.Default.String);
        return from.Bus.BroadcastAsync(Namespace, Type, JsonPayload.ToMessagePack($$"""{"author":"ana","text":{{json}}}"""), cancellationToken);
    }
}
