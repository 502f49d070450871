namespace PecosCrm.Core.Messaging.Templates;

/// <summary>A template rendered for one recipient, ready to send.</summary>
/// <param name="Version">The version that was rendered, for the record of what was sent.</param>
public sealed record RenderedEmail(string TemplateId, int Version, TemplateCategory Category, string Subject, string Html, string Text);
