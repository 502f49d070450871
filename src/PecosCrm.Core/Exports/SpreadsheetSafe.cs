namespace PecosCrm.Core.Exports;

/// <summary>
/// Neutralises text that a spreadsheet would execute as a formula (CSV/formula injection): a cell
/// starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return gets a leading
/// apostrophe, which spreadsheets show as plain text. Numbers are written as numbers and left alone.
/// </summary>
public static class SpreadsheetSafe
{
    public static string? Text(string? value) =>
        value is { Length: > 0 } && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
}
