using Azure.Data.Tables;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Automation;

public sealed record StepAnalytics(string Node, string Type, long Entered, long Sent, long Skipped, long Delivered, long Opened, long Clicked);

public sealed record BranchAnalytics(string Split, string Branch, long Enrolled, long Goals, double ConversionRate, bool Winner);

/// <summary>How a workflow performs. Conversion rate = instances that reached the goal / enrolled. Revenue attributed: net revenue of the orders placed within <c>attributionDays</c> (default: setting Attribution:WindowDays, 5) after one of the workflow's emails or SMS reached the customer, last touch (see <see cref="Campaigns.Attribution"/>).</summary>
public sealed record WorkflowAnalytics(
    string WorkflowId, long Enrolled, long Active, long Completed, long ExitedByGoal, long Exited, long Terminated,
    long EmailsSent, long EmailsDelivered, long EmailsOpened, long EmailsClicked, double ConversionRate,
    [property: System.Text.Json.Serialization.JsonIgnore] long RevenueAttributedCents,
    IReadOnlyList<StepAnalytics> Steps, IReadOnlyList<BranchAnalytics> Splits)
{
    /// <summary>The attributed revenue in the currency's unit, as every amount of the API.</summary>
    public decimal RevenueAttributed => Money.ToDecimal(RevenueAttributedCents);

    public string Currency { get; } = Money.DefaultCurrency;
}

/// <summary>
/// Workflow analytics: counters kept as instances move (enrolled, per step entered and sent), email
/// outcomes counted from SendGrid's events by the message's <c>wf:{workflow}:{node}</c> tag, the
/// instance index for who is where, and the analytical copy for the revenue (the version the engine holds; the background refresh keeps it current).
/// </summary>
public sealed class AutomationAnalytics(StorageAccount storage, WorkflowStore workflows, AutomationCounters counters, Campaigns.Attribution attribution) : IMessageEventObserver
{
    private TableClient Index => storage.Table(StorageNames.Tables.AutomationIndex);

    public async Task OnAppliedAsync(Message message, MessageStatus reached, DateTimeOffset at, CancellationToken cancellationToken)
    {
        // Only the first time a message reaches a status counts; a click is not also counted as a later open.
        if (message.CampaignId is not { } tag || !tag.StartsWith("wf:", StringComparison.Ordinal) || message.Steps.GetValueOrDefault(reached) != at
            || reached is not (MessageStatus.Delivered or MessageStatus.Opened or MessageStatus.Clicked))
        {
            return;
        }
        var parts = tag.Split(':', 3);
        await counters.CountAsync(parts[1], $"step:{parts[2]}:{reached.ToString().ToLowerInvariant()}", cancellationToken);
    }

    public async Task<WorkflowAnalytics> GetAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        var workflow = await workflows.GetAsync(workflowId, cancellationToken);
        var counts = await counters.CountersAsync(workflowId, cancellationToken);
        long C(string name) => counts.GetValueOrDefault(name);
        var instances = new List<TableEntity>();
        await foreach (var row in Index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {AutomationKeys.WorkflowPartition(workflowId)}"),
            select: ["RowKey", "CustomerId", "Status", "Branch", "EnrolledAt", "EndedAt"], cancellationToken: cancellationToken))
        {
            instances.Add(row);
        }
        var nodes = workflow.Definition.Nodes ?? [];
        var steps = nodes.Where(n => n.Type is not ("trigger")).Select(n => new StepAnalytics(n.Id!, n.Type!,
            C($"step:{n.Id}:entered"), C($"step:{n.Id}:sent"), C($"step:{n.Id}:skipped"), C($"step:{n.Id}:delivered"), C($"step:{n.Id}:opened"), C($"step:{n.Id}:clicked"))).ToList();
        var splits = new List<BranchAnalytics>();
        foreach (var split in nodes.Where(n => n.Type == "split"))
        {
            var branches = split.Branches!.Select(b =>
            {
                var name = b.Name ?? b.Next!;
                var members = instances.Where(i => i.GetString("Branch") == name).ToList();
                var goals = members.Count(i => i.GetString("Status") == nameof(InstanceStatus.Goal));
                return (Name: name, Enrolled: (long)members.Count, Goals: (long)goals, Rate: members.Count == 0 ? 0 : Math.Round((double)goals / members.Count, 4));
            }).ToList();
            var best = branches.Where(b => b.Enrolled > 0).OrderByDescending(b => b.Rate).ThenBy(b => branches.IndexOf(b)).FirstOrDefault();
            splits.AddRange(branches.Select(b => new BranchAnalytics(split.Id!, b.Name, b.Enrolled, b.Goals, b.Rate, best.Name == b.Name && b.Enrolled > 0)));
        }
        var enrolled = instances.Count;
        var goal = instances.Count(i => i.GetString("Status") == nameof(InstanceStatus.Goal));
        return new WorkflowAnalytics(
            workflowId, enrolled,
            instances.Count(i => i.GetString("Status") is nameof(InstanceStatus.Active) or nameof(InstanceStatus.Waiting) or nameof(InstanceStatus.Suspended)),
            instances.Count(i => i.GetString("Status") == nameof(InstanceStatus.Completed)), goal,
            instances.Count(i => i.GetString("Status") == nameof(InstanceStatus.Exited)),
            instances.Count(i => i.GetString("Status") == nameof(InstanceStatus.Terminated)),
            steps.Where(s => s.Type == "send_email").Sum(s => s.Sent), steps.Sum(s => s.Delivered), steps.Sum(s => s.Opened), steps.Sum(s => s.Clicked),
            enrolled == 0 ? 0 : Math.Round((double)goal / enrolled, 4),
            enrolled == 0 ? 0 : await RevenueAsync(workflow, cancellationToken), steps, splits);
    }

    private async Task<long> RevenueAsync(Workflow workflow, CancellationToken cancellationToken)
    {
        var attributed = await attribution.RevenueAsync("wf:" + workflow.Id, workflow.CreatedAt, workflow.Definition.AttributionDays, cancellationToken);
        return attributed.Sum(a => a.NetCents);
    }
}
