using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>
/// HubSpot (CRM v3, a private app's bearer token): a two-way contact sync keyed by email. A run
/// first pulls the contacts modified after its pull cursor (<c>POST /crm/v3/objects/contacts/search</c>
/// on <c>lastmodifieddate</c>, oldest first, 100 a page) and, for each contact that matches a
/// customer by email, applies the conflict rule field by field (<see cref="ConflictResolver"/>):
/// values HubSpot wins are written to the customer through the customer store and audited. Then it
/// pushes the changed customers, the synced segments' joining members and the customers whose CRM
/// values won (<c>POST /crm/v3/objects/contacts/batch/upsert</c>, <c>idProperty: email</c>, 100 an
/// input). Contacts matching no customer are counted, not created. HubSpot allows private apps 100
/// calls in 10 seconds and the search 5 a second: calls are paced 200 ms apart.
/// </summary>
public sealed class HubSpotConnector(IOptionsMonitor<HubSpotOptions> options) : IConnector
{
    public const string ConnectorName = "hubspot";
    private const int PageSize = 100;
    private const int MaxPages = 100;
    private static readonly string[] AlwaysRead = ["email", "lastmodifieddate"];
    private static readonly AuditActor Actor = new("integration", ConnectorName, "HubSpot sync");

    /// <summary>The mapping used until one is configured: HubSpot's default contact properties.</summary>
    public static readonly IReadOnlyList<FieldMap> DefaultMapping =
    [
        new(FieldMapping.FirstName, "firstname"), new(FieldMapping.LastName, "lastname"), new(FieldMapping.Phone, "phone"),
        new(FieldMapping.City, "city"), new(FieldMapping.Region, "state"), new(FieldMapping.PostalCode, "zip"), new(FieldMapping.Country, "country"),
    ];

    public string Name => ConnectorName;

    public string Title => "HubSpot";

    public IReadOnlyList<ConnectorSettingInfo> Settings { get; } = [];

    public bool HasFieldMapping => true;

    public string CredentialSetting => "Integrations__HubSpot__AccessToken";

    public bool CredentialSet => !string.IsNullOrWhiteSpace(options.CurrentValue.AccessToken);

