using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>When to send to a customer: the local hour most of their opens happened, or the store's when they have too few.</summary>
/// <param name="Basis"><c>customer</c> (their own opens), <c>store</c> (all opens) or <c>default</c> (no opens yet: 09:00).</param>
public sealed record SendTimeSuggestion(int Hour, string LocalTime, string TimeZone, string Basis, int Opens);

/// <summary>
/// Open hours: each open SendGrid reports counts once in a store-wide histogram by UTC hour
/// (<c>messageevents</c>, partition <c>openhours</c>), and a customer's own opens are read from
/// their communication log.
/// </summary>
public sealed class SendTimes(StorageAccount storage, MessageStore log, StoreTime storeTime, TimeProvider time) : IMessageEventObserver
{
    public const int MinimumOwnOpens = 3;
    private const string Partition = MessagingKeys.OpenHoursPartition;

    private TableClient Table => storage.Table(StorageNames.Tables.MessageEvents);

    public async Task OnAppliedAsync(Message message, MessageStatus reached, DateTimeOffset at, CancellationToken cancellationToken)
    {
        // Only a message's first open counts.
        if (reached != MessageStatus.Opened || message.Steps.GetValueOrDefault(MessageStatus.Opened) != at)
        {
            return;
        }
        var hour = at.UtcDateTime.Hour.ToString("D2", CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var row = await Table.FindAsync<TableEntity>(Partition, hour, cancellationToken);
            try
            {
                if (row is null)
                {
                    await Table.AddEntityAsync(new TableEntity(Partition, hour) { ["Opens"] = 1L }, cancellationToken);
                }
                else
                {
                    row["Opens"] = (row.GetInt64("Opens") ?? 0) + 1;
                    await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another open counted at the same moment: read again.
            }
        }
    }

    public async Task<SendTimeSuggestion> SuggestAsync(Customer customer, CancellationToken cancellationToken = default)
    {
        var zone = storeTime.For(customer.TimeZone);
        var own = new int[24];
        var opens = 0;
        var page = await log.ListAsync(customer.Id, Channel.Email, Storage.Page<Message>.MaxLimit, null, cancellationToken);
        foreach (var message in page.Items)
        {
            if (message.Steps.TryGetValue(MessageStatus.Opened, out var at))
            {
                own[LocalClock.Hour(at, zone)]++;
                opens++;
            }
        }
        if (opens >= MinimumOwnOpens)
        {
            return Suggestion(Busiest(own), zone, "customer", opens);
        }
        var store = new int[24];
        var total = 0;
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: cancellationToken))
        {
            var utcHour = int.Parse(row.RowKey, CultureInfo.InvariantCulture);
            var count = (int)(row.GetInt64("Opens") ?? 0);
            // The store's hour in UTC, seen on the customer's clock today.
            var local = LocalClock.Hour(new DateTimeOffset(time.GetUtcNow().UtcDateTime.Date.AddHours(utcHour), TimeSpan.Zero), zone);
            store[local] += count;
            total += count;
        }
        return total > 0 ? Suggestion(Busiest(store), zone, "store", total) : Suggestion(9, zone, "default", 0);
    }

    /// <summary>The hour with most opens; ties go to the earliest hour.</summary>
    private static int Busiest(int[] hours) => Array.IndexOf(hours, hours.Max());

    private static SendTimeSuggestion Suggestion(int hour, TimeZoneInfo zone, string basis, int opens) =>
        new(hour, $"{hour:D2}:00", zone.Id, basis, opens);
}
