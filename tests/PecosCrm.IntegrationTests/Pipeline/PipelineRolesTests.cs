using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Pipeline;

/// <summary>
/// Every pipeline endpoint with every role, as the roles table of docs/pipeline.md says: admins and
/// managers read and change the pipeline, agents and viewers only read it, marketers do neither.
/// The walk fails when an endpoint is added without being walked.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PipelineRolesTests(AzuriteFixture fixture)
{
    private static readonly string[] Readers = ["admin", "manager", "agent", "viewer"];
    private static readonly string[] Writers = ["admin", "manager"];
    private static readonly string[] Roles = ["admin", "manager", "agent", "marketer", "viewer"];

    [Fact]
    public async Task EveryPipelineEndpoint_WithEveryRole_AnswersAsTheRolesTableSays()
    {
        var admin = fixture.App.Admin();
        var failures = new List<string>();
        var walked = new HashSet<string>();
        foreach (var role in Roles)
        {
            var (_, client) = await PipelineTestKit.StaffAsync(fixture.App, admin, role);
            var lead = (await admin.CreateLeadAsync(new { company = PipelineTestKit.Unique("Roles Walk "), source = "Website", status = "qualified" }))["id"]!.GetValue<string>();
            var deal = (await admin.CreateDealAsync("wholesale", PipelineTestKit.Unique("Roles deal "), 100m))["id"]!.GetValue<string>();
            foreach (var (method, route, url, body) in Calls(lead, deal))
            {
                walked.Add($"{method} {route}");
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (body is not null)
                {
                    request.Content = PipelineTestKit.Json(body);
                }
                var response = await client.SendAsync(request);
                var allowed = (method == "GET" ? Readers : Writers).Contains(role);
                if (allowed ? !response.IsSuccessStatusCode : response.StatusCode != HttpStatusCode.Forbidden)
                {
                    failures.Add($"{role} {method} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        var mapped = fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api/leads", StringComparison.Ordinal) || raw.StartsWith("/api/deals", StringComparison.Ordinal)))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
            .ToHashSet();
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(walked.Order(), mapped.Order());
    }

    private static IEnumerable<(string Method, string Route, string Url, object? Body)> Calls(string lead, string deal)
    {
        yield return ("GET", "/api/leads", "/api/leads?status=qualified", null);
        yield return ("GET", "/api/leads/sources", "/api/leads/sources", null);
        yield return ("GET", "/api/leads/{id}", $"/api/leads/{lead}", null);
        yield return ("GET", "/api/leads/{id}/activities", $"/api/leads/{lead}/activities", null);
        yield return ("POST", "/api/leads", "/api/leads", new { company = "Walked In Boots", source = "Website" });
        yield return ("PATCH", "/api/leads/{id}", $"/api/leads/{lead}", new { notes = "Prefers calls" });
        yield return ("POST", "/api/leads/{id}/activities", $"/api/leads/{lead}/activities", new { type = "call", subject = "Follow-up" });
        yield return ("POST", "/api/leads/{id}/email-engagement", $"/api/leads/{lead}/email-engagement", new { @event = "open" });
        yield return ("POST", "/api/leads/{id}/convert", $"/api/leads/{lead}/convert", new { });
        yield return ("PUT", "/api/leads/sources", "/api/leads/sources",
            new { sources = new[] { "Website", "Trade Show", "Referral", "Cold Call", "Social Media", "Email Campaign", "Partner", "Advertisement" } });
        yield return ("GET", "/api/deals/board", "/api/deals/board", null);
        yield return ("GET", "/api/deals/analytics", "/api/deals/analytics", null);
        yield return ("GET", "/api/deals/pipelines", "/api/deals/pipelines", null);
        yield return ("GET", "/api/deals/pipelines/{id}", "/api/deals/pipelines/wholesale", null);
        yield return ("GET", "/api/deals", "/api/deals?stage=prospect", null);
        yield return ("GET", "/api/deals/{id}", $"/api/deals/{deal}", null);
        yield return ("GET", "/api/deals/{id}/activities", $"/api/deals/{deal}/activities", null);
        yield return ("POST", "/api/deals", "/api/deals", new { name = "Walked In Deal", value = 10m });
        yield return ("PATCH", "/api/deals/{id}", $"/api/deals/{deal}", new { value = 150m });
        yield return ("POST", "/api/deals/{id}/move", $"/api/deals/{deal}/move", new { stage = "qualified" });
        yield return ("POST", "/api/deals/{id}/activities", $"/api/deals/{deal}/activities", new { type = "note", body = "Walked" });
        yield return ("PUT", "/api/deals/pipelines/{id}", $"/api/deals/pipelines/{PipelineTestKit.Unique("walk-")}", new
        {
            name = "Walk",
            stages = new object[]
            {
                new { id = "open", name = "Open", probability = 50, outcome = "open" },
                new { id = "won", name = "Won", probability = 100, outcome = "won" },
                new { id = "lost", name = "Lost", probability = 0, outcome = "lost" },
            },
        });
    }
}
