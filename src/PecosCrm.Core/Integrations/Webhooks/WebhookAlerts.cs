using System.Net;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Staff;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>Tells the active admins, by email, that a webhook subscription was disabled and why.</summary>
public sealed class WebhookAlerts(StaffStore staff, IEmailSender email, IOptions<MessagingOptions> messaging)
{
    private const int MaxAdmins = 100;

    public async Task SubscriptionDisabledAsync(WebhookSubscription subscription, WebhookDelivery? last, CancellationToken cancellationToken = default)
    {
        var admins = await staff.ListAsync(StaffRole.Admin, active: true, MaxAdmins, null, cancellationToken);
        var subject = $"Webhook disabled: {subscription.Url}";
        var why = last is null ? "its deliveries kept failing" : last.ResponseStatus is { } status ? $"the receiver kept answering {status}" : $"the receiver could not be reached ({last.Error})";
        var text = $"""
            The webhook subscription {subscription.Id} to {subscription.Url} was disabled: {why} for the whole retry schedule.
            Events published while it is disabled are not delivered. Fix the receiver, turn the subscription back on
            (PATCH /api/webhooks/{subscription.Id} with "active": true), and replay what it missed (POST /api/webhooks/{subscription.Id}/replay).
            """;
        var html = "<p>" + WebUtility.HtmlEncode(text).Replace("\n", "<br>", StringComparison.Ordinal) + "</p>";
        foreach (var admin in admins.Items)
        {
            await email.SendAsync(
                new OutgoingEmail(admin.Email, admin.Name, messaging.Value.FromEmail, messaging.Value.FromName, subject, html, text,
                    new Dictionary<string, string>(), new Dictionary<string, string>(), "webhooks"),
                cancellationToken);
        }
    }
}
