namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// The templates the store starts with: one for every example of the roadmap's template table,
/// with stable ids a sender can name. Each is seeded once (a <c>seeded</c> marker row remembers
/// it), so staff may edit or deactivate one and it stays that way. The text bodies are derived from
/// the HTML. Marketing templates, and the VIP offer, carry the unsubscribe and preference links.
/// </summary>
public static class DefaultTemplates
{
    public sealed record Default(string Id, string Name, TemplateCategory Category, string Subject, string Html);

    public static readonly IReadOnlyList<Default> All =
    [
        new("order-confirmation", "Order confirmation", TemplateCategory.Order,
            "Your {{store.name}} order #{{order.number}} is confirmed",
            Layout("""
                <h1 style="font-size:24px;margin:0 0 16px;">Thanks for your order, {{customer.first_name}}!</h1>
                <p>We've got order #{{order.number}}, placed {{order.placed_at}}, and our crew is pulling it off the shelves now. We'll send the tracking link the minute it rides out.</p>
                <table role="presentation" width="100%" cellpadding="6" cellspacing="0" style="border-collapse:collapse;margin:16px 0;">
                {{#each order.items}}
                <tr style="border-bottom:1px solid #e6dccb;"><td>{{name}}</td><td align="center">x{{quantity}}</td><td align="right">{{total}}</td></tr>
                {{/each}}
                </table>
                <p>Subtotal: {{order.subtotal}}<br>
                {{#if order.coupon_code}}Discount ({{order.coupon_code}}): -{{order.discount}}<br>{{/if}}
                Shipping: {{order.shipping}}<br>
                Tax: {{order.tax}}<br>
                <strong>Total: {{order.total}}</strong></p>
                <p><strong>Breaking in new boots?</strong> A good leather boot fits snug across the instep, with a little heel slip at first; that eases as the leather gives. Wear them around the house a few evenings before a long day in the saddle.</p>
                <p>Questions about your order? Reply to this email or call us at {{store.phone}}.</p>
                """)),

        new("order-shipped", "Order shipped", TemplateCategory.Order,
            "Order #{{order.number}} is on its way",
            Layout("""
                <h1 style="font-size:24px;margin:0 0 16px;">Saddle up, {{customer.first_name}}, your order is on the trail</h1>
                <p>Order #{{order.number}} left our warehouse today{{#if order.carrier}} with {{order.carrier}}{{/if}}.{{#if order.expected_at}} It should reach you by {{order.expected_at}}.{{/if}}</p>
                {{#if order.tracking_url}}
                <p><a href="{{order.tracking_url}}" style="display:inline-block;background:#8b4513;color:#ffffff;padding:10px 20px;border-radius:4px;text-decoration:none;">Track your package</a></p>
                {{/if}}
                <p>In the box:</p>
                <ul>
                {{#each order.items}}
                <li>{{name}} x{{quantity}}</li>
                {{/each}}
                </ul>
                <p>When your boots arrive, give them a light coat of leather conditioner before the first wear; it keeps the leather supple and helps it mold to your foot.</p>
                """)),

        new("order-delivered", "Order delivered", TemplateCategory.Order,
            "Your order #{{order.number}} has arrived",
            Layout("""
                <h1 style="font-size:24px;margin:0 0 16px;">Your order has landed, {{customer.first_name}}</h1>
                <p>Order #{{order.number}} was delivered. We hope it's everything you were after.</p>
                <p><strong>A few fit tips:</strong></p>
                <ul>
                <li>Try boots on in the evening, when your feet are at their largest, with the socks you'll wear them with.</li>
                <li>Expect a little heel slip in new boots. If your toes are pinched or your heel lifts more than half an inch, the size is off.</li>
                <li>A hat should sit level, about a finger's width above your eyebrows and ears, snug without leaving a mark.</li>
                </ul>
                <p>If something doesn't fit right, keep the soles clean and the tags on, and reply to this email: we'll help you find the right size.</p>
                {{#if links.review}}
                <p><a href="{{links.review}}">Tell us how it fits</a>; your review helps the next cowboy pick the right size.</p>
                {{/if}}
                """)),

        new("order-delayed", "Order delayed", TemplateCategory.Order,
            "An update on your order #{{order.number}}",
            Layout("""
                <h1 style="font-size:24px;margin:0 0 16px;">We're running behind, {{customer.first_name}}</h1>
                <p>We're sorry: order #{{order.number}} is taking longer than we promised.</p>
                {{#if message.note}}
                <p>{{message.note}}</p>
                {{/if}}
                {{#if order.expected_at}}
                <p>The new estimated delivery date is <strong>{{order.expected_at}}</strong>.</p>
                {{/if}}
                <p>If you'd rather not wait, reply to this email or call {{store.phone}} and we'll swap in an in-stock style or cancel the order, whichever you prefer.</p>
                <p>Thank you for your patience,<br>The {{store.name}} team</p>
                """)),

        new("ticket-received", "Ticket received", TemplateCategory.Service,
            "We got your message{{#if ticket.number}} (ticket {{ticket.number}}){{/if}}",
            Layout("""
                <p>Howdy {{customer.first_name}},</p>
                <p>Thanks for reaching out{{#if ticket.subject}} about "{{ticket.subject}}"{{/if}}. Your request is with our team and someone will get back to you within one business day.</p>
                {{#if ticket.url}}
                <p><a href="{{ticket.url}}">View your request</a></p>
                {{/if}}
                <p>Asking about boot sizing? Stand on a sheet of paper, trace your foot, and measure from heel to longest toe; send us that number with your usual shoe size and we'll recommend a size and width.</p>
                <p>Talk soon,<br>The {{store.name}} team</p>
                """)),

        new("issue-resolved", "Issue resolved", TemplateCategory.Service,
            "Your request{{#if ticket.number}} {{ticket.number}}{{/if}} is resolved",
            Layout("""
                <p>Howdy {{customer.first_name}},</p>
                <p>Good news: we've wrapped up your request{{#if ticket.subject}} about "{{ticket.subject}}"{{/if}}.</p>
                {{#if message.note}}
                <p>{{message.note}}</p>
                {{/if}}
                <p>If anything still isn't right, just reply to this email and it will come straight back to us.</p>
                <p>Thanks for riding with us,<br>{{#if staff.name}}{{staff.name}}{{else}}The {{store.name}} team{{/if}}</p>
                """)),

        new("support-follow-up", "Support follow-up", TemplateCategory.Service,
            "How did we do, {{customer.first_name}}?",
            Layout("""
                <p>Howdy {{customer.first_name}},</p>
                <p>A few days ago we helped you{{#if ticket.subject}} with "{{ticket.subject}}"{{/if}}. We wanted to check in: did everything work out?</p>
                <p>If those boots still need breaking in, a little saddle soap and a few short wears a day do more than any shortcut. And if anything else comes up, reply here or call {{store.phone}}.</p>
                <p>All the best,<br>{{#if staff.name}}{{staff.name}}{{else}}The {{store.name}} team{{/if}}</p>
                """)),

        new("welcome-1", "Welcome series 1: welcome", TemplateCategory.Marketing,
            "Welcome to {{store.name}}, {{customer.first_name}}",
            Layout("""
                <h1 style="font-size:24px;margin:0 0 16px;">Welcome to the outfit, {{customer.first_name}}</h1>
                <p>Pull up a chair. {{store.name}} is where working cowboys, weekend riders and folks who just like good leather find their boots, hats, workwear and denim.</p>
                <p>Here's what to expect from us:</p>
                <ul>
                <li>Boots built to be resoled, not replaced: ropers, western and work boots in full sizes and widths.</li>
                <li>Felt hats for fall and winter, straw for summer, shaped to your liking.</li>
                <li>Workwear and denim that hold up to fence lines and feed runs.</li>
                </ul>
                <p>Not sure of your size? Reply to this email; a real person who knows boots will answer.</p>
                <p><a href="{{store.url}}" style="display:inline-block;background:#8b4513;color:#ffffff;padding:10px 20px;border-radius:4px;text-decoration:none;">Browse the store</a></p>
                """, marketing: true)),

        new("welcome-2-our-story", "Welcome series 2: our story and bestsellers", TemplateCategory.Marketing,
            "Our story, and the boots folks keep coming back for",
            Layout("""
                <p>Howdy {{customer.first_name}},</p>
                <p>{{store.name}} takes its name from the river that runs through West Texas ranch country, where a pair of boots has to last through mud, rock and long days. That's the standard we hold everything we sell to.</p>
                <p><strong>The bestsellers our customers keep coming back for:</strong></p>
                <ul>
                <li><strong>The Square-Toe Roper:</strong> a low heel and a roomy toe for all-day comfort, in and out of the stirrup.</li>
                <li><strong>The Cattleman felt hat:</strong> a classic crease and a brim wide enough to keep the sun off your neck.</li>
                <li><strong>The Pearl Snap work shirt:</strong> heavy cotton that softens with every wash.</li>
                <li><strong>Rigid ranch denim:</strong> stiff on day one, molded to you by day thirty.</li>
                </ul>
                <p><a href="{{store.url}}">See the whole lineup</a></p>
                """, marketing: true)),

        new("welcome-3-first-order-offer", "Welcome series 3: first-order offer", TemplateCategory.Marketing,
            "A welcome gift for your first order, {{customer.first_name}}",
            Layout("""
                <h1 style="font-size:24px;margin:0 0 16px;">Your first pair is on us{{#if offer.amount}}, {{offer.amount}} of it anyway{{/if}}</h1>
                <p>{{customer.first_name}}, we'd like to help you pick out your first boots, hat or pair of jeans from {{store.name}}.</p>
                {{#if offer.code}}
                <p style="font-size:20px;text-align:center;border:2px dashed #8b4513;padding:12px;">Use code <strong>{{offer.code}}</strong>{{#if offer.amount}} for {{offer.amount}} off{{/if}}</p>
                {{#if offer.expires_at}}<p style="text-align:center;">Good through {{offer.expires_at}}.</p>{{/if}}
                {{/if}}
                <p>Tip: boots are sized by length and width. If you wear a wide shoe, look for an E or EE width rather than sizing up.</p>
                <p><a href="{{store.url}}" style="display:inline-block;background:#8b4513;color:#ffffff;padding:10px 20px;border-radius:4px;text-decoration:none;">Shop now</a></p>
                """, marketing: true)),

        new("win-back", "Win-back", TemplateCategory.Marketing,
            "We've missed you, {{customer.first_name}}",
            Layout("""
                <h1 style="font-size:24px;margin:0 0 16px;">It's been a while, {{customer.first_name}}</h1>
                <p>The trail's been quiet without you. Since your last visit we've stocked new ropers, fresh straw hats for the hot months and workwear that stands up to a full season.</p>
                {{#if offer.code}}
                <p>Come on back and take {{#if offer.amount}}{{offer.amount}}{{else}}a little something{{/if}} off with code <strong>{{offer.code}}</strong>{{#if offer.expires_at}}, good through {{offer.expires_at}}{{/if}}.</p>
                {{/if}}
                <p>Are your old boots worn down at the heel? That's a sign it's time to resole or replace; either way, we can help.</p>
                <p><a href="{{store.url}}">See what's new</a></p>
                """, marketing: true)),

        new("birthday", "Birthday", TemplateCategory.Marketing,
            "Happy birthday from {{store.name}}, {{customer.first_name}}",
            Layout("""
                <h1 style="font-size:24px;margin:0 0 16px;">Happy birthday, {{customer.first_name}}!</h1>
                <p>Everyone at {{store.name}} is tipping their hat to you today.</p>
                {{#if offer.code}}
                <p>Treat yourself: take {{#if offer.amount}}{{offer.amount}}{{else}}a birthday discount{{/if}} off anything in the store with code <strong>{{offer.code}}</strong>{{#if offer.expires_at}}, good through {{offer.expires_at}}{{/if}}.</p>
                {{/if}}
                <p>Whether it's a new pair of boots or a hat for the season, we hope it's a good one.</p>
                <p><a href="{{store.url}}">Pick out your present</a></p>
                """, marketing: true)),

        new("password-reset", "Password reset", TemplateCategory.Transactional,
            "Reset your {{store.name}} password",
            Layout("""
                <p>Howdy {{customer.first_name}},</p>
                <p>We got a request to reset the password on your {{store.name}} account.</p>
                <p><a href="{{links.password_reset}}" style="display:inline-block;background:#8b4513;color:#ffffff;padding:10px 20px;border-radius:4px;text-decoration:none;">Choose a new password</a></p>
                <p>The link works once and expires soon. If you didn't ask for this, you can ignore this email: your password stays as it is.</p>
                """)),

        new("account-update", "Account update", TemplateCategory.Transactional,
            "Your {{store.name}} account was updated",
            Layout("""
                <p>Howdy {{customer.first_name}},</p>
                <p>We're letting you know that {{#if account.change}}{{account.change}}{{else}}your account details{{/if}} changed{{#if account.changed_at}} on {{account.changed_at}}{{/if}}.</p>
                {{#if links.account}}
                <p><a href="{{links.account}}">Review your account</a></p>
                {{/if}}
                <p>If you made this change, there's nothing more to do. If you didn't, call us right away at {{store.phone}} or reply to this email.</p>
                """)),

        new("review-request", "Review request", TemplateCategory.Transactional,
            "How's your order #{{order.number}} treating you, {{customer.first_name}}?",
            Layout("""
                <p>Howdy {{customer.first_name}},</p>
                <p>You've had a little time with your order now. How's the fit?</p>
                <ul>
                {{#each order.items}}
                <li>{{name}}</li>
                {{/each}}
                </ul>
                <p>A couple of lines about sizing, comfort and how the leather is breaking in help other customers choose well.</p>
                {{#if links.review}}
                <p><a href="{{links.review}}" style="display:inline-block;background:#8b4513;color:#ffffff;padding:10px 20px;border-radius:4px;text-decoration:none;">Write a review</a></p>
                {{/if}}
                <p>Thank you,<br>The {{store.name}} team</p>
                """, preferences: true)),

        new("thank-you-note", "Thank-you note", TemplateCategory.Personal,
            "Thank you, {{customer.first_name}}",
            Layout("""
                <p>Dear {{customer.first_name}},</p>
                <p>I wanted to send a personal note to say thank you for shopping with {{store.name}}{{#if customer.since}} since {{customer.since}}{{/if}}. Customers like you keep our little outfit going.</p>
                {{#if message.note}}
                <p>{{message.note}}</p>
                {{/if}}
                <p>If there's ever anything I can do for you, from finding the right boot width to shaping a hat, just reply to this email.</p>
                <p>With gratitude,<br>{{#if staff.name}}{{staff.name}}{{else}}The {{store.name}} team{{/if}}</p>
                """)),

        new("vip-offer", "VIP offer", TemplateCategory.Personal,
            "{{customer.first_name}}, something special for our {{loyalty.tier}} customers",
            Layout("""
                <p>Dear {{customer.first_name}},</p>
                <p>As one of our {{loyalty.tier}} customers{{#if loyalty.points}} with {{loyalty.points}} points to your name{{/if}}, you get first pick before anyone else.</p>
                {{#if offer.code}}
                <p style="font-size:20px;text-align:center;border:2px dashed #8b4513;padding:12px;">Code <strong>{{offer.code}}</strong>{{#if offer.amount}}: {{offer.amount}} off{{/if}}</p>
                {{#if offer.expires_at}}<p style="text-align:center;">Good through {{offer.expires_at}}.</p>{{/if}}
                {{/if}}
                {{#if message.note}}
                <p>{{message.note}}</p>
                {{/if}}
                <p>Our new handmade boots and beaver-blend felt hats come in small batches; reply to this email and I'll set your size aside.</p>
                <p>Warm regards,<br>{{#if staff.name}}{{staff.name}}{{else}}The {{store.name}} team{{/if}}</p>
                """, marketing: true)),

        new("apology", "Apology", TemplateCategory.Personal,
            "We're sorry, {{customer.first_name}}",
            Layout("""
                <p>Dear {{customer.first_name}},</p>
                <p>We let you down{{#if order.number}} with order #{{order.number}}{{/if}}, and I'm sorry. That's not how we do business at {{store.name}}.</p>
                {{#if message.note}}
                <p>{{message.note}}</p>
                {{/if}}
                {{#if offer.code}}
                <p>To make it up to you, please take {{#if offer.amount}}{{offer.amount}}{{else}}this discount{{/if}} off your next order with code <strong>{{offer.code}}</strong>.</p>
                {{/if}}
                <p>If there's anything more I can do, reply to this email or call me at {{store.phone}}.</p>
                <p>Sincerely,<br>{{#if staff.name}}{{staff.name}}{{else}}The {{store.name}} team{{/if}}</p>
                """)),
    ];

