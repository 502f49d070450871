using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using MiniExcelLibs;

namespace PecosCrm.Core.Exports;

/// <summary>
/// Writes rows to a file as CSV (CsvHelper), XLSX (MiniExcel, streaming, so memory stays flat on
/// big exports) or JSON (an array of objects). Text cells are neutralised for spreadsheets in CSV
/// and XLSX; JSON keeps values as they are.
/// </summary>
public static class ExportWriter
{
    public static string Extension(ExportFormat format) => format switch
    {
        ExportFormat.Csv => "csv",
        ExportFormat.Xlsx => "xlsx",
        _ => "json",
    };

    public static string ContentType(ExportFormat format) => format switch
    {
        ExportFormat.Csv => "text/csv",
        ExportFormat.Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/json",
    };

    /// <summary>
    /// Writes the rows. In CSV and Excel, moments read on the store's clock (<paramref name="zone"/>)
    /// with their offset (<c>2026-03-02T07:05:00-07:00</c>), as a spreadsheet user expects; JSON keeps UTC.
    /// </summary>
    public static async Task<long> WriteAsync(
        string path, ExportFormat format, IReadOnlyList<string> fields, IAsyncEnumerable<IReadOnlyDictionary<string, object?>> rows, TimeZoneInfo zone,
        CancellationToken cancellationToken)
    {
        long count = 0;
        async IAsyncEnumerable<IReadOnlyDictionary<string, object?>> Counted()
        {
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                count++;
                yield return row;
            }
        }

        switch (format)
        {
            case ExportFormat.Csv:
                await using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
                await using (var csv = CsvWriter.Create(writer, new CsvWriterOptions(), false))
                {
                    foreach (var field in fields)
                    {
                        csv.WriteField(field);
                    }
                    await csv.EndRecordAsync(cancellationToken);
                    await foreach (var row in Counted())
                    {
                        foreach (var field in fields)
                        {
                            csv.WriteField(Convert.ToString(Cell(row.GetValueOrDefault(field), zone), CultureInfo.InvariantCulture));
                        }
                        await csv.EndRecordAsync(cancellationToken);
                    }
                }
                break;
            case ExportFormat.Xlsx:
                // MiniExcel reads the rows lazily as it writes, so the file is streamed.
                var sheet = ToSheet(fields, Counted(), zone, cancellationToken);
                await MiniExcel.SaveAsAsync(path, sheet, overwriteFile: true, cancellationToken: cancellationToken);
                break;
            default:
                await using (var stream = File.Create(path))
                await using (var json = new Utf8JsonWriter(stream))
                {
                    json.WriteStartArray();
                    await foreach (var row in Counted())
                    {
                        json.WriteStartObject();
                        foreach (var field in fields)
                        {
                            json.WritePropertyName(field);
                            JsonSerializer.Serialize(json, row.GetValueOrDefault(field), CrmJson.Options);
                        }
                        json.WriteEndObject();
                        if (json.BytesPending > 64 * 1024)
                        {
                            await json.FlushAsync(cancellationToken);
                        }
                    }
                    json.WriteEndArray();
                }
                break;
        }
        return count;
    }

    private static IEnumerable<IDictionary<string, object?>> ToSheet(
        IReadOnlyList<string> fields, IAsyncEnumerable<IReadOnlyDictionary<string, object?>> rows, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var enumerator = rows.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                yield return fields.ToDictionary(f => f, f => Cell(enumerator.Current.GetValueOrDefault(f), zone));
            }
        }
        finally
        {
            enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static object? Cell(object? value, TimeZoneInfo zone) => value switch
    {
        string s => SpreadsheetSafe.Text(s),
        DateTimeOffset d => TimeZoneInfo.ConvertTime(d, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        Enum e => JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()),
        _ => value,
    };
}
