using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PecosCrm.IntegrationTests.Integrations;

/// <summary>
/// A receiver's check of a Standard Webhooks signature, written from the specification
/// (https://www.standardwebhooks.com, "Verifying webhook authenticity") and independent of the
/// app's signer: no package of the reference verifier (StandardWebhooks, Svix) is served to this
/// build. The secret is base64 after <c>whsec_</c>; the signed content is
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>; <c>webhook-signature</c> is a space-delimited
/// list of <c>v1,{base64 HMAC-SHA256}</c>, any one of which may match; a timestamp more than five
/// minutes away is refused.
/// </summary>
public static class StandardWebhooksVerifier
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static bool Verify(string secret, IReadOnlyDictionary<string, string> headers, string body, DateTimeOffset now)
    {
        if (!headers.TryGetValue("webhook-id", out var id) || !headers.TryGetValue("webhook-timestamp", out var timestamp)
            || !headers.TryGetValue("webhook-signature", out var signatures))
        {
            return false;
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance)
        {
            return false;
        }
        var key = Convert.FromBase64String(secret.Split('_', 2)[1]);
        using var hmac = new HMACSHA256(key);
        var expected = hmac.ComputeHash(Encoding.UTF8.GetBytes(id + "." + timestamp + "." + body));
        foreach (var versioned in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = versioned.Split(',', 2);
            if (parts.Length == 2 && parts[0] == "v1" && CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(parts[1]), expected))
            {
                return true;
            }
        }
        return false;
    }
}
