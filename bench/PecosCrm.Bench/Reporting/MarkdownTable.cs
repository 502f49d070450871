using System.Globalization;
using System.Text;

namespace PecosCrm.Bench.Reporting;

public static class MarkdownTable
{
    public static string Render(IEnumerable<ResultRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| scenario | measurement | concurrency | rate | unit | ops | p50 ms | p99 ms | note |");
        text.AppendLine("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |");
        foreach (var row in rows)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Scenario} | {row.Measurement} | {row.Concurrency} | {row.Rate:N0} | {row.Unit} | {row.Operations:N0} | {Ms(row.P50Ms)} | {Ms(row.P99Ms)} | {row.Note.Replace("|", "\\|")} |"));
        }
        return text.ToString();
    }

    private static string Ms(double? value) =>
        value switch
        {
            null => "",
            < 10 => value.Value.ToString("F2", CultureInfo.InvariantCulture),
            _ => value.Value.ToString("F1", CultureInfo.InvariantCulture),
        };
}
