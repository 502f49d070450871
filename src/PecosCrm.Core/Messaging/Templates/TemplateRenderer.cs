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
