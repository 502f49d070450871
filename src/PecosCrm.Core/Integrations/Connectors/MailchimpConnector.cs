using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>
/// Mailchimp (Marketing API 3.0): changed customers upserted as audience members, each synced
/// segment as a tag on its members (removed when they leave), and with a store id the e-commerce
/// customers and orders. Basic authentication with the API key; the data centre comes from the
/// key's suffix unless a base URL is set. Mailchimp allows 10 connections at once and documents no
/// per-second limit: a run makes one call at a time.
/// </summary>
public sealed class MailchimpConnector(IOptionsMonitor<MailchimpOptions> options) : IConnector
{
    public const string ConnectorName = "mailchimp";
    public const string ListId = "listId";
    public const string StoreId = "storeId";

    public string Name => ConnectorName;

    public string Title => "Mailchimp";

    public IReadOnlyList<ConnectorSettingInfo> Settings { get; } =
    [
        new(ListId, true, "The audience (list) id members are upserted into."),
        new(StoreId, false, "An e-commerce store id: when set, customers and orders are synced to that store (its products must exist in Mailchimp)."),
    ];

    public bool HasFieldMapping => false;

    public string CredentialSetting => "Integrations__Mailchimp__ApiKey";

    public bool CredentialSet => !string.IsNullOrWhiteSpace(options.CurrentValue.ApiKey);

    public ConnectorEndpoint Endpoint()
    {
        var key = options.CurrentValue.ApiKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new ConnectorFailedException($"no API key: set {CredentialSetting}.");
        }
        var baseUrl = options.CurrentValue.BaseUrl is { Length: > 0 } configured ? configured
            : MailchimpFormat.DataCentre(key) is { } dc ? $"https://{dc}.api.mailchimp.com" : throw new ConnectorFailedException("the API key has no data centre suffix (...-us21); set Integrations__Mailchimp__BaseUrl.");
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("pecoscrm:" + key));
        return new ConnectorEndpoint(new Uri(baseUrl.TrimEnd('/') + "/3.0/"), r => r.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic), TimeSpan.Zero);
    }

    public Task TestAsync(ConnectorHttp http, ConnectorConfig config, CancellationToken cancellationToken) =>
        http.SendAsync(HttpMethod.Get, "ping", null, cancellationToken);

    public async Task SyncAsync(ConnectorRun run, CancellationToken cancellationToken)
    {
        var list = run.Config.Setting(ListId);
        var store = run.Config.Settings.GetValueOrDefault(StoreId);
        var customers = (await run.ChangedCustomersAsync(cancellationToken)).Where(c => c.Email is not null).ToList();
        foreach (var customer in customers)
        {
            await UpsertMemberAsync(run, list, customer, cancellationToken);
            if (store is not null)
            {
                await run.Http.SendAsync(HttpMethod.Put, $"ecommerce/stores/{Uri.EscapeDataString(store)}/customers/{Uri.EscapeDataString(customer.Id)}",
                    MailchimpFormat.EcommerceCustomer(customer), cancellationToken);
                run.Count("ecommerceCustomers");
            }
        }
        if (store is not null)
        {
            var orders = await run.ChangedOrdersAsync(cancellationToken);
            var buyers = (await run.ReadCustomersAsync([.. orders.Select(o => o.CustomerId).Distinct()], cancellationToken)).ToDictionary(c => c.Id);
            foreach (var order in orders)
            {
                if (!buyers.TryGetValue(order.CustomerId, out var buyer) || buyer.Email is null)
                {
                    run.Count("ordersSkipped");
                    continue;
                }
                var path = $"ecommerce/stores/{Uri.EscapeDataString(store)}/orders";
                var body = MailchimpFormat.Order(order, buyer);
                if (!await run.Http.SendIfFoundAsync(HttpMethod.Patch, $"{path}/{Uri.EscapeDataString(order.Id)}", body, cancellationToken))
                {
                    await run.Http.SendAsync(HttpMethod.Post, path, body, cancellationToken);
                }
                run.Count("orders");
            }
        }
        foreach (var segment in run.Config.Segments)
        {
            var tag = segment.Target ?? (await run.Data.Segments.GetAsync(segment.SegmentId, cancellationToken)).Name;
            await foreach (var (joined, left) in run.SegmentChangesAsync(segment.SegmentId, cancellationToken))
            {
                foreach (var member in joined.Where(c => c.Email is not null))
                {
                    // The member must exist before it can be tagged; changed customers were upserted above.
                    if (!customers.Any(c => c.Id == member.Id))
                    {
                        await UpsertMemberAsync(run, list, member, cancellationToken);
                    }
                    await run.Http.SendAsync(HttpMethod.Post, $"lists/{Uri.EscapeDataString(list)}/members/{MailchimpFormat.SubscriberHash(member.Email!)}/tags",
                        MailchimpFormat.Tags(tag, active: true), cancellationToken);
                    run.Count("tagsAdded");
                }
                foreach (var member in left.Where(c => c.Email is not null))
                {
                    if (await run.Http.SendIfFoundAsync(HttpMethod.Post, $"lists/{Uri.EscapeDataString(list)}/members/{MailchimpFormat.SubscriberHash(member.Email!)}/tags",
                        MailchimpFormat.Tags(tag, active: false), cancellationToken))
                    {
                        run.Count("tagsRemoved");
                    }
                }
            }
        }
    }

    private static async Task UpsertMemberAsync(ConnectorRun run, string list, Customer customer, CancellationToken cancellationToken)
    {
        await run.Http.SendAsync(HttpMethod.Put, $"lists/{Uri.EscapeDataString(list)}/members/{MailchimpFormat.SubscriberHash(customer.Email!)}",
            MailchimpFormat.Member(customer), cancellationToken);
        run.Count("members");
    }
}
