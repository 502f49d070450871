using System.Diagnostics;
using System.Net;
using PecosCrm.IntegrationTests.Infrastructure;
using PecosCrm.Testing;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary>The app's commands, run as a real process the way the README says.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CommandTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task CreateAdminKey_PrintsAKeyThatWorksAsAdmin()
    {
        await using var app = fixture.NewApp();
        _ = app.Server;

        var (exit, stdout) = await RunAppAsync(
            new Dictionary<string, string> { ["AzureWebJobsStorage"] = fixture.ConnectionString, ["Storage__Prefix"] = app.Prefix },
            "create-admin-key");

        Assert.Equal(0, exit);
        var key = stdout.Trim().Split('\n').Last().Trim();
        Assert.StartsWith("pcrm_", key);
        var response = await app.ClientWithKey(key).GetAsync("/api/keys");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<(int Exit, string Stdout)> RunAppAsync(IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PecosCrm.Functions.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        return (process.ExitCode, await stdout);
    }
}
