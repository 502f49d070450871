using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Events;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class OrdersEndpoints
{
    public static IEndpointRouteBuilder MapOrdersEndpoints(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/orders").WithTags("Orders");
        orders.MapPost("/", RecordAsync).WithName("RecordOrder").RequireAuthorization(Permissions.OrdersWrite)
            .WithSummary("Record an order or a change of its status, applied at once exactly as the matching order event would be.");
        orders.MapGet("/", ListAsync).WithName("ListOrders").RequireAuthorization(Permissions.OrdersRead)
            .WithSummary("The store's orders newest first between from and to (default: the last 12 months), optionally by status.");
        orders.MapGet("/{id}", GetAsync).WithName("GetOrder").RequireAuthorization(Permissions.OrdersRead);
        return app;
    }

    public static async Task<Ok<OrderResponse>> RecordAsync(
        OrderInput request, CustomerStore customers, EventProcessor processor, OrderStore orders, AuditLog audit,
        HttpContext http, TimeProvider time, CancellationToken cancellationToken)
    {
        var check = new Validation();
        request.ToOrder(check);
        check.ThrowIfInvalid();
        if (await customers.FindAsync(request.CustomerId!, cancellationToken) is null)
        {
            throw new ValidationFailedException("customerId", $"Customer '{request.CustomerId}' does not exist.");
        }
        var before = await orders.FindAsync(request.Id!, cancellationToken);
        var status = request.Status ?? OrderStatus.Placed;
        var data = JsonSerializer.SerializeToElement(request, CrmJson.Options);
        // The same request twice is the same event, so a retried call is not applied twice.
        var digest = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, CrmJson.Options)))[..16];
        var type = "order." + JsonNamingPolicyName(status);
        var e = new StoreEvent($"api-{request.Id}-{JsonNamingPolicyName(status)}-{digest}", type, time.GetUtcNow(), request.CustomerId!, data);

        await processor.ApplyAsync(e, cancellationToken, throwOnReject: true);
        var after = await orders.GetAsync(request.Id!, cancellationToken);
        await audit.RecordAsync(http, before is null ? "order.created" : "order.updated", "order", after.Id,
            before is null ? null : OrderResponse.From(before), OrderResponse.From(after));
        return TypedResults.Ok(OrderResponse.From(after));
    }

    public static async Task<Ok<ListResponse<OrderSummaryResponse>>> ListAsync(
        OrderStore orders, TimeProvider time, DateTimeOffset? from, DateTimeOffset? to, string? status, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await orders.ListAsync(from, to, QueryEnum.Parse<OrderStatus>(status, "status"), Page<OrderSummary>.CheckLimit(limit), cursor, time.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(ListResponse<OrderSummaryResponse>.From(page, OrderSummaryResponse.From));
    }

    public static async Task<Ok<OrderResponse>> GetAsync(string id, OrderStore orders, CancellationToken cancellationToken) =>
        TypedResults.Ok(OrderResponse.From(await orders.GetAsync(id, cancellationToken)));

    private static string JsonNamingPolicyName(OrderStatus status) => status.ToString().ToLowerInvariant();
}
