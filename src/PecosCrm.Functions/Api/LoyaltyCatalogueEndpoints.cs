using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Loyalty;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

/// <summary>The programme: earning rules, tiers, rewards, achievements, challenges, analytics and the nightly pass.</summary>
public static class LoyaltyCatalogueEndpoints
{
    public static IEndpointRouteBuilder MapLoyaltyCatalogueEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/loyalty").WithTags("Loyalty").RequireAuthorization(Permissions.LoyaltyRead);
        var write = app.MapGroup("/api/loyalty").WithTags("Loyalty").RequireAuthorization(Permissions.LoyaltyWrite);
        read.MapGet("/rules", RulesAsync).WithName("ListLoyaltyRules").WithSummary("The earning rules, seeded as the roadmap's table.");
        read.MapGet("/rules/{id}", RuleAsync).WithName("GetLoyaltyRule");
        write.MapPut("/rules/{id}", SaveRuleAsync).WithName("SaveLoyaltyRule").WithSummary("Edits, schedules or limits a rule; If-Match honoured.");
        read.MapGet("/tiers", TiersAsync).WithName("ListLoyaltyTiers").WithSummary("Tiers with their qualifying spend, multiplier and perks, and the term spend counts over.");
        read.MapGet("/rewards", RewardsAsync).WithName("ListLoyaltyRewards");
        read.MapGet("/rewards/{id}", RewardAsync).WithName("GetLoyaltyReward");
        write.MapPost("/rewards", CreateRewardAsync).WithName("CreateLoyaltyReward");
        write.MapPut("/rewards/{id}", UpdateRewardAsync).WithName("UpdateLoyaltyReward").WithSummary("Replaces a reward; If-Match honoured.");
        read.MapGet("/achievements", AchievementsAsync).WithName("ListLoyaltyAchievements").WithSummary("The ten seeded achievements and any added.");
        write.MapPost("/achievements", CreateAchievementAsync).WithName("CreateLoyaltyAchievement");
        read.MapGet("/challenges", ChallengesAsync).WithName("ListLoyaltyChallenges");
        write.MapPost("/challenges", CreateChallengeAsync).WithName("CreateLoyaltyChallenge");
        read.MapGet("/analytics", AnalyticsAsync).WithName("GetLoyaltyAnalytics").WithSummary("The programme's figures as of the last nightly pass.");
        app.MapPost("/api/loyalty/nightly", RunNightlyAsync).WithTags("Loyalty").RequireAuthorization(Permissions.JobsRun)
            .WithName("RunLoyaltyNightly").WithSummary("Runs the nightly pass now: tiers, anniversaries, badges, expiry and warnings, the figures.");
        return app;
    }

    public static async Task<Ok<ListResponse<EarningRule>>> RulesAsync(CatalogueStore catalogue, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<EarningRule>.Slice(await catalogue.RulesAsync(cancellationToken), limit, cursor));

    public static async Task<Ok<EarningRule>> RuleAsync(string id, CatalogueStore catalogue, HttpContext http, CancellationToken cancellationToken)
    {
        var rule = await catalogue.GetRuleAsync(id, cancellationToken);
        if (rule.ETag is { } etag)
        {
            http.SetETag(etag);
        }
        return TypedResults.Ok(rule);
    }

    public static async Task<Ok<EarningRule>> SaveRuleAsync(string id, RuleRequest request, CatalogueStore catalogue, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var current = await catalogue.GetRuleAsync(id, cancellationToken);
        var rule = request.Apply(current);
        var (before, after) = await catalogue.SaveRuleAsync(rule, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "loyalty_rule.saved", "loyalty_rule", id, before, after);
        if (after.ETag is { } etag)
        {
            http.SetETag(etag);
        }
        return TypedResults.Ok(after);
    }

    public static Ok<TiersResponse> TiersAsync(IOptions<LoyaltyOptions> options) =>
        TypedResults.Ok(new TiersResponse(options.Value.TierTerm, Tiers.All.Select(t => new TierResponse(t.Tier.ToString().ToLowerInvariant(), Money.ToDecimal(t.FromCents), t.Multiplier, t.Perks)).ToList()));

    public static async Task<Ok<ListResponse<Reward>>> RewardsAsync(CatalogueStore catalogue, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<Reward>.Slice(await catalogue.RewardsAsync(cancellationToken), limit, cursor));

    public static async Task<Ok<Reward>> RewardAsync(string id, CatalogueStore catalogue, HttpContext http, CancellationToken cancellationToken)
    {
        var reward = await catalogue.GetRewardAsync(id, cancellationToken);
        http.SetETag(reward.ETag!);
        return TypedResults.Ok(reward);
    }

    public static async Task<Created<Reward>> CreateRewardAsync(RewardRequest request, CatalogueStore catalogue, AuditLog audit, HttpContext http, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var reward = await catalogue.SaveRewardAsync(request.ToReward(request.Id ?? Ids.New(time), now, now, requireId: false), null, create: true, cancellationToken);
        await audit.RecordAsync(http, "loyalty_reward.created", "loyalty_reward", reward.Id, null, reward);
        http.SetETag(reward.ETag!);
        return TypedResults.Created($"/api/loyalty/rewards/{reward.Id}", reward);
    }

    public static async Task<Ok<Reward>> UpdateRewardAsync(string id, RewardRequest request, CatalogueStore catalogue, AuditLog audit, HttpContext http, TimeProvider time, CancellationToken cancellationToken)
    {
        var before = await catalogue.GetRewardAsync(id, cancellationToken);
        if (request.Id is not null && request.Id != id)
        {
            throw new ValidationFailedException("id", "cannot change.");
        }
        var reward = await catalogue.SaveRewardAsync(request.ToReward(id, before.CreatedAt, time.GetUtcNow(), requireId: false), http.IfMatch() ?? before.ETag, create: false, cancellationToken);
        await audit.RecordAsync(http, "loyalty_reward.updated", "loyalty_reward", id, before, reward);
        http.SetETag(reward.ETag!);
        return TypedResults.Ok(reward);
    }

    public static async Task<Ok<ListResponse<Achievement>>> AchievementsAsync(CatalogueStore catalogue, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<Achievement>.Slice(await catalogue.AchievementsAsync(cancellationToken), limit, cursor));

    public static async Task<Created<Achievement>> CreateAchievementAsync(AchievementRequest request, CatalogueStore catalogue, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var achievement = await catalogue.AddAchievementAsync(request.ToAchievement(), cancellationToken);
        await audit.RecordAsync(http, "loyalty_achievement.created", "loyalty_achievement", achievement.Id, null, achievement);
        return TypedResults.Created($"/api/loyalty/achievements/{achievement.Id}", achievement);
    }

    public static async Task<Ok<ListResponse<Challenge>>> ChallengesAsync(CatalogueStore catalogue, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<Challenge>.Slice(await catalogue.ChallengesAsync(cancellationToken), limit, cursor));

    public static async Task<Created<Challenge>> CreateChallengeAsync(ChallengeRequest request, CatalogueStore catalogue, AuditLog audit, HttpContext http, TimeProvider time, CancellationToken cancellationToken)
    {
        var challenge = await catalogue.AddChallengeAsync(request.ToChallenge(Ids.New(time), time.GetUtcNow()), cancellationToken);
        await audit.RecordAsync(http, "loyalty_challenge.created", "loyalty_challenge", challenge.Id, null, challenge);
        return TypedResults.Created($"/api/loyalty/challenges/{challenge.Id}", challenge);
    }

    public static async Task<Results<Ok<ProgrammeFigures>, NotFound<string>>> AnalyticsAsync(LoyaltyNightly nightly, CancellationToken cancellationToken) =>
        await nightly.FiguresAsync(cancellationToken) is { } figures ? TypedResults.Ok(figures) : TypedResults.NotFound("No nightly pass has run yet.");

    public static async Task<Ok<NightlyResult>> RunNightlyAsync(LoyaltyNightly nightly, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await nightly.RunAsync(cancellationToken);
        await audit.RecordAsync(http, "loyalty.nightly_run", "loyalty", "nightly", null, result);
        return TypedResults.Ok(result);
    }
}

