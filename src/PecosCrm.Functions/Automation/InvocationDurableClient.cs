using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace PecosCrm.Functions.Automation;

/// <summary>
/// Functions mode's <see cref="DurableTaskClient"/> for app code: it forwards every call to the
/// client the host bound to the running invocation (<c>[DurableClient]</c>), which the function put
/// in its scope's accessor. App services that start or signal instances are singletons (the event
/// processor's observers, say), so they hold this one client and reach the invocation's through the
/// async flow rather than capturing one scope's client for good.
/// </summary>
internal sealed class InvocationDurableClient() : DurableTaskClient("functions")
{
    private static readonly AsyncLocal<DurableTaskClient?> CurrentClient = new();

    /// <summary>Makes <paramref name="client"/> the invocation's client for the rest of this async flow.</summary>
    public static void Use(DurableTaskClient? client) => CurrentClient.Value = client;

    private static DurableTaskClient Current => CurrentClient.Value
        ?? throw new InvalidOperationException("No Durable Task client is bound to this invocation: the function needs a [DurableClient] parameter that it puts in the scope's accessor.");

    public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default) =>
        Current.ScheduleNewOrchestrationInstanceAsync(orchestratorName, input, options, cancellation);

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) =>
        Current.RaiseEventAsync(instanceId, eventName, eventPayload, cancellation);

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) =>
        Current.TerminateInstanceAsync(instanceId, options, cancellation);

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        Current.SuspendInstanceAsync(instanceId, reason, cancellation);

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        Current.ResumeInstanceAsync(instanceId, reason, cancellation);

    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Current.GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation);

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Current.WaitForInstanceStartAsync(instanceId, getInputsAndOutputs, cancellation);

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Current.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs, cancellation);

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => Current.GetAllInstancesAsync(filter);

    public override Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        Current.PurgeInstanceAsync(instanceId, options, cancellation);

    public override Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        Current.PurgeAllInstancesAsync(filter, options, cancellation);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
