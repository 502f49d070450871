using System.Globalization;
using System.Text.RegularExpressions;

namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// What a template must be to be saved: its fields within their limits, each source accepted by
/// Handlebars.Net (its message, with the line and column when it gives them), and every tag
/// naming catalogue variables in their scope (<see cref="TemplateSyntax"/>).
/// </summary>
internal static partial class TemplateRules
{
    public const int MaxName = 100;
    public const int MaxSubject = 255;

    /// <summary>200 KB of HTML (or text), in characters; two full bodies still fit in one table row.</summary>
    public const int MaxBody = 200 * 1024;

    private const int MaxProblems = 20;

    /// <summary>Everything wrong with one source, each with where it is; empty when it can be saved.</summary>
    internal static List<string> Problems(TemplateRenderer renderer, string source, bool html)
    {
        var scanned = TemplateSyntax.Check(source, html);
        try
        {
            renderer.Compile(source, html);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // The library throws its own exceptions for most syntax errors, and ArgumentNullException
            // or InvalidOperationException for some (a second {{else}}, {{#if}} without a variable);
            // whatever it throws, the source is not a template it can render.
            var (message, line, column) = LibraryMessage(ex);
            var where = line is not null
                ? $"line {line}, column {column}"
                : scanned.FirstOrDefault(p => p.Structure) is { } hint ? TemplateSyntax.Where(source, hint.Index) : null;
            return [$"is not a valid template: {message}" + (where is null ? "." : $" ({where}).")];
        }
        // One problem once, where it first occurs: an unknown variable used ten times is one fix.
        return scanned.DistinctBy(p => p.Message).Take(MaxProblems).Select(p => $"{p.Message} ({TemplateSyntax.Where(source, p.Index)}).").ToList();
    }

    private static (string Message, int? Line, int? Column) LibraryMessage(Exception ex)
    {
        if (ex is not HandlebarsDotNet.HandlebarsException)
        {
            return ("Handlebars cannot read it; check that every block is opened, closed and given one variable", null, null);
        }
        var text = ex.Message;
        var at = Position().Match(text);
        var message = (at.Success ? text[..at.Index] : text).Trim().TrimEnd('.', ':').Trim();
        if (!at.Success)
        {
            return (message, null, null);
        }
        // Handlebars.Net counts lines and columns from 0.
        return (message, int.Parse(at.Groups["line"].ValueSpan, CultureInfo.InvariantCulture) + 1, int.Parse(at.Groups["column"].ValueSpan, CultureInfo.InvariantCulture) + 1);
    }

    [GeneratedRegex(@"Occur{1,2}ed at:\s*(?<line>\d+):(?<column>\d+)")]
    private static partial Regex Position();
}
