using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Loyalty;

namespace PecosCrm.Functions.Api;

/// <summary>A customer's loyalty: the account, the ledger, adjustments and grants, activities, redemptions.</summary>
public static class LoyaltyEndpoints
{
    public static IEndpointRouteBuilder MapLoyaltyEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/loyalty/customers/{customerId}").WithTags("Loyalty").RequireAuthorization(Permissions.LoyaltyRead);
        var write = app.MapGroup("/api/loyalty/customers/{customerId}").WithTags("Loyalty").RequireAuthorization(Permissions.LoyaltyWrite);
        read.MapGet("/", GetAsync).WithName("GetLoyaltyAccount").WithSummary("Balance, pending points, tier with progress to the next, perks, streak, badges, referral code, expiry.");
        read.MapGet("/ledger", LedgerAsync).WithName("ListLoyaltyLedger").WithSummary("Every change of the customer's points, newest first.");
        read.MapGet("/redemptions", RedemptionsAsync).WithName("ListLoyaltyRedemptions");
        write.MapPost("/adjustments", AdjustAsync).WithName("AdjustLoyaltyPoints").WithSummary("Staff adjustment, positive or negative (never below zero), with its reason.");
        write.MapPost("/grants", GrantAsync).WithName("GrantLoyaltyPoints").WithSummary("A surprise-and-delight grant of points.");
        write.MapPost("/activities", ActivityAsync).WithName("RecordLoyaltyActivity").WithSummary("An activity the storefront reports (social_share), earned within its rule's limit.");
        write.MapPost("/redemptions", RedeemAsync).WithName("RedeemLoyaltyReward").WithSummary("Redeems a reward: 409 when the balance is short.");
        write.MapPost("/redemptions/{redemptionId}/cancel", CancelAsync).WithName("CancelLoyaltyRedemption").WithSummary("Cancels a redemption and gives back exactly the points it took.");
        write.MapPost("/redemptions/{redemptionId}/reissue", ReissueAsync).WithName("ReissueLoyaltyRedemptionCode")
            .WithSummary("Issues a redemption's code again (the same code: it is derived from the redemption), for one whose issue failed.");
        app.MapLoyaltyCatalogueEndpoints();
        app.MapLoyaltyReferralEndpoints();
        return app;
    }

    public static async Task<Ok<LoyaltyStatusResponse>> GetAsync(string customerId, PointsLedger ledger, CancellationToken cancellationToken) =>
        TypedResults.Ok(LoyaltyStatusResponse.From(await ledger.GetAsync(customerId, cancellationToken)));

    public static async Task<Ok<ListResponse<LedgerEntry>>> LedgerAsync(string customerId, PointsLedger ledger, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<LedgerEntry>.Slice(await ledger.EntriesAsync(customerId, cancellationToken), limit, cursor));

    public static async Task<Ok<ListResponse<Redemption>>> RedemptionsAsync(string customerId, Redemptions redemptions, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<Redemption>.Slice(await redemptions.ListAsync(customerId, cancellationToken), limit, cursor));

    public static async Task<Created<LedgerEntry>> AdjustAsync(string customerId, PointsRequest request, PointsLedger ledger, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        request.Validate(allowNegative: true);
        var actor = http.Actor();
        var entry = await ledger.AdjustAsync(customerId, request.Points!.Value, request.Reason!, "staff:" + actor.Name, actor.Name, cancellationToken);
        await audit.RecordAsync(http, "loyalty.adjusted", "customer", customerId, null, entry);
        return TypedResults.Created($"/api/loyalty/customers/{customerId}/ledger", entry);
    }

    public static async Task<Created<LedgerEntry>> GrantAsync(string customerId, PointsRequest request, PointsLedger ledger, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        request.Validate(allowNegative: false);
        var actor = http.Actor();
        var entry = await ledger.AdjustAsync(customerId, request.Points!.Value, request.Reason!, "surprise:" + actor.Name, actor.Name, cancellationToken);
        await audit.RecordAsync(http, "loyalty.granted", "customer", customerId, null, entry);
        return TypedResults.Created($"/api/loyalty/customers/{customerId}/ledger", entry);
    }

    public static async Task<Results<Created<LedgerEntry>, Ok<ActivityResponse>>> ActivityAsync(
        string customerId, LoyaltyActivityRequest request, PointsLedger ledger, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (request.Activity is null || !EarningRules.Activities.Contains(request.Activity))
        {
            throw new ValidationFailedException("activity", $"must be one of {string.Join(", ", EarningRules.Activities)}.");
        }
        var entry = await ledger.ActivityAsync(customerId, request.Activity, request.Reference, http.Actor().Name, cancellationToken);
        if (entry is null)
        {
            return TypedResults.Ok(new ActivityResponse(false, "The rule's limit is reached (or the rule is off): no points this time."));
        }
        await audit.RecordAsync(http, "loyalty.activity", "customer", customerId, null, entry);
        return TypedResults.Created($"/api/loyalty/customers/{customerId}/ledger", entry);
    }

    public static async Task<Created<Redemption>> RedeemAsync(string customerId, RedeemRequest request, Redemptions redemptions, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.RewardId))
        {
            throw new ValidationFailedException("rewardId", "is required.");
        }
        var redemption = await redemptions.RedeemAsync(customerId, request.RewardId, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "loyalty.redeemed", "customer", customerId, null, redemption);
        return TypedResults.Created($"/api/loyalty/customers/{customerId}/redemptions/{redemption.Id}", redemption);
    }

    public static async Task<Ok<Redemption>> CancelAsync(string customerId, string redemptionId, Redemptions redemptions, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var redemption = await redemptions.CancelAsync(customerId, redemptionId, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "loyalty.redemption_cancelled", "customer", customerId, null, redemption);
        return TypedResults.Ok(redemption);
    }

    public static async Task<Ok<Redemption>> ReissueAsync(string customerId, string redemptionId, Redemptions redemptions, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var redemption = await redemptions.ReissueAsync(customerId, redemptionId, cancellationToken);
        await audit.RecordAsync(http, "loyalty.redemption_code_reissued", "customer", customerId, null, new { redemption.Id, redemption.Code });
        return TypedResults.Ok(redemption);
    }
}

