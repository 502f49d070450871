using System.Collections.Concurrent;
using System.Text.Json;
using Azure;
using PecosCrm.Core.Events;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Segments;

namespace PecosCrm.Core.Automation;

/// <summary>
/// The ten automations the store starts with, as the roadmap's pre-built automations table
/// describes them; the abandoned cart follows the roadmap's diagram step for step. Each is seeded
/// once and inactive (a <c>seeded</c> marker row remembers it), so staff review one, switch it on,
/// edit or deactivate it, and it stays that way. Their emails are default templates
/// (<see cref="Messaging.Templates.DefaultTemplates"/>), which are seeded first.
/// Where the table leaves room, the definitions say how it was read: the abandoned cart's
/// "increasing discount" is no code in the first reminder and 10% in the second; the welcome
/// series skips its first-order offer for a customer who has ordered by day 7 (and counts that as
/// its goal); win-back and birthday wait out their code's 30 days so an order in that time counts
/// as their goal; the loyalty milestone is 1,000 points; replenishment waits the boot care products'
/// replenishment interval after the order was delivered (60 days while none is known).
/// </summary>
public static class PrebuiltAutomations
{
    /// <summary>What seeding did: how many workflows were created, and those refused with the validation errors that stopped them.</summary>
    public sealed record SeedResult(int Created, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string[]>> Refused);

    private const double Column = 260;
    private const double Row = 120;

