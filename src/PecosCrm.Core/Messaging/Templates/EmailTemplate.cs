namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// An email template as it is now. <see cref="Subject"/>, <see cref="Html"/> and <see cref="Text"/>
/// are Handlebars sources over the variables of <see cref="TemplateVariables"/>; the HTML body
/// escapes every value, the subject and the text body do not.
/// </summary>
/// <param name="Text">The plain-text body; derived from <see cref="Html"/> when none was given.</param>
/// <param name="TextDerived">The text body was derived from the HTML and follows it when the HTML changes.</param>
/// <param name="Version">Starts at 1; every change of name, category, subject or bodies adds one.</param>
/// <param name="PreBuilt">One of the defaults the store starts with: editable, can be deactivated, not deleted.</param>
public sealed record EmailTemplate(
    string Id,
    string Name,
    TemplateCategory Category,
    string Subject,
    string Html,
    string Text,
    bool TextDerived,
    bool Active,
    int Version,
    bool PreBuilt,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string ETag);

/// <summary>A template in a list: everything but the bodies.</summary>
public sealed record TemplateSummary(
    string Id,
    string Name,
    TemplateCategory Category,
    string Subject,
    bool TextDerived,
    bool Active,
    int Version,
    bool PreBuilt,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static TemplateSummary From(EmailTemplate t) =>
        new(t.Id, t.Name, t.Category, t.Subject, t.TextDerived, t.Active, t.Version, t.PreBuilt, t.CreatedBy, t.CreatedAt, t.UpdatedAt);
}

/// <summary>One saved version of a template: its content as it was, who saved it and when.</summary>
public sealed record TemplateVersion(
    string TemplateId,
    int Version,
    string Name,
    TemplateCategory Category,
    string Subject,
    string Html,
    string Text,
    bool TextDerived,
    string SavedBy,
    DateTimeOffset SavedAt);

/// <summary>A version in the list of versions: without the bodies.</summary>
public sealed record TemplateVersionSummary(string TemplateId, int Version, string Name, TemplateCategory Category, string Subject, string SavedBy, DateTimeOffset SavedAt)
{
    public static TemplateVersionSummary From(TemplateVersion v) => new(v.TemplateId, v.Version, v.Name, v.Category, v.Subject, v.SavedBy, v.SavedAt);
}

/// <summary>A new template. Without <paramref name="Text"/> the text body is derived from the HTML; <paramref name="Active"/> defaults to true.</summary>
public sealed record TemplateDraft(string? Name, TemplateCategory? Category, string? Subject, string? Html, string? Text = null, bool? Active = null);

/// <summary>
/// A change to a template; null leaves a field as it is. An empty <paramref name="Text"/> goes back
/// to a text body derived from the HTML.
/// </summary>
public sealed record TemplateChange(string? Name = null, TemplateCategory? Category = null, string? Subject = null, string? Html = null, string? Text = null, bool? Active = null);
