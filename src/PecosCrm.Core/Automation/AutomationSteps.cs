using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Loyalty;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Messaging.Templates;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Products;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Automation;

/// <summary>Quiet hours and the frequency cap of marketing sends, and the automation engine's settings.</summary>
public sealed class AutomationOptions
{
    public const string SectionName = "Automation";

    /// <summary>Marketing sends due between these local times (customer's zone) wait until the end of them.</summary>
    public string QuietHoursStart { get; set; } = "21:00";

    public string QuietHoursEnd { get; set; } = "08:00";

    /// <summary>At most this many marketing emails per customer in <see cref="FrequencyCapDays"/>; a send over it waits.</summary>
    public int FrequencyCap { get; set; } = 3;

    public int FrequencyCapDays { get; set; } = 7;

    /// <summary>How long the engine keeps a finished instance's own history (the app's rows keep what staff see).</summary>
    public TimeSpan EngineRetention { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>
/// What the automation activities do: every read and write of an instance's steps. Activities run
/// <b>at least once</b> (a worker may die after a side effect and before the engine records the
/// result), so each side effect carries an idempotency key made from the instance, the node and the
/// visit: an email's message id (sending again with the id finds the logged message and sends
/// nothing; its time part is fixed by the orchestration), a points change's ledger key, a discount
/// code's batch, a task's row key, a webhook's <c>Idempotency-Key</c> header. Each step writes its
/// history row and the instance's state (<see cref="InstanceStore"/>) after its effect; rows are
/// upserted under fixed keys, so a repeated step writes the same rows. Time is the injected clock.
/// </summary>
public sealed class AutomationSteps(
    InstanceStore store, WorkflowStore workflows, AutomationInstances instances, MessageService messages, MessageStore log, CustomerStore customers, TagStore tags,
    PointsLedger points, DiscountCodes codes, WebhookClient http, AutomationCounters counters, StorageAccount storage, IOptions<AutomationOptions> options,
    InlineTextRenderer inline, StoreTime storeTime, ReplenishmentWaits replenishment, AutomationConditions conditions, TimeProvider time)
{
    /// <summary>Lets a test stop a step right after its side effect and before its result is recorded, as a crash would; given the effect's idempotency key.</summary>
    internal Func<string, Task>? AfterEffect { get; set; }

    public async Task<StepResult> BeginWaitAsync(StepInput input)
    {
        var (definition, node) = await NodeAsync(input);
        var now = time.GetUtcNow();
        var (text, wake) = await PlanWaitAsync(node, input.Instance.CustomerId, null, now, input.Instance.OrderId);
        await SaveAsync(input, definition, node, InstanceStatus.Waiting, text, now, wake, node.UntilEvent);
        await counters.CountAsync(input.Instance.WorkflowId, [$"step:{node.Id}:entered"], CancellationToken.None);
        return new StepResult(text, now, DelayMs: Math.Max(0, (wake - now).TotalMilliseconds), WakeAt: wake);
    }

    /// <summary>When a wait node wakes up, and what its history row says; a time of day is on the customer's clock.</summary>
    private async Task<(string Text, DateTimeOffset Wake)> PlanWaitAsync(WorkflowNode node, string customerId, Customer? customer, DateTimeOffset now, string? orderId)
    {
        DateTimeOffset wake;
        if (node.TimeOfDay is { } tod && node.UntilEvent is null)
        {
            customer ??= await customers.GetAsync(customerId);
            wake = storeTime.LocalSendTime(customer.TimeZone, tod, null, node.Duration is { } d0 ? now + d0 : now);
        }
        else if (node.DurationFrom == WaitDurations.Replenishment)
        {
            wake = now + (await replenishment.ForOrderAsync(orderId) ?? node.Duration!.Value);
        }
        else
        {
            wake = now + node.Duration!.Value;
        }
        return (WaitText(node, wake), wake);
    }

    /// <summary>What a wait's history row says when it begins.</summary>
    internal static string WaitText(WorkflowNode node, DateTimeOffset wake) =>
        node.UntilEvent is null ? $"waiting until {wake:u}" : $"waiting for {node.UntilEvent} until {wake:u}";

    public async Task<StepResult> SendAsync(StepInput input)
    {
        var (definition, node) = await NodeAsync(input);
        var now = time.GetUtcNow();
        var instance = input.Instance;
        var customer = await customers.GetAsync(instance.CustomerId);
        if (await FailingFlowFilterAsync(definition, customer, instance.EnrolledAt, enrolled: true) is { } failing)
        {
            return new StepResult("left: " + failing, now, Exit: true);
        }
        var purpose = definition.Purpose ?? MessagePurpose.Marketing;
        if (purpose == MessagePurpose.Marketing)
        {
            var (until, why) = QuietUntil(customer, now) is { } quietEnd ? (quietEnd, "quiet hours")
                : node.Type == NodeTypes.SendEmail && await CapUntilAsync(customer.Id, now) is { } capEnd ? (capEnd, "the frequency cap")
                : ((DateTimeOffset?)null, "");
            if (until is { } notBefore)
            {
                var postponed = $"postponed for {why} until {notBefore:u}";
                await SaveAsync(input, definition, node, InstanceStatus.Waiting, postponed, now, notBefore);
                return new StepResult(postponed, now, DelayMs: Math.Max(0, (notBefore - now).TotalMilliseconds), WakeAt: notBefore);
            }
        }
        var messageId = KeyRules.InvertedTicks(input.EffectAt) + Hash(EffectKey(input))[..8];
        var campaign = $"wf:{instance.WorkflowId}:{node.Id}";
        var sentBy = $"automation:{instance.WorkflowId}";
        Message message;
        if (node.Type == NodeTypes.SendSms)
        {
            message = await messages.SendSmsAsync(new SmsRequest(instance.CustomerId, node.Text, purpose, campaign, null, messageId), customer, sentBy);
        }
        else
        {
            var email = new EmailRequest(instance.CustomerId, node.TemplateId, node.Subject, node.Html, node.Text, purpose,
                OrderId: instance.OrderId, Variables: TemplateValues(input), CampaignId: campaign, MessageId: messageId);
            try
            {
                message = await messages.SendEmailAsync(email, customer, sentBy);
            }
            catch (ValidationFailedException ex) when (email.OrderId is not null && ex.Errors.ContainsKey("orderId"))
            {
                // The order is gone (erased with its customer's data, say): the email goes without it.
                message = await messages.SendEmailAsync(email with { OrderId = null }, customer, sentBy);
            }
        }
        if (AfterEffect is { } hook)
        {
            await hook(EffectKey(input));
        }
        var skipped = message.Status == MessageStatus.Skipped;
        var text = skipped ? $"not sent: {message.Error}" : $"{(node.Type == NodeTypes.SendSms ? "SMS" : "email")} {message.Id} queued";
        return await CompleteAsync(input, definition, node, new StepResult(text, now, MessageId: message.Id), node.Next, customer,
            [skipped ? $"step:{node.Id}:skipped" : $"step:{node.Id}:sent", $"step:{node.Id}:entered"]);
    }

    public async Task<StepResult> ConditionAsync(StepInput input)
    {
        var (definition, node) = await NodeAsync(input);
        var yes = await conditions.TestAsync(input, node);
        var now = time.GetUtcNow();
        var text = $"{node.Test}: {(yes ? "yes" : "no")}";
        return await CompleteAsync(input, definition, node, new StepResult(text, now, Yes: yes), yes ? node.Yes : node.No, null, [$"step:{node.Id}:entered"]);
    }

    /// <summary>Records a step that needs no I/O of its own (a split's branch), with its counters.</summary>
    public async Task<StepResult> RecordAsync(StepInput input)
    {
        var (definition, node) = await NodeAsync(input);
        var now = time.GetUtcNow();
        var text = node.Type == NodeTypes.Split ? $"branch {input.Branch}" : node.Type!;
        await SaveAsync(input, definition, node, InstanceStatus.Active, text, now);
        List<string> counted = node.Type == NodeTypes.Split ? [$"branch:{node.Id}:{input.Branch}"] : [];
        counted.Add($"step:{node.Id}:entered");
        await counters.CountAsync(input.Instance.WorkflowId, counted, CancellationToken.None);
        return new StepResult(text, now);
    }

    public async Task<StepResult> ActAsync(StepInput input)
    {
        var (definition, node) = await NodeAsync(input);
        var instance = input.Instance;
        var now = time.GetUtcNow();
        var key = EffectKey(input);
        var actor = $"automation:{instance.WorkflowId}";
        string text;
        Dictionary<string, string?>? made = null;
        switch (node.Action)
        {
            case "add_tag":
                await tags.AssignAsync(instance.CustomerId, node.TagId!, actor);
                text = $"tagged {node.TagId}";
                break;
            case "remove_tag":
                await tags.RemoveAsync(instance.CustomerId, node.TagId!, actor);
                text = $"untagged {node.TagId}";
                break;
            case "award_points" or "deduct_points":
                var change = node.Action == "award_points" ? node.Points!.Value : -node.Points!.Value;
                var (before, after) = await points.ChangeAsync(instance.CustomerId, change, Hash(key), $"automation step {node.Id}", actor);
                // The ledger tells the points thresholds (LoyaltyTriggers) of the balance it moved.
                text = $"points {before} -> {after}";
                break;
            case "discount_code":
                var code = await codes.IssueAsync("AUTO-", key, instance.CustomerId, node.DiscountKind!.Value, node.DiscountValue!.Value, now.AddDays(node.ValidDays!.Value), now);
                text = $"discount code {code.Code}";
                // The emails that follow can show it: {{offer.code}}, {{offer.amount}}, {{offer.expires_at}}.
                made = new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["offer.code"] = code.Code,
                    ["offer.amount"] = code.Kind == DiscountKind.Percent ? $"{code.Value:0.##}%" : Money.Format(Money.ToCents(code.Value)),
                    ["offer.expires_at"] = storeTime.Local(code.ExpiresAt).ToString("MMMM d, yyyy", CultureInfo.InvariantCulture),
                };
                break;
            case "create_task":
                var title = await inline.TextAsync(node.TaskTitle!, instance.CustomerId, TemplateValues(input), CancellationToken.None);
                await storage.Table(StorageNames.Tables.Tasks).UpsertEntityAsync(new TableEntity(AutomationKeys.TaskPartition, Hash(key)[..24])
                {
                    ["Title"] = title, ["CustomerId"] = instance.CustomerId, ["CreatedBy"] = actor, ["CreatedAt"] = now, ["Source"] = $"automation:{instance.WorkflowId}:{node.Id}",
                }, TableUpdateMode.Replace);
                text = $"task \"{title}\" created";
                break;
            case "update_field":
                var fields = node.Field switch
                {
                    "tier" => new CustomerFields(Tier: Enum.Parse<LoyaltyTier>(node.FieldValue!, ignoreCase: true)),
                    "source" => new CustomerFields(Source: node.FieldValue),
                    _ => new CustomerFields(TimeZone: node.FieldValue),
                };
                await customers.UpdateAsync(instance.CustomerId, fields, null, actor);
                text = $"{node.Field} set to {node.FieldValue}";
                break;
            case "webhook":
                using (var request = new HttpRequestMessage(HttpMethod.Post, node.Url)
                {
                    Content = JsonContent.Create(new { @event = "automation.step", workflowId = instance.WorkflowId, instanceId = instance.InstanceId, customerId = instance.CustomerId, node = node.Id, at = now }),
                })
                {
                    request.Headers.Add("Idempotency-Key", Hash(key));
                    using var response = await http.Client.SendAsync(request);
                    // A failure throws, so the engine tries the step again with the same key.
                    response.EnsureSuccessStatusCode();
                }
                text = $"webhook {node.Url} called";
                break;
            default:
                throw new InvalidOperationException($"Unknown action {node.Action}.");
        }
        if (AfterEffect is { } hook)
        {
            await hook(key);
        }
        return await CompleteAsync(input, definition, node, new StepResult(text, now, Variables: made), node.Next, null, [$"step:{node.Id}:entered"]);
    }

    /// <summary>Ends the instance: its status and reason, the counters, and "left" on the customer's timeline.</summary>
    public async Task<string> FinishAsync(FinishInput input)
    {
        if (await customers.FindAsync(input.Step.Instance.CustomerId) is null)
        {
            // Erased while a step ran: nothing about the customer may be written again.
            return "customer erased";
        }
        var (definition, node) = await NodeAsync(input.Step);
        var now = time.GetUtcNow();
        var reason = input.Reason.Length > 500 ? input.Reason[..500] : input.Reason;
        var text = input.Status == InstanceStatus.Failed ? "failed: " + reason : reason;
        await SaveAsync(input.Step, definition, node, input.Status, text, now, ended: reason);
        await counters.CountAsync(input.Step.Instance.WorkflowId, EndCounters(node, input.Status), CancellationToken.None);
        await instances.TimelineAsync(input.Step.Instance.CustomerId, $"Left automation \"{definition.Name}\": {reason}", input.Step.Instance.InstanceId, now, CancellationToken.None);
        return input.Status.ToString();
    }

    private static List<string> EndCounters(WorkflowNode node, InstanceStatus status)
    {
        List<string> counted = node.Type is NodeTypes.End or NodeTypes.Goal ? [$"step:{node.Id}:entered"] : [];
        counted.Add(status.ToString().ToLowerInvariant());
        return counted;
    }

    /// <summary>
    /// Records a step after its effect, with its counters (one write for all of them). With
    /// <see cref="StepInput.FoldNext"/>, when <paramref name="next"/> is a wait, the wait is begun here
    /// too; when it is an end or goal node, the instance ends here: the step's row and the folded
    /// node's row are written with the state in one transaction, and the folded node comes back as
    /// <see cref="StepResult.Then"/>. <paramref name="customer"/>: the customer when the step read it.
    /// </summary>
    private async Task<StepResult> CompleteAsync(StepInput input, WorkflowDefinition definition, WorkflowNode node, StepResult result, string? next,
        Customer? customer, List<string> counted)
    {
        var instance = input.Instance;
        var now = result.At;
        var following = input.FoldNext && next is not null ? definition.Nodes!.FirstOrDefault(n => n.Id == next) : null;
        if (following?.Type is NodeTypes.Wait)
        {
            var (waitText, wake) = await PlanWaitAsync(following, instance.CustomerId, customer, now, instance.OrderId);
            var folded = input with { Node = following.Id!, Sequence = input.Sequence + 2, Waited = null };
            await store.SaveAsync(State(folded, definition, following, InstanceStatus.Waiting, now, wake, following.UntilEvent, null),
                [.. Rows(input, node, result.Text, now), new InstanceStep(folded.Sequence + 1, following.Id!, NodeTypes.Wait, waitText, now)], CancellationToken.None);
            counted.Add($"step:{following.Id}:entered");
            await counters.CountAsync(instance.WorkflowId, counted, CancellationToken.None);
            return result with { Then = new StepResult(waitText, now, DelayMs: Math.Max(0, (wake - now).TotalMilliseconds), WakeAt: wake) };
        }
        if (following?.Type is NodeTypes.End or NodeTypes.Goal)
        {
            var status = following.Type == NodeTypes.End ? InstanceStatus.Completed : InstanceStatus.Goal;
            var reason = status == InstanceStatus.Completed ? "completed" : "goal reached";
            if (customer is null && await customers.FindAsync(instance.CustomerId) is null)
            {
                // Erased while the step ran: nothing about the customer may be written again.
                await SaveAsync(input, definition, node, InstanceStatus.Active, result.Text, now);
                await counters.CountAsync(instance.WorkflowId, counted, CancellationToken.None);
                return result with { Then = new StepResult("customer erased", now, Ended: status) };
            }
            var folded = input with { Node = following.Id!, Sequence = input.Sequence + 2, Waited = null };
            await store.SaveAsync(State(folded, definition, following, status, now, null, null, reason),
                [.. Rows(input, node, result.Text, now), new InstanceStep(folded.Sequence + 1, following.Id!, following.Type!, reason, now)], CancellationToken.None);
            counted.AddRange(EndCounters(following, status));
            await counters.CountAsync(instance.WorkflowId, counted, CancellationToken.None);
            await instances.TimelineAsync(instance.CustomerId, $"Left automation \"{definition.Name}\": {reason}", instance.InstanceId, now, CancellationToken.None);
            return result with { Then = new StepResult(reason, now, Ended: status) };
        }
        await SaveAsync(input, definition, node, InstanceStatus.Active, result.Text, now);
        await counters.CountAsync(instance.WorkflowId, counted, CancellationToken.None);
        return result;
    }

    private async Task<(WorkflowDefinition Definition, WorkflowNode Node)> NodeAsync(StepInput input)
    {
        var definition = await workflows.VersionAsync(input.Instance.WorkflowId, input.Instance.Version);
        return (definition, definition.Nodes!.First(n => n.Id == input.Node));
    }

    /// <summary>The flow's variables (a discount code's <c>offer.*</c>, ...) as merge values of emails and task titles.</summary>
    private static Dictionary<string, object?> TemplateValues(StepInput input) => input.Variables.ToDictionary(v => v.Key, v => (object?)v.Value, StringComparer.Ordinal);

    /// <summary>The idempotency key of a step's side effect: the instance, the node and the visit.</summary>
    private static string EffectKey(StepInput input) => $"{input.Instance.InstanceId}|{input.Node}|{input.Visit}";

    /// <summary>Writes the step (after the wait that ended before it, if any) and the state it leaves the instance in.</summary>
    private Task SaveAsync(StepInput input, WorkflowDefinition definition, WorkflowNode node, InstanceStatus status, string text, DateTimeOffset now,
        DateTimeOffset? wakeAt = null, string? waitingFor = null, string? ended = null) =>
        store.SaveAsync(State(input, definition, node, status, now, wakeAt, waitingFor, ended), Rows(input, node, text, now), CancellationToken.None);

    /// <summary>The state a step leaves the instance in.</summary>
    private static InstanceEntity State(StepInput input, WorkflowDefinition definition, WorkflowNode node, InstanceStatus status, DateTimeOffset now,
        DateTimeOffset? wakeAt, string? waitingFor, string? ended)
    {
        var instance = input.Instance;
        return new InstanceEntity
        {
            PartitionKey = instance.InstanceId,
            WorkflowId = instance.WorkflowId,
            Version = instance.Version,
            CustomerId = instance.CustomerId,
            Status = status.ToString(),
            Node = node.Id!,
            Sequence = input.Sequence + 1,
            WakeAt = wakeAt,
            WaitingForEvent = waitingFor,
            GoalEvent = GoalOf(definition),
            Branch = input.Branch,
            Source = instance.Source,
            OrderId = instance.OrderId,
            EnrolledAt = instance.EnrolledAt,
            EndedAt = ended is null ? null : now,
            ExitReason = ended,
        };
    }

    /// <summary>A step's history rows: the wait that ended before it (if any), then the step.</summary>
    private static List<InstanceStep> Rows(StepInput input, WorkflowNode node, string text, DateTimeOffset now)
    {
        List<InstanceStep> steps = [];
        if (input.Waited is { } waited)
        {
            // How late the durable timer fired: from the wake-up time to this step (the bench reads it from the history).
            var lateMs = waited.Outcome == "waited" ? Math.Max(0, (now - waited.WakeAt).TotalMilliseconds) : (double?)null;
            steps.Add(new InstanceStep(input.Sequence, waited.Node, NodeTypes.Wait, waited.Outcome, now, lateMs));
        }
        steps.Add(new InstanceStep(input.Sequence + 1, node.Id!, node.Type!, text, now));
        return steps;
    }

    /// <summary>The store event that ends an instance of the workflow wherever it is.</summary>
    internal static string? GoalOf(WorkflowDefinition definition) => definition.GoalEvent ?? definition.Nodes!.FirstOrDefault(n => n.Type == NodeTypes.Goal)?.Event;

    /// <summary>The first flow filter that does not hold, or null. <paramref name="enrolled"/>: checked before a send, not at entry.</summary>
    internal Task<string?> FailingFlowFilterAsync(WorkflowDefinition definition, Customer customer, DateTimeOffset since, bool enrolled) =>
        instances.FailingFlowFilterAsync(definition, customer, since, enrolled, CancellationToken.None);

    /// <summary>The end of the quiet hours when <paramref name="now"/> falls in them on the customer's clock, else null.</summary>
    public DateTimeOffset? QuietUntil(Customer customer, DateTimeOffset now) =>
        storeTime.QuietUntil(customer.TimeZone, options.Value.QuietHoursStart, options.Value.QuietHoursEnd, now);

    /// <summary>When the customer is under the marketing frequency cap again, or null when they are under it now.</summary>
    private async Task<DateTimeOffset?> CapUntilAsync(string customerId, DateTimeOffset now)
    {
        var o = options.Value;
        var since = now.AddDays(-o.FrequencyCapDays);
        var page = await log.ListAsync(customerId, Channel.Email, 100, null, CancellationToken.None);
        var recent = page.Items
            .Where(m => m.Purpose == MessagePurpose.Marketing && m.CreatedAt >= since && m.Status is not (MessageStatus.Skipped or MessageStatus.Failed or MessageStatus.Cancelled))
            .Select(m => m.CreatedAt).Order().ToList();
        return recent.Count < o.FrequencyCap ? null : recent[recent.Count - o.FrequencyCap].AddDays(o.FrequencyCapDays);
    }

    internal static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}

/// <summary>The pooled HTTP client, with a timeout, that automation webhooks go out through.</summary>
public sealed class WebhookClient
{
    public HttpClient Client { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(10) };
}
