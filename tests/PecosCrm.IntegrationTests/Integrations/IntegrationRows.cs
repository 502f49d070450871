using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Integrations;

/// <summary>
/// The rows of the integration hub, made once for <c>RowKeyUniquenessTests</c>: a webhook
/// subscription whose receiver fails once (so a held row, logged events and deliveries exist), and
/// a key's usage.
/// </summary>
internal static class IntegrationRows
{
    public static async Task FillAsync(CrmApp app, HttpClient admin)
    {
        var key = await (await admin.PostJsonAsync("/api/keys", new { name = "Row probe", owner = "integration", scopes = new[] { "customers:read" } }))
            .AssertJsonAsync(System.Net.HttpStatusCode.Created);
        await app.ClientWithKey(key["secret"]!.GetValue<string>()).GetAsync("/api/customers?limit=1");
        await (await admin.GetAsync($"/api/keys/{key["key"]!["id"]}/usage")).AssertJsonAsync();

        await using var receiver = await RecordingEndpoint.StartAsync();
        receiver.Answer(500);
        var (id, _) = await WebhooksTests.SubscribeAsync(admin, receiver.Url, "customer.*");
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        var first = NewId("rk");
        var second = NewId("rk");
        await admin.PostEventsAsync(
            Event(NewId("e"), "customer.created", at, first, JsonNode.Parse($$"""{"id":"{{first}}","firstName":"Ida"}""")),
            Event(NewId("e"), "customer.created", at, second, JsonNode.Parse($$"""{"id":"{{second}}","firstName":"Cal"}""")));
        await HttpAssertions.EventuallyAsync(async () =>
            (await (await admin.GetAsync($"/api/webhooks/{id}/deliveries")).AssertJsonAsync())["items"]!.AsArray().Count >= 2, "two webhook deliveries logged");
    }
}
