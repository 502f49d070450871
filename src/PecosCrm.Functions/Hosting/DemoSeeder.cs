using Azure;
using Azure.Data.Tables;
using PecosCrm.Core;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Events;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Products;
using PecosCrm.Core.Shared;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Seeds the demo store on the first start when <c>Demo:Seed</c> is true (./run.sh sets it). It
/// runs in the background so the API answers at once, records completion in the <c>jobs</c> table
/// so later starts skip it, and is safe to interrupt: events carry fixed ids and are
/// deduplicated, so the next start finishes the work without doubling anything. The support desk
/// (<see cref="DemoSupportSeeder"/>) follows the customers under a marker of its own, so a store
/// seeded before it existed gets it on its next start.
/// </summary>
public sealed partial class DemoSeeder(
    IConfiguration configuration,
    StorageAccount storage,
    StaffStore staff,
    ProductStore products,
    EventProcessor events,
    TagStore tags,
    NoteStore notes,
    RelatedContactStore related,
    DemoSupportSeeder support,
    TimeProvider time,
    ILogger<DemoSeeder> logger) : BackgroundService
{
    private const string MarkerPartition = "demo";
    private const string MarkerRow = "seeded";
    private const string SupportMarkerRow = "support-seeded";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Demo:Seed", false))
        {
            return;
        }
        var jobs = storage.Table(StorageNames.Tables.Jobs);
        try
        {
            var count = configuration.GetValue("Demo:Customers", 2000);
            if (await jobs.FindAsync<TableEntity>(MarkerPartition, MarkerRow, stoppingToken) is { } seeded)
            {
                count = seeded.GetInt32("Customers") ?? count;
            }
            else
            {
                LogStarting(logger, count);
                var started = time.GetTimestamp();
                var data = new DemoData(time.GetUtcNow(), count).Generate();
                await SeedAsync(data, stoppingToken);
                await jobs.UpsertEntityAsync(new TableEntity(MarkerPartition, MarkerRow) { ["Customers"] = count, ["Events"] = data.Events.Count }, TableUpdateMode.Replace, stoppingToken);
                LogDone(logger, count, data.Events.Count, time.GetElapsedTime(started).TotalSeconds);
            }
            if (await jobs.FindAsync<TableEntity>(MarkerPartition, SupportMarkerRow, stoppingToken) is null && await support.SeedAsync(count, stoppingToken))
            {
                await jobs.UpsertEntityAsync(new TableEntity(MarkerPartition, SupportMarkerRow), TableUpdateMode.Replace, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped part-way; the next start carries on.
        }
        // A demo the services refuse (bad input, a closed ticket) is logged rather than left to stop the host.
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or ValidationFailedException or ConflictException or NotFoundException)
        {
            LogFailed(logger, ex);
        }
    }

    /// <summary>The customers (with their whole history) loaded before anything else, so a first start is usable at once.</summary>
    public const int FirstSlice = 100;

    /// <summary>The customers loaded per slice after the first one; each slice logs its progress.</summary>
    public const int SliceSize = 250;

    /// <summary>
    /// Loads the demo store a slice of customers at a time, each customer with its whole history,
    /// notes, tags and links (a link once both of its customers are loaded): after the first slice
    /// the store is small but whole, and the rest follows in the background.
    /// </summary>
    public async Task SeedAsync(DemoData data, CancellationToken cancellationToken)
    {
        foreach (var member in DemoData.Staff)
        {
            if (await staff.FindByEmailAsync(member.Email!, cancellationToken) is null)
            {
                await staff.CreateAsync(member, cancellationToken);
            }
        }
        await Parallel.ForEachAsync(data.Products, cancellationToken, async (p, ct) => await products.UpsertAsync(p, AuditActor.System, ct));
        var tagIds = await CustomTagIdsAsync(cancellationToken);

        var customers = data.Events.GroupBy(e => e.CustomerId, StringComparer.Ordinal).ToList();
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slice in Slices(customers))
        {
            await events.ApplyAllAsync(slice.SelectMany(c => c), cancellationToken);
            var ids = slice.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
            loaded.UnionWith(ids);
            foreach (var (customerId, tagIndex) in data.TagAssignments.Where(t => ids.Contains(t.CustomerId)))
            {
                await tags.AssignAsync(customerId, tagIds[tagIndex], "Marla Jennings", cancellationToken);
            }
            foreach (var (customerId, body, pinned) in data.Notes.Where(n => ids.Contains(n.CustomerId)))
            {
                if ((await notes.ListAsync(customerId, cancellationToken: cancellationToken)).All(n => n.Body != body))
                {
                    await notes.AddAsync(customerId, body, pinned, "Ty Redbird", cancellationToken);
                }
            }
            foreach (var (a, b, relationship) in data.Links.Where(l => loaded.Contains(l.A) && loaded.Contains(l.B) && (ids.Contains(l.A) || ids.Contains(l.B))))
            {
                await related.LinkAsync(a, b, relationship, null, "Gloria Ybarra", cancellationToken);
            }
            LogProgress(logger, loaded.Count, customers.Count);
        }
    }

    private static IEnumerable<IReadOnlyList<IGrouping<string, StoreEvent>>> Slices(IReadOnlyList<IGrouping<string, StoreEvent>> customers)
    {
        yield return customers.Take(FirstSlice).ToList();
        foreach (var slice in customers.Skip(FirstSlice).Chunk(SliceSize))
        {
            yield return slice;
        }
    }

    private async Task<List<string>> CustomTagIdsAsync(CancellationToken cancellationToken)
    {
        var existing = (await tags.ListAsync(cancellationToken)).Where(t => !t.IsAuto).ToDictionary(t => t.Name);
        var tagIds = new List<string>();
        foreach (var (name, color, description) in DemoData.CustomTags)
        {
            tagIds.Add(existing.TryGetValue(name, out var tag) ? tag.Id : (await tags.CreateAsync(name, color, description, cancellationToken)).Id);
        }
        return tagIds;
    }

    [LoggerMessage(1, LogLevel.Information, "Seeding demo data: {Customers} customers")]
    private static partial void LogStarting(ILogger logger, int customers);

    [LoggerMessage(2, LogLevel.Information, "Demo data: {Loaded} of {Customers} customers loaded")]
    private static partial void LogProgress(ILogger logger, int loaded, int customers);

    [LoggerMessage(3, LogLevel.Information, "Demo data seeded: {Customers} customers, {Events} events in {Seconds:0} s")]
    private static partial void LogDone(ILogger logger, int customers, int events, double seconds);

    [LoggerMessage(4, LogLevel.Error, "Demo data could not be seeded; the next start tries again")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
