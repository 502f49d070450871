using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// Campaigns, their slices and recipients (see <see cref="CampaignKeys"/>). Customer-id lists that
/// can be long (a list audience, the frozen audience) are text blobs in the <c>campaigns</c>
/// container, one id a line: <c>{id}/list.txt</c>, <c>{id}/audience.txt</c>; each slice's members,
/// with what sending needs of them (<see cref="AudienceMember"/>), are a JSON blob <c>{id}/slices/{phase}-{index}.json</c>.
/// </summary>
public sealed class CampaignStore(StorageAccount storage) : IPersonalData
{
    private TableClient Campaigns => storage.Table(StorageNames.Tables.Campaigns);
    private TableClient Recipients => storage.Table(StorageNames.Tables.CampaignRecipients);

    internal async Task<CampaignEntity?> FindEntityAsync(string id, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(id) ? await Campaigns.FindAsync<CampaignEntity>(CampaignEntity.Partition, id, cancellationToken) : null;

    internal async Task<CampaignEntity> GetEntityAsync(string id, CancellationToken cancellationToken) =>
        await FindEntityAsync(id, cancellationToken) ?? throw new NotFoundException("Campaign", id);

    internal Task AddAsync(CampaignEntity campaign, CancellationToken cancellationToken) => Campaigns.AddEntityAsync(campaign, cancellationToken);

    /// <summary>Writes the campaign with the ETag it was read with; a change made meanwhile is a <see cref="ConcurrencyException"/>.</summary>
    internal async Task ReplaceAsync(CampaignEntity campaign, CancellationToken cancellationToken) =>
        campaign.ETag = await Campaigns.ReplaceIfMatchAsync(campaign, cancellationToken);

    internal async Task DeleteAsync(CampaignEntity campaign, CancellationToken cancellationToken)
    {
        await Campaigns.DeleteEntityAsync(campaign.PartitionKey, campaign.RowKey, campaign.ETag, cancellationToken);
        await DeleteBlobsAsync(campaign.RowKey, cancellationToken);
    }

    /// <summary>Campaigns newest first, optionally in one state.</summary>
    public async Task<Storage.Page<Campaign>> ListAsync(CampaignState? state, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var filter = state is { } s
            ? TableClient.CreateQueryFilter($"PartitionKey eq {CampaignEntity.Partition} and State eq {s.ToString()}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {CampaignEntity.Partition}");
        var page = await Campaigns.QueryPageAsync<CampaignEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(c => c.ToRecord(null));
    }

    /// <summary>Campaigns the timer looks after: scheduled, sending or waiting for an A/B decision.</summary>
    internal async Task<List<CampaignEntity>> ActiveAsync(CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {CampaignEntity.Partition} and (State eq {nameof(CampaignState.Scheduled)} or State eq {nameof(CampaignState.Sending)} or State eq {nameof(CampaignState.Testing)})");
        var all = new List<CampaignEntity>();
        await foreach (var c in Campaigns.QueryAsync<CampaignEntity>(filter, cancellationToken: cancellationToken))
        {
            all.Add(c);
        }
        return all;
    }

    internal async Task<List<CampaignSliceEntity>> SlicesAsync(string campaignId, string? phase, CancellationToken cancellationToken)
    {
        var filter = phase is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {campaignId}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {campaignId} and Phase eq {phase}");
        var slices = new List<CampaignSliceEntity>();
        await foreach (var s in Campaigns.QueryAsync<CampaignSliceEntity>(filter, cancellationToken: cancellationToken))
        {
            slices.Add(s);
        }
        return slices.OrderBy(s => s.RowKey, StringComparer.Ordinal).ToList();
    }

    internal Task<CampaignSliceEntity?> FindSliceAsync(string campaignId, string phase, int index, CancellationToken cancellationToken) =>
        Campaigns.FindAsync<CampaignSliceEntity>(campaignId, CampaignSliceEntity.Key(campaignId, phase, index), cancellationToken);

    /// <summary>Progress summed over the slices' tallies.</summary>
    public async Task<CampaignProgress> ProgressAsync(string campaignId, CancellationToken cancellationToken = default) =>
        (await SlicesAsync(campaignId, null, cancellationToken)).Aggregate(CampaignProgress.None, (p, s) => p.Add(s.ToProgress()));

    /// <summary>Writes a slice's tally if nobody wrote it since it was read; false when somebody did.</summary>
    internal async Task<bool> TryReplaceSliceAsync(CampaignSliceEntity slice, CancellationToken cancellationToken)
    {
        try
        {
            await Campaigns.UpdateEntityAsync(slice, slice.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    /// <summary>Adds rows in 100-row transactions, leaving any row that already exists as it is (a start run twice overwrites nothing).</summary>
    internal Task AddIfMissingAsync(IEnumerable<ITableEntity> rows, bool recipients, CancellationToken cancellationToken)
    {
        var table = recipients ? Recipients : Campaigns;
        var chunks = TableClientExtensions.Chunk(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)));
        return Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            try
            {
                await table.SubmitTransactionAsync(chunk, ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                foreach (var action in chunk)
                {
                    try
                    {
                        await table.AddEntityAsync(action.Entity, ct);
                    }
                    catch (RequestFailedException one) when (one.Status == 409)
                    {
                        // Written by an earlier run: keep it, it may already be claimed.
                    }
                }
            }
        });
    }

    /// <summary>A recipient by the slice its message id names; null for a message that is no campaign email.</summary>
    internal async Task<CampaignRecipientEntity?> FindRecipientAsync(string campaignId, string customerId, string messageId, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(customerId) && KeyRules.IsValidKey(campaignId) && CampaignKeys.SliceOfMessage(messageId) is { } slice
            ? await Recipients.FindAsync<CampaignRecipientEntity>(CampaignKeys.RecipientPartition(campaignId, slice.Phase, slice.Index), CampaignKeys.Recipient(campaignId, customerId), cancellationToken)
            : null;

    /// <summary>Every recipient of one slice: one query of its partition.</summary>
    internal Task<List<CampaignRecipientEntity>> SliceRecipientsAsync(string campaignId, string phase, int index, CancellationToken cancellationToken) =>
        PartitionRecipientsAsync(CampaignKeys.RecipientPartition(campaignId, phase, index), cancellationToken);

    internal async Task<List<CampaignRecipientEntity>> PartitionRecipientsAsync(string partition, CancellationToken cancellationToken)
    {
        var rows = new List<CampaignRecipientEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        await foreach (var r in Recipients.QueryAsync<CampaignRecipientEntity>(filter, 1000, cancellationToken: cancellationToken))
        {
            rows.Add(r);
        }
        return rows;
    }

    /// <summary>
    /// Replaces recipients of one slice (at most 100) in one transaction, each under the ETag it was
    /// read with; false when any of them changed meanwhile (nothing is written then). The rows take their new ETags.
    /// </summary>
    internal async Task<bool> TryReplaceRecipientsAsync(IReadOnlyList<CampaignRecipientEntity> rows, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Recipients.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpdateReplace, r, r.ETag)), cancellationToken);
            for (var i = 0; i < rows.Count && i < response.Value.Count; i++)
            {
                // A row whose new ETag did not come back is written unconditionally next time: it was just written by this worker.
                rows[i].ETag = response.Value[i].Headers.ETag ?? ETag.All;
            }
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    /// <summary>Writes a recipient if nobody changed it since it was read; false when somebody did.</summary>
    internal async Task<bool> TryReplaceRecipientAsync(CampaignRecipientEntity recipient, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Recipients.UpdateEntityAsync(recipient, recipient.ETag, TableUpdateMode.Replace, cancellationToken);
            recipient.ETag = response.Headers.ETag ?? default;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    /// <summary>A campaign's recipients slice by slice (test share first), in customer id order within a slice, optionally in one state or of one variant.</summary>
    public async Task<Storage.Page<CampaignRecipient>> RecipientsAsync(
        string campaignId, RecipientState? state, string? variant, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        await GetEntityAsync(campaignId, cancellationToken);
        var filter = CampaignKeys.RecipientPartitionsFilter(campaignId, null);
        if (state is { } s)
        {
            filter += " and " + TableClient.CreateQueryFilter($"State eq {s.ToString()}");
        }
        if (variant is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Variant eq {variant}");
        }
        var page = await Recipients.QueryPageAsync<CampaignRecipientEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(r => r.ToRecord());
    }

    /// <summary>Every recipient of a campaign (of one phase), 1,000 rows a page.</summary>
    internal async IAsyncEnumerable<CampaignRecipientEntity> AllRecipientsAsync(string campaignId, string? phase, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = CampaignKeys.RecipientPartitionsFilter(campaignId, phase);
        await foreach (var r in Recipients.QueryAsync<CampaignRecipientEntity>(filter, 1000, cancellationToken: cancellationToken))
        {
            yield return r;
        }
    }

    /// <summary>Recipient rows are working state of a send and hold nothing the other files lack: the export has no file of its own.</summary>
    Task IPersonalData.ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken) => Task.CompletedTask;

