using System.Text.Json;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Products;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Events;

/// <summary>
/// Checks a batch of store events in full before anything is stored: every problem of every event
/// is reported under <c>events[i].field</c>, and one bad event rejects the whole batch.
/// </summary>
public static class EventValidator
{
    public const int MaxBatchSize = 500;

    public static IReadOnlyList<StoreEvent> Validate(IReadOnlyList<StoreEventInput?>? events, DateTimeOffset now)
    {
        var check = new Validation();
        if (events is null || events.Count == 0)
        {
            check.Add("events", "must hold at least one event.");
            check.ThrowIfInvalid();
        }
        if (events!.Count > MaxBatchSize)
        {
            check.Add("events", $"at most {MaxBatchSize} events per batch; send larger batches in parts.");
            check.ThrowIfInvalid();
        }
        var valid = new List<StoreEvent>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var prefix = $"events[{i}].";
            var e = events[i];
            if (e is null)
            {
                check.Add($"events[{i}]", "must be an event object.");
                continue;
            }
            if (!KeyRules.IsValidKey(e.Id) || e.Id!.Length > 200)
            {
                check.Add(prefix + "id", "is required: a unique event id (1-200 characters, no / \\ # ?).");
            }
            if (e.Type is null || !EventTypes.IsKnown(e.Type))
            {
                check.Add(prefix + "type", $"'{e.Type}' is not a known event type; GET /api/events/types lists them.");
            }
            if (e.OccurredAt is null)
            {
                check.Add(prefix + "occurredAt", "is required.");
            }
            else if (e.OccurredAt > now.AddDays(1))
            {
                check.Add(prefix + "occurredAt", "is more than a day in the future.");
            }
            var catalogue = e.Type is not null && EventTypes.IsCatalogueEvent(e.Type);
            if (catalogue && e.CustomerId is null)
            {
                // A catalogue event belongs to no customer; it is applied to the product store.
            }
            else if (!KeyRules.IsValidKey(e.CustomerId) || e.CustomerId!.Length > 100)
            {
                check.Add(prefix + "customerId", "is required: the store's customer id.");
            }
            if (e.Type is not null && EventTypes.IsKnown(e.Type) && (e.CustomerId is not null || catalogue))
            {
                CheckData(e.Type, e.CustomerId ?? "", e.Data, check, prefix + "data.");
            }
            if (check.IsValid)
            {
                valid.Add(new StoreEvent(e.Id!, e.Type!, e.OccurredAt!.Value, e.CustomerId ?? "", e.Data ?? EmptyObject()));
            }
        }
        check.ThrowIfInvalid();
        return valid;
    }

    /// <summary>The customer fields of a customer event, with the id taken from the event when absent.</summary>
    public static CustomerFields CustomerData(StoreEvent e)
    {
        var fields = e.Data.Deserialize<CustomerFields>(CrmJson.Options) ?? new CustomerFields();
        return fields with { Id = e.CustomerId };
    }

    public static OrderInput OrderData(StoreEvent e) => e.Data.Deserialize<OrderInput>(CrmJson.Options)!;

    public static T Data<T>(StoreEvent e) => e.Data.Deserialize<T>(CrmJson.Options)!;

    private static void CheckData(string type, string customerId, JsonElement? data, Validation check, string prefix)
    {
        if (data is not { ValueKind: JsonValueKind.Object } json)
        {
            if (type == EventTypes.AccountLogin && data is null)
            {
                return;
            }
            check.Add(prefix.TrimEnd('.'), "must be an object.");
            return;
        }
        try
        {
            if (EventTypes.IsCustomerEvent(type))
            {
                var fields = json.Deserialize<CustomerFields>(CrmJson.Options) ?? new CustomerFields();
                if (fields.Id is not null && fields.Id != customerId)
                {
                    check.Add(prefix + "id", "must equal the event's customerId.");
                }
                CustomerRules.Validate(fields with { Id = customerId }, creating: type == EventTypes.CustomerCreated, check, prefix);
            }
            else if (EventTypes.IsOrderEvent(type))
            {
                var order = json.Deserialize<OrderInput>(CrmJson.Options)!;
                order.ToOrder(check, prefix);
                if (order.CustomerId is not null && order.CustomerId != customerId)
                {
                    check.Add(prefix + "customerId", "must equal the event's customerId.");
                }
            }
            else
            {
                switch (type)
                {
                    case EventTypes.CartUpdated or EventTypes.CartCheckedOut or EventTypes.CartAbandoned:
                        var cart = json.Deserialize<CartData>(CrmJson.Options)!;
                        check.Required(prefix + "cartId", cart.CartId, 100);
                        if (cart.Value is < 0)
                        {
                            check.Add(prefix + "value", "must not be negative.");
                        }
                        break;
                    case EventTypes.ProductViewed:
                        check.Required(prefix + "productId", json.Deserialize<ProductViewData>(CrmJson.Options)!.ProductId, 100);
                        break;
                    case EventTypes.ReviewSubmitted:
                        var review = json.Deserialize<ReviewData>(CrmJson.Options)!;
                        check.Required(prefix + "productId", review.ProductId, 100).MaxLength(prefix + "title", review.Title, 200).MaxLength(prefix + "body", review.Body, 4000);
                        if (review.Rating is null or < 1 or > 5)
                        {
                            check.Add(prefix + "rating", "must be a whole number from 1 to 5.");
                        }
                        break;
                    case EventTypes.NpsResponse:
                        var nps = json.Deserialize<NpsData>(CrmJson.Options)!;
                        if (nps.Score is null or < 0 or > 10)
                        {
                            check.Add(prefix + "score", "must be a whole number from 0 to 10.");
                        }
                        check.MaxLength(prefix + "comment", nps.Comment, 2000);
                        break;
                    case EventTypes.EmailOpened or EventTypes.EmailClicked:
                        var email = json.Deserialize<EmailEventData>(CrmJson.Options)!;
                        check.MaxLength(prefix + "messageId", email.MessageId, 200).MaxLength(prefix + "subject", email.Subject, 500).MaxLength(prefix + "url", email.Url, 2000);
                        break;
                    case EventTypes.ProductCreated or EventTypes.ProductUpdated:
                        var product = json.Deserialize<ProductFields>(CrmJson.Options)!;
                        if (type == EventTypes.ProductCreated)
                        {
                            ProductRules.Validate(product, check, prefix);
                        }
                        else
                        {
                            // Only the fields present are checked; whether they make a whole product is known when applied.
                            ProductRules.ValidateChange(product, check, prefix);
                        }
                        break;
                    case EventTypes.PageViewed:
                        check.Required(prefix + "url", json.Deserialize<PageViewData>(CrmJson.Options)!.Url, 2000);
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path[2..] : "";
            check.Add(prefix + field, "has a value of the wrong type or an unknown value.");
        }
    }

    private static JsonElement EmptyObject() => JsonDocument.Parse("{}").RootElement.Clone();
}

public sealed record CartData(string? CartId, decimal? Value, IReadOnlyList<CartItem>? Items, string? OrderId);

public sealed record CartItem(string? ProductId, string? Name, int? Quantity, decimal? UnitPrice);

public sealed record ProductViewData(string? ProductId, string? Name, string? Category);

public sealed record ReviewData(string? ProductId, int? Rating, string? Title, string? Body, string? Name = null);

public sealed record PageViewData(string? Url, string? Title);

public sealed record NpsData(int? Score, string? Comment);

public sealed record EmailEventData(string? MessageId, string? Subject, string? Url);
