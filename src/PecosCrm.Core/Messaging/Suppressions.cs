using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>Why an address gets no (marketing) email.</summary>
public enum SuppressionReason
{
    Unsubscribed,
    Bounced,
    SpamReport,
    Dropped,
    Manual,
}

/// <summary>An address on the suppression list. <paramref name="MarketingOnly"/>: an unsubscribe still lets order and service email through.</summary>
public sealed record Suppression(string Address, SuppressionReason Reason, bool MarketingOnly, string Source, DateTimeOffset At);

/// <summary>
/// The global suppression list (<c>suppressions</c>, PartitionKey <c>email</c> or <c>phone</c>, RowKey
/// the normalised address: lower case, or a phone number's E.164 digits): bounces, spam reports and manual entries stop every email to the address;
/// an unsubscribe stops marketing only. Checked before a message is queued and again before it is sent.
/// </summary>
public sealed class Suppressions(StorageAccount storage, SmsNumbers numbers, TimeProvider time)
{
    private TableClient Table => storage.Table(StorageNames.Tables.Suppressions);

    public static string Normalize(string address) => address.Trim().ToLowerInvariant();

    private static string PartitionOf(Channel channel) => MessagingKeys.SuppressionPartition(channel);

    /// <summary>The row key: a phone number's E.164 digits (null when it is not a number), an email address normalised.</summary>
    private string? KeyOf(Channel channel, string address) =>
        channel == Channel.Sms ? numbers.ToE164(address)?.TrimStart('+') : KeyRules.Escape(Normalize(address));

    public async Task<Suppression?> FindAsync(Channel channel, string address, CancellationToken cancellationToken = default)
    {
        if (KeyOf(channel, address) is not { } key)
        {
            return null;
        }
        var row = await Table.FindAsync<TableEntity>(PartitionOf(channel), key, cancellationToken);
        return row is null ? null : ToRecord(row);
    }

    /// <summary>Adds or replaces an entry. A marketing-only entry never weakens a stronger one already there.</summary>
    /// <summary>Adds or replaces an entry; a phone number is kept in E.164, and one that is not a number is a validation error on <c>address</c>.</summary>
    public async Task<Suppression> AddAsync(Channel channel, string address, SuppressionReason reason, string source, DateTimeOffset? at = null, CancellationToken cancellationToken = default)
    {
        if (channel == Channel.Sms)
        {
            address = numbers.Require("address", address);
        }
        var marketingOnly = reason == SuppressionReason.Unsubscribed;
        if (marketingOnly && await FindAsync(channel, address, cancellationToken) is { MarketingOnly: false } stronger)
        {
            return stronger;
        }
        var row = new TableEntity(PartitionOf(channel), KeyOf(channel, address)!)
        {
            ["Address"] = channel == Channel.Sms ? address : Normalize(address),
            ["Reason"] = reason.ToString(),
            ["MarketingOnly"] = marketingOnly,
            ["Source"] = source,
            ["At"] = at ?? time.GetUtcNow(),
        };
        await Table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        return ToRecord(row);
    }

    public async Task<bool> RemoveAsync(Channel channel, string address, CancellationToken cancellationToken = default)
    {
        if (KeyOf(channel, address) is not { } key)
        {
            return false;
        }
        var response = await Table.DeleteEntityAsync(PartitionOf(channel), key, ETag.All, cancellationToken);
        return response.Status != 404;
    }

    public async Task<Storage.Page<Suppression>> ListAsync(Channel channel, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var page = await Table.QueryPageAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(channel)}"), limit, cursor, cancellationToken);
        return page.Select(ToRecord);
    }

    /// <summary>
    /// Whether a message may go to a customer, and if not, why (see <see cref="Decide"/>): one read of
    /// the address's suppression row, when the customer's address and consent let it get that far.
    /// </summary>
    public async Task<string?> BlockedAsync(Customer customer, Channel channel, MessagePurpose purpose, CancellationToken cancellationToken = default)
    {
        var address = channel == Channel.Sms ? customer.Phone : customer.Email;
        var reachable = channel != Channel.Sms || (address is not null && numbers.ToE164(address) is not null);
        var consent = channel == Channel.Sms ? customer.Consent.Sms : customer.Consent.Email;
        if (Decide(channel, address, reachable, consent, purpose, null) is { } before)
        {
            return before;
        }
        return Decide(channel, address, reachable, consent, purpose, await FindAsync(channel, address!, cancellationToken));
    }

    /// <summary>
    /// The rule, without I/O: marketing needs the channel's consent and no suppression at all; other
    /// messages need only an address (for SMS, one that is a phone number) that is not fully suppressed.
    /// Null when the message may go; otherwise the reason, as the log and campaign results show it.
    /// </summary>
    public static string? Decide(Channel channel, string? address, bool reachable, bool consent, MessagePurpose purpose, Suppression? suppression)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return channel == Channel.Sms ? "the customer has no phone number" : "the customer has no email address";
        }
        if (channel == Channel.Sms && !reachable)
        {
            return $"the customer's phone number '{address}' is not one SMS can reach";
        }
        if (purpose == MessagePurpose.Marketing && !consent)
        {
            return $"the customer has not consented to marketing {(channel == Channel.Sms ? "SMS" : "email")}";
        }
        if (suppression is not null && (purpose == MessagePurpose.Marketing || !suppression.MarketingOnly))
        {
            return $"the address is suppressed ({Words(suppression.Reason)}, {suppression.At:yyyy-MM-dd})";
        }
        return null;
    }

    /// <summary>The whole email suppression list keyed by normalised address: one query (1,000 rows a page) for a bulk sender to check many addresses against.</summary>
    public async Task<IReadOnlyDictionary<string, Suppression>> EmailListAsync(CancellationToken cancellationToken = default)
    {
        var list = new Dictionary<string, Suppression>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(Channel.Email)}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken))
        {
            var entry = ToRecord(row);
            list[Normalize(entry.Address)] = entry;
        }
        return list;
    }

    private static string Words(SuppressionReason reason) => reason switch
    {
        SuppressionReason.SpamReport => "spam report",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private static Suppression ToRecord(TableEntity row) => new(
        row.GetString("Address"), Enum.Parse<SuppressionReason>(row.GetString("Reason")), row.GetBoolean("MarketingOnly") ?? false,
        row.GetString("Source") ?? "", row.GetDateTimeOffset("At") ?? default);
}