    /// <summary>Creates each default not seeded before; returns how many were created.</summary>
    public static async Task<int> SeedAsync(TemplateService templates, TemplateStore store, CancellationToken cancellationToken = default)
    {
        var created = 0;
        // Start-up waits for this; a few at a time keeps it short without crowding storage.
        await Parallel.ForEachAsync(All, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (t, ct) =>
        {
            if (await store.WasSeededAsync(t.Id, ct))
            {
                return;
            }
            try
            {
                await templates.CreateAsync(new TemplateDraft(t.Name, t.Category, t.Subject, t.Html), "system", ct, t.Id, preBuilt: true);
                Interlocked.Increment(ref created);
            }
            catch (ConflictException)
            {
                // Another instance seeded it at the same moment.
            }
            await store.MarkSeededAsync(t.Id, ct);
        });
        return created;
    }

    /// <summary>
    /// The shared frame: the store's name on top, the content, and a footer with the store's
    /// address and contact; <paramref name="marketing"/> adds the preference and unsubscribe links,
    /// <paramref name="preferences"/> the preference link alone.
    /// </summary>
    private static string Layout(string content, bool marketing = false, bool preferences = false)
    {
        var links = marketing
            ? """
              <p>You're receiving this because you signed up for news from {{store.name}}.<br><a href="{{links.preferences}}" style="color:#7a6552;">Email preferences</a> · <a href="{{links.unsubscribe}}" style="color:#7a6552;">Unsubscribe</a></p>
              """
            : preferences
                ? """
                  <p><a href="{{links.preferences}}" style="color:#7a6552;">Email preferences</a></p>
                  """
                : "";
        return $$$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{store.name}}</title>
            </head>
            <body style="margin:0;padding:0;background:#f4efe6;">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4efe6;">
            <tr><td align="center" style="padding:24px 12px;">
            <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:6px;font-family:Georgia,'Times New Roman',serif;color:#3b2a1a;">
            <tr><td style="background:#5a3e2b;padding:20px 32px;font-size:22px;letter-spacing:1px;"><a href="{{store.url}}" style="color:#f4efe6;text-decoration:none;">{{store.name}}</a></td></tr>
            <tr><td style="padding:32px;font-size:16px;line-height:1.6;">
            {{{content.Trim()}}}
            </td></tr>
            <tr><td style="padding:20px 32px;border-top:1px solid #e6dccb;font-size:12px;line-height:1.5;color:#7a6552;">
            <p>{{store.name}} · {{store.address}}<br>{{store.phone}} · <a href="mailto:{{store.email}}" style="color:#7a6552;">{{store.email}}</a></p>
            {{{links.Trim()}}}
            </td></tr>
            </table>
            </td></tr>
            </table>
            </body>
            </html>
            """;
    }
}
