using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// Unsubscribe and preference links that customers open without an API key. The token is the
/// customer id and the message id with an HMAC-SHA256 over both, so a link cannot be made for
/// another customer or altered; it does not expire, because an unsubscribe link must keep working
/// as long as the email exists (RFC 8058).
/// </summary>
public sealed class SignedLinks(IOptions<MessagingOptions> options)
{
    public string Token(string customerId, string messageId)
    {
        var payload = Base64Url(Encoding.UTF8.GetBytes(customerId + "\n" + messageId));
        return payload + "." + Base64Url(Sign(payload));
    }

    /// <summary>The customer and message a token names, or null when it was not made here.</summary>
    public (string CustomerId, string MessageId)? Verify(string? token)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 2 })
        {
            return null;
        }
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(FromBase64Url(parts[1]), Sign(parts[0])))
            {
                return null;
            }
            var fields = Encoding.UTF8.GetString(FromBase64Url(parts[0])).Split('\n');
            return fields.Length == 2 ? (fields[0], fields[1]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public string Unsubscribe(string customerId, string messageId) => $"{Base}/api/unsubscribe/{Token(customerId, messageId)}";

    public string Preferences(string customerId, string messageId) => $"{Base}/api/preferences/{Token(customerId, messageId)}";

    private string Base => options.Value.PublicBaseUrl.TrimEnd('/');

    private byte[] Sign(string payload) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Value.LinkSigningKey), Encoding.UTF8.GetBytes(payload));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }
}