public sealed record PointsRequest(long? Points, string? Reason)
{
    public void Validate(bool allowNegative)
    {
        var v = new Validation();
        if (Points is not { } p || p == 0 || (!allowNegative && p < 0) || Math.Abs(p) > 1_000_000)
        {
            v.Add("points", allowNegative ? "must be a whole number other than 0, at most 1,000,000 either way." : "must be a whole number from 1 to 1,000,000.");
        }
        v.Required("reason", Reason, 200);
        v.ThrowIfInvalid();
    }
}

public sealed record LoyaltyActivityRequest(string? Activity, string? Reference);

public sealed record ActivityResponse(bool Earned, string Reason);

public sealed record RedeemRequest(string? RewardId);

public sealed record TierProgressResponse(string Tier, string Term, decimal QualifyingSpend, string? NextTier, decimal? NextTierFrom, decimal? SpendToNextTier, int PercentToNextTier)
{
    public static TierProgressResponse From(TierProgress p) => new(
        p.Tier.ToString().ToLowerInvariant(), p.Term, Money.ToDecimal(p.QualifyingSpendCents), p.NextTier?.ToString().ToLowerInvariant(),
        p.NextTierFromCents is { } f ? Money.ToDecimal(f) : null, p.SpendToNextCents is { } s ? Money.ToDecimal(s) : null, p.PercentToNext);
}

public sealed record LoyaltyStatusResponse(
    string CustomerId, long Points, long PendingPoints, long Earned, long Redeemed, long Expired, long Reversed, TierProgressResponse Tier,
    IReadOnlyList<string> Perks, DateTimeOffset? TierSince, int StreakMonths, int BestStreakMonths, IReadOnlyList<EarnedBadge> Badges,
    string? ReferralCode, DateTimeOffset? PointsExpireAt)
{
    public static LoyaltyStatusResponse From(LoyaltyStatus s) => new(
        s.CustomerId, s.Points, s.PendingPoints, s.Earned, s.Redeemed, s.Expired, s.Reversed, TierProgressResponse.From(s.Tier), s.Perks, s.TierSince,
        s.StreakMonths, s.BestStreakMonths, s.Badges, s.ReferralCode, s.PointsExpireAt);
}
