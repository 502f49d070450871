using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class CustomersEndpoints
{
    public static IEndpointRouteBuilder MapCustomersEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/customers").WithTags("Customers").RequireAuthorization(Permissions.CustomersRead);
        var write = app.MapGroup("/api/customers").WithTags("Customers").RequireAuthorization(Permissions.CustomersWrite);

        write.MapPost("/", CreateAsync).WithName("CreateCustomer");
        read.MapGet("/", ListAsync).WithName("ListCustomers")
            .WithSummary("List customers, or look them up: email (exact, any case), phone (any formatting), name (prefix), tier or tag.");
        read.MapGet("/{id}", GetAsync).WithName("GetCustomer");
        write.MapPatch("/{id}", UpdateAsync).WithName("UpdateCustomer").WithSummary("Change some fields; send If-Match with the ETag you read.");
        read.MapGet("/{id}/360", Get360Async).WithName("GetCustomer360").WithSummary("Profile card, metrics, health, tags, pinned notes, last orders, newest activity and related contacts.");
        read.MapGet("/{id}/metrics", GetMetricsAsync).WithName("GetCustomerMetrics");
        read.MapGet("/{id}/timeline", TimelineAsync).WithName("GetCustomerTimeline");
        app.MapGet("/api/customers/{id}/orders", OrdersAsync).WithTags("Customers").WithName("ListCustomerOrders").RequireAuthorization(Permissions.OrdersRead);
        return app;
    }

    public static async Task<Created<CustomerResponse>> CreateAsync(
        CustomerRequest request, CustomerStore customers, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var customer = await customers.CreateAsync(request.ToFields(), http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "customer.created", "customer", customer.Id, null, CustomerResponse.From(customer));
        http.SetETag(customer.ETag);
        return TypedResults.Created($"/api/customers/{customer.Id}", CustomerResponse.From(customer));
    }

    public static async Task<Ok<ListResponse<CustomerSummary>>> ListAsync(
        CustomerStore customers, TagStore tags, string? email, string? phone, string? name, string? tier, string? tag,
        int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var size = Page<CustomerSummary>.CheckLimit(limit);
        var tierValue = QueryEnum.Parse<LoyaltyTier>(tier, "tier");
        var filters = new[] { email, phone, name, tier, tag }.Count(f => f is not null);
        if (filters > 1)
        {
            throw new ValidationFailedException("query", "use one of email, phone, name, tier or tag at a time.");
        }
        Page<CustomerSummary> page;
        if (email is not null)
        {
            var found = await customers.FindByEmailAsync(email, cancellationToken);
            page = new Page<CustomerSummary>(found is null ? [] : [found], null);
        }
        else if (phone is not null)
        {
            page = await customers.FindByPhoneAsync(phone, size, cursor, cancellationToken);
        }
        else if (name is not null)
        {
            page = await customers.SearchByNameAsync(name, size, cursor, cancellationToken);
        }
        else if (tag is not null)
        {
            var ids = await tags.MemberIdsAsync(tag, size, cursor, cancellationToken);
            var found = await Task.WhenAll(ids.Items.Select(id => customers.FindAsync(id, cancellationToken)));
            page = new Page<CustomerSummary>(found.OfType<Customer>().Select(CustomerSummary.From).ToList(), ids.NextCursor);
        }
        else
        {
            page = await customers.ListAsync(tierValue, size, cursor, cancellationToken);
        }
        return TypedResults.Ok(ListResponse<CustomerSummary>.From(page, c => c));
    }

    public static async Task<Ok<CustomerResponse>> GetAsync(string id, CustomerStore customers, AuditReads reads, HttpContext http, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(id, cancellationToken);
        reads.RecordRead(http, "customer.viewed", "customer", id, new { view = "profile" });
        http.SetETag(customer.ETag);
        return TypedResults.Ok(CustomerResponse.From(customer));
    }

    public static async Task<Ok<CustomerResponse>> UpdateAsync(
        string id, CustomerRequest request, CustomerStore customers, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await customers.UpdateAsync(id, request.ToFields(), http.IfMatch(), http.Actor().Name, cancellationToken);
        if (!ReferenceEquals(before, after))
        {
            await audit.RecordAsync(http, "customer.updated", "customer", id, CustomerResponse.From(before), CustomerResponse.From(after));
        }
        http.SetETag(after.ETag);
        return TypedResults.Ok(CustomerResponse.From(after));
    }

    public static async Task<Ok<Customer360Response>> Get360Async(string id, Customer360Reader reader, AuditReads reads, HttpContext http, CancellationToken cancellationToken)
    {
        var view = Customer360Response.From(await reader.GetAsync(id, cancellationToken));
        reads.RecordRead(http, "customer.viewed", "customer", id, new { view = "360" });
        return TypedResults.Ok(view);
    }

    public static async Task<Ok<InsightsResponse>> GetMetricsAsync(string id, Customer360Reader reader, CancellationToken cancellationToken)
    {
        var insights = await reader.GetInsightsAsync(id, cancellationToken);
        return TypedResults.Ok(new InsightsResponse(
            MetricsResponse.From(insights.Metrics, insights.Engagement, insights.DaysSinceLastOrder), HealthResponseBody.From(insights.Health)));
    }

    public static async Task<Ok<ListResponse<TimelineEntry>>> TimelineAsync(
        string id, TimelineStore timeline, string? type, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await timeline.ListAsync(id, QueryEnum.Parse<TimelineType>(type, "type"), Page<TimelineEntry>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<TimelineEntry>.From(page, e => e));
    }

    public static async Task<Ok<ListResponse<OrderResponse>>> OrdersAsync(
        string id, CustomerStore customers, OrderStore orders, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        await customers.GetAsync(id, cancellationToken);
        var page = await orders.ListForCustomerAsync(id, Page<Order>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<OrderResponse>.From(page, OrderResponse.From));
    }
}

/// <summary>A customer as <c>POST</c> and <c>PATCH /api/customers</c> take it (and as customer events carry it).</summary>
public sealed record CustomerRequest(
    string? Id,
    string? FirstName,
    string? LastName,
    string? Email,
    string? Phone,
    IReadOnlyList<Address>? Addresses,
    DateOnly? Birthday,
    string? TimeZone,
    MarketingConsentFields? Consent,
    LoyaltyTier? Tier,
    DateTimeOffset? CustomerSince,
    string? Source)
{
    public CustomerFields ToFields() => new(Id, FirstName, LastName, Email, Phone, Addresses, Birthday, TimeZone, Consent, Tier, CustomerSince, Source);
}
