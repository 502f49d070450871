using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PecosCrm.IntegrationTests.Infrastructure;

/// <summary>Plays SendGrid's part of the signed event webhook: a P-256 key pair, and requests signed over timestamp + body.</summary>
public sealed class SendGridSigner : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The verification key as SendGrid shows it: base64 of the DER public key.</summary>
    public string PublicKey => Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo());

    public HttpRequestMessage Request(JsonArray events, DateTimeOffset at, bool sign = true, SendGridSigner? otherKey = null)
    {
        var body = events.ToJsonString();
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/sendgrid/events") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (sign)
        {
            var signer = (otherKey ?? this)._key;
            var signature = signer.SignData(Encoding.UTF8.GetBytes(timestamp + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            request.Headers.Add("X-Twilio-Email-Event-Webhook-Signature", Convert.ToBase64String(signature));
            request.Headers.Add("X-Twilio-Email-Event-Webhook-Timestamp", timestamp);
        }
        return request;
    }

    public static JsonObject Event(string kind, string eventId, string customerId, string messageId, string email, DateTimeOffset at, string? url = null, string? type = null) => new()
    {
        ["email"] = email,
        ["timestamp"] = at.ToUnixTimeSeconds(),
        ["event"] = kind,
        ["sg_event_id"] = eventId,
        ["sg_message_id"] = "sg-" + messageId,
        ["pecos_message_id"] = messageId,
        ["pecos_customer_id"] = customerId,
        ["url"] = url,
        ["type"] = type,
        ["reason"] = kind == "bounce" ? "550 5.1.1 The email account does not exist" : null,
    };

    public void Dispose() => _key.Dispose();
}