    public static readonly IReadOnlyList<(string Id, WorkflowDefinition Definition)> All =
    [
        ("welcome-series", new WorkflowDefinition(
            "Welcome Series",
            "A new account gets three emails over seven days: a welcome, the store's story and bestsellers, then a first-order offer (10% off, 14 days), which a customer who has ordered by then does not need.",
            new Trigger("event", EventTypes.CustomerCreated, Reentry: "once"),
            [
                new("start", "trigger", Next: "welcome", Position: At(0, 0)),
                new("welcome", "send_email", Next: "wait-3d", TemplateId: "welcome-1", Position: At(0, 1)),
                new("wait-3d", "wait", Next: "story", Duration: TimeSpan.FromDays(3), Position: At(0, 2)),
                new("story", "send_email", Next: "wait-4d", TemplateId: "welcome-2-our-story", Position: At(0, 3)),
                new("wait-4d", "wait", Next: "ordered", Duration: TimeSpan.FromDays(4), Position: At(0, 4)),
                new("ordered", "condition", Test: "ordered", Yes: "first-order", No: "offer-code", Position: At(0, 5)),
                new("first-order", "goal", Position: At(-1, 6)),
                new("offer-code", "action", Next: "offer", Action: "discount_code", DiscountKind: DiscountKind.Percent, DiscountValue: 10, ValidDays: 14, Position: At(1, 6)),
                new("offer", "send_email", Next: "done", TemplateId: "welcome-3-first-order-offer", Position: At(1, 7)),
                new("done", "end", Position: At(1, 8)),
            ],
            MessagePurpose.Marketing)),

        ("abandoned-cart", new WorkflowDefinition(
            "Abandoned Cart",
            "A cart idle for an hour or more gets two reminders with an increasing discount: \"Forgot something?\" an hour later, then 10% off the cart a day after that; the flow ends when the customer orders.",
            new Trigger("event", EventTypes.CartAbandoned, Reentry: "after_days", ReentryDays: 30),
            [
                new("start", "trigger", Next: "wait-1h", Position: At(0, 0)),
                new("wait-1h", "wait", Next: "forgot-something", Duration: TimeSpan.FromHours(1), Position: At(0, 1)),
                new("forgot-something", "send_email", Next: "purchased", TemplateId: "abandoned-cart-1", Position: At(0, 2)),
                new("purchased", "condition", Test: "ordered", Yes: "end-purchased", No: "wait-24h", Position: At(0, 3)),
                new("end-purchased", "end", Position: At(-1, 4)),
                new("wait-24h", "wait", Next: "ten-percent-code", Duration: TimeSpan.FromHours(24), Position: At(1, 4)),
                new("ten-percent-code", "action", Next: "ten-percent-off", Action: "discount_code", DiscountKind: DiscountKind.Percent, DiscountValue: 10, ValidDays: 7, Position: At(1, 5)),
                new("ten-percent-off", "send_email", Next: "end", TemplateId: "abandoned-cart-2", Position: At(1, 6)),
                new("end", "end", Position: At(1, 7)),
            ],
            MessagePurpose.Marketing,
            GoalEvent: EventTypes.OrderPlaced)),

        ("post-purchase", new WorkflowDefinition(
            "Post-Purchase",
            "When an order is delivered: a thank-you at once, then a review request three days later, unless the customer has reviewed by then.",
            new Trigger("event", EventTypes.OrderDelivered, Reentry: "after_days", ReentryDays: 1),
            [
                new("start", "trigger", Next: "thank-you", Position: At(0, 0)),
                new("thank-you", "send_email", Next: "wait-3d", TemplateId: "post-purchase-thank-you", Position: At(0, 1)),
                new("wait-3d", "wait", Next: "review-request", Duration: TimeSpan.FromDays(3), Position: At(0, 2)),
                new("review-request", "send_email", Next: "end", TemplateId: "review-request", Position: At(0, 3)),
                new("end", "end", Position: At(0, 4)),
            ],
            MessagePurpose.Transactional,
            GoalEvent: EventTypes.ReviewSubmitted)),

        ("win-back", new WorkflowDefinition(
            "Win-Back",
            "A customer with no order in 60 days gets a re-engagement email with 15% off for 30 days; an order while the code is good ends the flow at its goal.",
            new Trigger("behavior", Behavior: "no_order", Days: 60, Reentry: "after_days", ReentryDays: 60),
            [
                new("start", "trigger", Next: "offer-code", Position: At(0, 0)),
                new("offer-code", "action", Next: "we-miss-you", Action: "discount_code", DiscountKind: DiscountKind.Percent, DiscountValue: 15, ValidDays: 30, Position: At(0, 1)),
                new("we-miss-you", "send_email", Next: "offer-window", TemplateId: "win-back", Position: At(0, 2)),
                new("offer-window", "wait", Next: "end", Duration: TimeSpan.FromDays(30), Position: At(0, 3)),
                new("end", "end", Position: At(0, 4)),
            ],
            MessagePurpose.Marketing,
            GoalEvent: EventTypes.OrderPlaced)),

        ("birthday", new WorkflowDefinition(
            "Birthday",
            "On the customer's birthday (in the store's time zone): a birthday email with 15% off for 30 days; an order while the code is good ends the flow at its goal.",
            new Trigger("date_field", DateField: "birthday", Reentry: "after_days", ReentryDays: 300),
            [
                new("start", "trigger", Next: "birthday-code", Position: At(0, 0)),
                new("birthday-code", "action", Next: "happy-birthday", Action: "discount_code", DiscountKind: DiscountKind.Percent, DiscountValue: 15, ValidDays: 30, Position: At(0, 1)),
                new("happy-birthday", "send_email", Next: "offer-window", TemplateId: "birthday", Position: At(0, 2)),
                new("offer-window", "wait", Next: "end", Duration: TimeSpan.FromDays(30), Position: At(0, 3)),
                new("end", "end", Position: At(0, 4)),
            ],
            MessagePurpose.Marketing,
            GoalEvent: EventTypes.OrderPlaced)),

        ("browse-abandonment", new WorkflowDefinition(
            "Browse Abandonment",
            "A customer who viewed a product and has not ordered a day later gets a reminder email; at most once a week.",
            new Trigger("event", EventTypes.ProductViewed, FlowFilters: [new FlowFilter("not_ordered_since_enrolment")], Reentry: "after_days", ReentryDays: 7),
            [
                new("start", "trigger", Next: "wait-1d", Position: At(0, 0)),
                new("wait-1d", "wait", Next: "ordered", Duration: TimeSpan.FromDays(1), Position: At(0, 1)),
                new("ordered", "condition", Test: "ordered", Yes: "end-ordered", No: "still-looking", Position: At(0, 2)),
                new("end-ordered", "end", Position: At(-1, 3)),
                new("still-looking", "send_email", Next: "end", TemplateId: "browse-abandonment", Position: At(1, 3)),
                new("end", "end", Position: At(1, 4)),
            ],
            MessagePurpose.Marketing,
            GoalEvent: EventTypes.OrderPlaced)),

        ("review-follow-up", new WorkflowDefinition(
            "Review Follow-Up",
            "Fourteen days after an order is delivered, a review request, unless the customer has reviewed by then.",
            new Trigger("event", EventTypes.OrderDelivered, Reentry: "after_days", ReentryDays: 1),
            [
                new("start", "trigger", Next: "wait-14d", Position: At(0, 0)),
                new("wait-14d", "wait", Next: "review-request", Duration: TimeSpan.FromDays(14), Position: At(0, 1)),
                new("review-request", "send_email", Next: "end", TemplateId: "review-request", Position: At(0, 2)),
                new("end", "end", Position: At(0, 3)),
            ],
            MessagePurpose.Transactional,
            GoalEvent: EventTypes.ReviewSubmitted)),

        ("loyalty-milestone", new WorkflowDefinition(
            "Loyalty Milestone",
            "When the customer's points balance reaches 1,000: a congratulations email, then a reminder to redeem the points two weeks later.",
            new Trigger("threshold", Metric: "points", Value: 1000, Reentry: "after_days", ReentryDays: 180),
            [
                new("start", "trigger", Next: "congratulations", Position: At(0, 0)),
                new("congratulations", "send_email", Next: "wait-14d", TemplateId: "loyalty-milestone", Position: At(0, 1)),
                new("wait-14d", "wait", Next: "redeem-reminder", Duration: TimeSpan.FromDays(14), Position: At(0, 2)),
                new("redeem-reminder", "send_email", Next: "end", TemplateId: "loyalty-redemption-reminder", Position: At(0, 3)),
                new("end", "end", Position: At(0, 4)),
            ],
            MessagePurpose.Marketing)),

        ("vip-upgrade", new WorkflowDefinition(
            "VIP Upgrade",
            "A customer promoted to the Gold or Platinum tier gets a welcome to the new tier.",
            new Trigger("event", "tier.changed", Filters: [new DataFilter("tier", "in", JsonSerializer.SerializeToElement(new[] { "gold", "platinum" }))],
                Reentry: "after_days", ReentryDays: 30),
            [
                new("start", "trigger", Next: "welcome-to-tier", Position: At(0, 0)),
                new("welcome-to-tier", "send_email", Next: "end", TemplateId: "vip-upgrade", Position: At(0, 1)),
                new("end", "end", Position: At(0, 2)),
            ],
            MessagePurpose.Marketing)),

        ("replenishment", new WorkflowDefinition(
            "Replenishment",
            "When an order with boot care products is delivered, a reminder to restock after the products' replenishment interval (how long customers take to buy them again; sixty days until that is known), unless the customer has ordered since.",
            new Trigger("event", EventTypes.OrderDelivered, Filters: [new DataFilter("lines.*.category", "in", JsonSerializer.SerializeToElement(new[] { "boot care" }))],
                Reentry: "after_days", ReentryDays: 30),
            [
                new("start", "trigger", Next: "wait-60d", Position: At(0, 0)),
                new("wait-60d", "wait", Next: "reordered", Duration: TimeSpan.FromDays(60), Position: At(0, 1), DurationFrom: WaitDurations.Replenishment),
                new("reordered", "condition", Test: "ordered", Yes: "end-reordered", No: "restock-reminder", Position: At(0, 2)),
                new("end-reordered", "end", Position: At(-1, 3)),
                new("restock-reminder", "send_email", Next: "end", TemplateId: "replenishment", Position: At(1, 3)),
                new("end", "end", Position: At(1, 4)),
            ],
            MessagePurpose.Marketing,
            GoalEvent: EventTypes.OrderPlaced,
            AttributionDays: 14)),
    ];

