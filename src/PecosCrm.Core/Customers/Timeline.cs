namespace PecosCrm.Core.Customers;

/// <summary>Kinds of timeline entries; the timeline can be filtered by each.</summary>
public enum TimelineType
{
    Order,
    Email,
    Support,
    Review,
    Loyalty,
    Login,
    PageView,
    Cart,
    Account,
    Note,
    Tag,
    Automation,
    Survey,
}

/// <summary>One line of a customer's activity timeline.</summary>
/// <param name="Link">Where the source lives in the API (the order, the note, ...), when it has one.</param>
public sealed record TimelineEntry(
    string Id,
    string CustomerId,
    TimelineType Type,
    string Title,
    DateTimeOffset At,
    string Actor,
    string? Link,
    string? Detail);
