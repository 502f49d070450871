using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core;
using PecosCrm.Core.Events;

namespace PecosCrm.UnitTests.Events;

public sealed class EventValidatorTests
{
    private const string OrderData = """
        {
          "id": "ord-1001", "number": "1001", "customerId": "cus-1", "placedAt": "2025-05-31T16:00:00Z",
          "currency": "USD", "total": 164.95,
          "lines": [ { "productId": "prod-roper", "name": "Roper boots", "category": "Boots", "quantity": 1, "unitPrice": 149.99 } ],
          "shipping": 14.96
        }
        """;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Validate_GoodBatch_ReturnsEveryEventInOrder()
    {
        StoreEventInput?[] events =
        [
            Event("evt-1", EventTypes.CustomerCreated, """{ "firstName": "Ana", "email": "ana@example.com", "phone": "(555) 123-4567" }"""),
            Event("evt-2", EventTypes.OrderPlaced, OrderData),
            Event("evt-3", EventTypes.ProductViewed, """{ "productId": "prod-hat" }"""),
            Event("evt-4", EventTypes.AccountLogin, null),
        ];

        var valid = EventValidator.Validate(events, _time.GetUtcNow());

        Assert.Equal(["evt-1", "evt-2", "evt-3", "evt-4"], valid.Select(e => e.Id));
        Assert.Equal("cus-1", valid[1].CustomerId);
        Assert.Equal(JsonValueKind.Object, valid[3].Data.ValueKind);
    }

    [Fact]
    public void Validate_NoEvents_Rejected()
    {
        var nothing = Errors(() => EventValidator.Validate(null, _time.GetUtcNow()));
        var empty = Errors(() => EventValidator.Validate([], _time.GetUtcNow()));

        Assert.Equal(["events"], nothing.Keys);
        Assert.Equal(["events"], empty.Keys);
    }

    [Fact]
    public void Validate_MoreThan500Events_RejectedWithAdviceToSplit()
    {
        var events = Enumerable.Range(0, 501).Select(i => Event($"evt-{i}", EventTypes.PageViewed, """{ "url": "/" }""")).ToList();

        var errors = Errors(() => EventValidator.Validate(events, _time.GetUtcNow()));

        Assert.Contains("at most 500 events", Assert.Single(errors["events"]));
    }

    [Fact]
    public void Validate_Exactly500Events_Accepted()
    {
        var events = Enumerable.Range(0, 500).Select(i => Event($"evt-{i}", EventTypes.PageViewed, """{ "url": "/" }""")).ToList();

        var valid = EventValidator.Validate(events, _time.GetUtcNow());

        Assert.Equal(500, valid.Count);
    }

