using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// The Standard Webhooks signature (https://www.standardwebhooks.com): HMAC-SHA256 over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c> with the secret's bytes (base64 after
/// <c>whsec_</c>), sent as <c>v1,{base64}</c> in <c>webhook-signature</c>.
/// </summary>
public static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>A new secret: 24 random bytes, as the scheme spells secrets.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public static string Sign(string secret, string id, DateTimeOffset timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var content = Encoding.UTF8.GetBytes($"{id}.{Timestamp(timestamp)}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    public static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
