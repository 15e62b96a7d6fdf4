using System.Collections.Immutable;
using Truffle;

namespace Presence;

/// <summary>What each device shares about itself; only the device itself writes its own.</summary>
[SyncedSlice("presence")]
public partial record DeviceStatus(string Name, string Status, int Battery, ImmutableArray<string> OpenFiles);
