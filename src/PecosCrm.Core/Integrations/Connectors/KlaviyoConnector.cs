using Microsoft.Extensions.Options;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>
/// Klaviyo (JSON:API, <c>revision</c> header, <c>Authorization: Klaviyo-API-Key ...</c>): changed
/// customers as profiles through bulk import jobs (up to 10,000 a job), each synced segment's joining
/// members imported into the list named as its target and its leaving members removed from it (their
/// profiles found by email, then taken off the list; their consent is left alone), and orders as
/// "Placed Order" events.
/// Klaviyo's steady limits are 150 bulk imports and 3,500 events a minute: calls are paced 20 ms apart.
/// </summary>
public sealed class KlaviyoConnector(IOptionsMonitor<KlaviyoOptions> options) : IConnector
{
    public const string ConnectorName = "klaviyo";
    private const int ProfilesPerImport = 10_000;
    private const string JsonApi = "application/vnd.api+json";

    public string Name => ConnectorName;

    public string Title => "Klaviyo";

    public IReadOnlyList<ConnectorSettingInfo> Settings { get; } =
    [
        new("listId", false, "A list every changed customer's profile is added to (segments name their own list as target)."),
    ];

    public bool HasFieldMapping => false;

    public string CredentialSetting => "Integrations__Klaviyo__ApiKey";

    public bool CredentialSet => !string.IsNullOrWhiteSpace(options.CurrentValue.ApiKey);

    public ConnectorEndpoint Endpoint()
    {
        var current = options.CurrentValue;
        if (string.IsNullOrWhiteSpace(current.ApiKey))
        {
            throw new ConnectorFailedException($"no API key: set {CredentialSetting}.");
        }
        var key = current.ApiKey;
        var revision = current.Revision;
        return new ConnectorEndpoint(new Uri(current.BaseUrl.TrimEnd('/') + "/api/"), r =>
        {
            r.Headers.TryAddWithoutValidation("Authorization", "Klaviyo-API-Key " + key);
            r.Headers.TryAddWithoutValidation("revision", revision);
        }, TimeSpan.FromMilliseconds(20));
    }

    public Task TestAsync(ConnectorHttp http, ConnectorConfig config, CancellationToken cancellationToken) =>
        http.SendAsync(HttpMethod.Get, "accounts", null, cancellationToken);

    public async Task SyncAsync(ConnectorRun run, CancellationToken cancellationToken)
    {
        var list = run.Config.Settings.GetValueOrDefault("listId");
        var customers = (await run.ChangedCustomersAsync(cancellationToken)).Where(c => c.Email is not null).ToList();
        foreach (var chunk in customers.Chunk(ProfilesPerImport))
        {
            await run.Http.SendAsync(HttpMethod.Post, "profile-bulk-import-jobs", KlaviyoFormat.BulkImport(chunk, list), cancellationToken, JsonApi);
            run.Count("profiles", chunk.Length);
        }
        var orders = await run.ChangedOrdersAsync(cancellationToken);
        var buyers = (await run.ReadCustomersAsync([.. orders.Select(o => o.CustomerId).Distinct()], cancellationToken)).ToDictionary(c => c.Id);
        foreach (var order in orders)
        {
            if (!buyers.TryGetValue(order.CustomerId, out var buyer) || buyer.Email is null)
            {
                run.Count("ordersSkipped");
                continue;
            }
            await run.Http.SendAsync(HttpMethod.Post, "events", KlaviyoFormat.OrderEvent(order, buyer), cancellationToken, JsonApi);
            run.Count("orderEvents");
        }
        foreach (var segment in run.Config.Segments)
        {
            if (segment.Target is null)
            {
                run.Count("segmentsWithoutList");
                continue;
            }
            await foreach (var (joined, left) in run.SegmentChangesAsync(segment.SegmentId, cancellationToken))
            {
                var members = joined.Where(c => c.Email is not null).ToList();
                if (members.Count > 0)
                {
                    await run.Http.SendAsync(HttpMethod.Post, "profile-bulk-import-jobs", KlaviyoFormat.BulkImport(members, segment.Target), cancellationToken, JsonApi);
                    run.Count("listMembers", members.Count);
                }
                await RemoveFromListAsync(run, segment.Target, [.. left.Select(c => c.Email).OfType<string>()], cancellationToken);
            }
        }
    }

    private static async Task RemoveFromListAsync(ConnectorRun run, string listId, IReadOnlyList<string> emails, CancellationToken cancellationToken)
    {
        foreach (var chunk in emails.Chunk(KlaviyoFormat.ProfilesPerLookup))
        {
            var ids = KlaviyoFormat.ProfileIds(await run.Http.SendAsync(HttpMethod.Get, KlaviyoFormat.ProfilesByEmail(chunk), null, cancellationToken, JsonApi));
            if (ids.Count > 0)
            {
                await run.Http.SendAsync(HttpMethod.Delete, $"lists/{Uri.EscapeDataString(listId)}/relationships/profiles", KlaviyoFormat.ListProfiles(ids), cancellationToken, JsonApi);
                run.Count("listMembersRemoved", ids.Count);
            }
        }
    }
}
