using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>A text message ready to leave.</summary>
public sealed record OutgoingSms(string To, string From, string Body, IReadOnlyDictionary<string, string> Tags);

/// <summary>Hands an SMS to whatever delivers it.</summary>
public interface ISmsSender
{
    string Name { get; }

    Task<SendOutcome> SendAsync(OutgoingSms sms, CancellationToken cancellationToken = default);
}

/// <summary>
/// Sends through a Twilio-compatible REST API: <c>POST {base}/2010-04-01/Accounts/{sid}/Messages.json</c>
/// with <c>To</c>, <c>From</c> and <c>Body</c> as a form, basic authentication with the account SID
/// and token. The base URL is configurable, so tests point it at a local endpoint.
/// </summary>
public sealed class TwilioSmsSender(HttpClient http, IOptions<MessagingOptions> options) : ISmsSender
{
    public string Name => "twilio";

    public async Task<SendOutcome> SendAsync(OutgoingSms sms, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{o.SmsApiBaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(o.SmsAccountSid!)}/Messages.json")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["To"] = sms.To, ["From"] = sms.From, ["Body"] = sms.Body }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.SmsAccountSid}:{o.SmsAuthToken}")));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return new SendOutcome(SendResult.Transient, null, "SMS provider unreachable: " + ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome(SendResult.Transient, null, "SMS provider did not answer in time");
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                string? sid = null;
                try
                {
                    using var json = JsonDocument.Parse(body);
                    sid = json.RootElement.TryGetProperty("sid", out var s) ? s.GetString() : null;
                }
                catch (JsonException)
                {
                    // Accepted without a readable body: the message went, its id is unknown.
                }
                return new SendOutcome(SendResult.Accepted, sid, null);
            }
            var transient = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
            return new SendOutcome(transient ? SendResult.Transient : SendResult.Permanent, null,
                $"SMS provider answered {(int)response.StatusCode}: {(body.Length > 500 ? body[..500] : body)}");
        }
    }
}

/// <summary>With no SMS account configured, text messages are kept in the development outbox (<c>/api/outbox?channel=sms</c>).</summary>
public sealed class OutboxSmsSender(StorageAccount storage, TimeProvider time) : ISmsSender
{
    public string Name => "outbox";

    public async Task<SendOutcome> SendAsync(OutgoingSms sms, CancellationToken cancellationToken = default)
    {
        var id = "outbox-" + Guid.NewGuid().ToString("N")[..16];
        var now = time.GetUtcNow();
        await storage.Table(StorageNames.Tables.Outbox).AddEntityAsync(new TableEntity(MessagingKeys.OutboxPartition(Channel.Sms), MessagingKeys.Outbox(now, id))
        {
            ["To"] = sms.To,
            ["From"] = sms.From,
            ["Text"] = sms.Body,
            ["CustomArgs"] = JsonSerializer.Serialize(sms.Tags, CrmJson.Options),
            ["At"] = now,
        }, cancellationToken);
        return new SendOutcome(SendResult.Accepted, id, null);
    }
}
