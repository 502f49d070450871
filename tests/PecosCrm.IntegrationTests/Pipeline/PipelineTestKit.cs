using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Pipeline;

/// <summary>Seeding through the API for the pipeline tests: leads, a pipeline of the test's own, deals, staff keys by role.</summary>
internal static class PipelineTestKit
{
    public static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    public static async Task<JsonNode> CreateLeadAsync(this HttpClient client, object body) =>
        await (await client.PostJsonAsync("/api/leads", body)).AssertJsonAsync(HttpStatusCode.Created);

    /// <summary>A pipeline only this test uses (the roadmap's stages), so its board holds only the test's deals.</summary>
    public static async Task<string> NewPipelineAsync(this HttpClient admin)
    {
        var id = Unique("p-");
        await (await admin.PutAsync($"/api/deals/pipelines/{id}", Json(new
        {
            name = "Test " + id,
            stages = new object[]
            {
                new { id = "prospect", name = "Prospect", probability = 10, outcome = "open" },
                new { id = "qualified", name = "Qualified", probability = 25, outcome = "open" },
                new { id = "proposal", name = "Proposal", probability = 50, outcome = "open" },
                new { id = "negotiation", name = "Negotiation", probability = 75, outcome = "open" },
                new { id = "closed_won", name = "Closed Won", probability = 100, outcome = "won" },
                new { id = "closed_lost", name = "Closed Lost", probability = 0, outcome = "lost" },
            },
        }))).AssertJsonAsync();
        return id;
    }

    public static async Task<JsonNode> CreateDealAsync(this HttpClient client, string pipelineId, string name, decimal value, string? stage = null, string? assignedTo = null) =>
        await (await client.PostJsonAsync("/api/deals", new { pipelineId, name, company = name + " Co", value, stage, assignedTo })).AssertJsonAsync(HttpStatusCode.Created);

    /// <summary>Moves a deal with the ETag given (none: read it first).</summary>
    public static async Task<HttpResponseMessage> MoveAsync(this HttpClient client, string dealId, string stage, string? etag = null, string? lostReason = null)
    {
        etag ??= (await client.GetAsync($"/api/deals/{dealId}")).Headers.ETag!.ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/deals/{dealId}/move") { Content = Json(new { stage, lostReason }) };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return await client.SendAsync(request);
    }

    public static async Task<JsonNode> BoardAsync(this HttpClient client, string pipelineId) =>
        await (await client.GetAsync($"/api/deals/board?pipelineId={pipelineId}")).AssertJsonAsync();

    public static JsonNode Column(JsonNode board, string stage) =>
        board["columns"]!.AsArray().Single(c => c!["stage"]!.GetValue<string>() == stage)!;

    public static async Task<(string StaffId, HttpClient Client)> StaffAsync(CrmApp app, HttpClient admin, string role)
    {
        var member = await (await admin.PostJsonAsync("/api/staff", new { name = $"Pat {role}", email = $"{role}.{Guid.NewGuid():N}@pecos.example", role }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var key = await (await admin.PostJsonAsync("/api/keys", new { name = $"{role} key", owner = "staff", staffId = member["id"]!.GetValue<string>() }))
            .AssertJsonAsync(HttpStatusCode.Created);
        return (member["id"]!.GetValue<string>(), app.ClientWithKey(key["secret"]!.GetValue<string>()));
    }

    public static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, HttpAssertions.Json), System.Text.Encoding.UTF8, "application/json");

    /// <summary>
    /// One of each pipeline row, for the RowKey scan: a lead with an activity, converted, its deal
    /// moved through to won (a customer made), a second deal with an activity, lost.
    /// </summary>
    public static async Task FillAsync(HttpClient admin)
    {
        var lead = await admin.CreateLeadAsync(new { company = "Rowkey Ranch Supply", email = "buyer@rowkey-ranch.example", source = "Trade Show", status = "qualified", nextActionDate = "2026-03-01" });
        var leadId = lead["id"]!.GetValue<string>();
        await (await admin.PostJsonAsync($"/api/leads/{leadId}/activities", new { type = "call", subject = "Intro call" })).AssertJsonAsync(HttpStatusCode.Created);
        var conversion = await (await admin.PostJsonAsync($"/api/leads/{leadId}/convert", new { })).AssertJsonAsync(HttpStatusCode.Created);
        var dealId = conversion["dealId"]!.GetValue<string>();
        await (await admin.MoveAsync(dealId, "closed_won")).AssertJsonAsync();
        var other = await admin.CreateDealAsync("wholesale", "Rowkey Boots", 1200m);
        var otherId = other["id"]!.GetValue<string>();
        await (await admin.PostJsonAsync($"/api/deals/{otherId}/activities", new { type = "note", body = "Wants samples" })).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.MoveAsync(otherId, "closed_lost", lostReason: "Price")).AssertJsonAsync();
        await admin.NewPipelineAsync();
        await (await admin.PutAsync("/api/leads/sources", Json(new { sources = new[] { "Website", "Trade Show", "Referral", "Cold Call", "Social Media", "Email Campaign", "Partner", "Advertisement" } }))).AssertJsonAsync();
    }
}
