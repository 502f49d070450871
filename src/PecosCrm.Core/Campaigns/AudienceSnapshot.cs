using DuckDB.NET.Data;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Segments;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// Takes a campaign's audience once: its customer ids (a dynamic segment refreshed first, or the
/// list), kept in a snapshot blob so a start run again takes the same; then what sending each one
/// needs, from the customer-features file of the analytical copy (brought up to date first, only the
/// customers changed since its last build) in one DuckDB query for the whole audience. Customers the
/// copy does not hold (created since) are read from their cards, a few point reads.
/// </summary>
internal sealed class AudienceSnapshot(
    CampaignStore store, SegmentStore segments, SegmentService segmentService, AnalyticsCopy copy, AnalyticsEngine engine, CustomerStore customers)
{
    private const int CardReads = 16;

    /// <summary>The audience's customer ids, taken once: later runs read the snapshot.</summary>
    public async Task<List<string>> IdsAsync(CampaignEntity campaign, CancellationToken cancellationToken)
    {
        var name = CampaignStore.AudienceBlob(campaign.RowKey);
        if (await store.ReadIdsAsync(name, cancellationToken) is { } frozen)
        {
            return frozen;
        }
        List<string> ids;
        if (campaign.SegmentId is { } segmentId)
        {
            var segment = await segments.GetAsync(segmentId, cancellationToken);
            if (segment.Kind == SegmentKind.Dynamic)
            {
                await segmentService.RefreshAsync(segmentId, cancellationToken);
            }
            ids = [];
            await foreach (var page in segments.MemberIdPagesAsync(segmentId, cancellationToken))
            {
                ids.AddRange(page);
            }
        }
        else
        {
            ids = await store.ReadIdsAsync(CampaignStore.ListBlob(campaign.RowKey), cancellationToken) ?? [];
        }
        ids = ids.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return await store.WriteIdsAsync(name, ids, onlyIfMissing: true, cancellationToken)
            ? ids
            : await store.ReadIdsAsync(name, cancellationToken) ?? ids;
    }

    /// <summary>What sending needs of each customer of <paramref name="ids"/>, in their order.</summary>
    public async Task<List<AudienceMember>> MembersAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }
        await copy.RebuildChangedAsync(cancellationToken: cancellationToken);
        var found = await FromCopyAsync(ids, cancellationToken);
        var missing = ids.Where(id => !found.ContainsKey(id)).ToList();
        var read = new AudienceMember[missing.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, missing.Count), new ParallelOptions { MaxDegreeOfParallelism = CardReads, CancellationToken = cancellationToken }, async (i, ct) =>
            read[i] = await customers.FindAsync(missing[i], ct) is { } c ? AudienceMember.From(c) : AudienceMember.Missing(missing[i]));
        foreach (var member in read)
        {
            found[member.CustomerId] = member;
        }
        return ids.Select(id => found[id]).ToList();
    }

    private async Task<Dictionary<string, AudienceMember>> FromCopyAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, AudienceMember>(ids.Count, StringComparer.Ordinal);
        await using var db = await engine.OpenAsync(cancellationToken);
        using (var create = db.CreateCommand())
        {
            create.CommandText = "CREATE TEMP TABLE audience (customer_id VARCHAR PRIMARY KEY);";
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        using (var appender = db.CreateAppender("audience"))
        {
            foreach (var id in ids)
            {
                appender.CreateRow().AppendValue(id).EndRow();
            }
        }
        using var query = db.CreateCommand();
        query.CommandText = """
            SELECT c.customer_id, c.first_name, c.last_name, c.email, c.phone, c.city, c.region, c.postal_code, c.country,
                   c.time_zone, c.consent_email, c.consent_sms, c.tier, c.customer_since
            FROM customers c JOIN audience a ON a.customer_id = c.customer_id
            """;
        using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            var id = reader.GetString(0);
            found[id] = new AudienceMember(id, true, Text(1) ?? "", Text(2) ?? "", Text(3), Text(4), Text(5), Text(6), Text(7), Text(8), Text(9),
                !reader.IsDBNull(10) && reader.GetBoolean(10), !reader.IsDBNull(11) && reader.GetBoolean(11),
                Enum.TryParse<LoyaltyTier>(Text(12), ignoreCase: true, out var tier) ? tier : LoyaltyTier.Bronze,
                reader.IsDBNull(13) ? default : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(13), DateTimeKind.Utc)));
        }
        return found;
    }
}
