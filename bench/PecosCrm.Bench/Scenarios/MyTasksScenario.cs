using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Bench.Load;
using PecosCrm.Core.Storage;
using PecosCrm.Core.Tasks;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// <c>GET /api/tasks/my?view=…</c> over 100,000 tasks of 100 assignees (a fifth of them open, due
/// from ten days ago to thirty days ahead, the rest completed), seeded straight into the app's task
/// table, against an SDK point read of a task row in the same table, interleaved at concurrency 16.
/// The target: each screen within 3 × the point read's latency.
/// </summary>
public sealed class MyTasksScenario : IScenario
{
    private const int Assignees = 100;
    private const int Concurrency = 16;
    private const int Rounds = 5;
    private const double OpenShare = 0.2;
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);

    /// <summary>The tasks seeded; <c>PECOSCRM_BENCH_TASKS</c> sets another for a quick run.</summary>
    private static int Tasks =>
        int.TryParse(Environment.GetEnvironmentVariable("PECOSCRM_BENCH_TASKS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= Assignees ? n : 100_000;

    public string Name => "my-tasks";

    public string Description =>
        "GET /api/tasks/my (today, overdue, upcoming) over 100,000 tasks of 100 assignees seeded into storage, against an SDK point read of a task row, interleaved at concurrency 16.";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var server = await CrmServer.StartAsync(azurite.ConnectionString, runQueues: false, cancellationToken);
        using var api = new CrmApiClient(server);
        var table = server.Services.GetRequiredService<StorageAccount>().Table(StorageNames.Tables.StaffTasks);

        var seeding = Stopwatch.StartNew();
        var (taskIds, openLines) = await SeedAsync(table, Tasks, DateTimeOffset.UtcNow, cancellationToken);
        progress.WriteLine($"seeded {Tasks:N0} tasks ({openLines:N0} open with a due time) in {seeding.Elapsed.TotalSeconds:F1} s");

        Func<CancellationToken, Task<int>> pointRead = async ct =>
        {
            var (assignee, id) = taskIds[Random.Shared.Next(taskIds.Count)];
            await table.GetEntityAsync<TableEntity>(StaffTaskKeys.Assignee(assignee), StaffTaskKeys.TaskRow(id), cancellationToken: ct);
            return 1;
        };
        Func<CancellationToken, Task<int>> Screen(string view) => async ct =>
        {
            await api.GetAsync($"/api/tasks/my?view={view}&assigneeId={Assignee(Random.Shared.Next(Assignees))}&limit=500", ct);
            return 1;
        };
        string[] views = ["today", "overdue", "upcoming"];
        Func<CancellationToken, Task<int>>[] operations = [pointRead, .. views.Select(Screen)];

        await LoadRunner.InterleaveAsync(operations, Concurrency, 1, Slice, cancellationToken);
        var results = await LoadRunner.InterleaveAsync(operations, Concurrency, Rounds, Slice, cancellationToken);
        var raw = results[0];
        progress.WriteLine($"{"SDK point read (task row)",-34} {raw}");
        var rows = new List<ResultRow>
        {
            ResultRow.From(Name, "SDK point read (task row)", raw, "reads/s", string.Create(CultureInfo.InvariantCulture, $"random task of {Tasks:N0}; the app's TableClient")),
        };
        for (var i = 0; i < views.Length; i++)
        {
            var screen = results[i + 1];
            var p50 = screen.Percentile(50)!.Value / raw.Percentile(50)!.Value;
            var p99 = screen.Percentile(99)!.Value / raw.Percentile(99)!.Value;
            progress.WriteLine($"{$"GET /api/tasks/my?view={views[i]}",-34} {screen}  p50 {p50:F2} ×, p99 {p99:F2} × the point read");
            rows.Add(ResultRow.From(Name, $"GET /api/tasks/my?view={views[i]}", screen, "requests/s", string.Create(CultureInfo.InvariantCulture,
                $"p50 {p50:F2} ×, p99 {p99:F2} × the SDK point read's latency beside it (target 3 ×: {(p50 <= 3 ? "met" : "missed")} at p50); random assignee of {Assignees}, {openLines / Assignees:N0} open lines each; {Tasks:N0} tasks")));
        }
        return rows;
    }

    private static string Assignee(int n) => "bench-staff-" + n.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>
    /// Each assignee's task rows in 100-row transactions and their card, as the store writes them. The
    /// task locators (one partition each) are left out: the screens do not read them, and 100,000
    /// single inserts would double the seeding time.
    /// </summary>
    private static async Task<(List<(string Assignee, string Id)> Ids, int OpenLines)> SeedAsync(
        TableClient table, int tasks, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var random = new Random(7);
        var ids = new List<(string, string)>(tasks);
        var open = 0;
        var perAssignee = tasks / Assignees;
        var work = Enumerable.Range(0, Assignees).Select(a =>
        {
            var assignee = Assignee(a);
            var rows = new List<TaskEntity>(perAssignee);
            for (var i = 0; i < perAssignee; i++)
            {
                var id = Guid.CreateVersion7(now.AddSeconds(-i)).ToString("N");
                var isOpen = random.NextDouble() < OpenShare;
                rows.Add(new TaskEntity
                {
                    PartitionKey = StaffTaskKeys.Assignee(assignee),
                    RowKey = StaffTaskKeys.TaskRow(id),
                    TaskId = id,
                    Title = $"Follow up with account {random.Next(10_000)}",
                    Type = nameof(StaffTaskType.FollowUp),
                    Priority = nameof(StaffTaskPriority.Medium),
                    Status = isOpen ? nameof(StaffTaskStatus.Pending) : nameof(StaffTaskStatus.Completed),
                    DueAt = now.AddMinutes(random.Next(-10 * 24 * 60, 30 * 24 * 60)),
                    AssigneeId = assignee,
                    CreatedBy = "bench",
                    RelatedType = nameof(TaskRelation.Customer),
                    RelatedId = "c-" + random.Next(100_000).ToString(CultureInfo.InvariantCulture),
                    CreatedAt = now,
                    UpdatedAt = now,
                });
                ids.Add((assignee, id));
            }
            var lines = rows.Select(ScreenLine.Of).OfType<ScreenLine>().OrderBy(l => l.DueAt).ThenBy(l => l.Id, StringComparer.Ordinal).ToList();
            open += lines.Count;
            return (assignee, rows, lines);
        }).ToList();

        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            foreach (var chunk in item.rows.Chunk(TableInserter.BatchSize))
            {
                await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), ct);
            }
            await table.AddEntityAsync(StaffTaskStore.CardRow(item.assignee, item.lines), ct);
        });
        return (ids, open);
    }
}
