using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Testing;

namespace PecosCrm.IntegrationTests.Infrastructure;

/// <summary>One in-memory Azurite for the whole run; each app instance isolates itself with a storage prefix.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;
    private CrmApp? _app;

    public string ConnectionString => _azurite!.ConnectionString;

    /// <summary>The app most tests share; they keep apart by using fresh ids and names.</summary>
    public CrmApp App => _app ??= new CrmApp(ConnectionString);

    /// <summary>A separate app instance, in its own storage namespace unless a prefix is given.</summary>
    public CrmApp NewApp(IDictionary<string, string?>? settings = null, TimeProvider? time = null, string? prefix = null, Action<IServiceCollection>? services = null) =>
        new(ConnectionString, settings, time, prefix, services);

    public async Task InitializeAsync() => _azurite = await AzuriteProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
