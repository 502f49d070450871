using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Loyalty;

namespace PecosCrm.Functions.Api;

/// <summary>Referral codes and links, and referrals as the storefront reports them.</summary>
public static class LoyaltyReferralEndpoints
{
    public static IEndpointRouteBuilder MapLoyaltyReferralEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/loyalty").WithTags("Loyalty").RequireAuthorization(Permissions.LoyaltyRead);
        var write = app.MapGroup("/api/loyalty").WithTags("Loyalty").RequireAuthorization(Permissions.LoyaltyWrite);
        write.MapPost("/customers/{customerId}/referral", LinkAsync).WithName("GetReferralLink")
            .WithSummary("The customer's referral code and link (made on first ask); the referrer's payment and device fingerprints, when sent, are kept for the fraud checks.");
        read.MapGet("/referrals", ListAsync).WithName("ListReferrals").WithSummary("Referrals, newest first; referrerId narrows them to one referrer.");
        read.MapGet("/referrals/{id}", GetAsync).WithName("GetReferral");
        write.MapPost("/referrals", CreateAsync).WithName("CreateReferral")
            .WithSummary("A referral by code: pending for an invited email, signed_up for a customer who signed up with it (fraud checks refuse with a 400 naming the reason).");
        write.MapPost("/referrals/{id}/sign-up", SignUpAsync).WithName("SignUpReferral").WithSummary("The invited friend signed up: fraud checks, then signed_up.");
        return app;
    }

    public static async Task<Ok<ReferralLink>> LinkAsync(string customerId, FingerprintRequest? request, Referrals referrals, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var link = await referrals.LinkAsync(customerId, request?.PaymentFingerprint, request?.DeviceFingerprint, cancellationToken);
        await audit.RecordAsync(http, "loyalty.referral_link", "customer", customerId, null, link);
        return TypedResults.Ok(link);
    }

    public static async Task<Ok<ListResponse<ReferralResponse>>> ListAsync(string? referrerId, Referrals referrals, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<ReferralResponse>.Slice((await referrals.ListAsync(referrerId, cancellationToken)).Select(ReferralResponse.From).ToList(), limit, cursor));

    public static async Task<Ok<ReferralResponse>> GetAsync(string id, Referrals referrals, CancellationToken cancellationToken) =>
        TypedResults.Ok(ReferralResponse.From(await referrals.GetAsync(id, cancellationToken)));

    public static async Task<Created<ReferralResponse>> CreateAsync(ReferralRequest request, Referrals referrals, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var v = new Validation().Required("code", request.Code, 40);
        if (request.RefereeCustomerId is null)
        {
            v.Email("email", request.Email);
        }
        v.ThrowIfInvalid();
        var referral = await referrals.CreateAsync(request.Code!, request.Email, request.RefereeCustomerId, request.PaymentFingerprint, request.DeviceFingerprint, cancellationToken);
        await audit.RecordAsync(http, "loyalty.referral_created", "referral", referral.Id, null, referral);
        return TypedResults.Created($"/api/loyalty/referrals/{referral.Id}", ReferralResponse.From(referral));
    }

    public static async Task<Ok<ReferralResponse>> SignUpAsync(string id, SignUpRequest request, Referrals referrals, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        new Validation().Required("refereeCustomerId", request.RefereeCustomerId).ThrowIfInvalid();
        var before = await referrals.GetAsync(id, cancellationToken);
        var referral = await referrals.SignUpAsync(id, request.RefereeCustomerId!, request.PaymentFingerprint, request.DeviceFingerprint, cancellationToken);
        await audit.RecordAsync(http, "loyalty.referral_signed_up", "referral", id, before, referral);
        return TypedResults.Ok(ReferralResponse.From(referral));
    }
}

public sealed record FingerprintRequest(string? PaymentFingerprint, string? DeviceFingerprint);

public sealed record ReferralRequest(string? Code, string? Email, string? RefereeCustomerId, string? PaymentFingerprint, string? DeviceFingerprint);

public sealed record SignUpRequest(string? RefereeCustomerId, string? PaymentFingerprint, string? DeviceFingerprint);

public sealed record ReferralResponse(
    string Id, string Code, string ReferrerId, string? RefereeId, string? Email, string Status, DateTimeOffset CreatedAt, DateTimeOffset? SignedUpAt,
    DateTimeOffset? PurchasedAt, DateTimeOffset? CreditedAt, string? OrderId, string? ReferrerCredit, string? RefereeCredit)
{
    public static ReferralResponse From(Referral r) => new(
        r.Id, r.Code, r.ReferrerId, r.RefereeId, r.Email, Referrals.Name(r.Status), r.CreatedAt, r.SignedUpAt, r.PurchasedAt, r.CreditedAt, r.OrderId, r.ReferrerCredit, r.RefereeCredit);
}
