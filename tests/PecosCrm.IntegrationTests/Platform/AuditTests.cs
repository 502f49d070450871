using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Platform;

[Collection(AzuriteCollection.Name)]
public sealed class AuditTests(AzuriteFixture fixture)
{
    private readonly HttpClient _admin = fixture.App.Admin();

    [Fact]
    public async Task Update_IsAudited_WithActorOldAndNewValuesAndOrigin()
    {
        var id = await CreateStaffAsync("Rosa Vega");
        _admin.DefaultRequestHeaders.UserAgent.ParseAdd("admin-panel/1.0");

        await (await _admin.PatchAsync($"/api/staff/{id}", JsonContent.Create(new { name = "Rosa Vega-Hart", role = "manager" }))).AssertJsonAsync();

        var page = await (await _admin.GetAsync($"/api/audit?entityType=staff&entityId={id}")).AssertJsonAsync();
        var entries = page["items"]!.AsArray();
        Assert.Equal(["staff.updated", "staff.created"], entries.Select(e => e!["action"]!.GetValue<string>()));
        var update = entries[0]!;
        Assert.Equal("Administrator", update["actor"]!["name"]!.GetValue<string>());
        Assert.Equal("staff", update["actor"]!["type"]!.GetValue<string>());
        var oldValues = JsonNode.Parse(update["oldValues"]!.GetValue<string>())!;
        var newValues = JsonNode.Parse(update["newValues"]!.GetValue<string>())!;
        Assert.Equal("Rosa Vega", oldValues["name"]!.GetValue<string>());
        Assert.Equal("agent", oldValues["role"]!.GetValue<string>());
        Assert.Equal("Rosa Vega-Hart", newValues["name"]!.GetValue<string>());
        Assert.Equal("manager", newValues["role"]!.GetValue<string>());
        Assert.Equal("admin-panel/1.0", update["userAgent"]!.GetValue<string>());
        Assert.NotNull(update["at"]);
    }

    [Fact]
    public async Task Query_ByActor_ReturnsOnlyThatActorsChanges_NewestFirst()
    {
        var app = fixture.NewApp();
        var admin = app.Admin();
        var manager = await (await admin.PostJsonAsync("/api/staff", new { name = "Mgr", email = $"m{Guid.NewGuid():N}@p.example", role = "manager" })).AssertJsonAsync(HttpStatusCode.Created);
        var managerId = manager["id"]!.GetValue<string>();
        var managerKey = (await (await admin.PostJsonAsync("/api/keys", new { name = "mgr", owner = "staff", staffId = managerId })).AssertJsonAsync(HttpStatusCode.Created))["secret"]!.GetValue<string>();
        var asManager = app.ClientWithKey(managerKey);
        await (await asManager.PostJsonAsync("/api/staff", new { name = "One", email = $"1{Guid.NewGuid():N}@p.example", role = "agent" })).AssertJsonAsync(HttpStatusCode.Created);
        await (await asManager.PostJsonAsync("/api/staff", new { name = "Two", email = $"2{Guid.NewGuid():N}@p.example", role = "agent" })).AssertJsonAsync(HttpStatusCode.Created);

        var page = await (await asManager.GetAsync($"/api/audit?actorId={managerId}")).AssertJsonAsync();

        var entries = page["items"]!.AsArray();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(managerId, e!["actor"]!["id"]!.GetValue<string>()));
        var names = entries.Select(e => JsonNode.Parse(e!["newValues"]!.GetValue<string>())!["name"]!.GetValue<string>());
        Assert.Equal(["Two", "One"], names);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Query_ByTimeRange_ExcludesEntriesOutsideIt()
    {
        var id = await CreateStaffAsync("Time Range");
        var afterCreate = DateTimeOffset.UtcNow.AddMilliseconds(1);
        await Task.Delay(20);
        await (await _admin.PatchAsync($"/api/staff/{id}", JsonContent.Create(new { name = "Time Range 2" }))).AssertJsonAsync();

        var later = await (await _admin.GetAsync($"/api/audit?entityType=staff&entityId={id}&from={Uri.EscapeDataString(afterCreate.ToString("o"))}")).AssertJsonAsync();
        var earlier = await (await _admin.GetAsync($"/api/audit?entityType=staff&entityId={id}&to={Uri.EscapeDataString(afterCreate.ToString("o"))}")).AssertJsonAsync();

        Assert.Equal(["staff.updated"], later["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()));
        Assert.Equal(["staff.created"], earlier["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()));
    }

    [Fact]
    public async Task KeyCreationAndRevocation_AreAudited_WithoutTheSecret()
    {
        var created = await (await _admin.PostJsonAsync("/api/keys", new { name = "Audited", owner = "integration", scopes = new[] { "staff:read" } })).AssertJsonAsync(HttpStatusCode.Created);
        var id = created["key"]!["id"]!.GetValue<string>();
        await (await _admin.PostAsync($"/api/keys/{id}/revoke", null)).AssertJsonAsync();

        var page = await (await _admin.GetAsync($"/api/audit?entityType=api_key&entityId={id}")).Content.ReadAsStringAsync();

        Assert.Contains("api_key.revoked", page);
        Assert.Contains("api_key.created", page);
        Assert.DoesNotContain(created["secret"]!.GetValue<string>(), page);
    }

    [Fact]
    public async Task Query_EntityIdWithoutType_Answers400()
    {
        var response = await _admin.GetAsync("/api/audit?entityId=abc");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    private async Task<string> CreateStaffAsync(string name)
    {
        var body = await (await _admin.PostJsonAsync("/api/staff", new { name, email = $"s{Guid.NewGuid():N}@pecos.example", role = "agent" })).AssertJsonAsync(HttpStatusCode.Created);
        return body["id"]!.GetValue<string>();
    }
}
