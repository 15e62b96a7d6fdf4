using System.Collections.Immutable;

namespace Truffle.Tests.Sync;

/// <summary>The slice most sync tests write: a few members of different kinds.</summary>
[SyncedSlice("sync-status")]
internal sealed partial record Status(string Text, int Battery, ImmutableArray<string> Tags, long Counter);

/// <summary>A second store, so digests and joins cover more than one store per device.</summary>
[SyncedSlice("sync-cursor")]
internal sealed partial record Cursor(int X, int Y);

/// <summary>Only the spoofing test uses this store, so its metrics are attributable.</summary>
[SyncedSlice("sync-spoof-probe")]
internal sealed partial record SpoofProbe(string Text);

/// <summary>Only the tombstone test uses this store, so its metrics are attributable.</summary>
[SyncedSlice("sync-tombstone-probe")]
internal sealed partial record TombstoneProbe(string Text, int Version);

/// <summary>Fifty members, for the delta-size goal of SPEC §9.</summary>
[SyncedSlice("sync-wide")]
internal sealed partial record Wide(
    string F00, string F01, string F02, string F03, string F04, string F05, string F06, string F07, string F08, string F09,
    string F10, string F11, string F12, string F13, string F14, string F15, string F16, string F17, string F18, string F19,
    string F20, string F21, string F22, string F23, string F24, string F25, string F26, string F27, string F28, string F29,
    string F30, string F31, string F32, string F33, string F34, string F35, string F36, string F37, string F38, string F39,
    string F40, string F41, string F42, string F43, string F44, string F45, string F46, string F47, string F48, int Counter);

/// <summary>Only the persistence failure tests use this store, so its metrics are attributable.</summary>
[SyncedSlice("sync-persistence-probe")]
internal sealed partial record PersistenceProbe(string Text);

/// <summary>Only the size-limit test uses this store, so its metrics are attributable.</summary>
[SyncedSlice("sync-size-probe")]
internal sealed partial record SizeProbe(string Blob);
