using Contracts;
using Desk;
using Shared;
using Truffle;

// The desk app of the contracts solution: answers the library's Ask, exchanges its own Wave with the tool, and stays
// until the tool has left, so its answer is delivered before it stops. One line per step; exit code 0 when every
// step happened in time.
try
{
    await using TruffleNode node = await Meeting.StartAsync("desk", args[0]);
    var wave = new TaskCompletionSource<Wave>(TaskCreationOptions.RunContinuationsAsynchronously);
    var asked = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
    using IDisposable waves = node.Bus.Chat.On<Wave>((message, _) => wave.TrySetResult(message));
    using IDisposable answers = node.Bus.Chat.Handle((Ask ask, MessageContext _) =>
    {
        asked.TrySetResult(ask.Question);
        return new Answer("fine, thanks");
    });

    string tool = await Meeting.MeetAsync(node, "desk", "tool");
    Console.WriteLine("desk: the tool listens");
    await node.Bus.Chat.Send(tool, new Wave("desk", 1));
    Wave got = await wave.Task.WaitAsync(Meeting.Patience);
    Console.WriteLine($"desk: wave {got.Number} from {got.From}");
    Console.WriteLine($"desk: the tool asked \"{await asked.Task.WaitAsync(Meeting.Patience)}\"");
    await Meeting.LeftAsync(node, tool);
    Console.WriteLine("desk: the tool left");
    return 0;
}
catch (TimeoutException e)
{
    Console.Error.WriteLine($"desk timed out: {e}");
    return 1;
}
