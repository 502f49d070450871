using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Messaging;

namespace PecosCrm.Core.Support;

/// <summary>
/// Signed tokens of the support desk, under the app's link-signing key with a purpose of their own
/// (a reply token is no survey token, and neither is an unsubscribe token): the reply address
/// <c>ticket+{ticket id}.{signature}@{domain}</c> that routes a customer's email to its ticket, and the
/// satisfaction survey link. Neither can be made for another ticket or altered.
/// </summary>
public sealed class TicketLinks(IOptions<MessagingOptions> messaging, IOptions<SupportOptions> options)
{
    private const string ReplyPurpose = "support-reply";
    private const string SurveyPurpose = "support-csat";

    /// <summary>The signed reply address of a ticket.</summary>
    public string ReplyAddress(string ticketId) => $"ticket+{ticketId.ToLowerInvariant()}.{Signature(ReplyPurpose, ticketId, 16)}@{Domain}";

    /// <summary>
    /// Reads a recipient address: null when it is not a ticket reply address at all; otherwise the
    /// ticket it names and whether its signature is ours.
    /// </summary>
    public (string TicketId, bool Valid)? ReadReplyAddress(string address)
    {
        var at = address.LastIndexOf('@');
        var local = at < 0 ? address : address[..at];
        if (!local.StartsWith("ticket+", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = local["ticket+".Length..];
        var dot = token.LastIndexOf('.');
        if (dot <= 0)
        {
            return (token.ToUpperInvariant(), false);
        }
        var ticketId = token[..dot].ToUpperInvariant();
        var given = Encoding.ASCII.GetBytes(token[(dot + 1)..].ToLowerInvariant());
        var expected = Encoding.ASCII.GetBytes(Signature(ReplyPurpose, ticketId, 16));
        return (ticketId, CryptographicOperations.FixedTimeEquals(given, expected));
    }

    /// <summary>The survey link sent when a ticket is resolved.</summary>
    public string SurveyLink(string ticketId) => $"{messaging.Value.PublicBaseUrl.TrimEnd('/')}/api/csat/{SurveyToken(ticketId)}";

    public string SurveyToken(string ticketId) =>
        Convert.ToHexStringLower(Encoding.UTF8.GetBytes(ticketId)) + "." + Signature(SurveyPurpose, ticketId, 32);

    /// <summary>The ticket a survey token names, or null when it was not made here.</summary>
    public string? ReadSurveyToken(string? token)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 2 })
        {
            return null;
        }
        try
        {
            var ticketId = Encoding.UTF8.GetString(Convert.FromHexString(parts[0]));
            return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(parts[1]), Encoding.ASCII.GetBytes(Signature(SurveyPurpose, ticketId, 32))) ? ticketId : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private string Domain => options.Value.ReplyDomain is { Length: > 0 } d ? d : messaging.Value.FromEmail[(messaging.Value.FromEmail.LastIndexOf('@') + 1)..];

    private string Signature(string purpose, string ticketId, int length) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(messaging.Value.LinkSigningKey), Encoding.UTF8.GetBytes(purpose + "\n" + ticketId.ToUpperInvariant())))[..length];
}
