using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using PecosCrm.Functions;

namespace PecosCrm.Bench.Scenarios;

/// <summary>The real app, composed as Program.cs composes it, on Kestrel on a free loopback port.</summary>
public sealed class CrmServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CrmServer(WebApplication app, string adminKey)
    {
        _app = app;
        AdminKey = adminKey;
        BaseAddress = new Uri(app.Urls.Single());
    }

    public Uri BaseAddress { get; }

    public string AdminKey { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the app with timers and queue polling off: only requests reach storage.</summary>
    public static Task<CrmServer> StartAsync(string storageConnectionString, CancellationToken cancellationToken) =>
        StartAsync(storageConnectionString, runQueues: false, cancellationToken);

    /// <summary>
    /// Starts the app with timers off; with <paramref name="runQueues"/> the in-process queue poller
    /// applies accepted store events as in standalone production hosting.
    /// </summary>
    public static Task<CrmServer> StartAsync(string storageConnectionString, bool runQueues, CancellationToken cancellationToken) =>
        StartAsync(storageConnectionString, runQueues, [], cancellationToken);

    /// <summary>As above, with more settings as <c>--Section:Key=value</c> arguments (they win over the defaults here).</summary>
    public static async Task<CrmServer> StartAsync(string storageConnectionString, bool runQueues, IReadOnlyList<string> extraSettings, CancellationToken cancellationToken)
    {
        var adminKey = "pcrm_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        // Passed as the app's command line because AddPecosCrmStandalone adds that last: these win over any
        // environment variable or local.settings.json on the machine that runs the bench.
        string[] settings =
        [
            // Port 0: Kestrel binds a free port itself, so there is no race to choose one.
            "--urls=http://127.0.0.1:0",
            $"--AzureWebJobsStorage={storageConnectionString}",
            $"--PECOSCRM_BOOTSTRAP_ADMIN_KEY={adminKey}",
            "--Hosting:RunTimers=false",
            $"--Hosting:RunQueues={(runQueues ? "true" : "false")}",
            // A machine where the demo seeder is switched on must not fill the bench's storage.
            "--Demo:Seed=false",
            "--Access:DefaultRateLimitPerMinute=10000000",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
            .. extraSettings,
        ];
        // The bench's own folder as content root, so a developer's local.settings.json in the
        // working directory cannot point the app at other storage.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.AddPecosCrmStandalone(settings);
        var app = builder.Build();
        app.UseCrmApi();
        await app.StartAsync(cancellationToken);
        return new CrmServer(app, adminKey);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
