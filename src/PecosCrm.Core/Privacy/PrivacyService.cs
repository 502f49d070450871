using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Campaigns;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Events;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Privacy;

/// <summary>
/// GDPR requests for one customer: an archive of everything held about them, and erasure. Erasure
/// deletes the customer's partition, index rows, tag memberships, links from related customers and
/// their store events, scrubs audit entries about them, and keeps their orders in the store-wide
/// figures under a random pseudonym, so revenue and order counts do not change.
/// </summary>
public sealed class PrivacyService(
    StorageAccount storage, CustomerCards cards, TagStore tags, RelatedContactStore related, AuditLog audit, AnalyticsCopy analytics, SegmentStore segments, DiscountCodes codes, CampaignStore campaigns, Automation.AutomationInstances automations, TimeProvider time)
{
    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);
    private TableClient Index => storage.Table(StorageNames.Tables.CustomerIndex);

    /// <summary>A ZIP archive: one JSON file per kind of record, as stored.</summary>
    public async Task<byte[]> ExportAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var rows = await PartitionAsync(customerId, cancellationToken);
        if (rows.Count == 0)
        {
            throw new NotFoundException("Customer", customerId);
        }
        var card = await cards.FindAsync(customerId, cancellationToken);
        var files = new Dictionary<string, object?>
        {
            ["profile.json"] = card is { HasProfile: true } ? card.ToCustomer() : null,
            ["metrics.json"] = card is null ? null : new { metrics = card.ToMetrics(), engagement = card.ToEngagement(), card.HealthScore, card.ChurnRisk, card.RfmCode, card.CartOpen, card.CartValueCents },
            ["tags.json"] = card?.TagList() ?? [],
            ["related-contacts.json"] = card?.RelatedList() ?? [],
            ["orders.json"] = Rows(rows, CustomerKeys.OrderPrefix),
            ["timeline.json"] = Rows(rows, CustomerKeys.TimelinePrefix),
            ["notes.json"] = Rows(rows, CustomerKeys.NotePrefix),
            ["events-applied.json"] = Rows(rows, CustomerKeys.EventPrefix),
            ["discount-codes.json"] = Rows(rows, "dc|"),
            ["messages.json"] = Rows(rows, "msg|"),
            ["loyalty-points.json"] = Rows(rows, Loyalty.PointsLedger.EntryPrefix).Concat(Rows(rows, Loyalty.PointsLedger.BalancePrefix)).ToList(),
            ["automations.json"] = await PartitionRowsAsync(StorageNames.Tables.AutomationIndex, "c|" + customerId, cancellationToken),
            ["conversations.json"] = await ConversationsAsync(customerId, cancellationToken),
            ["segments.json"] = await segments.ForCustomerAsync(customerId, cancellationToken),
            ["segment-history.json"] = (await segments.CustomerHistoryAsync(customerId, Storage.Page<MembershipChange>.MaxLimit, null, cancellationToken)).Items,
            ["lookup-index.json"] = await IndexRowsAsync(rows, cancellationToken),
            ["audit.json"] = (await audit.QueryAsync(new AuditQuery(EntityType: "customer", EntityId: customerId), Storage.Page<AuditEntry>.MaxLimit, null, cancellationToken)).Items,
            ["store-events.json"] = await StoreEventsAsync(customerId, scrub: false, cancellationToken),
        };
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                await using var stream = entry.Open();
                await JsonSerializer.SerializeAsync(stream, content, new JsonSerializerOptions(CrmJson.Options) { WriteIndented = true }, cancellationToken);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Erases the customer everywhere; returns what was done, without any of the erased data.</summary>
    public async Task<ErasureReport> EraseAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var rows = await PartitionAsync(customerId, cancellationToken);
        if (rows.Count == 0)
        {
            throw new NotFoundException("Customer", customerId);
        }
        var pseudonym = "erased-" + Guid.NewGuid().ToString("N")[..16];

        // Orders stay in the store-wide figures under the pseudonym.
        var orders = rows.Where(r => r.RowKey.StartsWith(CustomerKeys.OrderPrefix, StringComparison.Ordinal)).ToList();
        var months = storage.Table(StorageNames.Tables.OrdersByMonth);
        var locator = storage.Table(StorageNames.Tables.OrderIndex);
        var changedMonths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var order in orders)
        {
            var placedAt = order.GetDateTimeOffset("PlacedAt")!.Value;
            var orderId = order.GetString("OrderId");
            var month = MonthOrderEntity.Month(placedAt);
            var monthRow = await months.FindAsync<MonthOrderEntity>(month, MonthOrderEntity.Row(placedAt, orderId), cancellationToken);
            if (monthRow is not null)
            {
                monthRow.CustomerId = pseudonym;
                await months.UpdateEntityAsync(monthRow, ETag.All, TableUpdateMode.Replace, cancellationToken);
                changedMonths.Add(month);
            }
            await locator.UpsertEntityAsync(new OrderLocatorEntity { PartitionKey = orderId, RowKey = OrderLocatorEntity.Row(orderId), CustomerId = pseudonym, PlacedAt = placedAt }, TableUpdateMode.Replace, cancellationToken);
        }
        foreach (var month in changedMonths)
        {
            await analytics.MarkChangedAsync(month, cancellationToken);
        }

        var card = await cards.FindAsync(customerId, cancellationToken);
        var indexRows = await IndexRowsAsync(rows, cancellationToken);
        foreach (var row in indexRows)
        {
            await Index.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
        }
        var tagIds = card?.TagList().Select(t => t.TagId).ToHashSet(StringComparer.Ordinal) ?? [];
        await tags.SyncMembersAsync(customerId, tagIds, new HashSet<string>(), time.GetUtcNow(), cancellationToken);
        foreach (var link in card?.RelatedList() ?? [])
        {
            await related.ForgetAsync(link.CustomerId, customerId, cancellationToken);
        }
        var email = card?.HasProfile == true ? card.Email : null;
        var segmentRows = await segments.EraseCustomerAsync(customerId, cancellationToken);
        var codeRows = await codes.EraseCustomerAsync(customerId, cancellationToken);
        var campaignRows = await campaigns.EraseCustomerAsync(customerId, cancellationToken);
        var communicationRows = await EraseCommunicationsAsync(customerId, email, cancellationToken);
        await Customers.SubmitChunkedAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken);

        // Audit entries about the customer, their notes and their orders carry personal values.
        var auditEntries = await audit.ScrubEntityAsync("customer", customerId, pseudonym, cancellationToken);
        foreach (var note in rows.Where(r => r.RowKey.StartsWith(CustomerKeys.NotePrefix, StringComparison.Ordinal)))
        {
            var noteId = note.RowKey[CustomerKeys.NotePrefix.Length..];
            auditEntries += await audit.ScrubEntityAsync("note", noteId, noteId, cancellationToken);
        }
        foreach (var order in orders)
        {
            var orderId = order.GetString("OrderId");
            auditEntries += await audit.ScrubEntityAsync("order", orderId, orderId, cancellationToken);
        }
        var mentions = new List<string> { customerId };
        if (email is { Length: > 0 })
        {
            mentions.Add(email);
        }
        auditEntries += await audit.ScrubMentionsAsync(mentions, pseudonym, cancellationToken);
        var events = (await StoreEventsAsync(customerId, scrub: true, cancellationToken)).Count;
        var files = await DeleteExportFilesAsync(customerId, email, cancellationToken);

        // The analytical copy drops the customer's features row and carries the orders under the pseudonym.
        await CustomerFeatures.MarkChangedAsync(storage, [customerId], cancellationToken);
        await analytics.RebuildChangedAsync(cancellationToken: cancellationToken);
        return new ErasureReport(Reference(customerId), pseudonym, rows.Count + segmentRows + codeRows + campaignRows + communicationRows, indexRows.Count, orders.Count, auditEntries, events, files, time.GetUtcNow());
    }

    /// <summary>
    /// Deletes what the communication and automation features hold about the customer outside their
    /// own partition: automation instances (state, history and index rows), inbox conversations with
    /// their messages, scheduled messages, development-outbox copies and tasks. The suppression list
    /// keeps the address: it is what makes sure the person is never mailed again. Returns the rows deleted.
    /// </summary>
    private async Task<int> EraseCommunicationsAsync(string customerId, string? email, CancellationToken cancellationToken)
    {
        var deleted = await automations.EraseCustomerAsync(customerId, cancellationToken);

        var conversations = storage.Table(StorageNames.Tables.Conversations);
        foreach (var conversation in await ConversationsAsync(customerId, cancellationToken))
        {
            var id = conversation.RowKey;
            deleted += await DeleteWhereAsync(conversations, TableClient.CreateQueryFilter($"PartitionKey eq {"m|" + id}"), cancellationToken);
            deleted += await DeleteWhereAsync(conversations, TableClient.CreateQueryFilter($"(PartitionKey eq {"open"} or PartitionKey eq {"archived"}) and ConversationId eq {id}"), cancellationToken);
            deleted += await DeleteWhereAsync(conversations, TableClient.CreateQueryFilter($"PartitionKey eq {"thread"} and ConversationId eq {id}"), cancellationToken);
            deleted += await DeleteWhereAsync(conversations, TableClient.CreateQueryFilter($"PartitionKey eq {"conversation"} and RowKey eq {id}"), cancellationToken);
        }
        deleted += await DeleteWhereAsync(storage.Table(StorageNames.Tables.ScheduledMessages), TableClient.CreateQueryFilter($"CustomerId eq {customerId}"), cancellationToken);
        deleted += await DeleteWhereAsync(storage.Table(StorageNames.Tables.Tasks), TableClient.CreateQueryFilter($"CustomerId eq {customerId}"), cancellationToken);
        if (email is { Length: > 0 })
        {
            deleted += await DeleteWhereAsync(storage.Table(StorageNames.Tables.Outbox), TableClient.CreateQueryFilter($"To eq {email}"), cancellationToken);
        }
        return deleted;
    }

    private async Task<List<TableEntity>> ConversationsAsync(string customerId, CancellationToken cancellationToken)
    {
        var found = new List<TableEntity>();
        await foreach (var row in storage.Table(StorageNames.Tables.Conversations).QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {"conversation"} and CustomerId eq {customerId}"), cancellationToken: cancellationToken))
        {
            found.Add(row);
        }
        return found;
    }

    private async Task<List<TableEntity>> PartitionRowsAsync(string table, string partition, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in storage.Table(table).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        return rows;
    }

    private static async Task<int> DeleteWhereAsync(TableClient table, string filter, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        await table.SubmitChunkedAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken);
        return rows.Count;
    }

    /// <summary>
    /// Deletes the export files (exports, discount-code lists, ad audiences) that hold the customer's
    /// id, email or hashed email. They are short-lived copies; a deleted one can be exported again.
    /// </summary>
    private async Task<int> DeleteExportFilesAsync(string customerId, string? email, CancellationToken cancellationToken)
    {
        var needles = new List<string> { customerId };
        if (email is { Length: > 0 })
        {
            needles.Add(email);
            needles.Add(SegmentActions.HashEmail(email));
        }
        var container = storage.Container(StorageNames.Containers.Exports);
        var deleted = 0;
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken))
        {
            using var content = new MemoryStream();
            await container.GetBlobClient(blob.Name).DownloadToAsync(content, cancellationToken);
            if (Holds(content, blob.Name, needles))
            {
                await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken);
                deleted++;
            }
        }
        return deleted;
    }

    private static bool Holds(MemoryStream content, string name, List<string> needles)
    {
        bool Search(string text) => needles.Any(n => text.Contains(n, StringComparison.OrdinalIgnoreCase));
        if (!name.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            return Search(Encoding.UTF8.GetString(content.ToArray()));
        }
        content.Position = 0;
        using var zip = new ZipArchive(content, ZipArchiveMode.Read);
        foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)))
        {
            using var reader = new StreamReader(entry.Open());
            if (Search(reader.ReadToEnd()))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// A one-way reference to an erased customer id: whoever still has the id can check that it
    /// was erased, and the log itself no longer says whose data it was.
    /// </summary>
    public static string Reference(string customerId) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(customerId)))[..32];

    private async Task<List<TableEntity>> PartitionAsync(string customerId, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        if (!KeyRules.IsValidKey(customerId))
        {
            return rows;
        }
        await foreach (var row in Customers.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {customerId}"), cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        return rows;
    }

    private static List<Dictionary<string, object?>> Rows(List<TableEntity> rows, string prefix) =>
        rows.Where(r => r.RowKey == prefix || (prefix.EndsWith('|') && r.RowKey.StartsWith(prefix, StringComparison.Ordinal)))
            .Select(r => r.Where(kv => kv.Key is not ("odata.etag" or "PartitionKey" or "Timestamp")).ToDictionary(kv => kv.Key, kv => (object?)kv.Value))
            .ToList();

    private async Task<List<TableEntity>> IndexRowsAsync(List<TableEntity> rows, CancellationToken cancellationToken)
    {
        var found = new List<TableEntity>();
        if (rows.Count == 0 || await cards.FindAsync(rows[0].PartitionKey, cancellationToken) is not { HasProfile: true } card)
        {
            return found;
        }
        var customer = card.ToCustomer();
        foreach (var (partition, row) in CustomerIndexEntity.KeysFor(customer))
        {
            var entity = await Index.FindAsync<TableEntity>(partition, row, cancellationToken);
            if (entity is not null && entity.GetString("CustomerId") == customer.Id)
            {
                found.Add(entity);
            }
        }
        return found;
    }

    /// <summary>The customer's raw store events kept in accepted batches; with <paramref name="scrub"/>, rewrites each batch without them.</summary>
    private async Task<List<StoreEvent>> StoreEventsAsync(string customerId, bool scrub, CancellationToken cancellationToken)
    {
        var container = storage.Container(StorageNames.Containers.EventBatches);
        var found = new List<StoreEvent>();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken))
        {
            var blob = container.GetBlobClient(item.Name);
            var content = (await blob.DownloadContentAsync(cancellationToken)).Value;
            var events = content.Content.ToObjectFromJson<List<StoreEvent>>(CrmJson.Options) ?? [];
            var mine = events.Where(e => e.CustomerId == customerId).ToList();
            if (mine.Count == 0)
            {
                continue;
            }
            found.AddRange(mine);
            if (scrub)
            {
                await blob.UploadAsync(BinaryData.FromObjectAsJson(events.Except(mine).ToList(), CrmJson.Options),
                    new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = content.Details.ETag } }, cancellationToken);
            }
        }
        return found;
    }

    private static async Task DeleteIfExistsAsync(TableClient table, string? partition, string row, CancellationToken cancellationToken)
    {
        if (partition is null)
        {
            return;
        }
        try
        {
            await table.DeleteEntityAsync(partition, row, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone.
        }
    }
}

/// <summary>What an erasure did, in counts; it names the customer only by <see cref="PrivacyService.Reference"/>.</summary>
public sealed record ErasureReport(
    string Reference, string OrdersKeptAs, int RowsDeleted, int IndexRowsDeleted, int OrdersPseudonymised, int AuditEntriesScrubbed, int StoreEventsRemoved, int ExportFilesDeleted, DateTimeOffset At);
