using System.Net;
using PecosCrm.IntegrationTests.Infrastructure;
using PecosCrm.Testing;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary>Uses its own on-disk Azurite, stopped and started again under a running app.</summary>
public sealed class HealthOutageTests : IAsyncLifetime
{
    private readonly string _location = Path.Combine(Path.GetTempPath(), "pecoscrm-azurite-" + Guid.NewGuid().ToString("N"));
    private AzuriteProcess _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteProcess.StartAsync(_location);

    public async Task DisposeAsync()
    {
        await _azurite.DisposeAsync();
        Directory.Delete(_location, recursive: true);
    }

    [Fact]
    public async Task Health_StorageDown_Answers503_ThenRecoversWithoutRestart()
    {
        await using var app = new CrmApp(_azurite.ConnectionString, new Dictionary<string, string?> { ["Storage:MaxRetries"] = "0", ["Storage:NetworkTimeout"] = "00:00:03" });
        var anonymous = app.ClientWithKey(null);
        var admin = app.Admin();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/health")).StatusCode);
        // An authenticated call now, so that the key is cached while storage is down.
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/staff")).StatusCode);

        await _azurite.StopAsync();
        var down = await anonymous.GetAsync("/api/health");
        var storageCall = await admin.GetAsync("/api/staff");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Contains("unreachable", await down.Content.ReadAsStringAsync());
        await storageCall.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(storageCall.Headers.RetryAfter);

        await _azurite.StartAgainAsync();
        await HttpAssertions.EventuallyAsync(async () => (await anonymous.GetAsync("/api/health")).StatusCode == HttpStatusCode.OK, "health is 200 again");
        // Azurite may come back without what it had not yet saved; the app recreates what is missing.
        await HttpAssertions.EventuallyAsync(async () => (await admin.GetAsync("/api/staff")).StatusCode == HttpStatusCode.OK, "storage calls succeed again");
    }
}
