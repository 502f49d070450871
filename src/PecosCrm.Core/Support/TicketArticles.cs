namespace PecosCrm.Core.Support;

/// <summary>
/// Knowledge-base articles on tickets: suggestions from the ticket's subject and the customer's
/// messages (internal notes are not read), links, and the counts on each article of the tickets that
/// link it (resolutions are counted by <see cref="TicketService"/> when a linked ticket is resolved).
/// </summary>
public sealed class TicketArticles(TicketService tickets, TicketStore store, KnowledgeBase kb)
{
    public async Task<IReadOnlyList<ArticleHit>> SuggestAsync(string ticketId, int limit, CancellationToken cancellationToken = default)
    {
        var (ticket, messages, _, _) = await store.GetDetailAsync(ticketId, cancellationToken);
        var text = string.Join("\n", messages.Where(m => !m.Internal && m.Author == nameof(MessageAuthor.Customer)).Select(m => m.Text));
        return await kb.SuggestAsync(ticket.Subject, text, ticket.ArticleList(), limit, cancellationToken);
    }

    public async Task<Ticket> LinkAsync(string ticketId, string? articleId, TicketActor actor, CancellationToken cancellationToken = default)
    {
        new Validation().Required("articleId", articleId, 100).ThrowIfInvalid();
        var article = await kb.GetRowAsync(articleId!, cancellationToken).ConfigureAwait(false) is { } row ? row.ToRecord() : null;
        var added = false;
        var ticket = await tickets.ChangeAsync(ticketId, null, actor, (t, now) =>
        {
            var list = t.ArticleList();
            added = !list.Contains(article!.Id);
            if (!added)
            {
                return Task.FromResult<TicketChange?>(null);
            }
            list.Add(article.Id);
            t.Articles = TicketEntity.Write(list);
            return Task.FromResult<TicketChange?>(new TicketChange([TicketLogEntity.From(t.TicketId, tickets.Entry("article", $"Linked article \"{article.Title}\"", actor, now))]));
        }, cancellationToken, allowClosed: true);
        if (added)
        {
            await kb.CountAsync(article!.Id, linked: 1, resolved: ticket.ResolvedAt is null ? 0 : 1, cancellationToken);
        }
        return ticket;
    }

    public async Task<Ticket> UnlinkAsync(string ticketId, string articleId, TicketActor actor, CancellationToken cancellationToken = default)
    {
        var removed = false;
        var ticket = await tickets.ChangeAsync(ticketId, null, actor, (t, now) =>
        {
            var list = t.ArticleList();
            removed = list.Remove(articleId);
            if (!removed)
            {
                return Task.FromResult<TicketChange?>(null);
            }
            t.Articles = TicketEntity.Write(list);
            return Task.FromResult<TicketChange?>(new TicketChange([TicketLogEntity.From(t.TicketId, tickets.Entry("article", $"Unlinked article {articleId}", actor, now))]));
        }, cancellationToken, allowClosed: true);
        if (!removed)
        {
            throw new NotFoundException("Linked article", articleId);
        }
        await kb.CountAsync(articleId, linked: -1, resolved: ticket.ResolvedAt is null ? 0 : -1, cancellationToken);
        return ticket;
    }
}
