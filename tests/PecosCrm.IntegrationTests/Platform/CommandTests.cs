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

        var (exit, stdout, stderr) = await RunAppAsync(
            new Dictionary<string, string> { ["AzureWebJobsStorage"] = fixture.ConnectionString, ["Storage__Prefix"] = app.Prefix },
            "create-admin-key");

        Assert.True(exit == 0, stderr);
        var key = stdout.Trim().Split('\n').Last().Trim();
        Assert.StartsWith("pcrm_", key);
        var response = await app.ClientWithKey(key).GetAsync("/api/keys");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>
    /// Started the way the Functions host starts its worker, the app builds the isolated worker (not the
    /// standalone web host) and connects to the host's endpoint; with no host there, it stops with the
    /// worker's gRPC error. The composition of Functions mode is checked this far without a host.
    /// </summary>
    [Fact]
    public async Task FunctionsUri_StartsTheIsolatedWorker_WhichConnectsToTheHost()
    {
        var (exit, stdout, stderr) = await RunAppAsync(
            new Dictionary<string, string> { ["AzureWebJobsStorage"] = fixture.ConnectionString },
            "--functions-uri", $"http://127.0.0.1:{ClosedPort()}/", "--functions-worker-id", "w1", "--functions-request-id", "r1");

        Assert.NotEqual(0, exit);
        Assert.Contains("Microsoft.Azure.Functions.Worker.Grpc", stderr);
        Assert.DoesNotContain("Now listening on", stdout);
    }

    [Fact]
    public async Task FunctionsUri_WithAStoragePrefix_RefusesToStart()
    {
        var (exit, _, stderr) = await RunAppAsync(
            new Dictionary<string, string> { ["AzureWebJobsStorage"] = fixture.ConnectionString, ["Storage__Prefix"] = "x1" },
            "--functions-uri", $"http://127.0.0.1:{ClosedPort()}/");

        Assert.NotEqual(0, exit);
        Assert.Contains("Storage:Prefix must be empty in Functions mode", stderr);
    }

    /// <summary>A port nothing listens on: bound, read, released.</summary>
    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAppAsync(IDictionary<string, string> environment, params string[] args)
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
        return (process.ExitCode, await stdout, await stderr);
    }
}
