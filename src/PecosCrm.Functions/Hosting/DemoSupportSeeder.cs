using System.Diagnostics;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Support;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Fills the demo store's support desk from <see cref="DemoSupport"/>: the knowledge base, then
/// tickets on demo customers and their real orders, with their conversations, through the services
/// the API uses, so the search index, SLA clocks, article counts, customer timelines and reply
/// emails are what real traffic would leave.
/// </summary>
/// <remarks>
/// Safe to run again and to interrupt: an article is looked up by title and a ticket by customer and
/// subject before either is created, and a ticket's script carries on after the messages its
/// conversation already holds (the steps between messages check the ticket first). Each service call
/// runs to its end once begun and the stop is honoured between calls: a ticket stopped between its
/// own write and its copies would be missing from the customer's history, where the next run looks.
/// Replies are emailed as any reply is; with no SendGrid key that is the development outbox, so the
/// tickets are left out when a key is configured (the demo's addresses would really be sent to).
/// </remarks>
public sealed partial class DemoSupportSeeder(
    StaffStore staff,
    CustomerStore customers,
    OrderStore orders,
    KnowledgeBase kb,
    TicketService tickets,
    TicketConversation conversation,
    TicketArticles ticketArticles,
    Csat csat,
    TicketLinks links,
    IEmailSender email,
    TimeProvider time,
    ILogger<DemoSupportSeeder> logger)
{
    /// <summary>Customers looked at for one ticket before it settles for one whose orders fit less well.</summary>
    private const int MaxProbes = 30;

    /// <summary>
    /// Adds what is missing of the knowledge base and the demo tickets, spread over the first
    /// <paramref name="customerCount"/> demo customers. False when the tickets were left out because
    /// email is configured to really leave.
    /// </summary>
    public async Task<bool> SeedAsync(int customerCount, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var articles = await ArticlesAsync(cancellationToken);
        if (email.Name != OutboxName)
        {
            LogRealEmail(logger, email.Name);
            return false;
        }
        var team = await TeamAsync(cancellationToken);
        var plan = await PlanAsync(customerCount, cancellationToken);
        var created = 0;
        foreach (var (script, target) in DemoSupport.Tickets.Zip(plan))
        {
            if (target is not null && await SeedTicketAsync(script, target, team, articles, cancellationToken))
            {
                created++;
            }
        }
        LogSeeded(logger, articles.Count, created, plan.Count(t => t is not null), time.GetElapsedTime(started).TotalSeconds);
        return true;
    }

    private const string OutboxName = "outbox";

    /// <summary>The articles by their key in <see cref="DemoSupport.Articles"/>, created when no article has their title.</summary>
    private async Task<Dictionary<string, Article>> ArticlesAsync(CancellationToken cancellationToken)
    {
        var existing = new Dictionary<string, Article>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = await kb.ListAsync(null, null, Core.Storage.Page<Article>.MaxLimit, cursor, cancellationToken);
            foreach (var article in page.Items)
            {
                existing.TryAdd(article.Title, article);
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var byKey = new Dictionary<string, Article>(StringComparer.Ordinal);
        foreach (var article in DemoSupport.Articles)
        {
            cancellationToken.ThrowIfCancellationRequested();
            byKey[article.Key] = existing.TryGetValue(article.Title, out var found)
                ? found
                : await kb.CreateAsync(new ArticleRequest(article.Title, article.Body, article.Category, article.State, article.Tags), CancellationToken.None);
        }
        return byKey;
    }

    private async Task<Dictionary<string, StaffMember>> TeamAsync(CancellationToken cancellationToken)
    {
        var team = new Dictionary<string, StaffMember>(StringComparer.Ordinal);
        foreach (var member in DemoData.Staff)
        {
            if (await staff.FindByEmailAsync(member.Email!, cancellationToken) is { Active: true } found)
            {
                team[member.Name!] = found;
            }
        }
        return team;
    }

    /// <summary>A customer and the order of theirs a ticket is about.</summary>
    private sealed record Target(Customer Customer, Order? Order);

    /// <summary>
    /// Picks each ticket's customer: script <c>i</c> starts looking at the customer as far into the
    /// store as <c>i</c> is into the scripts and walks on to the first one not yet used whose orders
    /// fit (<see cref="DemoSupport.Fits"/>); the same store gives the same plan.
    /// </summary>
    private async Task<List<Target?>> PlanAsync(int customerCount, CancellationToken cancellationToken)
    {
        var scripts = DemoSupport.Tickets;
        var seen = new Dictionary<int, (Customer Customer, IReadOnlyList<Order> Orders)?>();
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        var maxUses = customerCount == 0 ? 0 : (scripts.Count + customerCount - 1) / customerCount;
        var plan = new List<Target?>();
        for (var i = 0; i < scripts.Count; i++)
        {
            var script = scripts[i];
            Target? chosen = null;
            Target? fallback = null;
            var start = (int)((long)i * customerCount / scripts.Count);
            for (var probe = 0; probe < Math.Min(customerCount, MaxProbes) && chosen is null; probe++)
            {
                var index = (start + probe) % customerCount;
                if (!seen.TryGetValue(index, out var found))
                {
                    seen[index] = found = await ProbeAsync(DemoData.CustomerId(index), cancellationToken);
                }
                if (found is not { } candidate || uses.GetValueOrDefault(candidate.Customer.Id) >= maxUses)
                {
                    continue;
                }
                if (script.Order == DemoSupport.OrderNeed.None)
                {
                    chosen = new Target(candidate.Customer, null);
                }
                else if (candidate.Orders.FirstOrDefault(o => DemoSupport.Fits(script, o)) is { } order)
                {
                    chosen = new Target(candidate.Customer, order);
                }
                else if (candidate.Orders.Count > 0)
                {
                    fallback ??= new Target(candidate.Customer, candidate.Orders[0]);
                }
            }
            chosen ??= fallback;
            if (chosen is not null)
            {
                uses[chosen.Customer.Id] = uses.GetValueOrDefault(chosen.Customer.Id) + 1;
            }
            plan.Add(chosen);
        }
        return plan;
    }

    private async Task<(Customer Customer, IReadOnlyList<Order> Orders)?> ProbeAsync(string customerId, CancellationToken cancellationToken) =>
        await customers.FindAsync(customerId, cancellationToken) is { } customer
            ? (customer, (await orders.ListForCustomerAsync(customerId, 50, null, cancellationToken)).Items)
            : null;

    /// <summary>Creates the ticket when the customer has none with its subject, then runs what is left of its script. True when it was created.</summary>
    private async Task<bool> SeedTicketAsync(
        DemoSupport.TicketScript script, Target target, Dictionary<string, StaffMember> team, Dictionary<string, Article> articles, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var customer = target.Customer;
        var fill = DemoSupport.Values(customer.FirstName, target.Order, script.ProductCategory);
        var subject = DemoSupport.Fill(script.Subject, fill, null);
        var assignee = script.Assignee is { } name ? team.GetValueOrDefault(name) : null;
        var manager = team.GetValueOrDefault(DemoSupport.Manager);
        TicketActor StaffActor(string? by) => (by is null ? assignee ?? manager : team.GetValueOrDefault(by) ?? manager) is { } member
            ? new TicketActor(member.Id, member.Name)
            : TicketActor.System;
        var asCustomer = new TicketActor(customer.Id, customer.FullName);

        var history = await tickets.HistoryAsync(customer.Id, Core.Storage.Page<CustomerTicket>.MaxLimit, null, CancellationToken.None);
        var id = history.Items.FirstOrDefault(t => t.Subject == subject)?.Id;
        var created = id is null;
        if (id is null)
        {
            var opener = script.Channel is TicketChannel.Phone or TicketChannel.Chat ? StaffActor(null) : asCustomer;
            var request = new NewTicket(customer.Id, subject, script.Category, script.Priority, script.Channel, target.Order?.Id, assignee?.Id, script.Tags,
                DemoSupport.Fill(script.FirstMessage, fill, null));
            id = (await tickets.CreateAsync(request, opener, CancellationToken.None)).Id;
        }

        var messages = (await tickets.GetDetailAsync(id, includeInternal: true, CancellationToken.None)).Messages.Count;
        foreach (var step in DemoSupport.Remaining(script, messages))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var actor = StaffActor(step.By);
            var text = step is DemoSupport.Message message ? DemoSupport.Fill(message.Text, fill, FirstName(actor)) : null;
            switch (step)
            {
                case DemoSupport.Reply reply:
                    await conversation.ReplyAsync(id, new TicketReply(text, Status: reply.Status), actor, CancellationToken.None);
                    break;
                case DemoSupport.Note:
                    await conversation.AddNoteAsync(id, text, null, actor, CancellationToken.None);
                    break;
                case DemoSupport.CustomerWrites:
                    await conversation.CustomerMessageAsync(id, text, [], script.Channel is TicketChannel.Email or TicketChannel.Inbox ? "email" : "api", CancellationToken.None);
                    break;
                case DemoSupport.Change change:
                    var ticket = await tickets.GetAsync(id, CancellationToken.None);
                    var assignTo = change.Assignee is { } to ? team.GetValueOrDefault(to)?.Id : null;
                    if ((change.Status is { } status && status != ticket.Status) || (change.Priority is { } priority && priority != ticket.Priority)
                        || (assignTo is not null && assignTo != ticket.AssigneeId))
                    {
                        await tickets.UpdateAsync(id, new TicketPatch(Priority: change.Priority, Status: change.Status, AssigneeId: assignTo), null, actor, CancellationToken.None);
                    }
                    break;
                case DemoSupport.LinkArticle link:
                    var article = articles[link.Article];
                    if (!(await tickets.GetAsync(id, CancellationToken.None)).ArticleIds.Contains(article.Id))
                    {
                        await ticketArticles.LinkAsync(id, article.Id, actor, CancellationToken.None);
                    }
                    break;
                case DemoSupport.Rate rate:
                    if ((await tickets.GetAsync(id, CancellationToken.None)).Csat is null)
                    {
                        await csat.RateAsync(links.SurveyToken(id), rate.Rating, rate.Comment, CancellationToken.None);
                    }
                    break;
                default:
                    throw new UnreachableException($"No demo ticket step {step.GetType().Name}.");
            }
        }
        return created;
    }

    private static string FirstName(TicketActor actor) => actor.Name.Split(' ')[0];

    [LoggerMessage(20, LogLevel.Information, "Demo support desk seeded: {Articles} articles, {Created} tickets created of {Planned} in {Seconds:0.0} s")]
    private static partial void LogSeeded(ILogger logger, int articles, int created, int planned, double seconds);

    [LoggerMessage(21, LogLevel.Warning, "Demo tickets left out: email goes to {Sender}, and their replies would email the demo's customers. Seeded the knowledge base only")]
    private static partial void LogRealEmail(ILogger logger, string sender);
}
