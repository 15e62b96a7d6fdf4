using Xunit;

namespace Truffle.Packaging.Tests;

/// <summary>
/// Every package test: one collection, so they run one at a time (each builds or publishes a whole app on a
/// two-core machine) and share one <see cref="PackageFeed"/>, packed once per run.
/// </summary>
/// <remarks>
/// Adding a package test: put the app's projects under <c>Apps/&lt;Name&gt;/</c> (any number of projects, each
/// referencing Truffle packages with <c>Version="TRUFFLE_VERSION"</c>), get a restored copy outside the repository
/// with <see cref="PackageFeed.App"/>, and drive it with <see cref="ScratchApp.DotnetAsync"/> and
/// <see cref="ScratchApp.RunAsync"/>. Keep each test to one build and plain runs where it can: the whole
/// collection shares one machine's two cores and CI's 30 minutes.
/// </remarks>
[CollectionDefinition(Name)]
public sealed class PackageTests : ICollectionFixture<PackageFeed>
{
    public const string Name = "Packages";
}
