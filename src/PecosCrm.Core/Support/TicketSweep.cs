using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Staff;

namespace PecosCrm.Core.Support;

/// <summary>What one sweep did.</summary>
public sealed record SweepResult(int Tickets, int StateChanges, int Escalations, TimeSpan Took);

/// <summary>
/// The SLA sweep, run every minute by the <c>SupportSla</c> timer: reads the list rows of every
/// ticket whose clocks may run (a page of 1,000 rows a call), works out each one's SLA state, and
/// writes only the rows whose state changed (the list row, which the breach filter reads; the
/// ticket itself shows its state worked out when read). Escalation rules are checked on the same
/// pass; a rule that fires is applied through the ticket's own write (under its ETag, from a fresh
/// read), recorded on the ticket so it fires once, logged, and its emails sent.
/// </summary>
public sealed partial class TicketSweep(
    TicketStore store, TicketService tickets, TicketSla sla, SupportSettings settings, StaffStore staff, IEmailSender email,
    IOptions<MessagingOptions> messaging, TimeProvider time, ILogger<TicketSweep> logger)
{
    public async Task<SweepResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var rules = (await settings.EscalationsAsync(cancellationToken)).Items.Where(r => r.Enabled).ToList();
        var now = time.GetUtcNow();
        int count = 0, changed = 0, escalated = 0;
        await foreach (var page in store.ActivePagesAsync(cancellationToken))
        {
            var writes = new List<Task>();
            foreach (var row in page)
            {
                count++;
                var due = rules.Where(r => !row.EscalationList().Contains(r.Id)
                    && Escalations.Fires(r, row.PriorityValue, row.CategoryValue, row.StatusValue, row.Facts(), sla.CalendarOf(row), now)).ToList();
                if (due.Count > 0)
                {
                    escalated += await EscalateAsync(row.TicketId, due, cancellationToken);
                    continue;
                }
                if (sla.Refresh(row, now))
                {
                    changed++;
                    writes.Add(store.UpdateListRowAsync(row, cancellationToken));
                    if (writes.Count >= 16)
                    {
                        await Task.WhenAll(writes);
                        writes.Clear();
                    }
                }
            }
            await Task.WhenAll(writes);
        }
        LogSweep(logger, count, changed, escalated, watch.ElapsedMilliseconds);
        return new SweepResult(count, changed, escalated, watch.Elapsed);
    }

    /// <summary>Applies the rules that fire on a ticket, each once; returns how many fired.</summary>
    private async Task<int> EscalateAsync(string ticketId, IReadOnlyList<EscalationRule> rules, CancellationToken cancellationToken)
    {
        var fired = new List<EscalationRule>();
        var system = new TicketActor(null, "escalation");
        var assignees = new Dictionary<string, StaffMember?>(StringComparer.Ordinal);
        foreach (var id in rules.Select(r => r.Actions.AssignTo).OfType<string>().Distinct())
        {
            assignees[id] = await staff.FindAsync(id, cancellationToken);
        }
        var ticket = await tickets.ChangeAsync(ticketId, null, system, (t, now) =>
        {
            fired.Clear();
            var done = t.EscalationList();
            var log = new List<TicketLogEntry>();
            foreach (var rule in rules.Where(r => !done.Contains(r.Id)))
            {
                if (!Escalations.Fires(rule, t.PriorityValue, t.CategoryValue, t.StatusValue, t.Facts(), sla.CalendarOf(t), now))
                {
                    continue;
                }
                var did = new List<string>();
                if (rule.Actions.AssignTo is { } assignTo && assignees.GetValueOrDefault(assignTo) is { Active: true } member && member.Id != t.AssigneeId)
                {
                    t.AssigneeId = member.Id;
                    t.AssigneeName = member.Name;
                    did.Add($"reassigned to {member.Name}");
                }
                var priority = Escalations.PriorityAfter(rule.Actions, t.PriorityValue);
                if (priority != t.PriorityValue)
                {
                    did.Add($"priority {TicketService.Name(t.PriorityValue)} → {TicketService.Name(priority)}");
                    t.Priority = priority.ToString();
                }
                var notified = (rule.Actions.NotifyStaffIds?.Count ?? 0) + (rule.Actions.NotifyEmails?.Count ?? 0);
                if (notified > 0)
                {
                    did.Add($"{notified} notified by email");
                }
                done.Add(rule.Id);
                fired.Add(rule);
                log.Add(tickets.Entry("escalation", $"Escalation \"{rule.Name}\" fired: {(did.Count == 0 ? "no change" : string.Join(", ", did))}", system, now));
            }
            if (fired.Count == 0)
            {
                return Task.FromResult<TicketChange?>(null);
            }
            t.Escalations = TicketEntity.Write(done);
            return Task.FromResult<TicketChange?>(new TicketChange(log.Select(e => (Azure.Data.Tables.ITableEntity)TicketLogEntity.From(t.TicketId, e)).ToList()));
        }, cancellationToken);
        foreach (var rule in fired)
        {
            await NotifyAsync(rule, ticket, cancellationToken);
        }
        return fired.Count;
    }

    /// <summary>Emails the rule's staff and addresses. Staff are not customers: the email goes to the provider directly.</summary>
    private async Task NotifyAsync(EscalationRule rule, Ticket ticket, CancellationToken cancellationToken)
    {
        var to = new List<(string Address, string? Name)>();
        foreach (var id in rule.Actions.NotifyStaffIds ?? [])
        {
            if (await staff.FindAsync(id, cancellationToken) is { Active: true } member)
            {
                to.Add((member.Email, member.Name));
            }
        }
        to.AddRange((rule.Actions.NotifyEmails ?? []).Select(e => (e, (string?)null)));
        var o = messaging.Value;
        var link = $"{o.PublicBaseUrl.TrimEnd('/')}/api/tickets/{ticket.Id}";
        var text = $"Escalation \"{rule.Name}\" fired on ticket {ticket.Id} ({TicketService.Name(ticket.Priority)}, {TicketService.Name(ticket.Status)}): {ticket.Subject}\n"
            + $"Customer: {ticket.CustomerName} ({ticket.CustomerId}). Assignee: {ticket.AssigneeName ?? "nobody"}.\nSLA: {TicketService.Name(ticket.Sla.State)}.\n{link}";
        foreach (var (address, name) in to.DistinctBy(t => t.Address.ToLowerInvariant()))
        {
            var outcome = await email.SendAsync(new OutgoingEmail(address, name, o.FromEmail, o.FromName, $"[Escalated] {ticket.Id}: {ticket.Subject}",
                System.Net.WebUtility.HtmlEncode(text).Replace("\n", "<br>\n", StringComparison.Ordinal), text,
                new Dictionary<string, string>(), new Dictionary<string, string> { ["pecos_ticket_id"] = ticket.Id }, "support-escalation"), cancellationToken);
            if (outcome.Result != SendResult.Accepted)
            {
                LogNotifyFailed(logger, rule.Id, ticket.Id, outcome.Error);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Information, "SLA sweep: {Tickets} tickets, {Changed} state changes, {Escalated} escalations in {Ms} ms")]
    private static partial void LogSweep(ILogger logger, int tickets, int changed, int escalated, long ms);

    [LoggerMessage(2, LogLevel.Warning, "Escalation {RuleId} on ticket {TicketId}: the notification was not accepted ({Error})")]
    private static partial void LogNotifyFailed(ILogger logger, string ruleId, string ticketId, string? error);
}
