using Azure.Data.Tables;
using DuckDB.NET.Data;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Automation;

public sealed record StepAnalytics(string Node, string Type, long Entered, long Sent, long Skipped, long Delivered, long Opened, long Clicked);

public sealed record BranchAnalytics(string Split, string Branch, long Enrolled, long Goals, double ConversionRate, bool Winner);

/// <summary>How a workflow performs. Conversion rate = instances that reached the goal / enrolled. Revenue attributed: net revenue of the orders enrolled customers placed from enrolment until <c>attributionDays</c> (default 7) after the instance ended.</summary>
public sealed record WorkflowAnalytics(
    string WorkflowId, long Enrolled, long Active, long Completed, long ExitedByGoal, long Exited, long Terminated,
    long EmailsSent, long EmailsDelivered, long EmailsOpened, long EmailsClicked, double ConversionRate,
    [property: System.Text.Json.Serialization.JsonIgnore] long RevenueAttributedCents,
    IReadOnlyList<StepAnalytics> Steps, IReadOnlyList<BranchAnalytics> Splits)
{
    /// <summary>The attributed revenue in the currency's unit, as every amount of the API.</summary>
    public decimal RevenueAttributed => Customers.Money.ToDecimal(RevenueAttributedCents);

    public string Currency => Customers.Money.DefaultCurrency;
}

/// <summary>
/// Workflow analytics: counters kept as instances move (enrolled, per step entered and sent), email
/// outcomes counted from SendGrid's events by the message's <c>wf:{workflow}:{node}</c> tag, the
/// instance index for who is where, and the analytical copy for the revenue.
/// </summary>
public sealed class AutomationAnalytics(StorageAccount storage, WorkflowStore workflows, AutomationCounters counters, AnalyticsEngine engine, AnalyticsCopy copy) : IMessageEventObserver
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
        await foreach (var row in Index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"w|" + workflowId}"),
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
            await RevenueAsync(instances, workflow.Definition.AttributionDays ?? 7, cancellationToken), steps, splits);
    }

    private async Task<long> RevenueAsync(List<TableEntity> instances, int days, CancellationToken cancellationToken)
    {
        if (instances.Count == 0)
        {
            return 0;
        }
        await copy.RebuildChangedAsync(cancellationToken: cancellationToken);
        using var db = await engine.OpenAsync(cancellationToken);
        using (var create = db.CreateCommand())
        {
            create.CommandText = "CREATE TEMP TABLE enrolled (customer_id VARCHAR, from_at TIMESTAMP, to_at TIMESTAMP)";
            create.ExecuteNonQuery();
        }
        using (var appender = db.CreateAppender("enrolled"))
        {
            foreach (var i in instances)
            {
                var from = i.GetDateTimeOffset("EnrolledAt")!.Value;
                var to = (i.GetDateTimeOffset("EndedAt") ?? DateTimeOffset.MaxValue.AddDays(-days - 1)).AddDays(days);
                appender.CreateRow().AppendValue(i.GetString("CustomerId")).AppendValue(from.UtcDateTime).AppendValue(to.UtcDateTime).EndRow();
            }
        }
        using var command = db.CreateCommand();
        // An order counts once even when it falls in two enrolments' windows.
        command.CommandText = """
            SELECT CAST(coalesce(sum(net_cents), 0) AS BIGINT) FROM orders o
            WHERE o.net_cents > 0 AND EXISTS (SELECT 1 FROM enrolled e WHERE e.customer_id = o.customer_id AND o.placed_at >= e.from_at AND o.placed_at < e.to_at)
            """;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