    /// <summary>
    /// Creates, inactive, each pre-built automation not seeded before. Each is checked against the
    /// stores first; one that fails (a template staff deactivated, say) is left unseeded and
    /// reported, so a later start tries it again.
    /// </summary>
    public static async Task<SeedResult> SeedAsync(WorkflowStore workflows, WorkflowChecks checks, CancellationToken cancellationToken = default)
    {
        var created = 0;
        var refused = new ConcurrentDictionary<string, IReadOnlyDictionary<string, string[]>>(StringComparer.Ordinal);
        // Start-up waits for this; a few at a time keeps it short without crowding storage.
        await Parallel.ForEachAsync(All, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (prebuilt, ct) =>
        {
            var (id, definition) = prebuilt;
            if (await workflows.WasSeededAsync(id, ct))
            {
                return;
            }
            try
            {
                await WorkflowValidator.CheckAsync(definition, checks.Context(ct));
            }
            catch (ValidationFailedException ex)
            {
                refused[id] = ex.Errors;
                return;
            }
            if (await workflows.FindAsync(id, ct) is null)
            {
                try
                {
                    await workflows.CreateAsync(definition, "system", preBuilt: true, id: id, cancellationToken: ct);
                    Interlocked.Increment(ref created);
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    // Another instance seeded it at the same moment.
                }
            }
            await workflows.MarkSeededAsync(id, ct);
        });
        return new SeedResult(created, refused);
    }

    private static Position At(int column, int row) => new(column * Column, row * Row);
}
