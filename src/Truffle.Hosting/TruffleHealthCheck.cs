using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Truffle.Hosting;

/// <summary>
/// Reports the hosted node: healthy while it runs with a primary in the mesh (itself or another device), degraded
/// while it starts or runs without a primary (alone in a minority, or during an election), and the registration's
/// failure status when it has not started, failed or stopped. The data carries the state, role, primary, term and
/// the number of devices online.
/// </summary>
internal sealed class TruffleHealthCheck(HostedTruffleNode hosted) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        TruffleNodeState state = hosted.State;
        TruffleNode? node = hosted.Current;
        HealthStatus failure = context.Registration.FailureStatus;
        var data = new Dictionary<string, object> { ["state"] = state.ToString() };
        HealthCheckResult result;
        if (state == TruffleNodeState.Running && node is not null)
        {
            string? primary = node.PrimaryId;
            data["deviceId"] = node.DeviceId;
            data["role"] = node.Role.ToString();
            data["primary"] = primary ?? string.Empty;
            data["term"] = node.Term;
            data["devicesOnline"] = node.Devices.Count(d => d.IsOnline);
            string description = string.Create(
                CultureInfo.InvariantCulture,
                $"Running as {node.Role} in term {node.Term}, primary {primary ?? "none"}.");
            result = primary is null
                ? new HealthCheckResult(HealthStatus.Degraded, description + " No primary yet: requests through the primary wait.", data: data)
                : new HealthCheckResult(HealthStatus.Healthy, description, data: data);
        }
        else
        {
            result = state switch
            {
                TruffleNodeState.Starting => new HealthCheckResult(HealthStatus.Degraded, "Starting: joining the network.", data: data),
                TruffleNodeState.Failed => new HealthCheckResult(failure, "Failed to start: " + hosted.Failure?.Message, hosted.Failure, data),
                TruffleNodeState.Stopping or TruffleNodeState.Stopped => new HealthCheckResult(failure, "Stopped with the host.", data: data),
                _ => new HealthCheckResult(failure, "Not started: the node starts with the host.", data: data),
            };
        }

        return Task.FromResult(result);
    }
}