    public ConnectorEndpoint Endpoint()
    {
        var current = options.CurrentValue;
        if (string.IsNullOrWhiteSpace(current.AccessToken))
        {
            throw new ConnectorFailedException($"no access token: set {CredentialSetting}.");
        }
        var token = current.AccessToken;
        return new ConnectorEndpoint(new Uri(current.BaseUrl.TrimEnd('/') + "/crm/v3/"),
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token), TimeSpan.FromMilliseconds(200));
    }

    public Task TestAsync(ConnectorHttp http, ConnectorConfig config, CancellationToken cancellationToken) =>
        http.SendAsync(HttpMethod.Get, "objects/contacts?limit=1", null, cancellationToken);

    public async Task SyncAsync(ConnectorRun run, CancellationToken cancellationToken)
    {
        var mapping = run.Config.FieldMapping.Count > 0 ? run.Config.FieldMapping : DefaultMapping;
        var push = new Dictionary<string, Customer>(StringComparer.Ordinal);
        await PullAsync(run, mapping, push, cancellationToken);
        foreach (var customer in await run.ChangedCustomersAsync(cancellationToken))
        {
            push.TryAdd(customer.Id, customer);
        }
        foreach (var segment in run.Config.Segments)
        {
            await foreach (var (joined, _) in run.SegmentChangesAsync(segment.SegmentId, cancellationToken))
            {
                foreach (var customer in joined)
                {
                    push.TryAdd(customer.Id, customer);
                }
            }
        }
        foreach (var chunk in push.Values.Where(c => c.Email is not null).Chunk(PageSize))
        {
            var inputs = new JsonArray([.. chunk.Select(c => (JsonNode)new JsonObject
            {
                ["idProperty"] = "email",
                ["id"] = c.Email,
                ["properties"] = Properties(c, mapping),
            })]);
            await run.Http.SendAsync(HttpMethod.Post, "objects/contacts/batch/upsert", new JsonObject { ["inputs"] = inputs }, cancellationToken);
            run.Count("pushed", chunk.Length);
        }
    }

    /// <summary>The contact properties of a customer: the email and every mapped field that has a value.</summary>
    public static JsonObject Properties(Customer customer, IReadOnlyList<FieldMap> mapping)
    {
        var properties = new JsonObject { ["email"] = customer.Email };
        foreach (var map in mapping)
        {
            if (FieldMapping.Read(customer, map.Field) is { } value)
            {
                properties[map.Property] = value;
            }
        }
        return properties;
    }

    /// <summary>The body of a search for contacts modified after <paramref name="after"/>, oldest first.</summary>
    public static JsonObject Search(DateTimeOffset after, IReadOnlyList<FieldMap> mapping, string? page) => new()
    {
        ["filterGroups"] = new JsonArray(new JsonObject
        {
            ["filters"] = new JsonArray(new JsonObject
            {
                ["propertyName"] = "lastmodifieddate",
                ["operator"] = "GT",
                ["value"] = after.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            }),
        }),
        ["sorts"] = new JsonArray(new JsonObject { ["propertyName"] = "lastmodifieddate", ["direction"] = "ASCENDING" }),
        ["properties"] = new JsonArray([.. AlwaysRead.Concat(mapping.Select(m => m.Property)).Distinct().Select(p => (JsonNode)p)]),
        ["limit"] = PageSize,
        ["after"] = page,
    };

    private static async Task PullAsync(ConnectorRun run, IReadOnlyList<FieldMap> mapping, Dictionary<string, Customer> push, CancellationToken cancellationToken)
    {
        var since = run.PullCursor ?? run.StartedAt;
        var reached = since;
        string? page = null;
        for (var pages = 0; pages < MaxPages; pages++)
        {
            var answer = await run.Http.SendAsync(HttpMethod.Post, "objects/contacts/search", Search(since, mapping, page), cancellationToken);
            foreach (var contact in answer?["results"]?.AsArray() ?? [])
            {
                var properties = contact?["properties"]?.AsObject();
                var modified = ModifiedAt(contact, properties);
                if (modified > reached)
                {
                    reached = modified.Value;
                }
                run.Count("pulled");
                if (properties?["email"]?.GetValue<string>() is not { Length: > 0 } email
                    || await run.Data.Customers.FindByEmailAsync(email, cancellationToken) is not { } summary
                    || await run.Data.Customers.FindAsync(summary.Id, cancellationToken) is not { } customer)
                {
                    run.Count("unmatched");
                    continue;
                }
                var remote = properties.ToDictionary(p => p.Key, p => p.Value?.ToString(), StringComparer.Ordinal);
                var conflicts = ConflictResolver.Decide(customer, remote, modified ?? run.StartedAt, mapping, run.Config.ConflictRule);
                if (conflicts.Any(c => !c.RemoteWins))
                {
                    push[customer.Id] = customer;
                }
                var wins = conflicts.Where(c => c.RemoteWins).ToDictionary(c => c.Field, c => c.RemoteValue);
                if (FieldMapping.Patch(customer, wins) is not { } patch)
                {
                    continue;
                }
                try
                {
                    var (_, after) = await run.Data.Customers.UpdateAsync(customer.Id, patch, customer.ETag, Actor.Name, cancellationToken);
                    await run.Data.Audit.RecordAsync(Actor, "customer.updated", "customer", customer.Id,
                        conflicts.Where(c => c.RemoteWins).ToDictionary(c => c.Field, c => c.CrmValue),
                        conflicts.Where(c => c.RemoteWins).ToDictionary(c => c.Field, c => c.RemoteValue), cancellationToken: cancellationToken);
                    push[customer.Id] = after;
                    run.Count("applied");
                }
                catch (ValidationFailedException)
                {
                    run.Count("rejected");
                }
            }
            page = answer?["paging"]?["next"]?["after"]?.GetValue<string>();
            if (page is null)
            {
                break;
            }
        }
        run.PullCursor = reached;
    }

    private static DateTimeOffset? ModifiedAt(JsonNode? contact, JsonObject? properties)
    {
        var text = properties?["lastmodifieddate"]?.ToString() ?? contact?["updatedAt"]?.ToString();
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }
}
