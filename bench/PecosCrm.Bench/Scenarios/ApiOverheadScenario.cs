using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Bench.Load;
using PecosCrm.Core.Storage;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// What the app adds to a storage point read: the same staff row read with the Azure SDK and through
/// <c>GET /api/staff/{id}</c> (Kestrel, API-key authentication, rate limiter, authorisation, JSON),
/// at the same concurrency and interleaved, so both see the same machine. The health check shows
/// the cost of the anonymous path, which still makes one storage call.
/// </summary>
public sealed class ApiOverheadScenario : IScenario
{
    private static readonly int[] Concurrencies = [1, 16, 64];
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);
    private const int Rounds = 3;

    public string Name => "api-overhead";

    public string Description =>
        "The app in-process on Kestrel: GET /api/health and GET /api/staff/{id} against the same read through the SDK, at concurrency 1, 16, 64.";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var server = await CrmServer.StartAsync(azurite.ConnectionString, cancellationToken);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            // Above the highest concurrency, so no request waits for a connection.
            MaxConnectionsPerServer = 256,
            UseCookies = false,
            AllowAutoRedirect = false,
        })
        {
            BaseAddress = server.BaseAddress,
        };
        var auth = new AuthenticationHeaderValue("Bearer", server.AdminKey);
        progress.WriteLine($"app listening on {server.BaseAddress}");

        var staffId = await CreateStaffMemberAsync(http, auth, cancellationToken);
        var staffPath = $"/api/staff/{staffId}";
        // The app's own table client, so the raw read shares the app's storage connection settings
        // and the difference between the two rates is the app itself.
        var table = server.Services.GetRequiredService<StorageAccount>().Table(StorageNames.Tables.Staff);
        var partition = await FindPartitionAsync(table, staffId, cancellationToken);

        Func<CancellationToken, Task<int>> rawRead = async ct =>
        {
            await table.GetEntityAsync<TableEntity>(partition, staffId, cancellationToken: ct);
            return 1;
        };
        var measurements = new (string Name, string Unit, Func<CancellationToken, Task<int>> Operation)[]
        {
            ("SDK point read (staff row)", "reads/s", rawRead),
            ("GET /api/health", "requests/s", ct => GetAsync(http, "/api/health", null, ct)),
            ("GET /api/staff/{id}", "requests/s", ct => GetAsync(http, staffPath, auth, ct)),
        };

        // Until tiered JIT has recompiled the hot paths, whichever runs first looks slow.
        await LoadRunner.InterleaveAsync(measurements.Select(m => m.Operation).ToList(), 16, 1, Slice, cancellationToken);

        var rows = new List<ResultRow>();
        foreach (var concurrency in Concurrencies)
        {
            var results = await LoadRunner.InterleaveAsync(measurements.Select(m => m.Operation).ToList(), concurrency, Rounds, Slice, cancellationToken);
            for (var i = 0; i < measurements.Length; i++)
            {
                progress.WriteLine($"{measurements[i].Name,-28} {results[i]}");
            }
            var (raw, health, api) = (results[0], results[1], results[2]);
            rows.Add(ResultRow.From(Name, measurements[0].Name, raw, measurements[0].Unit, "the app's TableClient, no HTTP"));
            rows.Add(ResultRow.From(Name, measurements[1].Name, health, measurements[1].Unit, "anonymous; one storage probe per request"));
            rows.Add(ResultRow.From(Name, measurements[2].Name, api, measurements[2].Unit,
                $"{api.ItemsPerSecond / raw.ItemsPerSecond:F2} × the SDK point read at c={concurrency}"));
        }
        return rows;
    }

    private static async Task<string> CreateStaffMemberAsync(HttpClient http, AuthenticationHeaderValue auth, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/staff")
        {
            Content = JsonContent.Create(new { name = "Bench Agent", email = $"bench-{Guid.NewGuid():N}@example.com", role = "agent" }),
        };
        request.Headers.Authorization = auth;
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/staff answered {(int)response.StatusCode}: {body}");
        }
        using var created = JsonDocument.Parse(body);
        return created.RootElement.GetProperty("id").GetString() ?? throw new InvalidOperationException("POST /api/staff returned no id.");
    }

    /// <summary>Finds the row's partition by its id, so the bench does not depend on the store's key layout.</summary>
    private static async Task<string> FindPartitionAsync(TableClient table, string rowKey, CancellationToken cancellationToken)
    {
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {rowKey}"), cancellationToken: cancellationToken))
        {
            return entity.PartitionKey;
        }
        throw new InvalidOperationException($"The staff row {rowKey} is not in table {table.Name}.");
    }

    private static async Task<int> GetAsync(HttpClient http, string path, AuthenticationHeaderValue? auth, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = auth;
        using var response = await http.SendAsync(request, cancellationToken);
        // Read the whole body: a client that stops at the headers would flatter the server.
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"GET {path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)))}");
        }
        return 1;
    }
}
