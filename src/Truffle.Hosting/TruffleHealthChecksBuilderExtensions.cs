using Microsoft.Extensions.Diagnostics.HealthChecks;
using Truffle.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary><c>services.AddHealthChecks().AddTruffle()</c>: a health check of the hosted Truffle node.</summary>
public static class TruffleHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of the node that <c>services.AddTruffle(...)</c> runs. Healthy: running, with a primary in the
    /// mesh. Degraded: starting, or running with no primary. <paramref name="failureStatus"/>: not started, failed to
    /// start, or stopped. The result's data has <c>state</c>, and while running <c>deviceId</c>, <c>role</c>,
    /// <c>primary</c>, <c>term</c> and <c>devicesOnline</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">What a node that is not running reports; <see cref="HealthStatus.Unhealthy"/> when null.</param>
    /// <param name="tags">Tags to filter checks by (readiness, liveness).</param>
    public static IHealthChecksBuilder AddTruffle(
        this IHealthChecksBuilder builder, string name = "truffle", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new TruffleHealthCheck(sp.GetRequiredService<HostedTruffleNode>()),
            failureStatus,
            tags));
    }
}
