using Contracts;
using Shared;
using Tool;
using Truffle;

// The tool app of the contracts solution: exchanges its own Wave with the desk, asks it the library's Ask, and
// leaves (a goodbye the desk waits for). One line per step; exit code 0 when every step happened in time.
try
{
    await using TruffleNode node = await Meeting.StartAsync("tool", args[0]);
    var wave = new TaskCompletionSource<Wave>(TaskCreationOptions.RunContinuationsAsynchronously);
    using IDisposable waves = node.Bus.Chat.On<Wave>((message, _) => wave.TrySetResult(message));

    string desk = await Meeting.MeetAsync(node, "tool", "desk");
    Console.WriteLine("tool: the desk listens");
    await node.Bus.Chat.Send(desk, new Wave("tool", 2));
    Wave got = await wave.Task.WaitAsync(Meeting.Patience);
    Console.WriteLine($"tool: wave {got.Number} from {got.From}");
    Answer answer = await node.Bus.Chat.Request(desk, new Ask("how are you?"), Meeting.Patience);
    Console.WriteLine($"tool: the desk answered \"{answer.Text}\"");
    return 0;
}
catch (TimeoutException e)
{
    Console.Error.WriteLine($"tool timed out: {e}");
    return 1;
}
