using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;
using static PecosCrm.IntegrationTests.Loyalty.LoyaltyTestKit;

namespace PecosCrm.IntegrationTests.Loyalty;

/// <summary>
/// The loyalty programme through the API on Azurite: points earned on the order event path and
/// reversed exactly by refunds, the birthday month, redemptions under concurrency, tiers on a rolling
/// term, referrals and their fraud checks, expiry, rules and the figures, challenges, badges, streaks
/// and grants from real events. One app (a fake clock, a rolling 12-month tier term, two orders kept
/// on the account) for the class; each test uses its own customers.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LoyaltyTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 15, 18, 0, 0, TimeSpan.Zero));
    private CrmApp _app = null!;
    private HttpClient _admin = null!;

    public Task InitializeAsync()
    {
        _app = fixture.NewApp(new Dictionary<string, string?>
        {
            ["Hosting:RunTimers"] = "false",
            ["Loyalty:TierTerm"] = "rolling_12_months",
            ["Loyalty:PendingDays"] = "14",
            // The account lists the newest two orders: a refund of an older one reads the order's own points row.
            ["Loyalty:OrdersKept"] = "2",
        }, _time);
        _admin = _app.Admin();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public async Task Order_EarnsPendingPoints_FullRefundReversesExactlyWhatItEarned()
    {
        var id = NewId("c");
        await CustomerAsync(_admin, id, Now.AddDays(-60), birthday: "1988-02-11");
        var order = NewId("o");

        await _admin.PostEventsAsync(Event(NewId("e"), "order.placed", Now, id, Order(order, id, Now, 120.75m)));
        var earned = await WaitForAccountAsync(_admin, id, a => Pending(a) > 0, "order points pending");
        await _admin.PostEventsAsync(Event(NewId("e"), "order.refunded", Now.AddHours(1), id, Order(order, id, Now, 120.75m)));
        var reversed = await WaitForAccountAsync(_admin, id, a => Pending(a) == 0, "refund reversed the points");
        var ledger = await LedgerAsync(_admin, id);

        Assert.Equal(170, Pending(earned));
        Assert.Equal(0, Points(earned));
        Assert.Equal(0, Points(reversed));
        Assert.Equal(170, reversed["reversed"]!.GetValue<long>());
        Assert.Equal(-170, ledger.Where(e => e!["kind"]!.GetValue<string>() == "reverse").Sum(e => e!["points"]!.GetValue<long>()));
        Assert.Equal(["earn", "earn", "reverse"], ledger.Select(e => e!["kind"]!.GetValue<string>()).Order().ToArray());
    }

    [Fact]
    public async Task PartialRefunds_ReverseTheirShare_AndTogetherExactlyWhatTheOrderEarned()
    {
        var id = NewId("c");
        var placed = Now.AddDays(-30);
        await CustomerAsync(_admin, id, placed.AddDays(-1), birthday: "1988-02-11");
        var order = NewId("o");
        await _admin.PostEventsAsync(Event(NewId("e"), "order.placed", placed, id, Order(order, id, placed, 200m)));
        await WaitForAccountAsync(_admin, id, a => Points(a) == 250, "200 + 50 first purchase, spendable after 14 days");

        await _admin.PostEventsAsync(Event(NewId("e"), "order.refunded", Now, id, Refund(order, id, placed, 200m, 50m)));
        var partial = await WaitForAccountAsync(_admin, id, a => Points(a) < 250, "partial refund reversed");
        await _admin.PostEventsAsync(Event(NewId("e"), "order.refunded", Now.AddHours(1), id, Refund(order, id, placed, 200m, 150m)));
        var full = await WaitForAccountAsync(_admin, id, a => Points(a) < Points(partial), "rest refunded");

        Assert.Equal(250 - 62, Points(partial));
        Assert.Equal(0, Points(full));
        Assert.Equal(250, full["reversed"]!.GetValue<long>());
    }

    [Fact]
    public async Task RefundOfAnOrderPastTheNewestKept_ReversesExactlyWhatItEarned()
    {
        var id = NewId("c");
        await CustomerAsync(_admin, id, Now.AddDays(-60), birthday: "1988-02-11");
        var (first, second, third) = (NewId("o"), NewId("o"), NewId("o"));
        await _admin.PostEventsAsync(
            Event(NewId("e"), "order.placed", Now.AddDays(-3), id, Order(first, id, Now.AddDays(-3), 30m, number: "2001")),
            Event(NewId("e"), "order.placed", Now.AddDays(-2), id, Order(second, id, Now.AddDays(-2), 40m, number: "2002")),
            Event(NewId("e"), "order.placed", Now.AddDays(-1), id, Order(third, id, Now.AddDays(-1), 50m, number: "2003")));
        await WaitForAccountAsync(_admin, id, a => Pending(a) == 30 + 50 + 40 + 50, "three orders earned");

        await _admin.PostEventsAsync(Event(NewId("e"), "order.refunded", Now, id, Order(first, id, Now.AddDays(-3), 30m, number: "2001")));
        var refunded = await WaitForAccountAsync(_admin, id, a => Pending(a) < 170, "the oldest order's refund reversed");
        var reversal = (await LedgerAsync(_admin, id)).Single(e => e!["kind"]!.GetValue<string>() == "reverse")!;

        Assert.Equal(90, Pending(refunded));
        Assert.Equal(80, refunded["reversed"]!.GetValue<long>());
        Assert.Equal(-80, reversal["points"]!.GetValue<long>());
        Assert.Equal("order:" + first, reversal["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task OrderPlacedAndRefundedInOneBatch_EarnsAndReversesExactly()
    {
        var id = NewId("c");
        await CustomerAsync(_admin, id, Now.AddDays(-60), birthday: "1988-02-11");
        var order = NewId("o");

        await _admin.PostEventsAsync(
            Event(NewId("e"), "order.placed", Now.AddHours(-2), id, Order(order, id, Now.AddHours(-2), 75m)),
            Event(NewId("e"), "order.refunded", Now.AddHours(-1), id, Order(order, id, Now.AddHours(-2), 75m)));
        var account = await WaitForAccountAsync(_admin, id, a => a["reversed"]!.GetValue<long>() > 0, "the refund in the same batch reversed the points");

        Assert.Equal(75 + 50, account["earned"]!.GetValue<long>());
        Assert.Equal(75 + 50, account["reversed"]!.GetValue<long>());
        Assert.Equal(0, Pending(account) + Points(account));
    }

    [Fact]
    public async Task Gamification_FromRealOrders_ChallengeBadgesStreak_AndASurpriseGrant()
    {
        var id = NewId("c");
        await CustomerAsync(_admin, id, Now.AddDays(-90));
        var challenge = await (await _admin.PostJsonAsync("/api/loyalty/challenges", new
        {
            name = "Summer roundup " + id, metric = "spend", target = 1000, bonusPoints = 75, startsAt = Now.AddHours(-1), endsAt = Now.AddDays(5),
        })).AssertJsonAsync(HttpStatusCode.Created);
        var lastMonth = Now.AddMonths(-1);

        await _admin.PostEventsAsync(
            Event(NewId("e"), "order.placed", lastMonth, id, Order(NewId("o"), id, lastMonth, 50m)),
            Event(NewId("e"), "order.placed", Now.AddMinutes(-30), id, Order(NewId("o"), id, Now.AddMinutes(-30), 600m)),
            Event(NewId("e"), "order.placed", Now.AddMinutes(-20), id, Order(NewId("o"), id, Now.AddMinutes(-20), 450m)));
        var account = await WaitForAccountAsync(_admin, id, a => a["earned"]!.GetValue<long>() > 0 && a["badges"]!.AsArray().Count >= 3, "orders applied");
        var grant = await (await _admin.PostJsonAsync($"/api/loyalty/customers/{id}/grants", new { points = 30, reason = "Sorry your boots were late" })).AssertJsonAsync(HttpStatusCode.Created);
        var after = await AccountAsync(_admin, id);
        var ledger = await LedgerAsync(_admin, id);
        var bonus = ledger.Single(e => e!["key"]!.GetValue<string>() == "chl-" + challenge["id"]!.GetValue<string>())!;

        Assert.Equal(75, bonus["points"]!.GetValue<long>());
        Assert.Equal("challenge:" + challenge["id"]!.GetValue<string>(), bonus["source"]!.GetValue<string>());
        Assert.Equal(["big-spender", "first-boots", "gold-standard"], account["badges"]!.AsArray().Select(b => b!["achievementId"]!.GetValue<string>()).Order().ToArray());
        Assert.Equal(2, account["streakMonths"]!.GetValue<int>());
        Assert.Equal("adjust", grant["kind"]!.GetValue<string>());
        Assert.StartsWith("surprise:", grant["source"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(Points(account) + 30, Points(after));
    }

    [Fact]
    public async Task BirthdayMonthPurchase_EarnsDoublePoints()
    {
        var (june, march) = (NewId("c"), NewId("c"));
        await CustomerAsync(_admin, june, Now.AddDays(-90), birthday: "1990-06-28");
        await CustomerAsync(_admin, march, Now.AddDays(-90), birthday: "1990-03-02");

        await _admin.PostEventsAsync(
            Event(NewId("e"), "order.placed", Now, june, Order(NewId("o"), june, Now, 100m)),
            Event(NewId("e"), "order.placed", Now, march, Order(NewId("o"), march, Now, 100m)));
        var doubled = await WaitForAccountAsync(_admin, june, a => Pending(a) > 0, "birthday order earned");
        var single = await WaitForAccountAsync(_admin, march, a => Pending(a) > 0, "other order earned");
        var entry = (await LedgerAsync(_admin, june)).Single(e => e!["rule"]!.GetValue<string>() == "per_dollar")!;

        Assert.Equal(200 + 50, Pending(doubled));
        Assert.Equal(100 + 50, Pending(single));
        Assert.Contains("birthday month", entry["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SixteenRedemptionsAtOnce_NeverOverspend_AndACancelRestoresExactly()
    {
        var id = NewId("c");
        await CustomerAsync(_admin, id, Now.AddDays(-10));
        await (await _admin.PostJsonAsync($"/api/loyalty/customers/{id}/grants", new { points = 1000, reason = "surprise" })).AssertJsonAsync(HttpStatusCode.Created);
        var reward = await RewardAsync(_admin, 150);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => _app.Admin().PostJsonAsync($"/api/loyalty/customers/{id}/redemptions", new { rewardId = reward })));
        var after = await AccountAsync(_admin, id);
        var redeemed = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        var first = await redeemed[0].AssertJsonAsync(HttpStatusCode.Created);
        var cancelled = await (await _admin.PostAsync($"/api/loyalty/customers/{id}/redemptions/{first["id"]}/cancel", null)).AssertJsonAsync();
        var cancelledAgain = await (await _admin.PostAsync($"/api/loyalty/customers/{id}/redemptions/{first["id"]}/cancel", null)).AssertJsonAsync();
        var second = await redeemed[1].AssertJsonAsync(HttpStatusCode.Created);
        var reissued = await (await _admin.PostAsync($"/api/loyalty/customers/{id}/redemptions/{second["id"]}/reissue", null)).AssertJsonAsync();
        var reissueCancelled = await _admin.PostAsync($"/api/loyalty/customers/{id}/redemptions/{first["id"]}/reissue", null);
        var reissueUnknown = await _admin.PostAsync($"/api/loyalty/customers/{id}/redemptions/no-such-redemption/reissue", null);
        var codes = (await (await _admin.GetAsync($"/api/customers/{id}/discount-codes?limit=500")).AssertJsonAsync())["items"]!.AsArray();
        var restored = await AccountAsync(_admin, id);
        var voided = await (await _admin.GetAsync($"/api/discount-codes/{first["code"]}")).AssertJsonAsync();
        var kept = await (await _admin.GetAsync($"/api/discount-codes/{second["code"]}")).AssertJsonAsync();
        // An order spends the second code: its redemption can no longer be given back.
        var orderId = NewId("o");
        await _admin.PostEventsAsync(Event(NewId("e"), "order.placed", Now, id, Order(orderId, id, Now, 20m, coupon: second["code"]!.GetValue<string>())));
        await HttpAssertions.EventuallyAsync(async () => (await _admin.GetAsync($"/api/orders/{orderId}")).IsSuccessStatusCode, "the order with the code applied");
        var beforeSpentCancel = Points(await AccountAsync(_admin, id));
        var spentCancel = await _admin.PostAsync($"/api/loyalty/customers/{id}/redemptions/{second["id"]}/cancel", null);
        var afterSpentCancel = Points(await AccountAsync(_admin, id));
        var ledger = await LedgerAsync(_admin, id);

        Assert.Equal(6, redeemed.Count);
        Assert.All(responses.Except(redeemed), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(100, Points(after));
        Assert.StartsWith("RWD-", first["code"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal("cancelled", cancelledAgain["status"]!.GetValue<string>());
        Assert.NotNull(voided["voidedAt"]);
        Assert.Contains("cancelled", voided["voidReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(kept["voidedAt"]);
        await spentCancel.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(beforeSpentCancel, afterSpentCancel);
        Assert.Equal(250, Points(restored));
        Assert.Equal(6, ledger.Count(e => e!["kind"]!.GetValue<string>() == "redeem"));
        Assert.Single(ledger, e => e!["kind"]!.GetValue<string>() == "reverse");
        Assert.Equal(second["code"]!.GetValue<string>(), reissued["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, reissueCancelled.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, reissueUnknown.StatusCode);
        Assert.Single(codes, c => c!["code"]!.GetValue<string>() == second["code"]!.GetValue<string>());
        Assert.Equal(6, codes.Count(c => c!["code"]!.GetValue<string>().StartsWith("RWD-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RollingTerm_GoldOnASpend_DemotedByTheNightlyPassOnceItFallsOutOfTheYear()
    {
        var id = NewId("c");
        await CustomerAsync(_admin, id, Now.AddDays(-5));
        await _admin.PostEventsAsync(Event(NewId("e"), "order.placed", Now, id, Order(NewId("o"), id, Now, 600m)));
        var gold = await WaitForAccountAsync(_admin, id, a => Tier(a) == "gold", "gold on $600");
        var view = await (await _admin.GetAsync($"/api/customers/{id}/360")).AssertJsonAsync();

        _time.Advance(TimeSpan.FromDays(395));
        await (await _admin.PostAsync("/api/loyalty/nightly", null)).AssertJsonAsync();
        var demoted = await AccountAsync(_admin, id);
        var profile = await (await _admin.GetAsync($"/api/customers/{id}")).AssertJsonAsync();

        Assert.Equal("platinum", gold["tier"]!["nextTier"]!.GetValue<string>());
        Assert.Equal(400m, gold["tier"]!["spendToNextTier"]!.GetValue<decimal>());
        Assert.Equal("gold", view["loyalty"]!["tier"]!["tier"]!.GetValue<string>());
        Assert.Equal("bronze", Tier(demoted));
        Assert.Equal(0m, demoted["tier"]!["qualifyingSpend"]!.GetValue<decimal>());
        Assert.Equal("bronze", profile["tier"]!.GetValue<string>());
    }

    [Fact]
    public async Task Referral_SameEmailDomainRefused_RealFriendsFirstOrderCreditsBoth()
    {
        var (referrer, cousin, friend) = (NewId("c"), NewId("c"), NewId("c"));
        await CustomerAsync(_admin, referrer, Now.AddDays(-100), email: $"{referrer}@bellranch.example");
        await CustomerAsync(_admin, cousin, Now.AddDays(-1), email: $"{cousin}@bellranch.example");
        await CustomerAsync(_admin, friend, Now.AddDays(-1), email: $"{friend}@gmail.com");
        var link = await (await _admin.PostJsonAsync($"/api/loyalty/customers/{referrer}/referral", new { deviceFingerprint = "dev-1" })).AssertJsonAsync();
        var code = link["code"]!.GetValue<string>();

        var refused = await (await _admin.PostJsonAsync("/api/loyalty/referrals", new { code, refereeCustomerId = cousin })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var sameDevice = await (await _admin.PostJsonAsync("/api/loyalty/referrals", new { code, refereeCustomerId = friend, deviceFingerprint = "dev-1" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var selfReferral = await (await _admin.PostJsonAsync("/api/loyalty/referrals", new { code, refereeCustomerId = referrer })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var none = (await (await _admin.GetAsync($"/api/loyalty/referrals?referrerId={referrer}")).AssertJsonAsync())["items"]!.AsArray();
        var signedUp = await (await _admin.PostJsonAsync("/api/loyalty/referrals", new { code, refereeCustomerId = friend, deviceFingerprint = "dev-2" })).AssertJsonAsync(HttpStatusCode.Created);
        await _admin.PostEventsAsync(Event(NewId("e"), "order.placed", Now, friend, Order(NewId("o"), friend, Now, 80m)));
        var referral = signedUp["id"]!.GetValue<string>();
        await HttpAssertions.EventuallyAsync(async () => (await (await _admin.GetAsync($"/api/loyalty/referrals/{referral}")).AssertJsonAsync())["status"]!.GetValue<string>() == "credited",
            "referral credited");
        var credited = await (await _admin.GetAsync($"/api/loyalty/referrals/{referral}")).AssertJsonAsync();
        var referrerAccount = await AccountAsync(_admin, referrer);

        Assert.Contains("email domain", refused["errors"]!["refereeCustomerId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(sameDevice["errors"]!["deviceFingerprint"]);
        Assert.Contains("self-referral", selfReferral["errors"]!["refereeCustomerId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(none);
        Assert.Equal("signed_up", signedUp["status"]!.GetValue<string>());
        Assert.Equal(100, Points(referrerAccount));
        Assert.StartsWith("REF-", credited["referrerCredit"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("REF-", credited["refereeCredit"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith("?ref=" + code, link["link"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuietCustomer_WarnedBeforeExpiry_ThenPointsExpire()
    {
        var id = NewId("c");
        var placed = Now.AddDays(-340);
        await CustomerAsync(_admin, id, placed.AddDays(-1));
        await _admin.PostEventsAsync(Event(NewId("e"), "order.placed", placed, id, Order(NewId("o"), id, placed, 90m)));
        await WaitForAccountAsync(_admin, id, a => Points(a) == 140, "points earned long ago");

        await (await _admin.PostAsync("/api/loyalty/nightly", null)).AssertJsonAsync();
        var warned = await AccountAsync(_admin, id);
        var outbox = await OutboxToAsync(id, 1);
        await (await _admin.PostAsync("/api/loyalty/nightly", null)).AssertJsonAsync();
        var outboxAgain = (await OutboxToAsync(id, 1)).Count;
        _time.Advance(TimeSpan.FromDays(26));
        await (await _admin.PostAsync("/api/loyalty/nightly", null)).AssertJsonAsync();
        var expired = await AccountAsync(_admin, id);
        var ledger = await LedgerAsync(_admin, id);

        Assert.Equal(140, Points(warned));
        Assert.Single(outbox);
        Assert.Contains("expire", outbox[0]!["subject"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, outboxAgain);
        Assert.Equal(0, Points(expired));
        Assert.Equal(140, expired["expired"]!.GetValue<long>());
        Assert.Equal(-140, ledger.Single(e => e!["kind"]!.GetValue<string>() == "expire")!["points"]!.GetValue<long>());
    }

    private async Task<List<JsonNode>> OutboxToAsync(string customerId, int expect)
    {
        List<JsonNode> mine = [];
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var outbox = await (await _admin.GetAsync("/api/outbox?limit=500")).AssertJsonAsync();
            mine = outbox["items"]!.AsArray().Where(i => i!["to"]!.GetValue<string>() == $"{customerId}@gmail.com").Select(i => i!).ToList();
            return mine.Count >= expect;
        }, $"{expect} emails to {customerId}");
        return mine;
    }

    [Fact]
    public async Task Rules_EditedWithIfMatch_LimitHoldsSocialSharesToOneADay_ReviewEarns()
    {
        var id = NewId("c");
        await CustomerAsync(_admin, id, Now.AddDays(-3));
        var edited = await _admin.PutAsync("/api/loyalty/rules/social_share", System.Net.Http.Json.JsonContent.Create(new { value = 12, limitCount = 1, limitPer = "day" }));
        var firstTag = edited.Headers.ETag!.ToString();
        var back = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/api/loyalty/rules/social_share")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { value = 10, limitCount = 1, limitPer = "day" }), Headers = { { "If-Match", firstTag } },
        });
        var stale = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/api/loyalty/rules/social_share")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { value = 99, limitCount = 1, limitPer = "day" }), Headers = { { "If-Match", firstTag } },
        });

        var unknown = await (await _admin.PutAsync("/api/loyalty/rules/social_share", System.Net.Http.Json.JsonContent.Create(new { value = 12, bonus = true }))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var badLimit = await (await _admin.PutAsync("/api/loyalty/rules/social_share", System.Net.Http.Json.JsonContent.Create(new { limitCount = 1, limitPer = "fortnight" }))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var first = await (await _admin.PostJsonAsync($"/api/loyalty/customers/{id}/activities", new { activity = "social_share", reference = "instagram" })).AssertJsonAsync(HttpStatusCode.Created);
        var second = await (await _admin.PostJsonAsync($"/api/loyalty/customers/{id}/activities", new { activity = "social_share" })).AssertJsonAsync();
        await _admin.PostEventsAsync(Event(NewId("e"), "review.submitted", Now, id, new JsonObject { ["productId"] = "p-boots", ["rating"] = 5 }));
        var reviewed = await WaitForAccountAsync(_admin, id, a => Points(a) == 10 + 25 + 10, "share, review and the Critic badge's bonus earned");

        Assert.Equal("is not a known field", unknown["errors"]!["bonus"]![0]!.GetValue<string>());
        Assert.NotNull(badLimit["errors"]!["limitPer"]);
        Assert.Equal(10, first["points"]!.GetValue<long>());
        Assert.False(second["earned"]!.GetValue<bool>());
        Assert.Contains(reviewed["badges"]!.AsArray(), b => b!["achievementId"]!.GetValue<string>() == "critic");
        Assert.Equal(12m, (await edited.AssertJsonAsync())["value"]!.GetValue<decimal>());
        Assert.Equal(10m, (await back.AssertJsonAsync())["value"]!.GetValue<decimal>());
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
    }

    [Fact]
    public async Task PointsAwardedBeforeTheLedger_MoveOntoIt_Once()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var id = NewId("c");
        await CustomerAsync(admin, id, DateTimeOffset.UtcNow.AddDays(-30));
        // The rows the automation actions wrote before the ledger: a balance row and one row per award.
        var customers = app.Storage.Table(PecosCrm.Core.Storage.StorageNames.Tables.Customers);
        await customers.AddEntityAsync(new Azure.Data.Tables.TableEntity(id, "loyalty|" + id) { ["Points"] = 300L, ["UpdatedAt"] = DateTimeOffset.UtcNow });
        await customers.AddEntityAsync(new Azure.Data.Tables.TableEntity(id, $"pts|old-award|{id}")
        {
            ["Points"] = 300L, ["Reason"] = "automation step grant", ["Actor"] = "automation:vip-gift", ["At"] = DateTimeOffset.UtcNow.AddDays(-10),
        });

        var first = await (await admin.PostAsync("/api/loyalty/nightly", null)).AssertJsonAsync();
        var second = await (await admin.PostAsync("/api/loyalty/nightly", null)).AssertJsonAsync();
        var account = await AccountAsync(admin, id);
        var ledger = await LedgerAsync(admin, id);
        var oldRow = await customers.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(id, "loyalty|" + id);

        Assert.Equal(1, first["migrated"]!.GetValue<int>());
        Assert.Equal(0, second["migrated"]!.GetValue<int>());
        Assert.Equal(300, Points(account));
        var entry = Assert.Single(ledger)!;
        Assert.Equal("adjust", entry["kind"]!.GetValue<string>());
        Assert.Equal("automation:vip-gift", entry["source"]!.GetValue<string>());
        Assert.False(oldRow.HasValue);
    }

    [Fact]
    public async Task Analytics_AfterTheNightlyPass_CountMembersPointsAndRevenue()
    {
        var (member, shopper) = (NewId("c"), NewId("c"));
        await CustomerAsync(_admin, member, Now.AddDays(-40));
        await CustomerAsync(_admin, shopper, Now.AddDays(-40));
        await _admin.PostEventsAsync(Event(NewId("e"), "order.placed", Now.AddDays(-20), member, Order(NewId("o"), member, Now.AddDays(-20), 300m)));
        await WaitForAccountAsync(_admin, member, a => Points(a) > 0, "member earned");

        await (await _admin.PostAsync("/api/loyalty/nightly", null)).AssertJsonAsync();
        var figures = await (await _admin.GetAsync("/api/loyalty/analytics")).AssertJsonAsync();

        Assert.True(figures["members"]!.GetValue<int>() >= 1);
        Assert.True(figures["nonMembers"]!.GetValue<int>() >= 1);
        Assert.True(figures["membersByTier"]!["silver"]!.GetValue<int>() >= 1);
        Assert.True(figures["pointsIssued"]!.GetValue<long>() >= 350);
        Assert.True(figures["memberRevenue"]!.GetValue<decimal>() >= 300m);
        Assert.True(figures["outstandingLiability"]!.GetValue<decimal>() >= 3.5m);
    }
}
