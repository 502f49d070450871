using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Analytics;

/// <summary>
/// The customer-features file of the analytical copy, <c>customers/features.parquet</c>: one row
/// per customer with the profile fields, metrics, engagement, open cart, consent, tags, health and
/// the stored RFM code, which segments are evaluated on. Every write to a customer's partition marks
/// the customer changed (<see cref="AnalyticsStateEntity.Customer"/> rows); a rebuild re-reads only
/// those customers (one point read of each card, never the orders), merges them
/// into the previous file with DuckDB and uploads it under the previous file's ETag, so two builders
/// can never overwrite each other's work. A mark is cleared only if nobody set it again meanwhile.
/// </summary>
public sealed partial class CustomerFeatures(StorageAccount storage, CustomerStore customers, CustomerCards cards, AnalyticsEngine engine, TimeProvider time, ILogger<CustomerFeatures> logger)
{
    public const string BlobName = "customers/features.parquet";
    private const int PageSize = 500;
    private const int Parallelism = 32;
    private const string MarkPrefix = "customer|";

    /// <summary>The file's columns, in the order rows are appended. Times are UTC; money is in cents; tags are <c>|id|id|</c>.</summary>
    public const string Columns = """
        customer_id VARCHAR, first_name VARCHAR, last_name VARCHAR, email VARCHAR, phone VARCHAR, tier VARCHAR, source VARCHAR,
        customer_since TIMESTAMP, birthday DATE, birthday_month INTEGER, city VARCHAR, region VARCHAR, postal_code VARCHAR, country VARCHAR,
        time_zone VARCHAR, consent_email BOOLEAN, consent_sms BOOLEAN,
        lifetime_value_cents BIGINT, order_count INTEGER, average_order_value_cents BIGINT, refunded_cents BIGINT, cancelled_count INTEGER,
        first_order_at TIMESTAMP, last_order_at TIMESTAMP, average_days_between_orders DOUBLE, purchase_frequency DOUBLE,
        logins INTEGER, page_views INTEGER, product_views INTEGER, reviews INTEGER, cart_updates INTEGER, email_opens INTEGER, email_clicks INTEGER,
        last_engaged_at TIMESTAMP, last_email_opened_at TIMESTAMP, last_email_clicked_at TIMESTAMP, open_support_issues INTEGER,
        cart_open BOOLEAN, cart_updated_at TIMESTAMP, cart_value_cents BIGINT, cart_items INTEGER,
        health_score INTEGER, churn_risk VARCHAR, stored_rfm_code VARCHAR, tags VARCHAR, built_at TIMESTAMP,
        stored_health_score INTEGER, stored_churn_risk VARCHAR
        """;

    private readonly SemaphoreSlim _gate = new(1, 1);

    private TableClient State => storage.Table(StorageNames.Tables.AnalyticsState);