public sealed record RuleRequest(string? Name, string? Description, decimal? Value, bool? Active, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, int? LimitCount, string? LimitPer)
{
    /// <summary>The rule with the fields sent replaced (a field left out keeps its value; dates and limits are replaced as sent).</summary>
    public EarningRule Apply(EarningRule current)
    {
        var v = new Validation();
        if (Name is not null)
        {
            v.Required("name", Name, 100);
        }
        if (Value is { } value && (value < 0 || value > 100_000))
        {
            v.Add("value", "must be from 0 to 100,000.");
        }
        if (StartsAt is { } s && EndsAt is { } e && e <= s)
        {
            v.Add("endsAt", "must be after startsAt.");
        }
        if (LimitCount is { } c && c < 1)
        {
            v.Add("limitCount", "must be 1 or more.");
        }
        if (LimitCount is not null && (LimitPer is null || !EarningRules.LimitPeriods.Contains(LimitPer)))
        {
            v.Add("limitPer", $"must be one of {string.Join(", ", EarningRules.LimitPeriods)} with a limitCount.");
        }
        v.ThrowIfInvalid();
        return current with
        {
            Name = Name ?? current.Name,
            Description = Description ?? current.Description,
            Value = Value ?? current.Value,
            Active = Active ?? current.Active,
            StartsAt = StartsAt,
            EndsAt = EndsAt,
            LimitCount = LimitCount,
            LimitPer = LimitCount is null ? null : LimitPer,
        };
    }
}

