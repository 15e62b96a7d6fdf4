namespace Truffle.Benchmarks.Mesh;

/// <summary>Fifty members, for the SPEC §9 sync goals (delta size and convergence after a one-field change).</summary>
[SyncedSlice("bench-wide")]
public sealed partial record WideSlice(
    string F00, string F01, string F02, string F03, string F04, string F05, string F06, string F07, string F08, string F09,
    string F10, string F11, string F12, string F13, string F14, string F15, string F16, string F17, string F18, string F19,
    string F20, string F21, string F22, string F23, string F24, string F25, string F26, string F27, string F28, string F29,
    string F30, string F31, string F32, string F33, string F34, string F35, string F36, string F37, string F38, string F39,
    string F40, string F41, string F42, string F43, string F44, string F45, string F46, string F47, string F48, int Counter)
{
    public static WideSlice Create(int counter) => new(
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett",
        "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
        "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "one", "two", "three", "four",
        "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen",
        "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "twenty-one", "twenty-two", "twenty-three", counter);
}
