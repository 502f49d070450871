using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.Core.Access;
using PecosCrm.Core.Staff;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Tasks;

/// <summary>
/// Every task and wholesale endpoint with every staff role: a role holding the endpoint's permission
/// (the roles table of docs/api.md, from <see cref="Permissions"/>) gets past authorisation, any other
/// gets 403 and changes nothing. The walk is checked against the API document, so a new endpoint of
/// these features cannot be left out.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TasksAndWholesaleRolesTests(AzuriteFixture fixture)
{
    private sealed record Call(string Method, string Route, string Permission, Func<Ids, string> Path, Func<Ids, HttpContent?> Body);

    private sealed record Ids(string Account, string Product, string Order, string Task);

    private static readonly Call[] Walk =
    [
        new("POST", "/api/wholesale", Permissions.PipelineWrite, _ => "/api/wholesale", _ => Json(new { customerId = "walk-nobody", companyName = "Walk" })),
        new("GET", "/api/wholesale", Permissions.PipelineRead, _ => "/api/wholesale", _ => null),
        new("GET", "/api/wholesale/tiers", Permissions.PipelineRead, _ => "/api/wholesale/tiers", _ => null),
        new("GET", "/api/wholesale/{id}", Permissions.PipelineRead, i => $"/api/wholesale/{i.Account}", _ => null),
        new("PATCH", "/api/wholesale/{id}", Permissions.PipelineWrite, i => $"/api/wholesale/{i.Account}", _ => Json(new { tier = "silver" })),
        new("PUT", "/api/wholesale/{id}/certificate", Permissions.PipelineWrite, i => $"/api/wholesale/{i.Account}/certificate", _ => Certificate()),
        new("GET", "/api/wholesale/{id}/certificate", Permissions.PipelineRead, i => $"/api/wholesale/{i.Account}/certificate", _ => null),
        new("GET", "/api/wholesale/{id}/prices", Permissions.PipelineRead, i => $"/api/wholesale/{i.Account}/prices", _ => null),
        new("GET", "/api/wholesale/{id}/prices/{productId}", Permissions.PipelineRead, i => $"/api/wholesale/{i.Account}/prices/{i.Product}", _ => null),
        new("PUT", "/api/wholesale/{id}/prices/{productId}", Permissions.PipelineWrite, i => $"/api/wholesale/{i.Account}/prices/{i.Product}", _ => Json(new { price = 9.99m })),
        new("DELETE", "/api/wholesale/{id}/prices/{productId}", Permissions.PipelineWrite, i => $"/api/wholesale/{i.Account}/prices/{i.Product}", _ => null),
        new("POST", "/api/wholesale/{id}/orders", Permissions.PipelineWrite, i => $"/api/wholesale/{i.Account}/orders",
            i => Json(new { lines = new[] { new { productId = i.Product, quantity = 1 } } })),
        new("GET", "/api/wholesale/{id}/orders", Permissions.PipelineRead, i => $"/api/wholesale/{i.Account}/orders", _ => null),
        new("GET", "/api/wholesale/{id}/orders/{orderId}", Permissions.PipelineRead, i => $"/api/wholesale/{i.Account}/orders/{i.Order}", _ => null),
        new("POST", "/api/wholesale/{id}/orders/{orderId}/payments", Permissions.PipelineWrite, i => $"/api/wholesale/{i.Account}/orders/{i.Order}/payments",
            _ => Json(new { amount = 0.01m })),
        new("POST", "/api/tasks", Permissions.TasksWrite, _ => "/api/tasks", _ => Json(new { title = "Walk task" })),
        new("GET", "/api/tasks", Permissions.TasksRead, _ => "/api/tasks", _ => null),
        new("GET", "/api/tasks/my", Permissions.TasksRead, _ => "/api/tasks/my?view=today", _ => null),
        new("GET", "/api/tasks/{id}", Permissions.TasksRead, i => $"/api/tasks/{i.Task}", _ => null),
        new("PATCH", "/api/tasks/{id}", Permissions.TasksWrite, i => $"/api/tasks/{i.Task}", _ => Json(new { priority = "high" })),
        new("POST", "/api/tasks/{id}/complete", Permissions.TasksWrite, i => $"/api/tasks/{i.Task}/complete", _ => null),
    ];

    [Fact]
    public async Task EveryEndpoint_WithEveryRole_AllowedExactlyAsThePermissionsTableSays()
    {
        var app = fixture.App;
        var admin = app.Admin();
        var ids = await SeedAsync(admin);
        var roles = new Dictionary<StaffRole, HttpClient>();
        foreach (var role in Enum.GetValues<StaffRole>())
        {
            roles[role] = (await StaffClient.CreateAsync(app, admin, role.ToString().ToLowerInvariant())).Client;
        }

        var wrong = new List<string>();
        foreach (var role in Enum.GetValues<StaffRole>())
        {
            foreach (var call in Walk)
            {
                using var request = new HttpRequestMessage(new HttpMethod(call.Method), call.Path(ids)) { Content = call.Body(ids) };
                using var response = await roles[role].SendAsync(request);
                var allowed = Permissions.ForRole(role).Contains(call.Permission);
                var status = (int)response.StatusCode;
                if (allowed ? status is 401 or 403 or >= 500 : status != 403)
                {
                    wrong.Add($"{role} {call.Method} {call.Route}: {status} ({(allowed ? "allowed" : "refused")} by {call.Permission}) {await response.Content.ReadAsStringAsync()}");
                }
            }
        }
        var document = await (await admin.GetAsync("/api/openapi.json")).AssertJsonAsync();
        var documented = document["paths"]!.AsObject()
            .Where(p => p.Key.StartsWith("/api/wholesale", StringComparison.Ordinal) || p.Key.StartsWith("/api/tasks", StringComparison.Ordinal))
            .SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}"))
            .Order().ToList();

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
        Assert.Equal(documented, Walk.Select(c => $"{c.Method} {c.Route}").Order().ToList());
    }

    private static async Task<Ids> SeedAsync(HttpClient admin)
    {
        var customer = NewId("walk");
        await (await admin.PostJsonAsync("/api/customers", Customer(customer))).AssertJsonAsync(HttpStatusCode.Created);
        var account = (await (await admin.PostJsonAsync("/api/wholesale", new { customerId = customer, companyName = "Walk Ranch Supply" })).AssertJsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();
        var product = "0" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await (await admin.PostJsonAsync("/api/products", new { id = product, sku = "WALK-1", name = "Walk boot", category = "Boots", price = 120m })).AssertJsonAsync();
        var order = await (await admin.PostJsonAsync($"/api/wholesale/{account}/orders", new { lines = new[] { new { productId = product, quantity = 5 } } }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var task = await (await admin.PostJsonAsync("/api/tasks", new { title = "Walk: everyone's task", dueAt = DateTimeOffset.UtcNow.AddDays(1) })).AssertJsonAsync(HttpStatusCode.Created);
        return new Ids(account, product, order["id"]!.GetValue<string>(), task["id"]!.GetValue<string>());
    }

    private static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, HttpAssertions.Json), System.Text.Encoding.UTF8, "application/json");

    private static MultipartFormDataContent Certificate() => new()
    {
        { new ByteArrayContent(Wholesale.WholesaleTests.Pdf()), "file", "cert.pdf" },
        { new StringContent("2030-12-31"), "expiresOn" },
    };
}