public sealed record RewardRequest(string? Id, string? Name, string? Description, RewardKind? Kind, long? Points, decimal? Amount, decimal? Percent, string? ProductId, int? ValidDays, bool? Active)
{
    public Reward ToReward(string id, DateTimeOffset createdAt, DateTimeOffset now, bool requireId)
    {
        var v = new Validation();
        if (!KeyRules.IsValidKey(id) || id.Length > 60)
        {
            v.Add("id", "must be at most 60 characters without / \\ # ? or control characters.");
        }
        v.Required("name", Name, 100);
        if (Kind is null)
        {
            v.Add("kind", "is required: discount_code, free_shipping or product.");
        }
        if (Points is not { } p || p < 1 || p > 10_000_000)
        {
            v.Add("points", "must be from 1 to 10,000,000.");
        }
        if (Kind == RewardKind.DiscountCode && (Amount is null) == (Percent is null))
        {
            v.Add("amount", "give an amount or a percent for a discount code, not both.");
        }
        if (Kind is RewardKind.FreeShipping or RewardKind.Product && Amount is null)
        {
            v.Add("amount", "is required: the value the code covers.");
        }
        if (Amount is { } a && (a <= 0 || Money.Round(a) != a))
        {
            v.Add("amount", "must be positive, in cents at most.");
        }
        if (Percent is { } pc && (pc <= 0 || pc > 100))
        {
            v.Add("percent", "must be above 0 and at most 100.");
        }
        if (Kind == RewardKind.Product && string.IsNullOrWhiteSpace(ProductId))
        {
            v.Add("productId", "is required for a product reward.");
        }
        if (ValidDays is { } d && (d < 1 || d > 730))
        {
            v.Add("validDays", "must be from 1 to 730.");
        }
        v.ThrowIfInvalid();
        return new Reward(id, Name!.Trim(), Description, Kind!.Value, Points!.Value, Amount, Percent, ProductId, ValidDays ?? 90, Active ?? true, createdAt, now);
    }
}

public sealed record AchievementRequest(string? Id, string? Name, string? Description, string? Metric, long? Threshold, long? BonusPoints)
{
    public Achievement ToAchievement()
    {
        var v = new Validation();
        if (!KeyRules.IsValidKey(Id) || Id!.Length > 60)
        {
            v.Add("id", "is required: at most 60 characters without / \\ # ? or control characters.");
        }
        v.Required("name", Name, 100);
        if (Metric is null || !Achievements.Metrics.Contains(Metric))
        {
            v.Add("metric", $"must be one of {string.Join(", ", Achievements.Metrics)}.");
        }
        if (Threshold is not { } t || t < 1)
        {
            v.Add("threshold", "must be 1 or more.");
        }
        if (BonusPoints is { } b && (b < 0 || b > 1_000_000))
        {
            v.Add("bonusPoints", "must be from 0 to 1,000,000.");
        }
        v.ThrowIfInvalid();
        return new Achievement(Id!, Name!.Trim(), Description ?? "", Metric!, Threshold!.Value, BonusPoints ?? 0);
    }
}

public sealed record ChallengeRequest(string? Name, string? Description, string? Metric, long? Target, long? BonusPoints, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt)
{
    public Challenge ToChallenge(string id, DateTimeOffset now)
    {
        var v = new Validation();
        v.Required("name", Name, 100);
        if (Metric is null || !Achievements.ChallengeMetrics.Contains(Metric))
        {
            v.Add("metric", $"must be one of {string.Join(", ", Achievements.ChallengeMetrics)}.");
        }
        if (Target is not { } t || t < 1)
        {
            v.Add("target", "must be 1 or more.");
        }
        if (BonusPoints is not { } b || b < 1 || b > 1_000_000)
        {
            v.Add("bonusPoints", "must be from 1 to 1,000,000.");
        }
        if (StartsAt is null)
        {
            v.Add("startsAt", "is required.");
        }
        if (EndsAt is null || (StartsAt is { } s && EndsAt <= s))
        {
            v.Add("endsAt", "is required and must be after startsAt.");
        }
        v.ThrowIfInvalid();
        return new Challenge(id, Name!.Trim(), Description, Metric!, Target!.Value, BonusPoints!.Value, StartsAt!.Value, EndsAt!.Value, now);
    }
}

public sealed record TierResponse(string Tier, decimal QualifyingSpendFrom, decimal Multiplier, IReadOnlyList<string> Perks);

public sealed record TiersResponse(string Term, IReadOnlyList<TierResponse> Tiers);
