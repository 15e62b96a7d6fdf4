using System.Collections.Concurrent;
using Truffle;
using Truffle.Sync;

namespace Chat;

/// <summary>The same chat on an in-process network: no sidecar, no sockets (<c>--in-process</c>).</summary>
internal static class InProcessDemo
{
    public static async Task<int> RunAsync()
    {
        // Only the way a bus is obtained differs from the mesh demo: network.Connect instead of TruffleNode.StartAsync.
        var network = new InProcessNetwork();
        await using MessageBus ana = network.Connect("ana-laptop");
        await using MessageBus bo = network.Connect("bo-phone");
        await using MessageBus cy = network.Connect("cy-tablet");

        var history = new ConcurrentQueue<ChatMessage>();
        var delivered = new CountdownEvent(4);
        foreach (MessageBus device in new[] { bo, cy })
        {
            device.Chat.On<ChatMessage>((message, context) =>
            {
                Console.WriteLine($"[{device.LocalDeviceId}] {context.From}: {message.Text}");
                if (device == bo)
                {
                    history.Enqueue(message);
                }

                delivered.Signal();
            });
        }

        using var typingSeen = new ManualResetEventSlim();
        bo.Chat.On<Typing>((typing, context) =>
        {
            Console.WriteLine($"[{bo.LocalDeviceId}] {context.From} is {(typing.IsTyping ? "typing" : "idle")}");
            typingSeen.Set();
        });

        bo.Chat.Handle((GetHistory request, MessageContext context) =>
            new History([.. history.TakeLast(request.Count)]));

        await ana.Chat.Send("bo-phone", new Typing(true));
        await ana.Chat.Broadcast(new ChatMessage("ana", "hi all"));
        await ana.Chat.Broadcast(new ChatMessage("ana", "lunch at noon?"));

        if (!delivered.Wait(TimeSpan.FromSeconds(10)) || !typingSeen.Wait(TimeSpan.FromSeconds(10)))
        {
            Console.Error.WriteLine("messages did not arrive in time");
            return 1;
        }

        History last = await cy.Chat.Request("bo-phone", new GetHistory(2), TimeSpan.FromSeconds(5));
        Console.WriteLine($"[cy-tablet] bo-phone's history: {string.Join(" | ", last.Messages.Select(m => m.Text))}");

        // A slice change travels as the members that changed, not the whole slice.
        var before = new Presence("online", 81, ["notes.md", "todo.md"]);
        Presence after = before with { Battery = 80 };
        SliceDelta delta = SliceDelta.Create(before, after);
        byte[] snapshot = TruffleSerializer.Serialize(after);
        Console.WriteLine($"presence delta: {string.Join(", ", delta.ChangedMemberNames<Presence>())} " +
                          $"({delta.Values.Length} bytes, the whole slice is {snapshot.Length} bytes)");
        Presence applied = delta.Apply(before);
        Console.WriteLine($"applied on another device: battery {applied.Battery}, files {string.Join(", ", applied.OpenFiles)}");

        return last.Messages.Length == 2 && applied.Battery == 80 ? 0 : 1;
    }
}
