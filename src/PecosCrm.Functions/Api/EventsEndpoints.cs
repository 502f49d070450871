using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Events;

namespace PecosCrm.Functions.Api;

public static class EventsEndpoints
{
    public static IEndpointRouteBuilder MapEventsEndpoints(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/events").WithTags("Store events");
        events.MapPost("/", AcceptAsync).WithName("PostEvents").RequireAuthorization(Permissions.EventsWrite)
            .WithSummary("Send up to 500 store events. The batch is stored before the 202 and applied from a queue; events are deduplicated by id.");
        events.MapGet("/types", (int? limit, string? cursor) => TypedResults.Ok(ListResponse<EventType>.Slice(EventTypes.All, limit, cursor))).WithName("ListEventTypes")
            .WithSummary("The event types PecosCrm understands and the fields of their data.");
        return app;
    }

    public static async Task<Accepted<AcceptedBatch>> AcceptAsync(
        EventBatchRequest request, EventIngestor ingestor, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var accepted = await ingestor.AcceptAsync(request.Events, cancellationToken);
        await audit.RecordAsync(http, "events.accepted", "event_batch", accepted.BatchId, null, new { accepted.Accepted });
        return TypedResults.Accepted((string?)null, accepted);
    }
}

public sealed record EventBatchRequest(IReadOnlyList<StoreEventInput?>? Events);
