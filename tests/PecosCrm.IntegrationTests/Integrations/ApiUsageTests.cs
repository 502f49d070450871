using System.Globalization;
using System.Net;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Integrations;

[Collection(AzuriteCollection.Name)]
public sealed class ApiUsageTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task EveryAnswer_CarriesTheKeysBudget_A429Too_AndUsageCountsRequestsErrorsAndLatencyByEndpoint()
    {
        var admin = fixture.App.Admin();
        var created = await (await admin.PostJsonAsync("/api/keys", new { name = "Usage probe", owner = "integration", scopes = new[] { "customers:read" }, rateLimitPerMinute = 4 }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var keyId = created["key"]!["id"]!.GetValue<string>();
        var client = fixture.App.ClientWithKey(created["secret"]!.GetValue<string>());

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await client.GetAsync($"/api/customers/usage-missing-{i}"));
        }
        var forbidden = await client.GetAsync("/api/segments");
        var usage = await (await admin.GetAsync($"/api/keys/{keyId}/usage")).AssertJsonAsync();
        var badRange = await admin.GetAsync($"/api/keys/{keyId}/usage?from=2026-13-01");

        Assert.All(answers, a => Assert.Equal("4", a.Headers.GetValues("RateLimit-Limit").Single()));
        Assert.Equal(HttpStatusCode.NotFound, answers[0].StatusCode);
        var remaining = answers.Select(a => int.Parse(a.Headers.GetValues("RateLimit-Remaining").Single(), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, remaining[0]);
        Assert.True(remaining[0] > remaining[2], string.Join(",", remaining));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1].StatusCode);
        Assert.Equal("0", answers[^1].Headers.GetValues("RateLimit-Remaining").Single());
        Assert.True(int.Parse(answers[^1].Headers.GetValues("RateLimit-Reset").Single(), CultureInfo.InvariantCulture) > 0);
        Assert.True(answers[^1].Headers.Contains("Retry-After"));
        var rows = usage["items"]!.AsArray();
        var customers = Assert.Single(rows, r => r!["endpoint"]!.GetValue<string>() == "GET /api/customers/{id}")!;
        var limited = answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal(6, customers["requests"]!.GetValue<long>());
        Assert.Equal(6, customers["errors"]!.GetValue<long>());
        Assert.Equal(limited, customers["rateLimited"]!.GetValue<long>());
        Assert.Equal(0, customers["serverErrors"]!.GetValue<long>());
        Assert.True(customers["maxLatencyMs"]!.GetValue<long>() >= customers["averageLatencyMs"]!.GetValue<double>());
        Assert.Equal(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), customers["day"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.TooManyRequests, forbidden.StatusCode);
        Assert.True((await badRange.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("from"));
    }
}
