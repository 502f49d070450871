using System.Net;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Platform;

[Collection(AzuriteCollection.Name)]
public sealed class AuthTests(AzuriteFixture fixture)
{
    private readonly HttpClient _admin = fixture.App.Admin();

    [Fact]
    public async Task Request_WithoutKey_Answers401WithChallenge()
    {
        var response = await fixture.App.ClientWithKey(null).GetAsync("/api/staff");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Request_WithUnknownKey_Answers401()
    {
        var response = await fixture.App.ClientWithKey("pcrm_made_up_key_0000000000000000").GetAsync("/api/staff");

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("not valid", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task StaffKey_ActsWithItsMembersRole_ViewerCannotWrite()
    {
        var viewer = await CreateStaffKeyAsync("viewer");

        var read = await fixture.App.ClientWithKey(viewer).GetAsync("/api/staff");
        var write = await fixture.App.ClientWithKey(viewer).PostJsonAsync("/api/staff", new { name = "X", email = $"x{Guid.NewGuid():N}@p.example", role = "agent" });

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var problem = await write.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("staff:write", problem["detail"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("manager")]
    [InlineData("agent")]
    [InlineData("marketer")]
    [InlineData("viewer")]
    public async Task KeyManagement_IsAdminOnly(string role)
    {
        var key = await CreateStaffKeyAsync(role);

        var response = await fixture.App.ClientWithKey(key).GetAsync("/api/keys");

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task IntegrationKey_HasOnlyItsScopes()
    {
        var created = await (await _admin.PostJsonAsync("/api/keys", new { name = "Storefront", owner = "integration", scopes = new[] { "staff:read" } }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var client = fixture.App.ClientWithKey(created["secret"]!.GetValue<string>());

        var read = await client.GetAsync("/api/staff");
        var write = await client.PostJsonAsync("/api/staff", new { name = "X", email = $"x{Guid.NewGuid():N}@p.example", role = "agent" });
        var audit = await client.GetAsync("/api/audit");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        await write.AssertProblemAsync(HttpStatusCode.Forbidden);
        await audit.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task CreateKey_UnknownScopeOrMissingOwner_Answers400NamingFields()
    {
        var response = await _admin.PostJsonAsync("/api/keys", new { name = "Bad", owner = "integration", scopes = new[] { "everything:write" } });
        var noOwner = await _admin.PostJsonAsync("/api/keys", new { name = "Bad" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("everything:write", problem["errors"]!["scopes"]![0]!.GetValue<string>());
        Assert.NotNull((await noOwner.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["owner"]);
    }

    [Fact]
    public async Task Secret_IsShownOnce_AndStoredOnlyAsHash()
    {
        var created = await (await _admin.PostJsonAsync("/api/keys", new { name = "Reporting", owner = "integration", scopes = new[] { "customers:read" } }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var secret = created["secret"]!.GetValue<string>();
        var id = created["key"]!["id"]!.GetValue<string>();

        var fetched = await (await _admin.GetAsync($"/api/keys/{id}")).AssertJsonAsync();
        var listed = await (await _admin.GetAsync("/api/keys?limit=500")).Content.ReadAsStringAsync();

        Assert.Null(fetched["secret"]);
        Assert.DoesNotContain(secret, fetched.ToJsonString());
        Assert.DoesNotContain(secret, listed);
        var table = fixture.App.Storage.Table(StorageNames.Tables.ApiKeys);
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            Assert.DoesNotContain(row, kv => kv.Value is string s && s.Contains(secret[5..], StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task RevokedKey_Answers401AtOnce()
    {
        var created = await (await _admin.PostJsonAsync("/api/keys", new { name = "Temp", owner = "integration", scopes = new[] { "staff:read" } }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var client = fixture.App.ClientWithKey(created["secret"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/staff")).StatusCode);

        var revoked = await _admin.PostAsync($"/api/keys/{created["key"]!["id"]}/revoke", null);

        Assert.NotNull((await revoked.AssertJsonAsync())["revokedAt"]);
        await (await client.GetAsync("/api/staff")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task DeactivatedStaffMember_KeyStopsWorking()
    {
        var app = fixture.NewApp(new Dictionary<string, string?> { ["Access:CacheDuration"] = "00:00:00" });
        var admin = app.Admin();
        var member = await (await admin.PostJsonAsync("/api/staff", new { name = "Leaving", email = $"l{Guid.NewGuid():N}@p.example", role = "agent" }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var id = member["id"]!.GetValue<string>();
        var key = (await (await admin.PostJsonAsync("/api/keys", new { name = "Leaving's key", owner = "staff", staffId = id })).AssertJsonAsync(HttpStatusCode.Created))["secret"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await app.ClientWithKey(key).GetAsync("/api/staff")).StatusCode);

        await (await admin.PatchAsync($"/api/staff/{id}", System.Net.Http.Json.JsonContent.Create(new { active = false }))).AssertJsonAsync();

        await (await app.ClientWithKey(key).GetAsync("/api/staff")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Key_OverItsRateLimit_Answers429WithRetryAfter()
    {
        var created = await (await _admin.PostJsonAsync("/api/keys", new { name = "Chatty", owner = "integration", scopes = new[] { "staff:read" }, rateLimitPerMinute = 3 }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var client = fixture.App.ClientWithKey(created["secret"]!.GetValue<string>());

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 4; i++)
        {
            var response = await client.GetAsync("/api/staff");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        await limited!.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited!.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        // Another key is not affected by this one's budget.
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync("/api/staff")).StatusCode);
    }

    [Fact]
    public async Task BootstrapKey_IsIgnored_WhenAnAdminKeyExists()
    {
        var prefix = "b" + Guid.NewGuid().ToString("N")[..10];
        var first = fixture.NewApp(prefix: prefix);
        Assert.Equal(HttpStatusCode.OK, (await first.Admin().GetAsync("/api/keys")).StatusCode);

        var second = fixture.NewApp(prefix: prefix);
        var response = await second.Admin().GetAsync("/api/keys");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await second.ClientWithKey(first.AdminKey).GetAsync("/api/keys")).StatusCode);
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    private async Task<string> CreateStaffKeyAsync(string role)
    {
        var member = await (await _admin.PostJsonAsync("/api/staff", new { name = $"A {role}", email = $"{role}.{Guid.NewGuid():N}@pecos.example", role }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var key = await (await _admin.PostJsonAsync("/api/keys", new { name = $"{role} key", owner = "staff", staffId = member["id"]!.GetValue<string>() }))
            .AssertJsonAsync(HttpStatusCode.Created);
        return key["secret"]!.GetValue<string>();
    }
}
