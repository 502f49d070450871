namespace PecosCrm.Core.Support;

/// <summary>
/// Customer satisfaction: the customer rates a resolved ticket from 1 to 5, with a comment, through
/// the signed link the resolution email carried (no API key). The rating shows on the ticket, in the
/// customer's ticket history and average, and on their timeline; rating again replaces it.
/// </summary>
public sealed class Csat(TicketService tickets, TicketStore store, TicketLinks links, Customers.CustomerSupport customerSupport, TicketEvents events)
{
    /// <summary>The ticket a survey link is for, or null when the link was not made here.</summary>
    public async Task<Ticket?> FindAsync(string? token, CancellationToken cancellationToken = default) =>
        links.ReadSurveyToken(token) is { } id && await store.FindAsync(id, cancellationToken) is not null ? await tickets.GetAsync(id, cancellationToken) : null;

    public async Task<Ticket> RateAsync(string token, int? rating, string? comment, CancellationToken cancellationToken = default)
    {
        var id = links.ReadSurveyToken(token) ?? throw new NotFoundException("Survey", "link");
        var check = new Validation();
        if (rating is not (>= 1 and <= 5))
        {
            check.Add("rating", "must be a whole number from 1 to 5.");
        }
        check.MaxLength("comment", comment, 2_000).ThrowIfInvalid();
        var current = await store.GetAsync(id, cancellationToken);
        if (current.ResolvedAt is null)
        {
            throw new ConflictException("The ticket is not resolved yet; it can be rated once it is.");
        }
        var customer = new TicketActor(current.CustomerId, current.CustomerName ?? "customer");
        var ticket = await tickets.ChangeAsync(id, null, customer, (t, now) =>
        {
            t.CsatRating = rating;
            t.CsatComment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
            t.CsatAt = now;
            return Task.FromResult<TicketChange?>(new TicketChange([TicketLogEntity.From(t.TicketId, tickets.Entry("csat", $"Rated {rating}/5" + (t.CsatComment is null ? "" : $": {t.CsatComment}"), customer, now))]));
        }, cancellationToken, allowClosed: true);
        var open = (await store.HistoryAsync(ticket.CustomerId, cancellationToken)).Count(x => TicketService.IsOpen(x.Status));
        await customerSupport.RecordAsync(ticket.CustomerId, open, $"support-{id}-csat", $"Rated support ticket {id} {rating}/5", ticket.Csat!.At, "customer", $"/api/tickets/{id}", cancellationToken);
        await events.PublishAsync(TicketEvents.Rated, ticket, cancellationToken);
        return ticket;
    }
}
