using System.Text.Json;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace PecosCrm.IntegrationTests.Automation;

/// <summary>
/// Brings durable timers forward for tests that move a <see cref="FakeTimeProvider"/>. The engine's
/// timers run on the machine's clock; this decorator of the orchestration service sees every timer
/// an orchestration makes and works out when it is due on the test's clock: at the app-clock wake-up
/// time the activity before it reported (a wait, quiet hours, the frequency cap; a wait the step's
/// activity began after its step, in its result's <c>Then</c>), or for a wait begun at enrolment the
/// enrolment time plus the wait's duration (or the one decided at enrolment), else after the
/// same delay from the test clock's now. When the test clock reaches it, a copy of the timer's
/// message is sent to fire now; the real message stays in storage, as durable as ever (held to at
/// most six days, which Azure queues allow), and a second firing of a timer is ignored by the engine.
/// One forwarder may serve several apps in turn (an app stopped mid-wait and a new one).
/// </summary>
public sealed class TimerForwarder(FakeTimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly List<(DateTimeOffset Due, TaskMessage Message)> _pending = [];
    private IOrchestrationServiceClient? _client;

    public FakeTimeProvider Time => time;

    /// <summary>Registers the decorator with an app's services.</summary>
    public void AddTo(IServiceCollection services) =>
        services.AddSingleton<Func<IOrchestrationService, IOrchestrationService>>(inner =>
        {
            _client = (IOrchestrationServiceClient)inner;
            return new Decorator(inner, this);
        });

    /// <summary>Moves the test clock and fires every timer now due on it.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        time.Advance(by);
        await FireDueAsync();
    }

    private async Task FireDueAsync()
    {
        List<TaskMessage> due;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            due = _pending.Where(p => p.Due <= now).Select(p => p.Message).ToList();
            _pending.RemoveAll(p => p.Due <= now);
        }
        foreach (var message in due)
        {
            var timer = (TimerFiredEvent)message.Event;
            await _client!.SendTaskOrchestrationMessageAsync(new TaskMessage
            {
                OrchestrationInstance = message.OrchestrationInstance,
                Event = new TimerFiredEvent(-1, DateTime.UtcNow) { TimerId = timer.TimerId },
            });
        }
    }

    /// <summary>When each new timer is due on the test clock; called before the timers are stored.</summary>
    private List<(DateTimeOffset Due, TaskMessage Message)> DueTimes(OrchestrationRuntimeState state, IList<TaskMessage> timers)
    {
        // The wake-up time on the app's clock, from the result of the activity that asked for the wait.
        var last = state.Events.LastOrDefault(e => e is TaskCompletedEvent or TaskFailedEvent);
        var wake = last is TaskCompletedEvent { Result: { } result } ? WakeAtOf(result)
            : last is null && state.Events.OfType<ExecutionStartedEvent>().FirstOrDefault() is { Input: { } input } ? WaitBegunAtEnrolment(input)
            : null;
        return timers.Select(m => (wake ?? time.GetUtcNow() + (((TimerFiredEvent)m.Event).FireAt - DateTime.UtcNow), m)).ToList();
    }

    private async Task AddAsync(List<(DateTimeOffset Due, TaskMessage Message)> timers)
    {
        lock (_lock)
        {
            _pending.AddRange(timers);
        }
        await FireDueAsync();
    }

    private static DateTimeOffset? WakeAtOf(string result)
    {
        try
        {
            using var json = JsonDocument.Parse(result);
            return WakeAtOf(json.RootElement) ?? (Property(json.RootElement, "Then") is { ValueKind: JsonValueKind.Object } then ? WakeAtOf(then) : null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static DateTimeOffset? WakeAtOf(JsonElement result) =>
        Property(result, "WakeAt") is { ValueKind: JsonValueKind.String } w ? w.GetDateTimeOffset() : null;

    private static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && (element.TryGetProperty(name, out var p) || element.TryGetProperty(char.ToLowerInvariant(name[0]) + name[1..], out p)) ? p : null;

    /// <summary>The wake-up time of a wait begun at enrolment (no activity reported it): the enrolment time plus its duration.</summary>
    private static DateTimeOffset? WaitBegunAtEnrolment(string input)
    {
        try
        {
            using var json = JsonDocument.Parse(input);
            if (Property(json.RootElement, "Definition") is not { ValueKind: JsonValueKind.String } definition || Property(json.RootElement, "EnrolledAt") is not { ValueKind: JsonValueKind.String } enrolledAt)
            {
                return null;
            }
            var wait = PecosCrm.Core.Automation.AutomationOrchestrator.WaitBegunAtEnrolment(
                JsonSerializer.Deserialize<PecosCrm.Core.Automation.WorkflowDefinition>(definition.GetString()!, PecosCrm.Core.CrmJson.Options)!);
            // A duration decided at enrolment (a replenishment interval) travels in the input.
            var decided = Property(json.RootElement, "FirstWait") is { ValueKind: JsonValueKind.String } first
                ? TimeSpan.Parse(first.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
                : (TimeSpan?)null;
            return wait is null ? null : enrolledAt.GetDateTimeOffset() + (decided ?? wait.Duration!.Value);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class Decorator(IOrchestrationService inner, TimerForwarder forwarder) : IOrchestrationService
    {
        public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;
        public int MaxConcurrentTaskOrchestrationWorkItems => inner.MaxConcurrentTaskOrchestrationWorkItems;
        public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;
        public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;
        public int MaxConcurrentTaskActivityWorkItems => inner.MaxConcurrentTaskActivityWorkItems;

        public async Task CompleteTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem, OrchestrationRuntimeState newOrchestrationRuntimeState,
            IList<TaskMessage> outboundMessages, IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages, TaskMessage continuedAsNewMessage, OrchestrationState orchestrationState)
        {
            var timers = forwarder.DueTimes(newOrchestrationRuntimeState, timerMessages);
            foreach (var (_, message) in timers)
            {
                var timer = (TimerFiredEvent)message.Event;
                if (timer.FireAt - DateTime.UtcNow > TimeSpan.FromDays(6))
                {
                    timer.FireAt = DateTime.UtcNow.AddDays(6);
                }
            }
            await inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);
            if (timers.Count > 0)
            {
                await forwarder.AddAsync(timers);
            }
        }

        public Task StartAsync() => inner.StartAsync();
        public Task StopAsync() => inner.StopAsync();
        public Task StopAsync(bool isForced) => inner.StopAsync(isForced);
        public Task CreateAsync() => inner.CreateAsync();
        public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);
        public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();
        public Task DeleteAsync() => inner.DeleteAsync();
        public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);
        public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);
        public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);
        public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);
        public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) => inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);
        public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);
        public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);
        public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);
        public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) => inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
        public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);
        public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) => inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
        public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem) => inner.AbandonTaskActivityWorkItemAsync(workItem);
    }
}
