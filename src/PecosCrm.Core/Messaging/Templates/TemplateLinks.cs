namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// The recipient's own links, signed by the sender: one-click unsubscribe and email preferences.
/// Previews use <see cref="Placeholder"/>.
/// </summary>
public sealed record TemplateLinks(string Unsubscribe, string Preferences)
{
    /// <summary>Links that go nowhere (<c>.invalid</c> never resolves), for previews.</summary>
    public static readonly TemplateLinks Placeholder = new("https://example.invalid/unsubscribe", "https://example.invalid/preferences");
}
