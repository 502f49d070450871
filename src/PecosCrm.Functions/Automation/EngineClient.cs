using DurableTask.AzureStorage;
using DurableTask.Core;
using PurgeResult = Microsoft.DurableTask.Client.PurgeResult;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace PecosCrm.Functions.Automation;

/// <summary>
/// The <see cref="DurableTaskClient"/> of standalone mode, over the engine's <see cref="TaskHubClient"/>:
/// app code starts, signals, suspends, resumes, terminates, purges and reads instances through the
/// same type in both modes. Payloads are serialized with the converter the orchestrator shims read
/// them with. Listing instances is not offered: the app keeps its own lists.
/// </summary>
internal sealed class EngineClient(AutomationEngine engine, Microsoft.DurableTask.DataConverter converter, ILoggerFactory loggers)
    : DurableTaskClient("standalone")
{
    private readonly AzureStorageOrchestrationService _service = engine.Service;
    private readonly TaskHubClient _hub = new(engine.Service, new CoreConverter(converter), loggers);

    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        var instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        await engine.EnsureStartedAsync(cancellation);
        await _hub.CreateOrchestrationInstanceAsync(orchestratorName.Name, "", instanceId, input);
        return instanceId;
    }

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) =>
        _hub.RaiseEventAsync(Instance(instanceId), eventName, eventPayload!);

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) =>
        _hub.TerminateInstanceAsync(Instance(instanceId), options?.Output?.ToString() ?? "terminated");

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        _hub.SuspendInstanceAsync(Instance(instanceId), reason ?? "suspended");

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        _hub.ResumeInstanceAsync(Instance(instanceId), reason ?? "resumed");

    public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        (await _service.GetOrchestrationStateAsync(instanceId, allExecutions: false)).FirstOrDefault() is { } state ? Metadata(state) : null;

    public override async Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        while (true)
        {
            if (await GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation) is { RuntimeStatus: not OrchestrationRuntimeStatus.Pending } started)
            {
                return started;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation);
        }
    }

    public override async Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Metadata(await _hub.WaitForOrchestrationAsync(Instance(instanceId), Timeout.InfiniteTimeSpan, cancellation));

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        throw new NotSupportedException("Standalone mode does not list engine instances; the app keeps its own lists by customer and by workflow.");

    public override async Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        new((await _service.PurgeInstanceHistoryAsync(instanceId)).InstancesDeleted);

    public override async Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        var statuses = (filter.Statuses ?? []).Select(s => Enum.Parse<OrchestrationStatus>(s.ToString())).ToList();
        var result = await _service.PurgeInstanceHistoryAsync(filter.CreatedFrom?.UtcDateTime ?? DateTime.MinValue, filter.CreatedTo?.UtcDateTime, statuses);
        return new PurgeResult(result.InstancesDeleted);
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static OrchestrationInstance Instance(string instanceId) => new() { InstanceId = instanceId };

    private OrchestrationMetadata Metadata(OrchestrationState state) => new(state.Name, state.OrchestrationInstance.InstanceId)
    {
        DataConverter = converter,
        RuntimeStatus = Enum.Parse<OrchestrationRuntimeStatus>(state.OrchestrationStatus.ToString()),
        CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(state.CreatedTime, DateTimeKind.Utc)),
        LastUpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(state.LastUpdatedTime, DateTimeKind.Utc)),
        SerializedInput = state.Input,
        SerializedOutput = state.Output,
        SerializedCustomStatus = state.Status,
    };

    /// <summary>The SDK's converter seen as the framework's, so the engine's client writes what the shims read.</summary>
    private sealed class CoreConverter(Microsoft.DurableTask.DataConverter inner) : DurableTask.Core.Serializing.DataConverter
    {
        public override string Serialize(object value) => inner.Serialize(value)!;

        public override string Serialize(object value, bool formatted) => inner.Serialize(value)!;

        public override object Deserialize(string data, Type objectType) => inner.Deserialize(data, objectType)!;
    }
}
