using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>A campaign's or automation's email or SMS that reached a customer: what revenue is attributed after.</summary>
/// <param name="Source">The campaign id, or <c>wf:{workflowId}</c> for an automation.</param>
public sealed record Touch(string CustomerId, string MessageId, string Source, DateTimeOffset At);

/// <summary>
/// The touches (table <c>touches</c>): one row per campaign or automation message that was sent,
/// PartitionKey the UTC month of the send (<c>yyyy-MM</c>), RowKey <c>{customerId}|{messageId}</c>.
/// A touch is the moment the provider accepted the message ("sent"): that is all SMS and the
/// development outbox ever know, and delivery follows within seconds; a message that then bounces
/// or is dropped stops being a touch. Reports read the months they cover.
/// </summary>
public sealed class Touches(StorageAccount storage)
{
    private TableClient Table => storage.Table(StorageNames.Tables.Touches);

    /// <summary>The source of a message's <c>CampaignId</c> tag: the campaign, or the automation without its node.</summary>
    public static string? SourceOf(string? campaignTag) => campaignTag switch
    {
        null or "" => null,
        _ when campaignTag.StartsWith("wf:", StringComparison.Ordinal) => string.Join(':', campaignTag.Split(':').Take(2)),
        _ => campaignTag,
    };

    internal async Task RecordAsync(string customerId, string messageId, string? campaignTag, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (SourceOf(campaignTag) is not { } source)
        {
            return;
        }
        await Table.UpsertEntityAsync(new TableEntity(Month(at), Key(customerId, messageId))
        {
            ["CustomerId"] = customerId, ["MessageId"] = messageId, ["Source"] = source, ["At"] = at,
        }, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Records many touches at once: upserts grouped by month, 100 a transaction (a retry writes the same rows again).</summary>
    internal Task RecordManyAsync(IEnumerable<Touch> touches, CancellationToken cancellationToken) =>
        Table.SubmitChunkedAsync(touches.Where(t => SourceOf(t.Source) is not null).Select(t => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
            new TableEntity(Month(t.At), Key(t.CustomerId, t.MessageId)) { ["CustomerId"] = t.CustomerId, ["MessageId"] = t.MessageId, ["Source"] = SourceOf(t.Source), ["At"] = t.At })),
            cancellationToken);

    /// <summary>The message bounced or was dropped: it touched nobody.</summary>
    internal async Task WithdrawAsync(string customerId, string messageId, string? campaignTag, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        if (SourceOf(campaignTag) is null)
        {
            return;
        }
        await Table.DeleteEntityAsync(Month(sentAt), Key(customerId, messageId), ETag.All, cancellationToken);
    }

    /// <summary>Every touch (of any source) sent from <paramref name="from"/> to <paramref name="to"/>, month by month.</summary>
    public async Task<List<Touch>> ListAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var touches = new List<Touch>();
        for (var month = new DateTimeOffset(from.UtcDateTime.Year, from.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero); month <= to; month = month.AddMonths(1))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Month(month)}");
            await foreach (var row in Table.QueryAsync<TableEntity>(filter, 1000, ["CustomerId", "MessageId", "Source", "At"], cancellationToken))
            {
                var at = row.GetDateTimeOffset("At") ?? default;
                if (at >= from && at <= to)
                {
                    touches.Add(new Touch(row.GetString("CustomerId"), row.GetString("MessageId"), row.GetString("Source"), at));
                }
            }
        }
        return touches;
    }

    private static string Month(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static string Key(string customerId, string messageId) => KeyRules.Escape(customerId) + "|" + messageId;
}