    Task<int> IPersonalData.EraseAsync(ErasureContext context, CancellationToken cancellationToken) => EraseCustomerAsync(context.CustomerId, cancellationToken);

    /// <summary>Removes a customer from every campaign's recipients (GDPR erasure); returns the rows deleted.</summary>
    public async Task<int> EraseCustomerAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        await foreach (var c in Campaigns.QueryAsync<CampaignEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {CampaignEntity.Partition}"), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            // The customer's slice is not known: one query over the campaign's recipient partitions for the RowKey.
            var filter = CampaignKeys.RecipientPartitionsFilter(c.RowKey, null) + " and " + TableClient.CreateQueryFilter($"RowKey eq {CampaignKeys.Recipient(c.RowKey, customerId)}");
            await foreach (var row in Recipients.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                var response = await Recipients.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
                deleted += response.Status == 404 ? 0 : 1;
            }
        }
        return deleted;
    }

    internal static string ListBlob(string campaignId) => campaignId + "/list.txt";

    internal static string AudienceBlob(string campaignId) => campaignId + "/audience.txt";

    internal static string SliceBlob(string campaignId, string phase, int index) => $"{campaignId}/slices/{CampaignKeys.SliceName(phase, index).Replace('|', '-')}.json";

    /// <summary>Writes a slice's members, keeping a blob already there (a start run again freezes nothing twice).</summary>
    internal async Task WriteSliceAsync(string blobName, IReadOnlyList<AudienceMember> members, CancellationToken cancellationToken)
    {
        var blob = storage.Container(StorageNames.Containers.Campaigns).GetBlobClient(blobName);
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        try
        {
            await blob.UploadAsync(BinaryData.FromObjectAsJson(members, CrmJson.Options), options, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Frozen by an earlier run.
        }
    }

    /// <summary>A slice's members, or null when the blob does not exist.</summary>
    internal async Task<List<AudienceMember>?> ReadSliceAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            var content = await storage.Container(StorageNames.Containers.Campaigns).GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<List<AudienceMember>>(CrmJson.Options);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Writes ids one a line; with <paramref name="onlyIfMissing"/>, keeps a blob already there and answers false.</summary>
    internal async Task<bool> WriteIdsAsync(string blobName, IReadOnlyCollection<string> ids, bool onlyIfMissing, CancellationToken cancellationToken)
    {
        var blob = storage.Container(StorageNames.Containers.Campaigns).GetBlobClient(blobName);
        var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "text/plain" } };
        if (onlyIfMissing)
        {
            options.Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All };
        }
        try
        {
            await blob.UploadAsync(BinaryData.FromString(string.Join('\n', ids)), options, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (onlyIfMissing && ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>The ids of a blob, or null when it does not exist.</summary>
    internal async Task<List<string>?> ReadIdsAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            var content = await storage.Container(StorageNames.Containers.Campaigns).GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
            var text = content.Value.Content.ToString();
            return text.Length == 0 ? [] : [.. text.Split('\n')];
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private async Task DeleteBlobsAsync(string campaignId, CancellationToken cancellationToken)
    {
        var container = storage.Container(StorageNames.Containers.Campaigns);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, campaignId + "/", cancellationToken))
        {
            await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken);
        }
    }
}
