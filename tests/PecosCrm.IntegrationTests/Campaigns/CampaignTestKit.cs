using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Messaging.Templates;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Campaigns;

/// <summary>Customers, campaigns, the outbox and signed SendGrid events, as the campaign tests use them.</summary>
internal static class CampaignTestKit
{
    public static async Task<List<string>> CustomersAsync(HttpClient admin, string prefix, int count, bool consent = true, object? extra = null)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = $"{prefix}-{i:D2}";
            var body = Customer(id, "Rider" + i, "Hand", $"{id}@range.example", extra: extra ?? new { consent = new { email = consent } });
            await (await admin.PostJsonAsync("/api/customers", body)).AssertJsonAsync(HttpStatusCode.Created);
            ids.Add(id);
        }
        return ids;
    }

    public static object Content(string subject = "New boots are in", string html = "<p>Howdy {{customer.first_name}}</p>", string? text = null) =>
        new { subject, html, text };

    public static async Task<(string Id, string ETag)> CreateAsync(HttpClient admin, object body)
    {
        var response = await admin.PostJsonAsync("/api/campaigns", body);
        var created = await response.AssertJsonAsync(HttpStatusCode.Created);
        return (created["id"]!.GetValue<string>(), response.Headers.ETag!.ToString());
    }

    public static async Task<JsonNode> StartAsync(HttpClient admin, string id, object? body = null) =>
        await (await admin.PostJsonAsync($"/api/campaigns/{id}/start", body ?? new { })).AssertJsonAsync(HttpStatusCode.Accepted);

    public static async Task<JsonNode> GetAsync(HttpClient admin, string id) => await (await admin.GetAsync($"/api/campaigns/{id}")).AssertJsonAsync();

    public static async Task<JsonNode> WaitForAsync(HttpClient admin, string id, Func<JsonNode, bool> condition, string what)
    {
        JsonNode? last = null;
        await HttpAssertions.EventuallyAsync(async () => condition(last = await GetAsync(admin, id)), $"campaign {what}; last seen: {last?.ToJsonString()}");
        return last!;
    }

    public static Task<JsonNode> WaitForStateAsync(HttpClient admin, string id, string state) =>
        WaitForAsync(admin, id, c => c["state"]!.GetValue<string>() == state, "state " + state);

    public static async Task<JsonNode> ResultsAsync(HttpClient admin, string id) => await (await admin.GetAsync($"/api/campaigns/{id}/results")).AssertJsonAsync();

    public static async Task<List<JsonNode>> RecipientsAsync(HttpClient admin, string id, string? query = null) =>
        (await (await admin.GetAsync($"/api/campaigns/{id}/recipients?limit=500{(query is null ? "" : "&" + query)}")).AssertJsonAsync())["items"]!.AsArray().Select(i => i!).ToList();

    /// <summary>The development outbox's emails of one campaign.</summary>
    public static async Task<List<JsonNode>> OutboxAsync(HttpClient admin, string campaignId)
    {
        var items = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = await (await admin.GetAsync("/api/outbox?limit=500" + (cursor is null ? "" : "&cursor=" + cursor))).AssertJsonAsync();
            items.AddRange(page["items"]!.AsArray().Select(i => i!).Where(i => i["customArgs"]![CustomArgs.CampaignId]?.GetValue<string>() == campaignId));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        return items;
    }

    public static Dictionary<string, int> PerCustomer(IEnumerable<JsonNode> outbox) =>
        outbox.GroupBy(o => o["customArgs"]![CustomArgs.CustomerId]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());

    public static int Figure(JsonNode results, string name) => results["totals"]![name]!.GetValue<int>();
}

