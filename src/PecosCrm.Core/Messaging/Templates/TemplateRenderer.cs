using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using HandlebarsDotNet;

namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// Compiles and renders templates with Handlebars.Net: the HTML body with every value
/// HTML-escaped, the subject and text body as they are. Compiled templates are cached by id and
/// version (a saved version never changes), so a campaign compiles each template once per instance.
/// </summary>
public sealed partial class TemplateRenderer
{
    private const int MaxCached = 1000;

    private readonly IHandlebars _escaped = Handlebars.Create(new HandlebarsConfiguration { FormatProvider = CultureInfo.InvariantCulture });
    private readonly IHandlebars _plain = Handlebars.Create(new HandlebarsConfiguration { FormatProvider = CultureInfo.InvariantCulture, NoEscape = true });
    private readonly Lock _compiling = new();
    private readonly ConcurrentDictionary<(string Id, int Version), Compiled> _cache = new();
    private readonly ConcurrentDictionary<(string Source, bool Html), HandlebarsTemplate<object, object>> _inline = new();

    private sealed record Compiled(HandlebarsTemplate<object, object> Subject, HandlebarsTemplate<object, object> Html, HandlebarsTemplate<object, object> Text);

    /// <summary>Renders a template for the values of <paramref name="model"/>; the subject comes out as one line.</summary>
    public RenderedEmail Render(EmailTemplate template, TemplateModel model)
    {
        var compiled = _cache.GetOrAdd((template.Id, template.Version), _ => Compile(template));
        if (_cache.Count > MaxCached)
        {
            _cache.Clear();
        }
        var values = model.ToTree();
        var subject = Spaces().Replace(compiled.Subject(values), " ").Trim();
        return new RenderedEmail(template.Id, template.Version, template.Category, subject, compiled.Html(values), HtmlText.Finish(compiled.Text(values), trimStart: template.TextDerived));
    }

    /// <summary>
    /// Renders text written in place (not a saved template) for <paramref name="model"/>: as an HTML
    /// body with values escaped, or as plain text. Compiled sources are cached by their text.
    /// </summary>
    public string RenderInline(string source, bool html, TemplateModel model)
    {
        if (!source.Contains("{{", StringComparison.Ordinal))
        {
            return source;
        }
        var compiled = _inline.GetOrAdd((source, html), key => Compile(key.Source, key.Html));
        if (_inline.Count > MaxCached)
        {
            _inline.Clear();
        }
        return compiled(model.ToTree());
    }

    /// <summary>A subject as it is sent: one line, runs of white space made one space.</summary>
    public static string OneLine(string subject) => Spaces().Replace(subject, " ").Trim();

    /// <summary>Compiles a source as an HTML body (values escaped) or as a subject or text body; throws on a syntax error.</summary>
    internal HandlebarsTemplate<object, object> Compile(string source, bool html)
    {
        // Compiling reads and extends the environment's shared configuration; rendering a compiled
        // template does not, so only compiling is serialised.
        lock (_compiling)
        {
            return (html ? _escaped : _plain).Compile(source);
        }
    }

    private Compiled Compile(EmailTemplate template) =>
        new(Compile(template.Subject, html: false), Compile(template.Html, html: true), Compile(template.Text, html: false));

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
