using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Integrations.Webhooks;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class WebhooksEndpoints
{
    public static IEndpointRouteBuilder MapWebhooksEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/webhooks").WithTags("Webhooks").RequireAuthorization(Permissions.IntegrationsRead);
        var write = app.MapGroup("/api/webhooks").WithTags("Webhooks").RequireAuthorization(Permissions.IntegrationsWrite);
        read.MapGet("/event-types", (int? limit, string? cursor) => TypedResults.Ok(ListResponse<string>.Slice(WebhookEventTypes.All, limit, cursor)))
            .WithName("ListWebhookEventTypes").WithSummary("The event types a subscription may name; a family may be named as order.*.");
        write.MapPost("/", CreateAsync).WithName("CreateWebhook")
            .WithSummary("Subscribe a URL to event types. The signing secret (whsec_...) is in this response only.");
        read.MapGet("/", ListAsync).WithName("ListWebhooks");
        read.MapGet("/{id}", GetAsync).WithName("GetWebhook");
        write.MapPatch("/{id}", UpdateAsync).WithName("UpdateWebhook")
            .WithSummary("Change the URL, events, description or active flag; send If-Match with the ETag you read. active: true turns a disabled subscription back on.");
        write.MapDelete("/{id}", DeleteAsync).WithName("DeleteWebhook");
        read.MapGet("/{id}/deliveries", ListDeliveriesAsync).WithName("ListWebhookDeliveries")
            .WithSummary("Every delivery attempt, newest first: request, response status and body, duration, next retry.");
        read.MapGet("/{id}/deliveries/{deliveryId}", GetDeliveryAsync).WithName("GetWebhookDelivery");
        write.MapPost("/{id}/deliveries/{deliveryId}/redeliver", RedeliverAsync).WithName("RedeliverWebhook")
            .WithSummary("Send that delivery's event again, once; the attempt appears in the delivery log.");
        write.MapPost("/{id}/replay", ReplayAsync).WithName("ReplayWebhook")
            .WithSummary("Deliver again, in order, every event the subscription wants that was published after the cursor (an event's sequence).");
        return app;
    }

    public static async Task<Created<CreatedWebhookResponse>> CreateAsync(
        WebhookRequest request, WebhookSubscriptions subscriptions, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (subscription, secret) = await subscriptions.CreateAsync(request, http.Actor().Name, cancellationToken);
        var response = WebhookResponse.From(subscription);
        await audit.RecordAsync(http, "webhook.created", "webhook", subscription.Id, null, response);
        http.SetETag(subscription.ETag);
        return TypedResults.Created($"/api/webhooks/{subscription.Id}", new CreatedWebhookResponse(response, secret));
    }

    public static async Task<Ok<ListResponse<WebhookResponse>>> ListAsync(WebhookSubscriptions subscriptions, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await subscriptions.ListAsync(Page<WebhookSubscription>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<WebhookResponse>.From(page, WebhookResponse.From));
    }

    public static async Task<Ok<WebhookResponse>> GetAsync(string id, WebhookSubscriptions subscriptions, HttpContext http, CancellationToken cancellationToken)
    {
        var subscription = await subscriptions.GetAsync(id, cancellationToken);
        http.SetETag(subscription.ETag);
        return TypedResults.Ok(WebhookResponse.From(subscription));
    }

    public static async Task<Ok<WebhookResponse>> UpdateAsync(
        string id, WebhookRequest request, WebhookSubscriptions subscriptions, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await subscriptions.UpdateAsync(id, request, http.IfMatch(), cancellationToken);
        var response = WebhookResponse.From(after);
        await audit.RecordAsync(http, "webhook.updated", "webhook", id, WebhookResponse.From(before), response);
        http.SetETag(after.ETag);
        return TypedResults.Ok(response);
    }

    public static async Task<NoContent> DeleteAsync(string id, WebhookSubscriptions subscriptions, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var deleted = await subscriptions.DeleteAsync(id, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "webhook.deleted", "webhook", id, WebhookResponse.From(deleted), null);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<ListResponse<WebhookDelivery>>> ListDeliveriesAsync(
        string id, WebhookSubscriptions subscriptions, WebhookDeliveryLog deliveries, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var size = Page<WebhookDelivery>.CheckLimit(limit);
        await subscriptions.GetAsync(id, cancellationToken);
        return TypedResults.Ok(ListResponse<WebhookDelivery>.From(await deliveries.ListAsync(id, size, cursor, cancellationToken), d => d));
    }

    public static async Task<Ok<WebhookDelivery>> GetDeliveryAsync(
        string id, string deliveryId, WebhookSubscriptions subscriptions, WebhookDeliveryLog deliveries, CancellationToken cancellationToken)
    {
        await subscriptions.GetAsync(id, cancellationToken);
        return TypedResults.Ok(await deliveries.FindAsync(id, deliveryId, cancellationToken) ?? throw new NotFoundException("Webhook delivery", deliveryId));
    }

    public static async Task<Accepted<WebhookWorkResponse>> RedeliverAsync(
        string id, string deliveryId, WebhookSubscriptions subscriptions, WebhookDeliveryLog deliveries, WebhookDispatcher dispatcher, AuditLog audit,
        HttpContext http, CancellationToken cancellationToken)
    {
        await subscriptions.GetAsync(id, cancellationToken);
        var delivery = await deliveries.FindAsync(id, deliveryId, cancellationToken) ?? throw new NotFoundException("Webhook delivery", deliveryId);
        await dispatcher.EnqueueAsync(new WebhookWork(WebhookWork.Redeliver, SubscriptionId: id, DeliveryId: deliveryId), cancellationToken);
        var response = new WebhookWorkResponse(id, "redeliver", delivery.EventSequence);
        await audit.RecordAsync(http, "webhook.redelivered", "webhook", id, null, response);
        return TypedResults.Accepted($"/api/webhooks/{id}/deliveries", response);
    }

    public static async Task<Accepted<WebhookWorkResponse>> ReplayAsync(
        string id, WebhookReplayRequest request, WebhookSubscriptions subscriptions, WebhookDispatcher dispatcher, AuditLog audit,
        HttpContext http, CancellationToken cancellationToken)
    {
        if (!WebhookSequence.IsValid(request.Since))
        {
            throw new ValidationFailedException("since", "must be an event's sequence (32 hex digits, as in the sequence field of a delivered event).");
        }
        await subscriptions.GetAsync(id, cancellationToken);
        await dispatcher.EnqueueAsync(new WebhookWork(WebhookWork.Replay, SubscriptionId: id, Since: request.Since), cancellationToken);
        var response = new WebhookWorkResponse(id, "replay", request.Since!);
        await audit.RecordAsync(http, "webhook.replayed", "webhook", id, null, response);
        return TypedResults.Accepted($"/api/webhooks/{id}/deliveries", response);
    }
}

/// <summary>A subscription; its ETag is in the <c>ETag</c> header. The secret is never shown after creation.</summary>
public sealed record WebhookResponse(
    string Id, string Url, IReadOnlyList<string> Events, string? Description, bool Active, DateTimeOffset? DisabledAt, string? DisabledReason,
    string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WebhookResponse From(WebhookSubscription s) =>
        new(s.Id, s.Url, s.Events, s.Description, s.Active, s.DisabledAt, s.DisabledReason, s.CreatedBy, s.CreatedAt, s.UpdatedAt);
}

/// <summary>A new subscription and the secret that verifies its deliveries, shown this once.</summary>
public sealed record CreatedWebhookResponse(WebhookResponse Subscription, string Secret);

/// <summary>Replay the events published after <c>since</c>, an event's sequence.</summary>
public sealed record WebhookReplayRequest(string? Since);

/// <summary>Work queued for a subscription: a redelivery of the event with that sequence, or a replay after it.</summary>
public sealed record WebhookWorkResponse(string SubscriptionId, string Kind, string Sequence);
