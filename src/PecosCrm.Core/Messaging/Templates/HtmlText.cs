using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// Plain text from email HTML, for the text body of a template that has none: block elements
/// become line breaks, list items "- " lines, links "text (url)", images their alt text; head,
/// style, script and comments go; entities are decoded and whitespace collapses as a browser would.
/// </summary>
public static partial class HtmlText
{
    private const char OutputOpen = '\uE000';
    private const char OutputClose = '\uE001';
    private const char BlockOpen = '\uE002';
    private const char BlockClose = '\uE003';

    private static readonly HashSet<string> Paragraphs = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre", "section", "header", "footer", "article", "main", "aside", "nav", "figure", "form", "dl",
    };

    private static readonly HashSet<string> Lines = new(StringComparer.OrdinalIgnoreCase) { "div", "tr", "dt", "dd", "address", "center", "caption", "tbody", "thead", "tfoot" };

    /// <summary>The text of an HTML document or fragment.</summary>
    public static string Convert(string html) => Finish(Walk(RemoveHidden(html)), trimStart: true);

    /// <summary>
    /// A text template from an HTML template: the conversion of <see cref="Convert"/>, with every
    /// Handlebars tag kept where it stood. Tags inside what the text leaves out (the head, a style
    /// sheet, a comment) are dropped when they print a value and kept when they open or close a
    /// block, so the text template stays balanced.
    /// </summary>
    public static string FromTemplate(string htmlTemplate)
    {
        var tags = TemplateSyntax.Tags(htmlTemplate);
        var kept = new List<string>();
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var masked = new StringBuilder(htmlTemplate.Length);
        var position = 0;
        foreach (var tag in tags)
        {
            masked.Append(htmlTemplate, position, tag.Start - position);
            position = tag.End;
            if (tag.Kind == TemplateSyntax.TagKind.Comment)
            {
                continue;
            }
            // The same tag gets the same placeholder, so a link whose text is its own address
            // (<a href="mailto:{{store.email}}">{{store.email}}</a>) is not written twice.
            var source = htmlTemplate[tag.Start..tag.End];
            if (!numbers.TryGetValue(source, out var number))
            {
                numbers[source] = number = kept.Count;
                kept.Add(source);
            }
            var (open, close) = tag.IsStructural ? (BlockOpen, BlockClose) : (OutputOpen, OutputClose);
            masked.Append(open).Append(number.ToString(CultureInfo.InvariantCulture)).Append(close);
        }
        masked.Append(htmlTemplate, position, htmlTemplate.Length - position);

        // Text that decodes to "{{" (from &#123;&#123;) must stay text, not become a tag.
        var text = Finish(Walk(RemoveHidden(masked.ToString())), trimStart: true).Replace("{{", "\\{{", StringComparison.Ordinal);
        return Placeholder().Replace(text, m => kept[int.Parse(m.Groups["n"].ValueSpan, CultureInfo.InvariantCulture)]);
    }

    private static string RemoveHidden(string html) =>
        Hidden().Replace(html, m => string.Concat(BlockPlaceholder().Matches(m.Value).Select(b => b.Value)));

    private static string Walk(string html)
    {
        var output = new StringBuilder(html.Length);
        var links = new Stack<(string? Href, int Start)>();
        var lists = new Stack<int?>();
        var firstCell = true;
        var pre = 0;
        var position = 0;
        foreach (Match tag in Element().Matches(html))
        {
            AppendText(output, html[position..tag.Index], pre > 0);
            position = tag.Index + tag.Length;
            var name = tag.Groups["name"].Value.ToLowerInvariant();
            var closing = tag.Groups["close"].Success;
            var attributes = tag.Groups["attrs"].Value;
            switch (name)
            {
                case "br":
                    TrimEnd(output);
                    output.Append('\n');
                    break;
                case "hr":
                    Break(output, 2);
                    output.Append("------------------------------");
                    Break(output, 2);
                    break;
                case "li" when !closing:
                    Break(output, 1);
                    if (lists.Count > 0 && lists.Peek() is { } n)
                    {
                        lists.Pop();
                        lists.Push(n + 1);
                        output.Append(n.ToString(CultureInfo.InvariantCulture)).Append(". ");
                    }
                    else
                    {
                        output.Append("- ");
                    }
                    break;
                case "li":
                    Break(output, 1);
                    break;
                case "ul" or "ol":
                    if (closing)
                    {
                        lists.TryPop(out _);
                    }
                    else
                    {
                        lists.Push(name == "ol" ? 1 : null);
                    }
                    var nested = lists.Count > (closing ? 0 : 1);
                    Break(output, nested ? 1 : 2);
                    break;
                case "td" or "th" when !closing:
                    if (!firstCell && output.Length > 0 && output[^1] is not ('\n' or ' '))
                    {
                        output.Append(' ');
                    }
                    firstCell = false;
                    break;
                case "tr":
                    firstCell = true;
                    Break(output, 1);
                    break;
                case "a" when !closing:
                    links.Push((Attribute(attributes, "href"), output.Length));
                    break;
                case "a":
                    if (links.TryPop(out var link) && link.Href is { Length: > 0 } href && !href.StartsWith('#'))
                    {
                        var label = output.ToString(link.Start, output.Length - link.Start).Trim();
                        var shown = href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? href[7..] : href;
                        if (label.Length == 0)
                        {
                            output.Append(shown);
                        }
                        else if (!string.Equals(label, shown, StringComparison.OrdinalIgnoreCase))
                        {
                            output.Append(" (").Append(shown).Append(')');
                        }
                    }
                    break;
                case "img":
                    if (Attribute(attributes, "alt") is { Length: > 0 } alt)
                    {
                        AppendText(output, alt, false, decoded: true);
                    }
                    break;
                default:
                    if (name == "pre")
                    {
                        pre = Math.Max(0, pre + (closing ? -1 : 1));
                    }
                    if (Paragraphs.Contains(name))
                    {
                        Break(output, 2);
                    }
                    else if (Lines.Contains(name))
                    {
                        Break(output, 1);
                    }
                    break;
            }
        }
        AppendText(output, html[position..], pre > 0);
        return output.ToString();
    }

    private static void AppendText(StringBuilder output, string raw, bool preformatted, bool decoded = false)
    {
        if (raw.Length == 0)
        {
            return;
        }
        var text = preformatted ? raw : Whitespace().Replace(raw, " ");
        if (!decoded)
        {
            text = WebUtility.HtmlDecode(text);
        }
        text = text.Replace('\u00A0', ' ');
        if (!preformatted && (output.Length == 0 || output[^1] is '\n' or ' '))
        {
            text = text.TrimStart(' ');
        }
        output.Append(text);
    }

    /// <summary>Ends the output with at least <paramref name="newlines"/> line breaks (none at the very start).</summary>
    private static void Break(StringBuilder output, int newlines)
    {
        TrimEnd(output);
        if (output.Length == 0)
        {
            return;
        }
        var have = 0;
        for (var i = output.Length - 1; i >= 0 && output[i] == '\n'; i--)
        {
            have++;
        }
        output.Append('\n', Math.Max(0, newlines - have));
    }

    private static void TrimEnd(StringBuilder output)
    {
        while (output.Length > 0 && output[^1] is ' ' or '\t')
        {
            output.Length--;
        }
    }

    /// <summary>
    /// Lines trimmed at the end (and with <paramref name="trimStart"/> at the start: indentation
    /// in text derived from HTML is only ever what block tags left), at most one blank line in a
    /// row, no blank lines around.
    /// </summary>
    internal static string Finish(string text, bool trimStart = false)
    {
        var result = new StringBuilder(text.Length);
        var blank = 0;
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = trimStart ? raw.Trim() : raw.TrimEnd();
            if (line.Length == 0)
            {
                blank++;
                continue;
            }
            if (result.Length > 0)
            {
                result.Append('\n', blank > 0 ? 2 : 1);
            }
            blank = 0;
            result.Append(line);
        }
        return result.ToString();
    }

    private static string? Attribute(string attributes, string name)
    {
        foreach (Match m in AttributePattern().Matches(attributes))
        {
            if (string.Equals(m.Groups["name"].Value, name, StringComparison.OrdinalIgnoreCase))
            {
                var value = m.Groups["dq"].Success ? m.Groups["dq"].Value : m.Groups["sq"].Success ? m.Groups["sq"].Value : m.Groups["bare"].Value;
                return WebUtility.HtmlDecode(value).Trim();
            }
        }
        return null;
    }

    [GeneratedRegex(@"<!--.*?-->|<![^>]*>|<\?[^>]*>|<(head|style|script|title)\b[^>]*>.*?</\1\s*>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Hidden();

    [GeneratedRegex("\uE002\\d+\uE003")]
    private static partial Regex BlockPlaceholder();

    [GeneratedRegex("[\uE000\uE002](?<n>\\d+)[\uE001\uE003]")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"<(?<close>/)?(?<name>[a-zA-Z][a-zA-Z0-9]*)(?<attrs>(?:[^>""']|""[^""]*""|'[^']*')*)>")]
    private static partial Regex Element();

    [GeneratedRegex(@"(?<name>[^\s=/>""']+)\s*(?:=\s*(?:""(?<dq>[^""]*)""|'(?<sq>[^']*)'|(?<bare>[^\s>]+)))?")]
    private static partial Regex AttributePattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
