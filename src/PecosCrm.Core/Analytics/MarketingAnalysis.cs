using System.Globalization;
using Azure;
using Azure.Data.Tables;
using DuckDB.NET.Data;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Events;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Analytics;

public sealed record NpsPeriod(string Month, int Responses, int Promoters, int Passives, int Detractors, double? Nps);

/// <summary>Net promoter score: the share of promoters (9-10) less the share of detractors (0-6), times 100.</summary>
public sealed record NpsReport(int Responses, int Promoters, int Passives, int Detractors, double? Nps, IReadOnlyList<NpsPeriod> ByMonth);

/// <summary>Customer acquisition cost for one month and channel: spend divided by new customers whose first order came through it.</summary>
/// <summary>
/// Spend and acquisition of a month and channel. <c>SpendCents</c> is null when no spend was recorded;
/// <c>CacCents</c> is null then, and when no customer was acquired: a cost per customer needs both.
/// </summary>
public sealed record CacPoint(string Month, string Channel, long? SpendCents, long NewCustomers, long? CacCents);

/// <summary>
/// Marketing figures: NPS from <c>nps.response</c> events (kept by month in <c>npsresponses</c>)
/// and CAC from spend entries (<c>marketingspend</c>, one per month and channel) over the new
/// customers the analytical copy finds, by the channel of their first order.
/// </summary>
public sealed class MarketingAnalysis(StorageAccount storage, AnalyticsEngine engine)
{
    private TableClient Nps => storage.Table(StorageNames.Tables.Nps);
    private TableClient Spend => storage.Table(StorageNames.Tables.MarketingSpend);

    /// <summary>Keeps one survey answer; an upsert by event id, so a replayed event changes nothing.</summary>
    internal Task RecordNpsAsync(StoreEvent e, CancellationToken cancellationToken)
    {
        var data = EventValidator.Data<NpsData>(e);
        var row = new NpsEntity
        {
            PartitionKey = MonthOrderEntity.Month(e.OccurredAt),
            RowKey = e.Id,
            CustomerId = e.CustomerId,
            Score = data.Score ?? 0,
            At = e.OccurredAt,
        };
        return Nps.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<NpsReport> GetNpsAsync(string fromMonth, string toMonth, CancellationToken cancellationToken = default)
    {
        var months = Months(fromMonth, toMonth);
        var byMonth = new List<NpsPeriod>();
        foreach (var month in months)
        {
            int promoters = 0, passives = 0, detractors = 0;
            await foreach (var row in Nps.QueryAsync<NpsEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {month}"), cancellationToken: cancellationToken))
            {
                var score = row.Score;
                if (score >= 9)
                {
                    promoters++;
                }
                else if (score >= 7)
                {
                    passives++;
                }
                else
                {
                    detractors++;
                }
            }
            byMonth.Add(Period(month, promoters, passives, detractors));
        }
        var total = Period("", byMonth.Sum(m => m.Promoters), byMonth.Sum(m => m.Passives), byMonth.Sum(m => m.Detractors));
        return new NpsReport(total.Responses, total.Promoters, total.Passives, total.Detractors, total.Nps, byMonth);
    }

    public async Task SetSpendAsync(string month, string channel, decimal amount, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        Months(month, month, "month");
        if (!KeyRules.IsValidKey(channel) || channel.Length > 50 || channel.Contains('|'))
        {
            check.Add("channel", "must be 1-50 characters without / \\ # ? |.");
        }
        if (amount < 0 || decimal.Round(amount, 2) != amount)
        {
            check.Add("amount", "must be at least 0 with at most two decimals.");
        }
        check.ThrowIfInvalid();
        await Spend.UpsertEntityAsync(new SpendEntity { PartitionKey = month, RowKey = AnalyticsKeys.Spend(month, channel.ToLowerInvariant()), Cents = Money.ToCents(amount) }, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<IReadOnlyList<CacPoint>> GetCacAsync(string fromMonth, string toMonth, CancellationToken cancellationToken = default)
    {
        var months = Months(fromMonth, toMonth);
        var spend = new Dictionary<(string, string), long?>();
        foreach (var month in months)
        {
            await foreach (var row in Spend.QueryAsync<SpendEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {month}"), cancellationToken: cancellationToken))
            {
                spend[(month, AnalyticsKeys.ChannelOf(row))] = row.Cents;
            }
        }
        var acquired = new Dictionary<(string, string), long>();
        using (var db = await engine.OpenAsync(cancellationToken))
        using (var command = db.CreateCommand())
        {
            command.CommandText = """
                WITH firsts AS (
                    SELECT customer_id, arg_min(lower(coalesce(channel, 'unknown')), placed_at) AS channel, min(placed_at) AS first_at
                    FROM orders WHERE net_cents > 0 GROUP BY customer_id)
                SELECT strftime(first_at, '%Y-%m') AS month, channel, count(*) FROM firsts
                WHERE strftime(first_at, '%Y-%m') BETWEEN $from AND $to GROUP BY 1, 2
                """;
            command.Parameters.Add(new DuckDBParameter("from", months[0]));
            command.Parameters.Add(new DuckDBParameter("to", months[^1]));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                acquired[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }
        return spend.Keys.Union(acquired.Keys).Order().Select(k =>
        {
            var cents = spend.GetValueOrDefault(k);
            var customers = acquired.GetValueOrDefault(k);
            return new CacPoint(k.Item1, k.Item2, cents, customers, cents is { } c && customers > 0 ? Money.Divide(c, customers) : null);
        }).ToList();
    }

    private static NpsPeriod Period(string month, int promoters, int passives, int detractors)
    {
        var responses = promoters + passives + detractors;
        return new NpsPeriod(month, responses, promoters, passives, detractors,
            responses == 0 ? null : Math.Round(100.0 * (promoters - detractors) / responses, 1));
    }

    /// <summary>The months from <paramref name="from"/> to <paramref name="to"/>, both <c>yyyy-MM</c>, at most 10 years.</summary>
    private static List<string> Months(string from, string to, string field = "from")
    {
        if (!DateTime.TryParseExact(from, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            || !DateTime.TryParseExact(to, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
        {
            throw new ValidationFailedException(field, "months must be given as yyyy-MM.");
        }
        if (start > end || end > start.AddYears(10))
        {
            throw new ValidationFailedException(field, "must not be after to, and at most ten years before it.");
        }
        var months = new List<string>();
        for (var m = start; m <= end; m = m.AddMonths(1))
        {
            months.Add(m.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        }
        return months;
    }
}

/// <summary>One survey answer: PartitionKey = month, RowKey = event id.</summary>
internal sealed class NpsEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string CustomerId { get; set; } = "";
    public int Score { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>Marketing spend: PartitionKey = month, RowKey <c>{month}|{channel}</c>.</summary>
internal sealed class SpendEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public long Cents { get; set; }
}
