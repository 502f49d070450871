using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// Webhook subscriptions: their rows, their rules, and the list of active ones that the publisher
/// consults for every batch of events, kept in memory for <see cref="WebhookOptions.SubscriptionCache"/>
/// (and dropped at once when this process changes one) so that publishing costs no read.
/// </summary>
public sealed class WebhookSubscriptions(StorageAccount storage, IOptions<WebhookOptions> options, TimeProvider time)
{
    private const int MaxUrlLength = 2_000;
    private const int MaxDescriptionLength = 500;
    private const int MaxEvents = 100;

    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);
    private volatile CachedList? _active;

    private sealed record CachedList(IReadOnlyList<WebhookSubscription> Items, DateTimeOffset Until);

    private TableClient Table => storage.Table(StorageNames.Tables.Webhooks);

    /// <summary>Creates a subscription and returns it with its secret, which is never shown again.</summary>
    public async Task<(WebhookSubscription Subscription, string Secret)> CreateAsync(WebhookRequest request, string createdBy, CancellationToken cancellationToken = default)
    {
        Check(request, creating: true);
        var now = time.GetUtcNow();
        var entity = new WebhookSubscriptionEntity
        {
            RowKey = WebhookKeys.Subscription(Ids.New(time)), Secret = WebhookSigner.NewSecret(), CreatedBy = createdBy, CreatedAt = now, UpdatedAt = now, Active = request.Active ?? true,
        };
        Apply(entity, request);
        entity.ETag = (await Table.AddEntityAsync(entity, cancellationToken)).Headers.ETag ?? default;
        _active = null;
        return (entity.ToRecord(), entity.Secret);
    }

    public async Task<WebhookSubscription?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        KeyRules.IsValidKey(id) ? (await FindEntityAsync(id, cancellationToken))?.ToRecord() : null;

    public async Task<WebhookSubscription> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await FindAsync(id, cancellationToken) ?? throw new NotFoundException("Webhook subscription", id);

    public async Task<Storage.Page<WebhookSubscription>> ListAsync(int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var page = await Table.QueryPageAsync<WebhookSubscriptionEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {WebhookKeys.SubscriptionPartition}"), limit, cursor, cancellationToken);
        return page.Select(e => e.ToRecord());
    }

    /// <summary>Changes what the request names; turning a disabled subscription back on clears why it was disabled.</summary>
    public async Task<(WebhookSubscription Before, WebhookSubscription After)> UpdateAsync(string id, WebhookRequest patch, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var entity = await FindEntityAsync(id, cancellationToken) ?? throw new NotFoundException("Webhook subscription", id);
        TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
        Check(patch, creating: false);
        var before = entity.ToRecord();
        Apply(entity, patch);
        if (patch.Active is { } active)
        {
            entity.Active = active;
            if (active)
            {
                entity.DisabledAt = null;
                entity.DisabledReason = null;
            }
        }
        entity.UpdatedAt = time.GetUtcNow();
        entity.ETag = await Table.ReplaceIfMatchAsync(entity, cancellationToken);
        _active = null;
        return (before, entity.ToRecord());
    }

    public async Task<WebhookSubscription> DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var entity = await FindEntityAsync(id, cancellationToken) ?? throw new NotFoundException("Webhook subscription", id);
        TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
        try
        {
            await Table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw new ConcurrencyException();
        }
        _active = null;
        _secrets.TryRemove(id, out _);
        return entity.ToRecord();
    }

    /// <summary>Turns a subscription off after its deliveries failed for the whole retry schedule; false when it was off already.</summary>
    public async Task<bool> DisableAsync(string id, string reason, CancellationToken cancellationToken = default)
    {
        var disabled = await OptimisticRetry.RunAsync(async _ =>
        {
            var entity = await FindEntityAsync(id, cancellationToken);
            if (entity is null || !entity.Active)
            {
                return false;
            }
            entity.Active = false;
            entity.DisabledAt = time.GetUtcNow();
            entity.DisabledReason = reason;
            entity.UpdatedAt = entity.DisabledAt.Value;
            await Table.ReplaceIfMatchAsync(entity, cancellationToken);
            return true;
        }, cancellationToken: cancellationToken);
        _active = null;
        return disabled;
    }

    /// <summary>The active subscriptions, from memory when read lately.</summary>
    public async Task<IReadOnlyList<WebhookSubscription>> ActiveAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_active is { } cached && cached.Until > now)
        {
            return cached.Items;
        }
        var items = new List<WebhookSubscription>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {WebhookKeys.SubscriptionPartition} and Active eq true");
        await foreach (var entity in Table.QueryAsync<WebhookSubscriptionEntity>(filter, cancellationToken: cancellationToken))
        {
            items.Add(entity.ToRecord());
        }
        _active = new CachedList(items, now + options.Value.SubscriptionCache);
        return items;
    }

    /// <summary>
    /// The secret that signs the subscription's deliveries (never handed to the API). A secret never
    /// changes, so it is kept in memory once read; null when the subscription does not exist.
    /// </summary>
    internal async Task<string?> SecretAsync(string id, CancellationToken cancellationToken)
    {
        if (_secrets.TryGetValue(id, out var secret))
        {
            return secret;
        }
        secret = (await FindEntityAsync(id, cancellationToken))?.Secret;
        if (secret is not null)
        {
            _secrets[id] = secret;
        }
        return secret;
    }

    private async Task<WebhookSubscriptionEntity?> FindEntityAsync(string id, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(id) ? await Table.FindAsync<WebhookSubscriptionEntity>(WebhookKeys.SubscriptionPartition, WebhookKeys.Subscription(id), cancellationToken) : null;

    private static void Apply(WebhookSubscriptionEntity entity, WebhookRequest request)
    {
        if (request.Url is not null)
        {
            entity.Url = request.Url.Trim();
        }
        if (request.Events is not null)
        {
            entity.Events = JsonSerializer.Serialize(request.Events.Distinct(StringComparer.Ordinal).ToList(), CrmJson.Options);
        }
        if (request.Description is not null)
        {
            entity.Description = request.Description.Length == 0 ? null : request.Description;
        }
    }

    private void Check(WebhookRequest request, bool creating)
    {
        var check = new Validation();
        if (creating || request.Url is not null)
        {
            CheckUrl(check, request.Url);
        }
        if (creating || request.Events is not null)
        {
            if (request.Events is not { Count: > 0 })
            {
                check.Add("events", "name at least one event type (see GET /api/webhooks/event-types).");
            }
            else if (request.Events.Count > MaxEvents)
            {
                check.Add("events", $"may name at most {MaxEvents} event types.");
            }
            else
            {
                foreach (var unknown in request.Events.Where(e => e is null || !WebhookEventTypes.IsValidFilter(e)))
                {
                    check.Add("events", $"'{unknown}' is not an event type (see GET /api/webhooks/event-types).");
                }
            }
        }
        check.MaxLength("description", request.Description, MaxDescriptionLength);
        check.ThrowIfInvalid();
    }

    private void CheckUrl(Validation check, string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            check.Add("url", "is required.");
            return;
        }
        if (url.Length > MaxUrlLength || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.UserInfo))
        {
            check.Add("url", "must be an absolute https URL without credentials.");
            return;
        }
        if (uri.Scheme == "http" && !options.Value.AllowHttp && !uri.IsLoopback)
        {
            check.Add("url", "must use https (plain http only to this machine).");
        }
        if (IPAddress.TryParse(uri.Host, out var address) && !options.Value.AllowHttp && !IPAddress.IsLoopback(address) && IsPrivate(address))
        {
            check.Add("url", "may not point at a private network address.");
        }
    }

    private static bool IsPrivate(IPAddress address)
    {
        var b = address.MapToIPv4().GetAddressBytes();
        return b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
    }
}
