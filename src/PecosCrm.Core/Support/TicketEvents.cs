using Microsoft.Extensions.Logging;

namespace PecosCrm.Core.Support;

/// <summary>Hears the support desk's outward events (a webhook fan-out, say).</summary>
public interface ITicketEventObserver
{
    Task OnTicketEventAsync(string type, Ticket ticket, CancellationToken cancellationToken);
}

/// <summary>
/// The one door through which the support desk announces what happened to a ticket to the outside:
/// <c>support.ticket_created</c>, <c>support.ticket_updated</c>, <c>support.ticket_resolved</c>,
/// <c>support.ticket_rated</c>. Webhook subscriptions plug in as an <see cref="ITicketEventObserver"/>.
/// </summary>
public sealed partial class TicketEvents(IEnumerable<ITicketEventObserver> observers, ILogger<TicketEvents> logger)
{
    public const string Created = "support.ticket_created";
    public const string Updated = "support.ticket_updated";
    public const string Resolved = "support.ticket_resolved";
    public const string Rated = "support.ticket_rated";

    public async Task PublishAsync(string type, Ticket ticket, CancellationToken cancellationToken = default)
    {
        LogEvent(logger, type, ticket.Id);
        foreach (var observer in observers)
        {
            await observer.OnTicketEventAsync(type, ticket, cancellationToken);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Support event {Type} for ticket {TicketId}")]
    private static partial void LogEvent(ILogger logger, string type, string ticketId);
}
