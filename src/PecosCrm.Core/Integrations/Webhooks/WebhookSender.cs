using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// Sends one event to one subscription, signed per Standard Webhooks, and returns the attempt as
/// the delivery log keeps it. Only a 2xx answer counts as delivered; redirects are not followed.
/// </summary>
public sealed class WebhookSender(IOptions<WebhookOptions> options, TimeProvider time)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>The body every receiver gets: the envelope the Standard Webhooks guide suggests, with the sequence as replay cursor.</summary>
    public static string Body(LoggedEvent e)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("id", e.WebhookId);
            json.WriteString("type", e.Type);
            json.WriteString("timestamp", e.PublishedAt);
            json.WriteString("sequence", e.Sequence);
            json.WriteString("customerId", e.CustomerId);
            json.WritePropertyName("data");
            json.WriteRawValue(e.Data);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal async Task<WebhookDeliveryEntity> SendAsync(
        WebhookSubscription subscription, string secret, LoggedEvent e, DeliveryTrigger trigger, int attempt, CancellationToken cancellationToken)
    {
        var body = Body(e);
        var now = time.GetUtcNow();
        var headers = new Dictionary<string, string>
        {
            [WebhookSigner.IdHeader] = e.WebhookId,
            [WebhookSigner.TimestampHeader] = WebhookSigner.Timestamp(now),
            [WebhookSigner.SignatureHeader] = WebhookSigner.Sign(secret, e.WebhookId, now, body),
        };
        var delivery = new WebhookDeliveryEntity
        {
            PartitionKey = subscription.Id, RowKey = WebhookKeys.Delivery(subscription.Id, WebhookSequence.Next(now)), EventSequence = e.Sequence, WebhookId = e.WebhookId,
            EventType = e.Type, CustomerId = e.CustomerId, Trigger = trigger.ToString().ToLowerInvariant(), Attempt = attempt, At = now, Url = subscription.Url,
            RequestBody = body.Length > WebhookDeliveryEntity.MaxRequestBody ? body[..WebhookDeliveryEntity.MaxRequestBody] : body,
            RequestHeaders = JsonSerializer.Serialize(headers, CrmJson.Options),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("PecosCrm-Webhooks", "1.0"));
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            delivery.ResponseStatus = (int)response.StatusCode;
            delivery.ResponseBody = text.Length > WebhookDeliveryEntity.MaxResponseBody ? text[..WebhookDeliveryEntity.MaxResponseBody] : text;
            delivery.Succeeded = response.IsSuccessStatusCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            delivery.Error = $"no answer within {options.Value.Timeout.TotalSeconds:0} seconds";
        }
        catch (HttpRequestException ex)
        {
            delivery.Error = ex.HttpRequestError.ToString();
        }
        delivery.DurationMs = watch.ElapsedMilliseconds;
        return delivery;
    }
}
