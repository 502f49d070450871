using System.Globalization;
using System.Text.Json;
using Azure;
using DuckDB.NET.Data;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Predictive;

/// <summary>
/// The fit's output in the <c>analytics</c> container, beside the copy it was made from: Parquet files
/// the analytics engine loads with the next version (<see cref="CustomersBlob"/>, the per-customer
/// predictions, joined onto the session's <c>customers</c> table; <see cref="SimilarBlob"/> and
/// <see cref="PopularBlob"/>, what recommendations read) and <see cref="ReportBlob"/>, the last fit's
/// report as JSON. The engine names their columns through <see cref="CustomerColumns"/> and friends
/// when a file does not exist yet.
/// </summary>
public sealed class PredictionFiles(StorageAccount storage)
{
    public const string CustomersBlob = "predictions/customers.parquet";
    public const string SimilarBlob = "predictions/similar_products.parquet";
    public const string PopularBlob = "predictions/popular_products.parquet";
    public const string ReportBlob = "predictions/model.json";

    /// <summary>The prediction columns of the session's <c>customers</c> table (money in cents, as segment fields compare it).</summary>
    public const string CustomerColumns = """
        customer_id VARCHAR, p_alive DOUBLE, expected_purchases DOUBLE, expected_purchases_year DOUBLE, expected_order_value_cents BIGINT,
        predicted_clv_cents BIGINT, churn_probability DOUBLE, churn_probability_model DOUBLE, next_purchase_days DOUBLE,
        next_purchase_earliest_days DOUBLE, next_purchase_latest_days DOUBLE, prediction_confidence VARCHAR, predicted_at TIMESTAMP
        """;

    public const string SimilarColumns = "product_id VARCHAR, similar_id VARCHAR, name VARCHAR, category VARCHAR, co_buyers BIGINT, score DOUBLE, rank BIGINT";

    public const string PopularColumns = "category VARCHAR, product_id VARCHAR, name VARCHAR, buyers BIGINT, rank BIGINT";

    /// <summary>Writes the per-customer predictions as one Parquet file.</summary>
    public async Task WriteCustomersAsync(IReadOnlyList<CustomerPrediction> predictions, CancellationToken cancellationToken)
    {
        await UploadAsync(CustomersBlob, file =>
        {
            using var db = new DuckDBConnection("DataSource=:memory:");
            db.Open();
            AnalyticsSession.Execute(db, $"CREATE TABLE p ({CustomerColumns})");
            using (var appender = db.CreateAppender("p"))
            {
                foreach (var p in predictions)
                {
                    var row = appender.CreateRow().AppendValue(p.CustomerId).AppendValue(p.ProbabilityAlive).AppendValue(p.ExpectedPurchases)
                        .AppendValue(p.ExpectedPurchasesYear).AppendValue(Money.ToCents(p.ExpectedOrderValue)).AppendValue(Money.ToCents(p.PredictedClv))
                        .AppendValue(p.ChurnProbability).AppendValue(p.ChurnProbabilityClassifier).AppendValue(p.NextPurchaseDays)
                        .AppendValue(p.NextPurchaseEarliestDays).AppendValue(p.NextPurchaseLatestDays).AppendValue(p.Confidence)
                        .AppendValue(p.FittedAt.UtcDateTime);
                    row.EndRow();
                }
            }
            AnalyticsSession.Execute(db, $"COPY p TO '{file}' (FORMAT parquet)");
        }, cancellationToken);
    }

    /// <summary>Writes the products bought by the same customers and the best sellers per category, queried from the session.</summary>
    public async Task WriteProductTablesAsync(DuckDBConnection session, DateTimeOffset now, int minCoBuyers, CancellationToken cancellationToken)
    {
        var since = now.AddDays(-365).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var min = minCoBuyers.ToString(CultureInfo.InvariantCulture);
        // Names and categories as last sold; buyers as distinct customers of counted lines.
        const string Products = """
            b AS (SELECT DISTINCT customer_id, product_id FROM order_lines WHERE counted AND product_id IS NOT NULL),
            names AS (SELECT product_id, arg_max(name, placed_at) AS name, arg_max(category, placed_at) AS category FROM order_lines WHERE product_id IS NOT NULL GROUP BY product_id)
            """;
        await UploadAsync(SimilarBlob, file => AnalyticsSession.Execute(session, $"""
            COPY (
                WITH {Products},
                n AS (SELECT product_id, count(*) AS buyers FROM b GROUP BY product_id),
                pairs AS (
                    SELECT x.product_id AS a, y.product_id AS b, count(*) AS together
                    FROM b x JOIN b y ON x.customer_id = y.customer_id AND x.product_id <> y.product_id
                    GROUP BY 1, 2 HAVING count(*) >= {min}),
                s AS (
                    SELECT a, b, together, together / sqrt(na.buyers * nb.buyers) AS score
                    FROM pairs JOIN n na ON na.product_id = a JOIN n nb ON nb.product_id = b),
                ranked AS (SELECT *, row_number() OVER (PARTITION BY a ORDER BY score DESC, b) AS rank FROM s)
                SELECT r.a AS product_id, r.b AS similar_id, names.name, names.category, r.together AS co_buyers, r.score, r.rank
                FROM ranked r LEFT JOIN names ON names.product_id = r.b WHERE r.rank <= 20 ORDER BY 1, 7)
            TO '{file}' (FORMAT parquet)
            """), cancellationToken);
        await UploadAsync(PopularBlob, file => AnalyticsSession.Execute(session, $"""
            COPY (
                WITH {Products},
                recent AS (
                    SELECT coalesce(category, 'uncategorized') AS category, product_id, count(DISTINCT customer_id) AS buyers
                    FROM order_lines WHERE counted AND product_id IS NOT NULL AND placed_at >= TIMESTAMP '{since}' GROUP BY 1, 2),
                ranked AS (SELECT *, row_number() OVER (PARTITION BY category ORDER BY buyers DESC, product_id) AS rank FROM recent)
                SELECT r.category, r.product_id, names.name, r.buyers, r.rank FROM ranked r LEFT JOIN names ON names.product_id = r.product_id
                WHERE r.rank <= 20 ORDER BY 1, 5)
            TO '{file}' (FORMAT parquet)
            """), cancellationToken);
    }

    public Task WriteReportAsync(PredictiveModelReport report, CancellationToken cancellationToken) =>
        Container.GetBlobClient(ReportBlob).UploadAsync(BinaryData.FromObjectAsJson(report, CrmJson.Options), overwrite: true, cancellationToken);

    /// <summary>The last fit's report, or null before the first fit.</summary>
    public async Task<PredictiveModelReport?> ReadReportAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = await Container.GetBlobClient(ReportBlob).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<PredictiveModelReport>(CrmJson.Options);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private Azure.Storage.Blobs.BlobContainerClient Container => storage.Container(StorageNames.Containers.Analytics);

    /// <summary>Makes a local file with <paramref name="write"/> and uploads it to <paramref name="blobName"/>.</summary>
    private async Task UploadAsync(string blobName, Action<string> write, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pecoscrm-predictions-{Guid.NewGuid():N}.parquet");
        try
        {
            write(file);
            await Container.GetBlobClient(blobName).UploadAsync(file, overwrite: true, cancellationToken);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
