using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Products;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Automation;

/// <summary>
/// Automation instances as app code sees them: enrolment (the checks, then a new orchestration),
/// store events raised to the instances waiting for them, and instance management (suspend, resume,
/// terminate, purge) through the <see cref="DurableTaskClient"/> of the hosting mode, with the app's
/// own rows (<see cref="InstanceStore"/>) kept beside the engine's for lists by customer and workflow.
/// </summary>
public sealed partial class AutomationInstances(
    InstanceStore store, CustomerStore customers, CustomerCards cards, TagStore tags, AutomationCounters counters, DurableTaskClient client, IOptions<AutomationOptions> options,
    ReplenishmentWaits replenishment, TimeProvider time, ILogger<AutomationInstances> logger) : IPersonalData
{
    /// <summary>
    /// Enrols a customer, unless the re-entry rule, consent (marketing flows), the flow filters or a
    /// running instance say no; returns the instance, or the reason it was not made. An
    /// <paramref name="orderId"/> (the order an order event was about) is what the flow's emails show
    /// as <c>order.*</c>.
    /// </summary>
    public async Task<(WorkflowInstance? Instance, string? Refused)> EnrolAsync(
        Workflow workflow, string customerId, string source, string? orderId = null, CancellationToken cancellationToken = default)
    {
        var definition = workflow.Definition;
        var customer = await customers.FindAsync(customerId, cancellationToken);
        if (customer is null)
        {
            return (null, "no such customer");
        }
        var now = time.GetUtcNow();
        if (await store.LastEnrolmentAsync(workflow.Id, customerId, cancellationToken) is { } last)
        {
            if (await store.FindAsync(last.InstanceId, cancellationToken) is { IsFinished: false })
            {
                return (null, "already in this workflow");
            }
            var trigger = definition.Trigger!;
            if (trigger.Reentry != "after_days")
            {
                return (null, "enrols once only");
            }
            if (last.EnrolledAt is { } at && at.AddDays(trigger.ReentryDays ?? 0) > now)
            {
                return (null, $"re-enters only {trigger.ReentryDays} days after the last enrolment");
            }
        }
        if ((definition.Purpose ?? MessagePurpose.Marketing) == MessagePurpose.Marketing && !customer.Consent.Email && !customer.Consent.Sms)
        {
            return (null, "no marketing consent");
        }
        if (await FailingFlowFilterAsync(definition, customer, now, enrolled: false, cancellationToken) is { } failing)
        {
            return (null, failing);
        }

        var trigger0 = definition.Nodes!.First(n => n.Type == NodeTypes.Trigger);
        var firstWait = AutomationOrchestrator.WaitBegunAtEnrolment(definition) is { DurationFrom: WaitDurations.Replenishment } replenishing
            ? await replenishment.ForOrderAsync(orderId, cancellationToken) ?? replenishing.Duration
            : null;
        var start = new AutomationStart(Ids.New(time), workflow.Id, workflow.Version, customerId, source, now, orderId,
            JsonSerializer.Serialize(definition, CrmJson.Options), firstWait);
        var state = new InstanceEntity
        {
            PartitionKey = start.InstanceId,
            WorkflowId = workflow.Id,
            Version = workflow.Version,
            CustomerId = customerId,
            Node = trigger0.Id!,
            GoalEvent = AutomationSteps.GoalOf(definition),
            Source = source,
            OrderId = orderId,
            EnrolledAt = now,
        };
        List<InstanceStep> rows = [new(0, trigger0.Id!, NodeTypes.Trigger, "enrolled: " + source, now)];
        List<string> counted = ["enrolled"];
        if (AutomationOrchestrator.WaitBegunAtEnrolment(definition) is { } wait)
        {
            // A plain wait right after the trigger begins here, in the same write (history position 2, as its own step would be).
            var wake = now + (firstWait ?? wait.Duration!.Value);
            state.Status = nameof(InstanceStatus.Waiting);
            state.Node = wait.Id!;
            state.Sequence = 2;
            state.WakeAt = wake;
            state.WaitingForEvent = wait.UntilEvent;
            rows.Add(new InstanceStep(2, wait.Id!, NodeTypes.Wait, AutomationSteps.WaitText(wait, wake), now));
            counted.Add($"step:{wait.Id}:entered");
        }
        await store.CreateAsync(state, rows, cancellationToken);
        await counters.CountAsync(workflow.Id, counted, cancellationToken);
        await TimelineAsync(customerId, $"Entered automation \"{definition.Name}\"", start.InstanceId, now, cancellationToken);
        await client.ScheduleNewOrchestrationInstanceAsync(new TaskName(AutomationOrchestrator.Name), start, new StartOrchestrationOptions(start.InstanceId), cancellationToken);
        return (state.ToRecord(), null);
    }

    /// <summary>
    /// A store event for a customer, after it was applied: raised as the goal to instances whose goal
    /// it is (ending them wherever they are), and to instances waiting for it.
    /// </summary>
    public async Task OnCustomerEventAsync(string customerId, string eventType, CancellationToken cancellationToken = default)
    {
        foreach (var row in await store.RunningForCustomerAsync(customerId, cancellationToken))
        {
            if (row.GoalEvent == eventType)
            {
                await client.RaiseEventAsync(row.InstanceId, AutomationOrchestrator.GoalEventName, eventType, cancellationToken);
            }
            else if (row.StatusValue == InstanceStatus.Waiting && row.WaitingForEvent == eventType)
            {
                await client.RaiseEventAsync(row.InstanceId, eventType, eventType, cancellationToken);
            }
        }
    }

    public Task<WorkflowInstance> GetAsync(string instanceId, CancellationToken cancellationToken = default) => store.GetAsync(instanceId, cancellationToken);

    public Task<Storage.Page<WorkflowInstance>> ListAsync(string workflowId, InstanceStatus? status, int limit, string? cursor, CancellationToken cancellationToken = default) =>
        store.ListAsync(workflowId, status, limit, cursor, cancellationToken);

    public Task<IReadOnlyList<WorkflowInstance>> ForCustomerAsync(string customerId, CancellationToken cancellationToken = default) =>
        store.ForCustomerAsync(customerId, cancellationToken);

    public async Task<WorkflowInstance> SuspendAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var current = await RequireAsync(instanceId, cancellationToken);
        if (current.StatusValue is not (InstanceStatus.Active or InstanceStatus.Waiting))
        {
            throw new ConflictException($"Only a running instance can be suspended; this one is {current.Status.ToLowerInvariant()}.");
        }
        await client.SuspendInstanceAsync(instanceId, "suspended by staff", cancellationToken);
        var state = await store.ControlAsync(instanceId, "suspended", s =>
        {
            s.SuspendedStatus = s.StatusValue == InstanceStatus.Suspended ? s.SuspendedStatus : s.Status;
            s.Status = nameof(InstanceStatus.Suspended);
        }, time.GetUtcNow(), cancellationToken);
        return state.ToRecord();
    }

    public async Task<WorkflowInstance> ResumeAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        if ((await RequireAsync(instanceId, cancellationToken)).StatusValue != InstanceStatus.Suspended)
        {
            throw new ConflictException("Only a suspended instance can be resumed.");
        }
        var state = await store.ControlAsync(instanceId, "resumed", s =>
        {
            s.Status = s.SuspendedStatus ?? nameof(InstanceStatus.Active);
            s.SuspendedStatus = null;
        }, time.GetUtcNow(), cancellationToken);
        await client.ResumeInstanceAsync(instanceId, "resumed by staff", cancellationToken);
        return state.ToRecord();
    }

    public async Task<WorkflowInstance> TerminateAsync(string instanceId, string reason, CancellationToken cancellationToken = default)
    {
        if ((await RequireAsync(instanceId, cancellationToken)).IsFinished)
        {
            throw new ConflictException("The instance has already ended.");
        }
        await client.TerminateInstanceAsync(instanceId, new TerminateInstanceOptions(reason), cancellationToken);
        var now = time.GetUtcNow();
        var state = await store.ControlAsync(instanceId, "terminated: " + reason, s =>
        {
            s.Status = nameof(InstanceStatus.Terminated);
            s.SuspendedStatus = null;
            s.EndedAt = now;
            s.ExitReason = reason;
            s.WakeAt = null;
            s.WaitingForEvent = null;
        }, now, cancellationToken);
        await counters.CountAsync(state.WorkflowId, "terminated", cancellationToken);
        return state.ToRecord();
    }

    /// <summary>Deletes the finished instances of a workflow, in the engine and in the app's rows; returns how many.</summary>
    public async Task<int> PurgeAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        var finished = await store.FinishedOfWorkflowAsync(workflowId, cancellationToken);
        await Parallel.ForEachAsync(finished, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (row, ct) =>
        {
            await client.PurgeInstanceAsync(row.InstanceId, ct);
            await store.DeleteAsync(row, ct);
        });
        return finished.Count;
    }

    /// <summary>
    /// For a customer's erasure: terminates the customer's running instances and purges every one
    /// of them from the engine, whose history holds the customer's id in the steps' inputs. The
    /// app's own rows are deleted by the erasure with the rest of the customer's data.
    /// </summary>
    public async Task ForgetCustomerAsync(string customerId, CancellationToken cancellationToken = default)
    {
        foreach (var row in await store.ForCustomerAsync(customerId, cancellationToken))
        {
            if (row.Status is InstanceStatus.Active or InstanceStatus.Waiting or InstanceStatus.Suspended)
            {
                await client.TerminateInstanceAsync(row.Id, new TerminateInstanceOptions("customer erased"), cancellationToken);
            }
            await client.PurgeInstanceAsync(row.Id, cancellationToken);
        }
    }

    async Task IPersonalData.ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken) =>
        archive.AddRows("automations.json", await store.CustomerIndexRowsAsync(customerId, cancellationToken));

    /// <summary>Erases the customer from automations, and deletes the tasks automations opened about them.</summary>
    async Task<int> IPersonalData.EraseAsync(ErasureContext context, CancellationToken cancellationToken) =>
        await EraseCustomerAsync(context.CustomerId, cancellationToken) + await store.EraseTasksAsync(context.CustomerId, cancellationToken);

    /// <summary>
    /// Erases the customer from automations: ends and purges their instances in the engine, then
    /// deletes the app's rows about them (state, history, index rows). Returns the rows deleted.
    /// </summary>
    public async Task<int> EraseCustomerAsync(string customerId, CancellationToken cancellationToken = default)
    {
        await ForgetCustomerAsync(customerId, cancellationToken);
        return await store.EraseCustomerAsync(customerId, cancellationToken);
    }

    /// <summary>
    /// Purges the engine's record of instances that finished and were created more than
    /// <see cref="AutomationOptions.EngineRetention"/> ago (the app's own rows keep their history).
    /// The engine's Instances table gives every row the same RowKey, which Azurite walks on every
    /// status read, so it must stay small. Returns how many were purged.
    /// </summary>
    public async Task<int> PurgeEngineHistoryAsync(CancellationToken cancellationToken = default)
    {
        // The engine stamps its rows with the machine's clock, not the app's.
        var cutoff = DateTimeOffset.UtcNow - options.Value.EngineRetention;
        var result = await client.PurgeAllInstancesAsync(new PurgeInstancesFilter(null, cutoff,
            [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated]), cancellationToken);
        LogPurged(logger, result.PurgedInstanceCount);
        return result.PurgedInstanceCount;
    }

    internal async Task<bool> OrderedSinceAsync(string customerId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var metrics = await customers.MetricsAsync(customerId, cancellationToken);
        return metrics.LastOrderAt >= since;
    }

    /// <summary>The first flow filter that does not hold, or null. <paramref name="enrolled"/>: checked before a send, not at entry.</summary>
    internal async Task<string?> FailingFlowFilterAsync(WorkflowDefinition definition, Customer customer, DateTimeOffset since, bool enrolled, CancellationToken cancellationToken)
    {
        foreach (var filter in definition.Trigger?.FlowFilters ?? [])
        {
            var value = filter.Value is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;
            var holds = filter.Kind switch
            {
                "not_ordered_since_enrolment" => !enrolled || !await OrderedSinceAsync(customer.Id, since, cancellationToken),
                "consent_email" => customer.Consent.Email,
                "consent_sms" => customer.Consent.Sms,
                "has_tag" => (await tags.ForCustomerAsync(customer.Id, cancellationToken)).Any(t => t.TagId == value),
                "not_has_tag" => (await tags.ForCustomerAsync(customer.Id, cancellationToken)).All(t => t.TagId != value),
                "tier_in" => filter.Value is { ValueKind: JsonValueKind.Array } tiers
                    && tiers.EnumerateArray().Any(t => string.Equals(t.GetString(), customer.Tier.ToString(), StringComparison.OrdinalIgnoreCase)),
                _ => throw new InvalidOperationException($"Unknown flow filter {filter.Kind}."),
            };
            if (!holds)
            {
                return "flow filter " + filter.Kind + " does not hold";
            }
        }
        return null;
    }

    internal async Task TimelineAsync(string customerId, string title, string instanceId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var entry = new TimelineEntry(Hash(instanceId + title)[..32], customerId, TimelineType.Automation, title, at, "automation", $"/api/automations/instances/{instanceId}", null);
        await cards.AppendAsync(customerId, [entry], [], cancellationToken);
    }

    private async Task<InstanceEntity> RequireAsync(string instanceId, CancellationToken cancellationToken) =>
        await store.FindAsync(instanceId, cancellationToken) ?? throw new NotFoundException("Automation instance", instanceId);

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    [LoggerMessage(1, LogLevel.Information, "Purged {Count} finished automation instances from the engine's history")]
    private static partial void LogPurged(ILogger logger, int count);
}
