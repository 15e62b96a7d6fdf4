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
/// <see cref="ScratchApp.RunAsync"/>. Planned next, in this collection:
/// <list type="bullet">
/// <item><c>ContractsSolutionTests</c>: <c>Apps/Contracts/</c> with a contracts library and two apps, all by
/// package, the apps exchanging messages of one namespace declared across the library and each app;</item>
/// <item><c>HostedAppTests</c>: <c>Apps/Hosted/</c>, a Generic Host app configured from <c>appsettings.json</c>
/// through Truffle.Hosting (which <c>scripts/pack.sh</c> packs as soon as it is in Truffle.sln with IsPackable).</item>
/// </list>
/// </remarks>
[CollectionDefinition(Name)]
public sealed class PackageTests : ICollectionFixture<PackageFeed>
{
    public const string Name = "Packages";
}
