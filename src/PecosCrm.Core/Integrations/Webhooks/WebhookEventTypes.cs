using PecosCrm.Core.Events;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// The outward event types a subscription may name: the store events PecosCrm applies (published
/// under their own names once applied) and those other features publish through
/// <see cref="WebhookPublisher"/>. A subscription may also name every type of a family as
/// <c>order.*</c>.
/// </summary>
public static class WebhookEventTypes
{
    public const string LoyaltyPointsEarned = "loyalty.points_earned";
    public const string LoyaltyPointsRedeemed = "loyalty.points_redeemed";
    public const string LoyaltyTierChanged = "loyalty.tier_changed";
    public const string SupportTicketCreated = "support.ticket_created";
    public const string SupportTicketUpdated = "support.ticket_updated";
    public const string SupportTicketResolved = "support.ticket_resolved";
    public const string SupportTicketRated = "support.ticket_rated";

    /// <summary>Store events that stay inside: too frequent to be worth a call each, and about browsing, not the customer's record.</summary>
    private static readonly HashSet<string> Internal = [EventTypes.PageViewed, EventTypes.ProductViewed, EventTypes.AccountLogin, EventTypes.CartUpdated];

    public static readonly IReadOnlyList<string> All =
    [
        .. EventTypes.All.Select(t => t.Name).Where(t => !Internal.Contains(t)),
        LoyaltyPointsEarned, LoyaltyPointsRedeemed, LoyaltyTierChanged, SupportTicketCreated, SupportTicketUpdated, SupportTicketResolved, SupportTicketRated,
    ];

    /// <summary>Whether an applied store event is published to subscribers.</summary>
    public static bool IsPublished(string storeEventType) => !Internal.Contains(storeEventType) && EventTypes.IsKnown(storeEventType);

    /// <summary>A name a subscription may hold: a known type, or a known family followed by <c>.*</c>.</summary>
    public static bool IsValidFilter(string filter) =>
        All.Contains(filter, StringComparer.Ordinal)
        || (filter.EndsWith(".*", StringComparison.Ordinal) && All.Any(t => t.StartsWith(filter[..^1], StringComparison.Ordinal)));

    public static bool Matches(IEnumerable<string> filters, string type) =>
        filters.Any(f => f == type || (f.EndsWith(".*", StringComparison.Ordinal) && type.StartsWith(f[..^1], StringComparison.Ordinal)));
}
