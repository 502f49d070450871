using System.Net.Http.Headers;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Integrations.Connectors;
using PecosCrm.Core.Orders;

namespace PecosCrm.UnitTests.Integrations;

public sealed class ConnectorLogicTests
{
    private static readonly DateTimeOffset Updated = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Customer Dusty = new(
        "c-1", "Dusty", "Rhodes", "Dusty@Riders.example", "+14325550101",
        [new Address(AddressKind.Shipping, "1 Main St", null, "Pecos", "TX", "79772", "US"), new Address(AddressKind.Billing, "2 Oak", null, "Odessa", "TX", "79761", "US")],
        null, null, new MarketingConsent(true, null, false, null), LoyaltyTier.Gold, Updated, null, Updated, Updated, "");

    private static readonly IReadOnlyList<FieldMap> Mapping =
        [new(FieldMapping.FirstName, "firstname"), new(FieldMapping.LastName, "lastname", ConflictRule.CrmWins), new(FieldMapping.City, "city", ConflictRule.RemoteWins)];

    [Fact]
    public void SubscriberHash_IsTheMd5OfTheLowerCasedEmail_AsMailchimpDocuments()
    {
        // Mailchimp's documentation example: "Urist.McVankab@freddiesjokes.com" hashes to this value.
        Assert.Equal("62eeb292278cc15f5817cb78f7790b08", MailchimpFormat.SubscriberHash("Urist.McVankab@freddiesjokes.com"));
        Assert.Equal(MailchimpFormat.SubscriberHash("urist.mcvankab@freddiesjokes.com"), MailchimpFormat.SubscriberHash(" URIST.McVankab@FreddiesJokes.com "));
    }

    [Fact]
    public void DataCentre_IsTheKeysSuffix_OrNullWithoutOne()
    {
        Assert.Equal("us21", MailchimpFormat.DataCentre("0123456789abcdef-us21"));
        Assert.Null(MailchimpFormat.DataCentre("0123456789abcdef"));
        Assert.Null(MailchimpFormat.DataCentre("0123456789abcdef-"));
    }

    [Fact]
    public void Member_WithdrawnConsent_Unsubscribes_GivenConsent_OnlySubscribesNewMembers()
    {
        var consenting = MailchimpFormat.Member(Dusty);
        var withdrawn = MailchimpFormat.Member(Dusty with { Consent = MarketingConsent.None });

        Assert.Equal("subscribed", consenting["status_if_new"]!.GetValue<string>());
        Assert.Null(consenting["status"]);
        Assert.Equal("unsubscribed", withdrawn["status"]!.GetValue<string>());
        Assert.Equal("Dusty", consenting["merge_fields"]!["FNAME"]!.GetValue<string>());
    }

