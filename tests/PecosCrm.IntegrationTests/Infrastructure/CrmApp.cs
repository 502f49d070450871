using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PecosCrm.Core.Storage;

namespace PecosCrm.IntegrationTests.Infrastructure;

/// <summary>
/// The real app over TestServer against Azurite, in its own storage namespace (a unique prefix),
/// with a bootstrap admin key. Settings can be added or overridden per test.
/// </summary>
public sealed class CrmApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _time;
    private readonly Action<IServiceCollection>? _services;

    public CrmApp(string connectionString, IDictionary<string, string?>? settings = null, TimeProvider? time = null, string? prefix = null, Action<IServiceCollection>? services = null)
    {
        _time = time;
        _services = services;
        Prefix = prefix ?? "t" + Guid.NewGuid().ToString("N")[..10];
        _settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["Storage:Prefix"] = Prefix,
            ["Storage:NetworkTimeout"] = "00:00:30",
            ["PECOSCRM_BOOTSTRAP_ADMIN_KEY"] = AdminKey,
            ["Hosting:MinPollInterval"] = "00:00:00.050",
            ["Hosting:MaxPollInterval"] = "00:00:00.250",
            ["Hosting:RetryDelay"] = "00:00:00.050",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string Prefix { get; }

    public string AdminKey { get; } = "pcrm_test_admin_" + Guid.NewGuid().ToString("N");

    public StorageAccount Storage => Services.GetRequiredService<StorageAccount>();

    /// <summary>A client that sends the bootstrap admin key.</summary>
    public HttpClient Admin() => ClientWithKey(AdminKey);

    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        if (_time is not null)
        {
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(_time)));
        }
        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }
}
