using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Loyalty;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Messaging.Templates;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;
using PecosCrm.Core.Time;

namespace PecosCrm.Core.Automation;

/// <summary>Quiet hours and the frequency cap of marketing sends, and the runtime's timer settings.</summary>
public sealed class AutomationOptions
{
    public const string SectionName = "Automation";

    /// <summary>Marketing sends due between these local times (customer's zone) wait until the end of them.</summary>
    public string QuietHoursStart { get; set; } = "21:00";

    public string QuietHoursEnd { get; set; } = "08:00";

    /// <summary>At most this many marketing emails per customer in <see cref="FrequencyCapDays"/>; a send over it waits.</summary>
    public int FrequencyCap { get; set; } = 3;

    public int FrequencyCapDays { get; set; } = 7;

    /// <summary>The longest a queue message is hidden; longer waits are chained in hops (Azure allows 7 days).</summary>
    public TimeSpan MaxTimerHop { get; set; } = TimeSpan.FromDays(6);

    /// <summary>How overdue a waiting instance must be before the sweep re-drives it (its own timer should have fired).</summary>
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// The durable automation runtime. Each enrolment is an instance whose state lives in its own table
/// partition and is checkpointed after every step in one ETag-guarded transaction with the step's
/// history row (and the marker of any side effect), so two workers never advance one instance: the
/// second one's checkpoint fails and it stops. Steps run at least once; side effects happen exactly
/// once because each carries an idempotency key made from the instance, the node and the visit: an
/// email's message id (a second send with the id finds the message and sends nothing), a points
/// change's ledger key, a discount code's batch, a task's row, a webhook's Idempotency-Key header.
/// A wait is a queue message made visible when due (hops of at most six days), checked against the
/// state's sequence when it fires, and backed by a sweep that re-drives any instance overdue in the
/// <c>wake</c> index. All time comes from the injected clock.
/// </summary>
public sealed partial class AutomationRuntime(
    StorageAccount storage, WorkflowStore workflows, MessageService messages, MessageStore log, CustomerStore customers, TagStore tags,
    PointsLedger points, DiscountCodes codes, WebhookClient http, AutomationCounters counters, IOptions<AutomationOptions> options,
    InlineTextRenderer inline, StoreTime storeTime, TimeProvider time, ILogger<AutomationRuntime> logger)
{
    private const int MaxStepsPerRun = 50;

    private TableClient Instances => storage.Table(StorageNames.Tables.AutomationInstances);
    private TableClient Index => storage.Table(StorageNames.Tables.AutomationIndex);

    /// <summary>Lets a test stop the worker right after a side effect and before its checkpoint, as a crash would.</summary>
    internal Func<string, Task>? AfterEffect { get; set; }

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
        var last = await Index.FindAsync<TableEntity>("enrol|" + workflow.Id, customerId, cancellationToken);
        if (last is not null)
        {
            if (await Instances.FindAsync<InstanceEntity>(last.GetString("InstanceId"), InstanceEntity.StateRow, cancellationToken) is { IsFinished: false })
            {
                return (null, "already in this workflow");
            }
            var trigger = definition.Trigger!;
            if (trigger.Reentry != "after_days")
            {
                return (null, "enrols once only");
            }
            if (last.GetDateTimeOffset("EnrolledAt") is { } at && at.AddDays(trigger.ReentryDays ?? 0) > now)
            {
                return (null, $"re-enters only {trigger.ReentryDays} days after the last enrolment");
            }
        }
        if ((definition.Purpose ?? MessagePurpose.Marketing) == MessagePurpose.Marketing && !customer.Consent.Email && !customer.Consent.Sms)
        {
            return (null, "no marketing consent");
        }
        if (await FailingFlowFilterAsync(definition, customer, now, cancellationToken) is { } failing)
        {
            return (null, failing);
        }

        var trigger0 = definition.Nodes!.First(n => n.Type == "trigger");
        var instance = new InstanceEntity
        {
            PartitionKey = Ids.New(time),
            WorkflowId = workflow.Id,
            Version = workflow.Version,
            CustomerId = customerId,
            Node = trigger0.Id!,
            Source = source,
            OrderId = orderId,
            EnrolledAt = now,
        };
        await Instances.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, instance),
            new(TableTransactionActionType.Add, History(instance.PartitionKey, 0, trigger0.Id!, "trigger", "enrolled: " + source, now)),
        ], cancellationToken);
        await Index.UpsertEntityAsync(new TableEntity("enrol|" + workflow.Id, customerId) { ["InstanceId"] = instance.PartitionKey, ["EnrolledAt"] = now }, TableUpdateMode.Replace, cancellationToken);
        await UpdateIndexAsync(instance, cancellationToken);
        await counters.CountAsync(workflow.Id, "enrolled", cancellationToken);
        await TimelineAsync(customerId, $"Entered automation \"{definition.Name}\"", instance.PartitionKey, now, cancellationToken);
        await QueueAsync(instance.PartitionKey, instance.Sequence, null, cancellationToken);
        return (instance.ToRecord(), null);
    }

    /// <summary>Runs an instance's steps until it waits or ends. <paramref name="sequence"/> is the state the message was made for; a stale message does nothing.</summary>
    public async Task AdvanceAsync(string instanceId, long? sequence, CancellationToken cancellationToken = default)
    {
        for (var step = 0; step < MaxStepsPerRun; step++)
        {
            var state = await Instances.FindAsync<InstanceEntity>(instanceId, InstanceEntity.StateRow, cancellationToken);
            // A timer message made for an earlier state is stale; an active instance, though, is always
            // moved on (a worker that died mid-run leaves its message to be redelivered with an older sequence).
            if (state is null || state.IsFinished || state.StatusValue == InstanceStatus.Suspended
                || (sequence is { } expected && expected != state.Sequence && state.StatusValue == InstanceStatus.Waiting))
            {
                return;
            }
            var now = time.GetUtcNow();
            if (state.StatusValue == InstanceStatus.Waiting && state.WakeAt > now && !state.WaitDone)
            {
                // Early (a hop of a long wait, or a clock that moved back): wait on.
                await QueueAsync(instanceId, state.Sequence, state.WakeAt, cancellationToken);
                return;
            }
            var definition = await workflows.VersionAsync(state.WorkflowId, state.Version, cancellationToken);
            var node = definition.Nodes!.First(n => n.Id == state.Node);
            var outcome = await RunAsync(state, definition, node, now, cancellationToken);
            if (outcome.Effect is not null && AfterEffect is { } hook)
            {
                await hook(instanceId);
            }
            if (!await CheckpointAsync(state, node, outcome, now, cancellationToken))
            {
                return;
            }
            if (state.IsFinished || state.StatusValue == InstanceStatus.Waiting)
            {
                if (state.StatusValue == InstanceStatus.Waiting)
                {
                    await QueueAsync(instanceId, state.Sequence, state.WakeAt, cancellationToken);
                }
                return;
            }
            sequence = state.Sequence;
        }
        // A workflow this long in one go is unusual but legal (a loop passes through waits): carry on from the queue.
        var current = await Instances.FindAsync<InstanceEntity>(instanceId, InstanceEntity.StateRow, cancellationToken);
        if (current is { IsFinished: false })
        {
            await QueueAsync(instanceId, current.Sequence, null, cancellationToken);
        }
    }

    /// <summary>What a step decided: where to go, whether to wait, what to record.</summary>
    private sealed record Outcome(string Text, string? Next = null, DateTimeOffset? WakeAt = null, string? WaitEvent = null, InstanceStatus? End = null,
        string? Effect = null, bool Stay = false, Action<InstanceEntity>? Change = null);

    private async Task<Outcome> RunAsync(InstanceEntity state, WorkflowDefinition definition, WorkflowNode node, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Visits are counted when a node is left, so the visit under way is one more than those counted.
        var visit = state.Visit(node.Id!) + 1;
        switch (node.Type)
        {
            case "trigger":
                return new Outcome("started", node.Next);
            case "wait" when state.StatusValue == InstanceStatus.Waiting:
                return new Outcome(state.WaitDone ? $"{state.WaitingForEvent} happened" : "waited", node.Next, Change: s => s.WaitDone = false);
            case "wait":
                var customer = await customers.GetAsync(state.CustomerId, cancellationToken);
                var wake = node.TimeOfDay is { } tod && node.UntilEvent is null
                    ? storeTime.LocalSendTime(customer.TimeZone, tod, null, node.Duration is { } d0 ? now + d0 : now)
                    : now + node.Duration!.Value;
                return new Outcome(node.UntilEvent is null ? $"waiting until {wake:u}" : $"waiting for {node.UntilEvent} until {wake:u}", WakeAt: wake, WaitEvent: node.UntilEvent, Stay: true);
            case "send_email" or "send_sms":
                return await SendAsync(state, definition, node, visit, now, cancellationToken);
            case "condition":
                var yes = await TestAsync(state, node, cancellationToken);
                return new Outcome($"{node.Test}: {(yes ? "yes" : "no")}", yes ? node.Yes : node.No);
            case "split":
                var roll = Roll(state.PartitionKey, node.Id!);
                var cumulative = 0.0;
                var branch = node.Branches!.Last();
                foreach (var b in node.Branches!)
                {
                    cumulative += b.Share!.Value;
                    if (roll < cumulative)
                    {
                        branch = b;
                        break;
                    }
                }
                var name = branch.Name ?? branch.Next!;
                await counters.CountAsync(state.WorkflowId, $"branch:{node.Id}:{name}", cancellationToken);
                return new Outcome($"branch {name}", branch.Next, Change: s => s.Branch = name);
            case "action":
                return await ActAsync(state, node, visit, now, cancellationToken);
            case "goal":
                return new Outcome("goal reached", End: InstanceStatus.Goal);
            default:
                return new Outcome("completed", End: InstanceStatus.Completed);
        }
    }

    private async Task<Outcome> SendAsync(InstanceEntity state, WorkflowDefinition definition, WorkflowNode node, int visit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(state.CustomerId, cancellationToken);
        if (await FailingFlowFilterAsync(definition, customer, state.EnrolledAt, cancellationToken, state) is { } failing)
        {
            return new Outcome("left: " + failing, End: InstanceStatus.Exited);
        }
        var purpose = definition.Purpose ?? MessagePurpose.Marketing;
        if (purpose == MessagePurpose.Marketing && state.EffectAt is null)
        {
            if (QuietUntil(customer, now) is { } quietEnd)
            {
                return new Outcome($"postponed for quiet hours until {quietEnd:u}", WakeAt: quietEnd, Stay: true);
            }
            if (node.Type == "send_email" && await CapUntilAsync(customer.Id, now, cancellationToken) is { } capEnd)
            {
                return new Outcome($"postponed by the frequency cap until {capEnd:u}", WakeAt: capEnd, Stay: true);
            }
        }
        if (state.EffectAt is null)
        {
            // First phase: fix the moment the message is made at, so a retry makes the same message id.
            return new Outcome("sending", Stay: true, Change: s => s.EffectAt = now);
        }
        var messageId = KeyRules.InvertedTicks(state.EffectAt.Value) + Hash($"{state.PartitionKey}|{node.Id}|{visit}")[..8];
        var campaign = $"wf:{state.WorkflowId}:{node.Id}";
        var sentBy = $"automation:{state.WorkflowId}";
        Message message;
        if (node.Type == "send_sms")
        {
            message = await messages.SendSmsAsync(new SmsRequest(state.CustomerId, node.Text, purpose, campaign, null, messageId), sentBy, cancellationToken);
        }
        else
        {
            var email = new EmailRequest(state.CustomerId, node.TemplateId, node.Subject, node.Html, node.Text, purpose,
                OrderId: state.OrderId, Variables: TemplateValues(state.Variables), CampaignId: campaign, MessageId: messageId);
            try
            {
                message = await messages.SendEmailAsync(email, sentBy, cancellationToken);
            }
            catch (ValidationFailedException ex) when (email.OrderId is not null && ex.Errors.ContainsKey("orderId"))
            {
                // The order is gone (erased with its customer's data, say): the email goes without it.
                message = await messages.SendEmailAsync(email with { OrderId = null }, sentBy, cancellationToken);
            }
        }
        await counters.CountAsync(state.WorkflowId, message.Status == MessageStatus.Skipped ? $"step:{node.Id}:skipped" : $"step:{node.Id}:sent", cancellationToken);
        var text = message.Status == MessageStatus.Skipped ? $"not sent: {message.Error}" : $"{(node.Type == "send_sms" ? "SMS" : "email")} {message.Id} queued";
        return new Outcome(text, node.Next, Effect: messageId, Change: s =>
        {
            s.EffectAt = null;
            if (node.Type == "send_email")
            {
                s.LastEmailId = message.Id;
            }
        });
    }

    /// <summary>
    /// The flow's variables as template values. Read back from JSON they are <see cref="JsonElement"/>s,
    /// which a template model does not take: each becomes the text, number or flag it holds.
    /// </summary>
    private static Dictionary<string, object?> TemplateValues(string variables) =>
        (JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(variables) ?? []).ToDictionary(v => v.Key, v => v.Value.ValueKind switch
        {
            JsonValueKind.String => v.Value.GetString(),
            JsonValueKind.Number => v.Value.GetDecimal(),
            JsonValueKind.True or JsonValueKind.False => v.Value.GetBoolean(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => (object?)v.Value.GetRawText(),
        }, StringComparer.Ordinal);

    private async Task<Outcome> ActAsync(InstanceEntity state, WorkflowNode node, int visit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = $"{state.PartitionKey}|{node.Id}|{visit}";
        var marker = $"fx|{node.Id}|{visit}";
        if (await Instances.FindAsync<TableEntity>(state.PartitionKey, marker, cancellationToken) is not null)
        {
            return new Outcome($"{node.Action}: done before", node.Next);
        }
        var actor = $"automation:{state.WorkflowId}";
        string text;
        switch (node.Action)
        {
            case "add_tag":
                await tags.AssignAsync(state.CustomerId, node.TagId!, actor, cancellationToken);
                text = $"tagged {node.TagId}";
                break;
            case "remove_tag":
                await tags.RemoveAsync(state.CustomerId, node.TagId!, actor, cancellationToken);
                text = $"untagged {node.TagId}";
                break;
            case "award_points" or "deduct_points":
                var change = node.Action == "award_points" ? node.Points!.Value : -node.Points!.Value;
                var (before, after) = await points.ChangeAsync(state.CustomerId, change, Hash(key), $"automation step {node.Id}", actor, cancellationToken);
                text = $"points {before} -> {after}";
                await PointsCrossedAsync(state.CustomerId, before, after, cancellationToken);
                break;
            case "discount_code":
                var code = await codes.IssueAsync("AUTO-", key, state.CustomerId, node.DiscountKind!.Value, node.DiscountValue!.Value, now.AddDays(node.ValidDays!.Value), now, cancellationToken);
                text = $"discount code {code.Code}";
                // The emails that follow can show it: {{offer.code}}, {{offer.amount}}, {{offer.expires_at}}.
                var offer = new Dictionary<string, object?>
                {
                    ["offer.code"] = code.Code,
                    ["offer.amount"] = code.Kind == DiscountKind.Percent ? $"{code.Value:0.##}%" : Money.Format(Money.ToCents(code.Value)),
                    ["offer.expires_at"] = storeTime.Local(code.ExpiresAt).ToString("MMMM d, yyyy", CultureInfo.InvariantCulture),
                };
                return new Outcome(text, node.Next, Effect: marker, Change: s =>
                {
                    var variables = JsonSerializer.Deserialize<Dictionary<string, object?>>(s.Variables) ?? [];
                    foreach (var (name, value) in offer)
                    {
                        variables[name] = value;
                    }
                    s.Variables = JsonSerializer.Serialize(variables);
                });
            case "create_task":
                var title = await inline.TextAsync(node.TaskTitle!, state.CustomerId, TemplateValues(state.Variables), cancellationToken);
                await storage.Table(StorageNames.Tables.Tasks).UpsertEntityAsync(new TableEntity("open", Hash(key)[..24])
                {
                    ["Title"] = title, ["CustomerId"] = state.CustomerId, ["CreatedBy"] = actor, ["CreatedAt"] = now, ["Source"] = $"automation:{state.WorkflowId}:{node.Id}",
                }, TableUpdateMode.Replace, cancellationToken);
                text = $"task \"{title}\" created";
                break;
            case "update_field":
                var fields = node.Field switch
                {
                    "tier" => new CustomerFields(Tier: Enum.Parse<LoyaltyTier>(node.FieldValue!, ignoreCase: true)),
                    "source" => new CustomerFields(Source: node.FieldValue),
                    _ => new CustomerFields(TimeZone: node.FieldValue),
                };
                await customers.UpdateAsync(state.CustomerId, fields, null, actor, cancellationToken);
                text = $"{node.Field} set to {node.FieldValue}";
                break;
            default:
                using (var request = new HttpRequestMessage(HttpMethod.Post, node.Url)
                {
                    Content = JsonContent.Create(new { @event = "automation.step", workflowId = state.WorkflowId, instanceId = state.PartitionKey, customerId = state.CustomerId, node = node.Id, at = now }),
                })
                {
                    request.Headers.Add("Idempotency-Key", Hash(key));
                    using var response = await http.Client.SendAsync(request, cancellationToken);
                    // A failure throws, so the queue tries the step again with the same key.
                    response.EnsureSuccessStatusCode();
                }
                text = $"webhook {node.Url} called";
                break;
        }
        return new Outcome(text, node.Next, Effect: marker);
    }

    /// <summary>Enrols the customer in workflows whose points threshold the change crossed upwards.</summary>
    private async Task PointsCrossedAsync(string customerId, long before, long after, CancellationToken cancellationToken)
    {
        foreach (var workflow in await workflows.ActiveAsync(cancellationToken))
        {
            var trigger = workflow.Definition.Trigger!;
            var crossed = (trigger.Kind == "threshold" && trigger.Metric == "points" || trigger.Kind == "event" && trigger.Event == "points.threshold")
                && trigger.Value is { } threshold && before < threshold && after >= threshold;
            if (crossed)
            {
                await EnrolAsync(workflow, customerId, $"points reached {after}", cancellationToken: cancellationToken);
            }
        }
    }

    private async Task<bool> TestAsync(InstanceEntity state, WorkflowNode node, CancellationToken cancellationToken)
    {
        switch (node.Test)
        {
            case "ordered":
                return await OrderedSinceAsync(state.CustomerId, state.EnrolledAt, cancellationToken);
            case "opened_last_email" or "clicked_last_email":
                if (state.LastEmailId is null || await log.FindEntityAsync(state.CustomerId, state.LastEmailId, cancellationToken) is not { } email)
                {
                    return false;
                }
                var steps = email.StepTimes();
                return node.Test == "clicked_last_email" ? steps.ContainsKey(MessageStatus.Clicked) : steps.ContainsKey(MessageStatus.Opened) || steps.ContainsKey(MessageStatus.Clicked);
            case "consent_email":
                return (await customers.GetAsync(state.CustomerId, cancellationToken)).Consent.Email;
            default:
                return (await tags.ForCustomerAsync(state.CustomerId, cancellationToken)).Any(t => t.TagId == node.TagId);
        }
    }

    private async Task<bool> OrderedSinceAsync(string customerId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var metrics = await storage.Table(StorageNames.Tables.Customers).FindAsync<MetricsEntity>(customerId, CustomerKeys.Metrics, cancellationToken);
        return metrics?.LastOrderAt >= since;
    }

    private async Task<string?> FailingFlowFilterAsync(WorkflowDefinition definition, Customer customer, DateTimeOffset since, CancellationToken cancellationToken, InstanceEntity? state = null)
    {
        foreach (var filter in definition.Trigger?.FlowFilters ?? [])
        {
            var value = filter.Value is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;
            var holds = filter.Kind switch
            {
                "not_ordered_since_enrolment" => state is null || !await OrderedSinceAsync(customer.Id, since, cancellationToken),
                "consent_email" => customer.Consent.Email,
                "consent_sms" => customer.Consent.Sms,
                "has_tag" => (await tags.ForCustomerAsync(customer.Id, cancellationToken)).Any(t => t.TagId == value),
                "not_has_tag" => (await tags.ForCustomerAsync(customer.Id, cancellationToken)).All(t => t.TagId != value),
                _ => filter.Value is { ValueKind: JsonValueKind.Array } tiers && tiers.EnumerateArray().Any(t => string.Equals(t.GetString(), customer.Tier.ToString(), StringComparison.OrdinalIgnoreCase)),
            };
            if (!holds)
            {
                return "flow filter " + filter.Kind + " does not hold";
            }
        }
        return null;
    }

    /// <summary>The end of the quiet hours when <paramref name="now"/> falls in them on the customer's clock, else null.</summary>
    public DateTimeOffset? QuietUntil(Customer customer, DateTimeOffset now)
    {
        var zone = storeTime.For(customer.TimeZone);
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var start = TimeOnly.ParseExact(options.Value.QuietHoursStart, "HH:mm", CultureInfo.InvariantCulture);
        var end = TimeOnly.ParseExact(options.Value.QuietHoursEnd, "HH:mm", CultureInfo.InvariantCulture);
        var quiet = start <= end ? local >= start && local < end : local >= start || local < end;
        return quiet ? storeTime.LocalSendTime(customer.TimeZone, options.Value.QuietHoursEnd, null, now) : null;
    }

    /// <summary>When the customer is under the marketing frequency cap again, or null when they are under it now.</summary>
    private async Task<DateTimeOffset?> CapUntilAsync(string customerId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var since = now.AddDays(-o.FrequencyCapDays);
        var page = await log.ListAsync(customerId, Channel.Email, 100, null, cancellationToken);
        var recent = page.Items
            .Where(m => m.Purpose == MessagePurpose.Marketing && m.CreatedAt >= since && m.Status is not (MessageStatus.Skipped or MessageStatus.Failed or MessageStatus.Cancelled))
            .Select(m => m.CreatedAt).Order().ToList();
        return recent.Count < o.FrequencyCap ? null : recent[recent.Count - o.FrequencyCap].AddDays(o.FrequencyCapDays);
    }

    /// <summary>Writes the step: state and history row (and an effect marker) in one transaction under the state's ETag. False when another worker got there first.</summary>
    private async Task<bool> CheckpointAsync(InstanceEntity state, WorkflowNode node, Outcome outcome, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var oldWake = state.WakeAt;
        // How late a durable timer fired: from the wake-up time to this step (the bench reads it from the history).
        double? lateMs = state.StatusValue == InstanceStatus.Waiting && oldWake is { } due && outcome.WakeAt is null ? Math.Max(0, (now - due).TotalMilliseconds) : null;
        outcome.Change?.Invoke(state);
        if (!outcome.Stay)
        {
            state.CountVisit(node.Id!);
        }
        state.Sequence++;
        if (outcome.End is { } end)
        {
            state.Status = end.ToString();
            state.EndedAt = now;
            state.ExitReason = outcome.Text;
            state.WakeAt = null;
            state.WaitingForEvent = null;
        }
        else if (outcome.WakeAt is { } wake)
        {
            state.Status = nameof(InstanceStatus.Waiting);
            state.WakeAt = wake;
            state.WaitingForEvent = outcome.WaitEvent;
        }
        else
        {
            state.Status = nameof(InstanceStatus.Active);
            state.WakeAt = null;
            state.WaitingForEvent = null;
            if (!outcome.Stay)
            {
                state.Node = outcome.Next ?? state.Node;
            }
        }
        List<TableTransactionAction> actions =
        [
            new(TableTransactionActionType.UpdateReplace, state, state.ETag),
            new(TableTransactionActionType.Add, History(state.PartitionKey, state.Sequence, node.Id!, node.Type!, outcome.Text, now, lateMs)),
        ];
        if (outcome.Effect is { } effect && effect.StartsWith("fx|", StringComparison.Ordinal))
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(state.PartitionKey, effect) { ["At"] = now }));
        }
        try
        {
            var response = await Instances.SubmitTransactionAsync(actions, cancellationToken);
            state.ETag = response.Value[0].Headers.ETag ?? state.ETag;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            LogRaced(logger, state.PartitionKey, node.Id!);
            return false;
        }
        if (!outcome.Stay && node.Type != "trigger")
        {
            await counters.CountAsync(state.WorkflowId, $"step:{node.Id}:entered", cancellationToken);
        }
        if (oldWake is { } previous)
        {
            await Index.DeleteEntityAsync("wake", WakeKey(previous, state.PartitionKey), ETag.All, cancellationToken);
        }
        if (state.WakeAt is { } next)
        {
            await Index.UpsertEntityAsync(new TableEntity("wake", WakeKey(next, state.PartitionKey)) { ["Sequence"] = state.Sequence }, TableUpdateMode.Replace, cancellationToken);
        }
        await UpdateIndexAsync(state, cancellationToken);
        if (state.IsFinished)
        {
            var definition = await workflows.VersionAsync(state.WorkflowId, state.Version, cancellationToken);
            await counters.CountAsync(state.WorkflowId, state.Status.ToLowerInvariant(), cancellationToken);
            await TimelineAsync(state.CustomerId, $"Left automation \"{definition.Name}\": {state.ExitReason}", state.PartitionKey, now, cancellationToken);
        }
        return true;
    }

    /// <summary>
    /// A store event for a customer: ends instances whose goal it is (wherever they are), and wakes
    /// instances waiting for it. Called after the event has been applied.
    /// </summary>
    public async Task OnCustomerEventAsync(string customerId, string eventType, CancellationToken cancellationToken = default)
    {
        await foreach (var row in Index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"c|" + customerId} and Finished eq {false}"), cancellationToken: cancellationToken))
        {
            var state = await Instances.FindAsync<InstanceEntity>(row.RowKey, InstanceEntity.StateRow, cancellationToken);
            if (state is null || state.IsFinished)
            {
                continue;
            }
            var definition = await workflows.VersionAsync(state.WorkflowId, state.Version, cancellationToken);
            var goal = definition.GoalEvent ?? definition.Nodes!.FirstOrDefault(n => n.Type == "goal")?.Event;
            if (goal == eventType)
            {
                var node = definition.Nodes!.First(n => n.Id == state.Node);
                await CheckpointAsync(state, node, new Outcome($"goal reached: {eventType}", End: InstanceStatus.Goal), time.GetUtcNow(), cancellationToken);
            }
            else if (state.StatusValue == InstanceStatus.Waiting && state.WaitingForEvent == eventType)
            {
                // The wake-up time stays as it was, so the checkpoint that ends the wait clears its index row.
                state.WaitDone = true;
                try
                {
                    await Instances.UpdateEntityAsync(state, state.ETag, TableUpdateMode.Replace, cancellationToken);
                    await QueueAsync(state.PartitionKey, state.Sequence, null, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    // The instance moved meanwhile; its own step decides.
                }
            }
        }
    }

    /// <summary>Re-drives every waiting instance whose wake-up time passed more than the grace ago (its timer message was lost). Returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        // "|~" sorts after every instance id, so an instance due exactly at the cutoff is included.
        var cutoff = (time.GetUtcNow() - options.Value.SweepGrace).UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|~";
        var due = 0;
        await foreach (var row in Index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"wake"} and RowKey lt {cutoff}"), cancellationToken: cancellationToken))
        {
            var instanceId = row.RowKey[(row.RowKey.IndexOf('|') + 1)..];
            var state = await Instances.FindAsync<InstanceEntity>(instanceId, InstanceEntity.StateRow, cancellationToken);
            if (state is null || state.IsFinished || state.WakeAt is not { } wake || WakeKey(wake, instanceId) != row.RowKey)
            {
                // Left behind by a step that moved on without clearing it: nothing waits on it any more.
                await Index.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
                continue;
            }
            await QueueAsync(instanceId, state.Sequence, null, cancellationToken);
            due++;
        }
        return due;
    }

    public async Task<WorkflowInstance> GetAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var rows = new List<TableEntity>();
        InstanceEntity? state = null;
        if (KeyRules.IsValidKey(instanceId))
        {
            state = await Instances.FindAsync<InstanceEntity>(instanceId, InstanceEntity.StateRow, cancellationToken);
            await foreach (var row in Instances.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId} and RowKey ge {"h|"} and RowKey lt {"h}"}"), cancellationToken: cancellationToken))
            {
                rows.Add(row);
            }
        }
        if (state is null)
        {
            throw new NotFoundException("Automation instance", instanceId);
        }
        return state.ToRecord(rows.Select(r => new InstanceStep(r.GetInt64("Sequence") ?? 0, r.GetString("Node"), r.GetString("Type"), r.GetString("Outcome"),
            r.GetDateTimeOffset("At") ?? default, r.GetDouble("LateMs"))).ToList());
    }

    /// <summary>A workflow's instances (optionally of one status), newest first by id.</summary>
    public async Task<Storage.Page<WorkflowInstance>> ListAsync(string workflowId, InstanceStatus? status, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {"w|" + workflowId}");
        if (status is { } s)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {s.ToString()}");
        }
        var page = await Index.QueryPageAsync<TableEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(IndexRecord);
    }

    /// <summary>A customer's automation instances.</summary>
    public async Task<IReadOnlyList<WorkflowInstance>> ForCustomerAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var all = new List<WorkflowInstance>();
        await foreach (var row in Index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"c|" + customerId}"), cancellationToken: cancellationToken))
        {
            all.Add(IndexRecord(row));
        }
        return all.OrderByDescending(i => i.EnrolledAt).ToList();
    }

    public Task<WorkflowInstance> SuspendAsync(string instanceId, CancellationToken cancellationToken = default) =>
        ControlAsync(instanceId, "suspended", s =>
        {
            if (s.StatusValue is not (InstanceStatus.Active or InstanceStatus.Waiting))
            {
                throw new ConflictException($"Only a running instance can be suspended; this one is {s.Status.ToLowerInvariant()}.");
            }
            s.SuspendedStatus = s.Status;
            s.Status = nameof(InstanceStatus.Suspended);
        }, cancellationToken);

    public async Task<WorkflowInstance> ResumeAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var resumed = await ControlAsync(instanceId, "resumed", s =>
        {
            if (s.StatusValue != InstanceStatus.Suspended)
            {
                throw new ConflictException("Only a suspended instance can be resumed.");
            }
            s.Status = s.SuspendedStatus ?? nameof(InstanceStatus.Active);
            s.SuspendedStatus = null;
        }, cancellationToken);
        await QueueAsync(instanceId, resumed.Sequence, resumed.WakeAt, cancellationToken);
        return resumed;
    }

    /// <summary>Marks an instance failed (a step that failed on every delivery of its queue message), with the reason.</summary>
    public Task<WorkflowInstance> FailAsync(string instanceId, string reason, CancellationToken cancellationToken = default) =>
        ControlAsync(instanceId, "failed: " + reason, s =>
        {
            if (!s.IsFinished)
            {
                s.Status = nameof(InstanceStatus.Failed);
                s.EndedAt = time.GetUtcNow();
                s.ExitReason = reason.Length > 500 ? reason[..500] : reason;
                s.WakeAt = null;
            }
        }, cancellationToken);

    public Task<WorkflowInstance> TerminateAsync(string instanceId, string reason, CancellationToken cancellationToken = default) =>
        ControlAsync(instanceId, "terminated: " + reason, s =>
        {
            if (s.IsFinished)
            {
                throw new ConflictException("The instance has already ended.");
            }
            s.Status = nameof(InstanceStatus.Terminated);
            s.EndedAt = time.GetUtcNow();
            s.ExitReason = reason;
            s.WakeAt = null;
        }, cancellationToken);

    /// <summary>Deletes the finished instances of a workflow (state, history, markers and index rows); returns how many.</summary>
    public async Task<int> PurgeAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        var finished = new List<TableEntity>();
        await foreach (var row in Index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"w|" + workflowId} and Finished eq {true}"), cancellationToken: cancellationToken))
        {
            finished.Add(row);
        }
        await Parallel.ForEachAsync(finished, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (row, ct) =>
        {
            var rows = new List<TableEntity>();
            await foreach (var r in Instances.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {row.RowKey}"), select: ["PartitionKey", "RowKey"], cancellationToken: ct))
            {
                rows.Add(r);
            }
            await Instances.SubmitChunkedAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), ct);
            await Index.DeleteEntityAsync("c|" + row.GetString("CustomerId"), row.RowKey, ETag.All, ct);
            await Index.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct);
        });
        return finished.Count;
    }

    private async Task<WorkflowInstance> ControlAsync(string instanceId, string outcome, Action<InstanceEntity> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var state = (KeyRules.IsValidKey(instanceId) ? await Instances.FindAsync<InstanceEntity>(instanceId, InstanceEntity.StateRow, cancellationToken) : null)
                ?? throw new NotFoundException("Automation instance", instanceId);
            change(state);
            state.Sequence++;
            var now = time.GetUtcNow();
            try
            {
                await Instances.SubmitTransactionAsync(
                [
                    new(TableTransactionActionType.UpdateReplace, state, state.ETag),
                    new(TableTransactionActionType.Add, History(instanceId, state.Sequence, state.Node, "control", outcome, now)),
                ], cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < 8)
            {
                continue;
            }
            await UpdateIndexAsync(state, cancellationToken);
            if (state.StatusValue == InstanceStatus.Terminated)
            {
                await counters.CountAsync(state.WorkflowId, "terminated", cancellationToken);
            }
            return state.ToRecord();
        }
    }

    private async Task UpdateIndexAsync(InstanceEntity state, CancellationToken cancellationToken)
    {
        foreach (var partition in new[] { "w|" + state.WorkflowId, "c|" + state.CustomerId })
        {
            await Index.UpsertEntityAsync(new TableEntity(partition, state.PartitionKey)
            {
                ["WorkflowId"] = state.WorkflowId, ["Version"] = state.Version, ["CustomerId"] = state.CustomerId, ["Status"] = state.Status, ["Node"] = state.Node,
                ["Sequence"] = state.Sequence, ["WakeAt"] = state.WakeAt, ["Branch"] = state.Branch, ["Source"] = state.Source, ["EnrolledAt"] = state.EnrolledAt,
                ["EndedAt"] = state.EndedAt, ["ExitReason"] = state.ExitReason, ["Finished"] = state.IsFinished,
            }, TableUpdateMode.Replace, cancellationToken);
        }
    }

    private static WorkflowInstance IndexRecord(TableEntity r) => new(
        r.RowKey, r.GetString("WorkflowId"), r.GetInt32("Version") ?? 1, r.GetString("CustomerId"), Enum.Parse<InstanceStatus>(r.GetString("Status")), r.GetString("Node"),
        r.GetInt64("Sequence") ?? 0, r.GetDateTimeOffset("WakeAt"), null, r.GetString("Branch"), r.GetString("Source") ?? "", r.GetDateTimeOffset("EnrolledAt") ?? default,
        r.GetDateTimeOffset("EndedAt"), r.GetString("ExitReason"), null);

    private Task QueueAsync(string instanceId, long sequence, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        var delay = at is { } when ? when - time.GetUtcNow() : TimeSpan.Zero;
        if (delay > options.Value.MaxTimerHop)
        {
            delay = options.Value.MaxTimerHop;
        }
        return storage.Queue(StorageNames.Queues.Automation).SendMessageAsync(
            JsonSerializer.Serialize(new AutomationWork(instanceId, sequence), CrmJson.Options), delay > TimeSpan.Zero ? delay : null, null, cancellationToken);
    }

    private async Task TimelineAsync(string customerId, string title, string instanceId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var entry = new TimelineEntry(Hash(instanceId + title)[..32], customerId, TimelineType.Automation, title, at, "automation", $"/api/automations/instances/{instanceId}", null);
        await storage.Table(StorageNames.Tables.Customers).SubmitTransactionAsync(
            TimelineEntity.RowsFor(entry).Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken);
    }

    private static TableEntity History(string instanceId, long sequence, string node, string type, string outcome, DateTimeOffset at, double? lateMs = null) =>
        new(instanceId, "h|" + sequence.ToString("D6", CultureInfo.InvariantCulture))
        {
            ["Sequence"] = sequence, ["Node"] = node, ["Type"] = type, ["Outcome"] = outcome.Length > 1000 ? outcome[..1000] : outcome, ["At"] = at, ["LateMs"] = lateMs,
        };

    private static string WakeKey(DateTimeOffset at, string instanceId) => at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + instanceId;

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>A number in [0, 1) fixed by the instance and the node: the same instance always takes the same branch.</summary>
    private static double Roll(string instanceId, string node) => BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(instanceId + "|" + node)), 0) / (double)uint.MaxValue;

    [LoggerMessage(1, LogLevel.Information, "Instance {InstanceId}: another worker advanced step {Node} first")]
    private static partial void LogRaced(ILogger logger, string instanceId, string node);
}

/// <summary>The queue message that advances an instance: made for one state (its sequence), stale once the state has moved.</summary>
public sealed record AutomationWork(string InstanceId, long? Sequence);

/// <summary>The pooled HTTP client, with a timeout, that automation webhooks go out through.</summary>
public sealed class WebhookClient
{
    public HttpClient Client { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(10) };
}
