using System.Net;
using PecosCrm.Core.Messaging;

namespace PecosCrm.Core.Campaigns;

/// <summary>One recipient's composed email, with its per-recipient links taken out of the content.</summary>
public sealed record PersonalEmail(string Html, string Text, OutgoingRecipient Recipient);

/// <summary>
/// Puts recipients whose content is the same into shared provider requests, without I/O. A rendered
/// email differs from the next one by its signed unsubscribe and preference links at least: these
/// are replaced by substitution tags that the provider fills in per recipient
/// (<see cref="Tokenize"/>), so what still differs is content the merge fields made different. The
/// subject goes with each recipient, so it never splits a group. A request holds at most
/// <see cref="OutgoingBatch.MaxRecipients"/> recipients, each address once.
/// </summary>
public static class PersonalizationGroups
{
    public const string UnsubscribeTag = "%%pecos_unsubscribe%%";
    public const string PreferencesTag = "%%pecos_preferences%%";

    /// <summary>The content with the recipient's links replaced by tags (as written and HTML-encoded), and the tags' values.</summary>
    public static (string Html, string Text, IReadOnlyDictionary<string, string> Substitutions) Tokenize(string html, string text, string unsubscribe, string preferences)
    {
        var substitutions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (url, tag) in new[] { (unsubscribe, UnsubscribeTag), (preferences, PreferencesTag) })
        {
            var encoded = WebUtility.HtmlEncode(url);
            var replaced = html.Replace(url, tag, StringComparison.Ordinal).Replace(encoded, tag, StringComparison.Ordinal);
            var replacedText = text.Replace(url, tag, StringComparison.Ordinal);
            if (replaced != html || replacedText != text)
            {
                substitutions[tag] = url;
            }
            (html, text) = (replaced, replacedText);
        }
        return (html, text, substitutions);
    }

    /// <summary>The requests to make: recipients of the same content together, in the order they came, at most <paramref name="max"/> a request and each address once.</summary>
    public static List<OutgoingBatch> Group(IReadOnlyList<PersonalEmail> emails, string from, string fromName, string? category, int max = OutgoingBatch.MaxRecipients)
    {
        var batches = new List<OutgoingBatch>();
        foreach (var same in emails.GroupBy(e => (e.Html, e.Text)))
        {
            var open = new List<(List<OutgoingRecipient> Recipients, HashSet<string> Addresses)>();
            foreach (var email in same)
            {
                var address = email.Recipient.To.Trim().ToLowerInvariant();
                var request = open.Find(r => r.Recipients.Count < max && !r.Addresses.Contains(address));
                if (request.Recipients is null)
                {
                    request = ([], new HashSet<string>(StringComparer.Ordinal));
                    open.Add(request);
                }
                request.Recipients.Add(email.Recipient);
                request.Addresses.Add(address);
            }
            batches.AddRange(open.Select(r => new OutgoingBatch(from, fromName, same.Key.Html, same.Key.Text, category, r.Recipients)));
        }
        return batches;
    }
}