/// <summary>SendGrid's signed event webhook: a P-256 key whose public half is the app's setting.</summary>
internal sealed class SignedWebhook : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string PublicKey => Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo());

    public static JsonObject Event(string kind, DateTimeOffset at, string customerId, string messageId, string email) => new()
    {
        ["email"] = email,
        ["event"] = kind,
        ["timestamp"] = at.ToUnixTimeSeconds(),
        ["sg_event_id"] = "sg-" + Guid.NewGuid().ToString("N"),
        [CustomArgs.MessageId] = messageId,
        [CustomArgs.CustomerId] = customerId,
    };

    public async Task PostAsync(HttpClient client, DateTimeOffset now, params JsonObject[] events)
    {
        var body = Encoding.UTF8.GetBytes(new JsonArray(events.Select(e => (JsonNode)e.DeepClone()).ToArray()).ToJsonString());
        var timestamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = _key.SignData([.. Encoding.UTF8.GetBytes(timestamp), .. body], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/sendgrid/events") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(SendGridEvents.SignatureHeader, Convert.ToBase64String(signature));
        request.Headers.Add(SendGridEvents.TimestampHeader, timestamp);
        await (await client.SendAsync(request)).AssertJsonAsync();
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>A composer that fails once for one customer: the worker dies after claiming the recipient, before the message is logged.</summary>
internal sealed class CrashingComposer(string customerId, IEmailComposer inner) : IEmailComposer
{
    private readonly IEmailComposer _inner = inner;
    private int _crashed;

    public Task<EmailContent> ComposeAsync(EmailRequest request, Customer customer, string messageId, CancellationToken cancellationToken, EmailTemplate? preloaded = null) =>
        customer.Id == customerId && Interlocked.Exchange(ref _crashed, 1) == 0
            ? throw new IOException("Simulated crash before the message was logged.")
            : _inner.ComposeAsync(request, customer, messageId, cancellationToken, preloaded);

    public Task<EmailTemplate?> PreloadAsync(string? templateId, CancellationToken cancellationToken) => _inner.PreloadAsync(templateId, cancellationToken);
}

/// <summary>
/// The outbox, with faults: once for one customer it sends and then fails (the worker dies after the
/// provider took the email), and it can hold given calls until the test lets them go.
/// </summary>
internal sealed class FaultySender(IEmailSender inner, string? crashAfterSendFor = null, params int[] holdCalls) : IEmailSender
{
    private readonly Dictionary<int, (TaskCompletionSource Reached, TaskCompletionSource Release)> _holds =
        holdCalls.ToDictionary(c => c, _ => (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));

    private int _calls;
    private int _crashed;

    public string Name => inner.Name;

    public Task Reached(int call) => _holds[call].Reached.Task.WaitAsync(TimeSpan.FromSeconds(60));

    public void Release(int call) => _holds[call].Release.TrySetResult();

    public async Task<SendOutcome> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default)
    {
        await HoldAsync(cancellationToken);
        var outcome = await inner.SendAsync(email, cancellationToken);
        CrashIfFor([email.CustomArgs]);
        return outcome;
    }

    /// <summary>A provider request with several recipients counts as one call; the crash hits the whole request.</summary>
    public async Task<SendOutcome> SendBatchAsync(OutgoingBatch batch, CancellationToken cancellationToken = default)
    {
        await HoldAsync(cancellationToken);
        var outcome = await inner.SendBatchAsync(batch, cancellationToken);
        CrashIfFor(batch.Recipients.Select(r => r.CustomArgs));
        return outcome;
    }

    private async Task HoldAsync(CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        if (_holds.TryGetValue(call, out var hold))
        {
            hold.Reached.TrySetResult();
            await hold.Release.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
    }

    private void CrashIfFor(IEnumerable<IReadOnlyDictionary<string, string>> args)
    {
        if (args.Any(a => a.GetValueOrDefault(CustomArgs.CustomerId) == crashAfterSendFor) && Interlocked.Exchange(ref _crashed, 1) == 0)
        {
            throw new IOException("Simulated crash after the provider took the email.");
        }
    }
}

/// <summary>
/// The outbox, with workers killed around shared provider requests: the request numbered
/// <paramref name="killBefore"/> dies after its recipients were claimed, before the provider got it;
/// the one numbered <paramref name="killAfter"/> dies after the provider took it, before anything was recorded.
/// </summary>
internal sealed class KillingSender(IEmailSender inner, int killBefore, int killAfter) : IEmailSender
{
    private int _calls;

    public string Name => inner.Name;

    public Task<SendOutcome> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default) => inner.SendAsync(email, cancellationToken);

    public async Task<SendOutcome> SendBatchAsync(OutgoingBatch batch, CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref _calls);
        if (call == killBefore)
        {
            throw new IOException("Simulated crash after the claim, before the provider call.");
        }
        var outcome = await inner.SendBatchAsync(batch, cancellationToken);
        return call == killAfter ? throw new IOException("Simulated crash after the provider took the request.") : outcome;
    }
}
