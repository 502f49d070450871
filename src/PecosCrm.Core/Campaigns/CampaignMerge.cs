using System.Net;
using System.Text.RegularExpressions;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// Mail merge for content written in the campaign: <c>{{customer.first_name}}</c>,
/// <c>{{customer.last_name}}</c> and <c>{{customer.email}}</c> (spaces inside the braces allowed),
/// replaced with the recipient's values, HTML-escaped in the HTML body and as they are in the
/// subject and text. Nothing else is evaluated. Template content (a <c>templateId</c>) is rendered
/// by the message service instead.
/// </summary>
public static partial class CampaignMerge
{
    public static readonly IReadOnlyList<string> Fields = ["customer.first_name", "customer.last_name", "customer.email"];

    public static bool HasFields(string? text) => text is not null && text.Contains("{{", StringComparison.Ordinal);

    public static string Apply(string text, Customer customer, bool html) =>
        Tag().Replace(text, m =>
        {
            var value = m.Groups[1].Value switch
            {
                "customer.first_name" => customer.FirstName,
                "customer.last_name" => customer.LastName,
                "customer.email" => customer.Email ?? "",
                _ => m.Value,
            };
            return html && value != m.Value ? WebUtility.HtmlEncode(value) : value;
        });

    /// <summary>Adds an error for each merge field the text uses that is not one of <see cref="Fields"/>.</summary>
    public static void Check(Validation check, string field, string? text)
    {
        if (text is null)
        {
            return;
        }
        foreach (var name in Tag().Matches(text).Select(m => m.Groups[1].Value).Where(n => !Fields.Contains(n)).Distinct())
        {
            check.Add(field, $"'{{{{{name}}}}}' is not a merge field; use {string.Join(", ", Fields.Select(f => "{{" + f + "}}"))}.");
        }
        if (Tag().Replace(text, "").Contains("{{", StringComparison.Ordinal))
        {
            check.Add(field, "has an unclosed or empty '{{'.");
        }
    }

    [GeneratedRegex(@"\{\{\s*([^{}\s]+)\s*\}\}")]
    private static partial Regex Tag();
}