    /// <summary>Records that customers changed, up to 100 marks a transaction. Upserts: marking twice is harmless.</summary>
    internal static Task MarkChangedAsync(StorageAccount storage, IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken) =>
        storage.Table(StorageNames.Tables.AnalyticsState).SubmitChunkedAsync(
            customerIds.Distinct().Select(id => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(AnalyticsStateEntity.Customer, MarkPrefix + id))),
            cancellationToken);

    /// <summary>Customers changed since the last build, and when the oldest of those changes was made.</summary>
    public async Task<(int Count, DateTimeOffset? Oldest)> PendingAsync(CancellationToken cancellationToken = default)
    {
        var count = 0;
        DateTimeOffset? oldest = null;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {AnalyticsStateEntity.Customer}");
        await foreach (var mark in State.QueryAsync<TableEntity>(filter, 1000, ["RowKey", "Timestamp"], cancellationToken))
        {
            count++;
            if (mark.Timestamp is { } at && (oldest is null || at < oldest))
            {
                oldest = at;
            }
        }
        return (count, oldest);
    }

    /// <summary>
    /// Brings the features file up to date: only the customers marked changed, or every customer when
    /// <paramref name="full"/> is set or no file exists yet. Returns how many customers were re-read.
    /// </summary>
    public async Task<int> RebuildAsync(bool full = false, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await BuildOnceAsync(full, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 5)
                {
                    // Another instance uploaded a newer file first: merge into that one instead.
                    LogRaced(logger, attempt);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<int> BuildOnceAsync(bool full, CancellationToken cancellationToken)
    {
        var marks = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {AnalyticsStateEntity.Customer}");
        await foreach (var mark in State.QueryAsync<TableEntity>(filter, 1000, ["PartitionKey", "RowKey"], cancellationToken))
        {
            marks.Add(mark);
        }

        var blob = storage.Container(StorageNames.Containers.Analytics).GetBlobClient(BlobName);
        var work = Directory.CreateTempSubdirectory("pecoscrm-features-").FullName;
        try
        {
            ETag? previous = null;
            var previousFile = Path.Combine(work, "previous.parquet");
            if (!full)
            {
                try
                {
                    var download = await blob.DownloadToAsync(previousFile, cancellationToken);
                    previous = download.Headers.ETag;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    full = true;
                }
            }
            if (!full && marks.Count == 0)
            {
                return 0;
            }

            var now = time.GetUtcNow();
            var reread = 0;
            var output = Path.Combine(work, "features.parquet");
            using (var db = new DuckDBConnection("DataSource=:memory:"))
            {
                await db.OpenAsync(cancellationToken);
                Execute(db, $"CREATE TABLE features ({Columns}); CREATE TABLE changed (customer_id VARCHAR);");
                if (!full)
                {
                    using (var changed = db.CreateAppender("changed"))
                    {
                        foreach (var mark in marks)
                        {
                            changed.CreateRow().AppendValue(mark.RowKey[MarkPrefix.Length..]).EndRow();
                        }
                    }
                    Execute(db, $"INSERT INTO features BY NAME SELECT * FROM read_parquet('{previousFile}') WHERE customer_id NOT IN (SELECT customer_id FROM changed);");
                }
                using (var rows = db.CreateAppender("features"))
                {
                    await foreach (var page in IdsAsync(full, marks, cancellationToken))
                    {
                        var read = new CardEntity?[page.Count];
                        await Parallel.ForEachAsync(Enumerable.Range(0, page.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                            async (i, ct) => read[i] = await cards.FindAsync(page[i], ct));
                        foreach (var card in read)
                        {
                            if (card is { HasProfile: true })
                            {
                                Append(rows.CreateRow(), card, now).EndRow();
                            }
                        }
                        reread += page.Count;
                    }
                }
                Execute(db, $"COPY (SELECT * FROM features ORDER BY customer_id) TO '{output}' (FORMAT parquet);");
            }

            var conditions = previous is { } etag ? new BlobRequestConditions { IfMatch = etag } : full ? null : new BlobRequestConditions { IfNoneMatch = ETag.All };
            await blob.UploadAsync(output, new BlobUploadOptions { Conditions = conditions }, cancellationToken);
            await ClearAsync(marks, cancellationToken);
            LogBuilt(logger, reread, full);
            return reread;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// Streams the columns the nightly recompute decides on from the engine's current version of the
    /// copy (the shared session's <c>customers</c> table, in streaming mode), one row at a time.
    /// Nothing when no file exists yet. The caller brings the copy up to date first.
    /// </summary>
    public async IAsyncEnumerable<RecomputeDecision.Facts> ReadRecomputeFactsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = await engine.AcquireAsync(cancellationToken);
        using var command = reader.Connection.CreateCommand();
        command.UseStreamingMode = true;
        command.CommandText = """
            SELECT customer_id, customer_since, lifetime_value_cents, order_count, first_order_at, last_order_at, average_days_between_orders,
                last_engaged_at, open_support_issues, stored_health_score, stored_churn_risk, stored_rfm_code, tags, built_at
            FROM customers
            """;
        using var row = await command.ExecuteReaderAsync(cancellationToken);
        while (await row.ReadAsync(cancellationToken))
        {
            yield return new RecomputeDecision.Facts(
                row.GetString(0), Time(row, 1) ?? DateTimeOffset.MinValue, row.GetInt64(2), row.GetInt32(3), Time(row, 4), Time(row, 5),
                row.IsDBNull(6) ? null : row.GetDouble(6), Time(row, 7), row.GetInt32(8),
                row.IsDBNull(9) ? null : row.GetInt32(9), row.IsDBNull(10) ? null : row.GetString(10), row.IsDBNull(11) ? null : row.GetString(11),
                row.IsDBNull(12) ? "" : row.GetString(12), Time(row, 13) ?? DateTimeOffset.MinValue);
        }
    }

    private static DateTimeOffset? Time(System.Data.Common.DbDataReader row, int column) =>
        row.IsDBNull(column) ? null : new DateTimeOffset(DateTime.SpecifyKind(row.GetDateTime(column), DateTimeKind.Utc));

    private async IAsyncEnumerable<IReadOnlyList<string>> IdsAsync(bool full, List<TableEntity> marks, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!full)
        {
            foreach (var chunk in marks.Select(m => m.RowKey[MarkPrefix.Length..]).Chunk(PageSize))
            {
                yield return chunk;
            }
            yield break;
        }
        string? cursor = null;
        do
        {
            var page = await customers.ListAsync(null, PageSize, cursor, cancellationToken);
            yield return page.Items.Select(c => c.Id).ToList();
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    private static IDuckDBAppenderRow Append(IDuckDBAppenderRow row, CardEntity m, DateTimeOffset now)
    {
        var customer = m.ToCustomer();
        var address = customer.Addresses.FirstOrDefault(a => a.Kind == AddressKind.Shipping) ?? customer.Addresses.FirstOrDefault();
        var metrics = m.ToMetrics();
        var engagement = m.ToEngagement();
        var tags = m.TagList().Select(t => t.TagId).ToList();
        var health = HealthScore.Compute(metrics, engagement, now);
        return row
            .AppendValue(customer.Id).AppendValue(customer.FirstName).AppendValue(customer.LastName).AppendValue(customer.Email).AppendValue(customer.Phone)
            .AppendValue(customer.Tier.ToString().ToLowerInvariant()).AppendValue(customer.Source)
            .AppendValue(Utc(customer.CustomerSince)).AppendValue(customer.Birthday).AppendValue(customer.Birthday?.Month)
            .AppendValue(address?.City).AppendValue(address?.Region).AppendValue(address?.PostalCode).AppendValue(address?.Country)
            .AppendValue(customer.TimeZone).AppendValue(customer.Consent.Email).AppendValue(customer.Consent.Sms)
            .AppendValue(metrics.LifetimeValueCents).AppendValue(metrics.OrderCount).AppendValue(metrics.AverageOrderValueCents)
            .AppendValue(metrics.RefundedCents).AppendValue(metrics.CancelledCount)
            .AppendValue(Utc(metrics.FirstOrderAt)).AppendValue(Utc(metrics.LastOrderAt)).AppendValue(metrics.AverageDaysBetweenOrders).AppendValue(metrics.PurchaseFrequencyPerMonth)
            .AppendValue(engagement.Logins).AppendValue(engagement.PageViews).AppendValue(engagement.ProductViews).AppendValue(engagement.Reviews)
            .AppendValue(engagement.CartUpdates).AppendValue(engagement.EmailOpens).AppendValue(engagement.EmailClicks)
            .AppendValue(Utc(engagement.LastEngagedAt)).AppendValue(Utc(m.LastEmailOpenedAt)).AppendValue(Utc(m.LastEmailClickedAt)).AppendValue(engagement.OpenSupportIssues)
            .AppendValue(m.CartOpen).AppendValue(Utc(m.CartUpdatedAt)).AppendValue(m.CartValueCents).AppendValue(m.CartItems)
            .AppendValue(health.Score).AppendValue(health.ChurnRisk.ToString().ToLowerInvariant()).AppendValue(m.RfmCode)
            .AppendValue(tags.Count == 0 ? "" : "|" + string.Join('|', tags) + "|").AppendValue(Utc(now))
            .AppendValue(m.HealthScore).AppendValue(m.ChurnRisk?.ToLowerInvariant());
    }

    private static DateTime? Utc(DateTimeOffset? value) => value?.UtcDateTime;

    /// <summary>Deletes the marks that were built, each only if unchanged since it was read.</summary>
    private async Task ClearAsync(List<TableEntity> marks, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(marks.Chunk(TableClientExtensions.MaxBatchSize), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            try
            {
                await State.SubmitTransactionAsync(chunk.Select(m => new TableTransactionAction(TableTransactionActionType.Delete, m, m.ETag)), ct);
            }
            catch (TableTransactionFailedException)
            {
                // Some were marked again (or deleted) meanwhile: clear the others one by one.
                foreach (var mark in chunk)
                {
                    try
                    {
                        await State.DeleteEntityAsync(mark.PartitionKey, mark.RowKey, mark.ETag, ct);
                    }
                    catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                    {
                        // Marked again: the next build reads the customer once more.
                    }
                }
            }
        });
    }

    private static void Execute(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [LoggerMessage(1, LogLevel.Information, "Customer features: {Customers} customers re-read (full: {Full})")]
    private static partial void LogBuilt(ILogger logger, int customers, bool full);

    [LoggerMessage(2, LogLevel.Information, "Customer features: another build uploaded first (attempt {Attempt}); merging again")]
    private static partial void LogRaced(ILogger logger, int attempt);
}
