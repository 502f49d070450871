using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>Reads a customer's timeline newest first, all of it or one type (from the type-ordered copy).</summary>
public sealed class TimelineStore(StorageAccount storage, CustomerCards cards)
{
    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    public async Task<Storage.Page<TimelineEntry>> ListAsync(string customerId, TimelineType? type, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        await cards.GetAsync(customerId, cancellationToken);
        return await ReadAsync(customerId, type, limit, cursor, cancellationToken);
    }

    internal async Task<Storage.Page<TimelineEntry>> ReadAsync(string customerId, TimelineType? type, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var prefix = type is null ? CustomerKeys.TimelinePrefix : CustomerKeys.TimelineTypePrefix + type.Value + "|";
        var page = await Customers.QueryPageAsync<TimelineEntity>(CustomerKeys.PrefixFilter(customerId, prefix), limit, cursor, cancellationToken);
        return page.Select(e => e.ToRecord());
    }
}