    [Fact]
    public void Validate_SeveralBadEvents_EachNamedByPositionAndField()
    {
        StoreEventInput?[] events =
        [
            Event("evt-1", EventTypes.PageViewed, """{ "url": "/boots" }"""),
            Event(null, EventTypes.PageViewed, """{ "url": "/hats" }"""),
            null,
            Event("evt-4", "order.lost", "{}"),
            new StoreEventInput("evt-5", EventTypes.AccountLogin, null, null, null),
        ];

        var errors = Errors(() => EventValidator.Validate(events, _time.GetUtcNow()));

        Assert.Equal(
            ["events[1].id", "events[2]", "events[3].type", "events[4].customerId", "events[4].occurredAt"],
            errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("'order.lost' is not a known event type", errors["events[3].type"][0]);
    }

    [Fact]
    public void Validate_OccurredMoreThanADayAhead_Rejected()
    {
        var now = _time.GetUtcNow();
        StoreEventInput?[] events =
        [
            Event("evt-1", EventTypes.AccountLogin, null) with { OccurredAt = now.AddDays(1) },
            Event("evt-2", EventTypes.AccountLogin, null) with { OccurredAt = now.AddDays(1).AddSeconds(1) },
        ];

        var errors = Errors(() => EventValidator.Validate(events, now));

        Assert.Equal(["events[1].occurredAt"], errors.Keys);
    }

    [Fact]
    public void Validate_BadOrderData_NamesTheFieldInsideData()
    {
        var data = """
            {
              "id": "ord-1001", "number": "1001", "customerId": "cus-1", "placedAt": "2025-05-31T16:00:00Z",
              "currency": "USD", "total": 164.955,
              "lines": [ { "productId": "prod-roper", "name": "Roper boots", "quantity": 1 } ]
            }
            """;

        var errors = Errors(() => EventValidator.Validate([Event("evt-1", EventTypes.OrderPaid, data)], _time.GetUtcNow()));

        Assert.Equal(["events[0].data.lines[0].unitPrice", "events[0].data.total"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_OrderOfAnotherCustomer_Rejected()
    {
        var errors = Errors(() => EventValidator.Validate([Event("evt-1", EventTypes.OrderPlaced, OrderData, customerId: "cus-2")], _time.GetUtcNow()));

        Assert.Equal(["events[0].data.customerId"], errors.Keys);
    }

    [Theory]
    [InlineData(EventTypes.OrderPlaced, """{ "status": "lost" }""", "events[0].data.status")]
    [InlineData(EventTypes.ReviewSubmitted, """{ "productId": "prod-hat", "rating": "five" }""", "events[0].data.rating")]
    [InlineData(EventTypes.CartUpdated, """{ "cartId": "cart-1", "value": "lots" }""", "events[0].data.value")]
    [InlineData(EventTypes.OrderPaid, """{ "lines": [ { "productId": "prod-hat", "quantity": "two" } ] }""", "events[0].data.lines[0].quantity")]
    [InlineData(EventTypes.CustomerUpdated, """{ "tier": "diamond" }""", "events[0].data.tier")]
    public void Validate_ValueOfTheWrongType_NamesTheField(string type, string data, string expectedField)
    {
        var errors = Errors(() => EventValidator.Validate([Event("evt-1", type, data)], _time.GetUtcNow()));

        Assert.Equal(["has a value of the wrong type or an unknown value."], errors[expectedField]);
    }

    [Theory]
    [InlineData(EventTypes.CustomerCreated, """{ "lastName": "Lopez" }""", "events[0].data.firstName")]
    [InlineData(EventTypes.CustomerUpdated, """{ "id": "cus-2", "firstName": "Ana" }""", "events[0].data.id")]
    [InlineData(EventTypes.CustomerUpdated, """{ "email": "ana@" }""", "events[0].data.email")]
    [InlineData(EventTypes.CustomerUpdated, """{ "phone": "555-12" }""", "events[0].data.phone")]
    [InlineData(EventTypes.ReviewSubmitted, """{ "productId": "prod-hat", "rating": 6 }""", "events[0].data.rating")]
    [InlineData(EventTypes.ReviewSubmitted, """{ "rating": 4 }""", "events[0].data.productId")]
    [InlineData(EventTypes.PageViewed, """{ "title": "Boots" }""", "events[0].data.url")]
    [InlineData(EventTypes.ProductViewed, """{ "name": "Roper boots" }""", "events[0].data.productId")]
    [InlineData(EventTypes.CartAbandoned, """{ "value": 20.00 }""", "events[0].data.cartId")]
    [InlineData(EventTypes.CartUpdated, """{ "cartId": "cart-1", "value": -1 }""", "events[0].data.value")]
    [InlineData(EventTypes.OrderShipped, """[ 1, 2 ]""", "events[0].data")]
    public void Validate_DataBreaksTheRulesOfItsType_NamesTheField(string type, string data, string expectedField)
    {
        var errors = Errors(() => EventValidator.Validate([Event("evt-1", type, data)], _time.GetUtcNow()));

        Assert.Equal([expectedField], errors.Keys);
    }

    [Fact]
    public void Validate_DataMissingWhereRequired_Rejected()
    {
        var errors = Errors(() => EventValidator.Validate([Event("evt-1", EventTypes.PageViewed, null)], _time.GetUtcNow()));

        Assert.Equal(["must be an object."], errors["events[0].data"]);
    }

    [Fact]
    public void Validate_OneBadEvent_RejectsTheWholeBatch()
    {
        StoreEventInput?[] events =
        [
            Event("evt-1", EventTypes.OrderPlaced, OrderData),
            Event("evt-2", EventTypes.ReviewSubmitted, """{ "productId": "prod-roper", "rating": 0 }"""),
        ];

        var errors = Errors(() => EventValidator.Validate(events, _time.GetUtcNow()));

        Assert.Equal(["events[1].data.rating"], errors.Keys);
    }

    private StoreEventInput Event(string? id, string type, string? data, string customerId = "cus-1") =>
        new(id, type, _time.GetUtcNow().AddMinutes(-5), customerId, data is null ? null : JsonDocument.Parse(data).RootElement.Clone());

    private static IReadOnlyDictionary<string, string[]> Errors(Func<object> validate) =>
        Assert.Throws<ValidationFailedException>(validate).Errors;
}
