using System.Globalization;
using System.Text;
using CsvHelper;
using MiniExcelLibs;
using PecosCrm.Core.Exports;

namespace PecosCrm.Core.Reports;

/// <summary>
/// A report's rows as a file to attach: CSV (CsvHelper) or XLSX (MiniExcel). Columns are the
/// dimensions by name, <c>product_name</c> beside a product, and the metric; a last row
/// <c>Total</c> carries the metric over the whole range. Text cells are neutralised for
/// spreadsheets; values are numbers.
/// </summary>
public static class ReportFiles
{
    public const string TotalLabel = "Total";

    public static string ContentType(string format) => format == "xlsx"
        ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        : "text/csv";

    public static IReadOnlyList<string> Columns(ReportResult result)
    {
        var columns = new List<string>();
        foreach (var dimension in result.Dimensions)
        {
            columns.Add(dimension);
            if (dimension == "product")
            {
                columns.Add("product_name");
            }
        }
        columns.Add(result.Metric);
        return columns;
    }

    public static byte[] Write(ReportResult result, string format)
    {
        var columns = Columns(result);
        var rows = Rows(result, columns).ToList();
        if (format == "xlsx")
        {
            using var stream = new MemoryStream();
            stream.SaveAs(rows.Select(r => (IDictionary<string, object?>)r).ToList());
            return stream.ToArray();
        }
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(writer, new CsvWriterOptions(), true))
        {
            foreach (var column in columns)
            {
                csv.WriteField(column);
            }
            csv.EndRecord();
            foreach (var row in rows)
            {
                foreach (var column in columns)
                {
                    csv.WriteField(Convert.ToString(row[column], CultureInfo.InvariantCulture));
                }
                csv.EndRecord();
            }
        }
        return new UTF8Encoding(false).GetBytes(writer.ToString());
    }

    private static IEnumerable<Dictionary<string, object?>> Rows(ReportResult result, IReadOnlyList<string> columns)
    {
        foreach (var row in result.Rows)
        {
            var cells = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var dimension in result.Dimensions)
            {
                cells[dimension] = SpreadsheetSafe.Text(row.Dimensions[dimension]);
                if (dimension == "product")
                {
                    cells["product_name"] = SpreadsheetSafe.Text(row.Labels.GetValueOrDefault("product"));
                }
            }
            cells[result.Metric] = row.Value;
            yield return cells;
        }
        var total = columns.ToDictionary(c => c, _ => (object?)null, StringComparer.Ordinal);
        total[columns[0]] = columns.Count == 1 ? result.Total : TotalLabel;
        total[result.Metric] = result.Total;
        yield return total;
    }
}