    [Fact]
    public void BeforeNextCall_FollowsTheSchedule_ThenGivesUp_AndRetryAfterWins()
    {
        TimeSpan[] delays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)];

        Assert.Equal(TimeSpan.FromSeconds(1), ConnectorBackoff.BeforeNextCall(1, delays, null));
        Assert.Equal(TimeSpan.FromSeconds(4), ConnectorBackoff.BeforeNextCall(2, delays, null));
        Assert.Null(ConnectorBackoff.BeforeNextCall(3, delays, null));
        Assert.Equal(TimeSpan.FromSeconds(30), ConnectorBackoff.BeforeNextCall(1, delays, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void RetryAfter_ReadsSecondsOrADate()
    {
        var now = new DateTimeOffset(2026, 12, 5, 6, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromSeconds(7), ConnectorBackoff.RetryAfter(new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), now));
        Assert.Equal(TimeSpan.FromSeconds(90), ConnectorBackoff.RetryAfter(new RetryConditionHeaderValue(now.AddSeconds(90)), now));
        Assert.Equal(TimeSpan.Zero, ConnectorBackoff.RetryAfter(new RetryConditionHeaderValue(now.AddSeconds(-5)), now));
        Assert.Null(ConnectorBackoff.RetryAfter(null, now));
    }

    [Fact]
    public void AfterFailedSync_DoublesWithEachFailure_UpToTheMaximum()
    {
        var first = TimeSpan.FromMinutes(5);
        var max = TimeSpan.FromHours(6);

        Assert.Equal(TimeSpan.FromMinutes(5), ConnectorBackoff.AfterFailedSync(1, first, max));
        Assert.Equal(TimeSpan.FromMinutes(10), ConnectorBackoff.AfterFailedSync(2, first, max));
        Assert.Equal(TimeSpan.FromMinutes(40), ConnectorBackoff.AfterFailedSync(4, first, max));
        Assert.Equal(max, ConnectorBackoff.AfterFailedSync(10, first, max));
        Assert.Equal(max, ConnectorBackoff.AfterFailedSync(500, first, max));
    }

    [Fact]
    public void Decide_Newest_TakesTheLaterSide_FieldRulesOverride_AndEqualOrEmptyValuesAreNoConflict()
    {
        var remote = new Dictionary<string, string?> { ["firstname"] = "Dustin", ["lastname"] = "Rhoades", ["city"] = "Austin" };

        var newer = ConflictResolver.Decide(Dusty, remote, Updated.AddMinutes(1), Mapping, ConflictRule.Newest);
        var older = ConflictResolver.Decide(Dusty, remote, Updated.AddMinutes(-1), Mapping, ConflictRule.Newest);
        var same = ConflictResolver.Decide(Dusty, new Dictionary<string, string?> { ["firstname"] = "Dusty", ["lastname"] = "" }, Updated.AddDays(1), Mapping, ConflictRule.RemoteWins);

        Assert.Equal([("firstName", true), ("lastName", false), ("city", true)], newer.Select(c => (c.Field, c.RemoteWins)));
        Assert.Equal([("firstName", false), ("lastName", false), ("city", true)], older.Select(c => (c.Field, c.RemoteWins)));
        Assert.Equal("Odessa", newer[2].CrmValue);
        Assert.Empty(same);
    }

    [Fact]
    public void Decide_ATie_KeepsTheCrmValue()
    {
        var conflicts = ConflictResolver.Decide(Dusty, new Dictionary<string, string?> { ["firstname"] = "Dustin" }, Updated, Mapping, ConflictRule.Newest);

        Assert.False(Assert.Single(conflicts).RemoteWins);
    }

    [Fact]
    public void Patch_ChangesNamesAndTheBillingAddress_AndNothingElse()
    {
        var patch = FieldMapping.Patch(Dusty, new Dictionary<string, string?> { [FieldMapping.FirstName] = "Dustin", [FieldMapping.City] = "Austin" })!;

        Assert.Equal("Dustin", patch.FirstName);
        Assert.Null(patch.LastName);
        Assert.Equal(["Pecos", "Austin"], patch.Addresses!.Select(a => a.City));
        Assert.Null(FieldMapping.Patch(Dusty, new Dictionary<string, string?>()));
        Assert.Null(FieldMapping.Patch(Dusty with { Addresses = [] }, new Dictionary<string, string?> { [FieldMapping.City] = "Austin" }));
    }

    [Fact]
    public void Read_UsesTheBillingAddress_AndRefusesAnUnknownField()
    {
        Assert.Equal("Odessa", FieldMapping.Read(Dusty, FieldMapping.City));
        Assert.Equal("79761", FieldMapping.Read(Dusty, FieldMapping.PostalCode));
        Assert.Throws<ArgumentOutOfRangeException>(() => FieldMapping.Read(Dusty, "email"));
    }

    [Fact]
    public void HubSpotSearch_FiltersOnLastModifiedAfterTheCursor_OldestFirst_WithTheMappedProperties()
    {
        var body = HubSpotConnector.Search(Updated, Mapping, "next-page");

        var filter = body["filterGroups"]![0]!["filters"]![0]!;
        Assert.Equal("lastmodifieddate", filter["propertyName"]!.GetValue<string>());
        Assert.Equal("GT", filter["operator"]!.GetValue<string>());
        Assert.Equal(Updated.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), filter["value"]!.GetValue<string>());
        Assert.Equal("ASCENDING", body["sorts"]![0]!["direction"]!.GetValue<string>());
        Assert.Equal(["email", "lastmodifieddate", "firstname", "lastname", "city"], body["properties"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("next-page", body["after"]!.GetValue<string>());
    }

    [Fact]
    public void KlaviyoOrderEvent_IsAPlacedOrderOfTheBuyer_WithItsValueAndTheOrderIdAsUniqueId()
    {
        var order = new Order("o-9", "1009", "c-1", Updated, OrderStatus.Paid, new Dictionary<OrderStatus, DateTimeOffset>(), "USD",
            [new OrderLine("p-1", "SKU-1", "Roper boots", "Boots", 2, 12_550)], 25_100, 0, null, 0, 0, 25_100, 0, null);

        var e = KlaviyoFormat.OrderEvent(order, Dusty)["data"]!;

        Assert.Equal("event", e["type"]!.GetValue<string>());
        Assert.Equal("Placed Order", e["attributes"]!["metric"]!["data"]!["attributes"]!["name"]!.GetValue<string>());
        Assert.Equal(251m, e["attributes"]!["value"]!.GetValue<decimal>());
        Assert.Equal("o-9", e["attributes"]!["unique_id"]!.GetValue<string>());
        Assert.Equal("c-1", e["attributes"]!["profile"]!["data"]!["attributes"]!["external_id"]!.GetValue<string>());
        Assert.Equal(125.5m, e["attributes"]!["properties"]!["Items"]![0]!["ItemPrice"]!.GetValue<decimal>());
    }
}
