using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Support;

/// <summary>
/// Tickets: opening one, changing its fields and status (with the SLA pauses that go with them),
/// and the write protocol every change shares (<see cref="ChangeAsync"/>): read the ticket, decide,
/// work out its SLA state, write it with its new rows under the ETag, again from a fresh read after a
/// lost race; then the customer's card and the outward event.
/// </summary>
public sealed class TicketService(
    TicketStore store, TicketSla sla, SupportSettings settings, CustomerStore customers, CustomerSupport customerSupport, OrderStore orders,
    StaffStore staff, TicketEvents events, KnowledgeBase kb, MessageService messages, TicketLinks links, IOptions<SupportOptions> options, TimeProvider time)
{
    public const int MaxTags = 20;

    public async Task<Ticket> CreateAsync(NewTicket request, TicketActor actor, CancellationToken cancellationToken = default) =>
        sla.ToRecord(await CreateEntityAsync(request, actor, [], null, cancellationToken));

    /// <summary>Opens a ticket; <paramref name="messages"/> replace the description as its conversation (a converted inbox thread).</summary>
    internal async Task<TicketEntity> CreateEntityAsync(
        NewTicket request, TicketActor actor, IReadOnlyList<TicketMessage> messages, string? conversationId, CancellationToken cancellationToken)
    {
        var check = new Validation();
        check.Required("customerId", request.CustomerId, 100).Required("subject", request.Subject, 300).MaxLength("description", request.Description, 30_000);
        CheckTags(check, request.Tags);
        check.ThrowIfInvalid();
        var customer = KeyRules.IsValidKey(request.CustomerId) ? await customers.FindAsync(request.CustomerId!, cancellationToken) : null;
        if (customer is null)
        {
            throw new ValidationFailedException("customerId", $"no customer has the id '{request.CustomerId}'.");
        }
        await CheckOrderAsync(request.OrderId, customer.Id, cancellationToken);
        var assignee = await AssigneeAsync(request.AssigneeId, cancellationToken);
        var metrics = await customers.MetricsAsync(customer.Id, cancellationToken);
        var now = time.GetUtcNow();
        var priority = request.Priority ?? TicketPriority.Medium;
        var category = request.Category ?? TicketCategory.Other;
        var sequence = await store.NextSequenceAsync(cancellationToken);
        var id = $"{options.Value.TicketPrefix}-{sequence}";
        var customerMessages = messages.Where(m => m.Author == MessageAuthor.Customer).ToList();
        var ticket = new TicketEntity
        {
            PartitionKey = id,
            RowKey = SupportKeys.Ticket(id),
            TicketId = id,
            Sequence = sequence,
            CustomerId = customer.Id,
            CustomerName = customer.FullName,
            CustomerEmail = customer.Email,
            CustomerTier = customer.Tier.ToString().ToLowerInvariant(),
            CustomerValueCents = metrics.LifetimeValueCents,
            OrderId = request.OrderId,
            Subject = request.Subject!.Trim(),
            Category = category.ToString(),
            Priority = priority.ToString(),
            Status = (assignee is null ? TicketStatus.Open : TicketStatus.InProgress).ToString(),
            AssigneeId = assignee?.Id,
            AssigneeName = assignee?.Name,
            Tags = TicketEntity.Write(NormalizeTags(request.Tags)),
            Channel = (request.Channel ?? (conversationId is null ? TicketChannel.Form : TicketChannel.Inbox)).ToString(),
            ConversationId = conversationId,
            CreatedAt = messages.Count > 0 ? messages.Min(m => m.At) : now,
            UpdatedAt = now,
            CustomerMessages = customerMessages.Count + (string.IsNullOrWhiteSpace(request.Description) ? 0 : 1),
        };
        await ApplyPolicyAsync(ticket, cancellationToken);
        var rows = new List<ITableEntity>();
        if (!string.IsNullOrWhiteSpace(request.Description))
        {
            rows.Add(TicketMessageEntity.From(id, new TicketMessage(Ids.New(time), MessageAuthor.Customer, customer.Id, customer.FullName, request.Description.Trim(), false, [], now, null)));
        }
        rows.AddRange(messages.Select(m => TicketMessageEntity.From(id, m)));
        var staffReplies = messages.Where(m => m.Author == MessageAuthor.Staff && !m.Internal).ToList();
        if (staffReplies.Count > 0)
        {
            ticket.FirstResponseAt = staffReplies.Min(m => m.At);
            ticket.StaffReplies = staffReplies.Count;
            var lastStaff = staffReplies.Max(m => m.At);
            ticket.AwaitingReplySince = customerMessages.Where(m => m.At > lastStaff).Select(m => (DateTimeOffset?)m.At).Min();
        }
        rows.Add(Log(id, "created", conversationId is null ? $"Ticket opened by {actor.Name}" : $"Ticket opened by {actor.Name} from inbox conversation {conversationId}", actor, now));
        sla.Refresh(ticket, now);
        await store.CreateAsync(ticket, rows.Take(TableClientExtensions.MaxBatchSize - 1).ToList(), cancellationToken);
        await store.AddRowsAsync(id, rows.Skip(TableClientExtensions.MaxBatchSize - 1).ToList(), cancellationToken);
        await AfterAsync(ticket, null, actor, now, cancellationToken);
        return ticket;
    }

    public async Task<Ticket> GetAsync(string id, CancellationToken cancellationToken = default) => sla.ToRecord(await store.GetAsync(id, cancellationToken));

    public async Task<TicketDetail> GetDetailAsync(string id, bool includeInternal, CancellationToken cancellationToken = default)
    {
        var (ticket, messages, attachments, log) = await store.GetDetailAsync(id, cancellationToken);
        return new TicketDetail(
            sla.ToRecord(ticket),
            messages.Select(m => m.ToRecord()).Where(m => includeInternal || !m.Internal).OrderBy(m => m.At).ToList(),
            attachments.Select(a => a.ToRecord()).OrderBy(a => a.At).ToList(),
            log.Select(l => l.ToRecord()).OrderBy(l => l.At).ToList());
    }

    public async Task<Page<Ticket>> ListAsync(TicketFilter filter, int limit, string? cursor, CancellationToken cancellationToken = default) =>
        (await store.ListAsync(filter, limit, cursor, cancellationToken)).Select(sla.ToRecord);

    public async Task<CustomerTickets> HistoryAsync(string customerId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        await customers.GetAsync(customerId, cancellationToken);
        var list = await store.HistoryAsync(customerId, cancellationToken);
        var page = await store.HistoryPageAsync(customerId, list, limit, cursor, cancellationToken);
        var rated = list.Where(t => t.CsatRating is not null).ToList();
        return new CustomerTickets(
            customerId, list.Count(t => IsOpen(t.Status)), rated.Count == 0 ? null : Math.Round(rated.Average(t => t.CsatRating!.Value), 2), rated.Count, page.Items, page.NextCursor);
    }

    /// <summary>Changes fields and status; <paramref name="ifMatch"/> is the ETag the caller read.</summary>
    public async Task<(Ticket Before, Ticket After)> UpdateAsync(string id, TicketPatch patch, string? ifMatch, TicketActor actor, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        if (patch.Subject is not null)
        {
            check.Required("subject", patch.Subject, 300);
        }
        CheckTags(check, patch.Tags);
        check.ThrowIfInvalid();
        var assignee = patch.AssigneeId is { Length: > 0 } ? await AssigneeAsync(patch.AssigneeId, cancellationToken) : null;
        Ticket? before = null;
        var after = await ChangeAsync(id, ifMatch, actor, async (t, now) =>
        {
            before = sla.ToRecord(t);
            var log = new List<TicketLogEntry>();
            if (patch.OrderId is not null && patch.OrderId != t.OrderId)
            {
                await CheckOrderAsync(patch.OrderId, t.CustomerId, cancellationToken);
                t.OrderId = patch.OrderId.Length == 0 ? null : patch.OrderId;
            }
            if (patch.Subject is not null)
            {
                t.Subject = patch.Subject.Trim();
            }
            if (patch.Tags is not null)
            {
                t.Tags = TicketEntity.Write(NormalizeTags(patch.Tags));
            }
            var retarget = false;
            if (patch.Category is { } category && category != t.CategoryValue)
            {
                log.Add(Entry("category", $"Category {Name(t.CategoryValue)} → {Name(category)}", actor, now));
                t.Category = category.ToString();
                retarget = true;
            }
            if (patch.Priority is { } priority && priority != t.PriorityValue)
            {
                log.Add(Entry("priority", $"Priority {Name(t.PriorityValue)} → {Name(priority)}", actor, now));
                t.Priority = priority.ToString();
                retarget = true;
            }
            if (patch.AssigneeId is not null && patch.AssigneeId != (t.AssigneeId ?? ""))
            {
                t.AssigneeId = assignee?.Id;
                t.AssigneeName = assignee?.Name;
                log.Add(Entry("assigned", assignee is null ? "Unassigned" : $"Assigned to {assignee.Name}", actor, now));
                if (assignee is not null && t.StatusValue == TicketStatus.Open && patch.Status is null)
                {
                    log.AddRange(TicketStatusRules.Apply(t, TicketStatus.InProgress, actor, now));
                }
            }
            if (patch.Status is { } status && status != t.StatusValue)
            {
                log.AddRange(TicketStatusRules.Apply(t, status, actor, now));
            }
            if (retarget)
            {
                await ApplyPolicyAsync(t, cancellationToken);
            }
            return new TicketChange(log.Select(e => (ITableEntity)TicketLogEntity.From(t.TicketId, e)).ToList());
        }, cancellationToken);
        return (before!, after);
    }

    /// <summary>
    /// The write every change of a ticket goes through. <paramref name="decide"/> changes the ticket it
    /// is given (a fresh read on every attempt) and names the rows to add; null means nothing to do.
    /// Closed tickets do not change.
    /// </summary>
    internal async Task<Ticket> ChangeAsync(
        string id, string? ifMatch, TicketActor actor, Func<TicketEntity, DateTimeOffset, Task<TicketChange?>> decide, CancellationToken cancellationToken, bool allowClosed = false)
    {
        TicketStatus? statusBefore = null;
        string? assigneeBefore = null;
        TicketEntity? written = null;
        DateTimeOffset now = default;
        await OptimisticRetry.RunAsync(async _ =>
        {
            var t = await store.GetAsync(id, cancellationToken);
            TableClientExtensions.CheckIfMatch(ifMatch, t.ETag);
            if (t.StatusValue == TicketStatus.Closed && !allowClosed)
            {
                throw new ConflictException($"Ticket {id} is closed; open a new ticket instead.");
            }
            statusBefore = t.StatusValue;
            assigneeBefore = t.AssigneeId;
            now = time.GetUtcNow();
            var change = await decide(t, now);
            if (change is null)
            {
                written = t;
                return;
            }
            t.UpdatedAt = now;
            sla.Refresh(t, now);
            await store.SaveAsync(t, new TicketPlace(statusBefore.Value, assigneeBefore), change.Rows, cancellationToken);
            written = t;
        }, cancellationToken: cancellationToken);
        if (written!.UpdatedAt == now)
        {
            await AfterAsync(written, statusBefore, actor, now, cancellationToken);
        }
        return sla.ToRecord(written);
    }

    /// <summary>The customer's card (timeline, open tickets) and the outward event, after a ticket was written.</summary>
    private async Task AfterAsync(TicketEntity t, TicketStatus? before, TicketActor actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = sla.ToRecord(t);
        var status = t.StatusValue;
        string? title = null;
        string type = TicketEvents.Updated;
        if (before is null)
        {
            title = $"Opened support ticket {t.TicketId}: {t.Subject}";
            type = TicketEvents.Created;
        }
        else if (before != status && status is TicketStatus.Resolved or TicketStatus.Closed && IsOpen(before.Value))
        {
            title = $"Support ticket {t.TicketId} {(status == TicketStatus.Resolved ? "resolved" : "closed")}";
            type = TicketEvents.Resolved;
        }
        else if (before is TicketStatus.Resolved && IsOpen(status))
        {
            title = $"Support ticket {t.TicketId} reopened";
        }
        if (title is not null)
        {
            var open = (await store.HistoryAsync(t.CustomerId, cancellationToken)).Count(x => IsOpen(x.Status));
            var entryId = $"support-{t.TicketId}-{now.UtcTicks}";
            await customerSupport.RecordAsync(t.CustomerId, open, entryId, title, now, actor.Name, $"/api/tickets/{t.TicketId}", cancellationToken);
        }
        if (type == TicketEvents.Resolved)
        {
            // Each resolution of a ticket counts once for every article linked to it.
            foreach (var article in t.ArticleList())
            {
                await kb.CountAsync(article, linked: 0, resolved: 1, cancellationToken);
            }
        }
        if (type == TicketEvents.Resolved && status == TicketStatus.Resolved && options.Value.SendCsatSurvey && t.CustomerEmail is not null)
        {
            await SendSurveyAsync(t, actor, cancellationToken);
        }
        await events.PublishAsync(type, record, cancellationToken);
    }

    /// <summary>
    /// Emails the satisfaction survey link. The message id is the ticket and its resolution count,
    /// so a retried write sends it once, and a ticket resolved again after a reopen asks again.
    /// </summary>
    private async Task SendSurveyAsync(TicketEntity t, TicketActor actor, CancellationToken cancellationToken)
    {
        var text = $"Hi {t.CustomerName},\n\nYour ticket {t.TicketId} ({t.Subject}) is resolved. How did we do? Rate us from 1 to 5 here:\n{links.SurveyLink(t.TicketId)}\n\nThank you.";
        await messages.SendEmailAsync(new EmailRequest(t.CustomerId, Subject: $"How did we do? [{t.TicketId}]", Text: text, Purpose: MessagePurpose.Transactional,
            ThreadId: t.TicketId, MessageId: $"csat-{t.TicketId}-{t.ReopenCount}"), actor.Name, cancellationToken);
    }

    /// <summary>Picks the SLA policy for the ticket as it is now and keeps a copy of it on the ticket.</summary>
    private async Task ApplyPolicyAsync(TicketEntity t, CancellationToken cancellationToken)
    {
        var policies = await settings.PoliciesAsync(cancellationToken);
        var policy = SlaPolicies.Match(policies.Items, t.PriorityValue, t.CategoryValue, new SlaCustomer(t.CustomerTier, t.CustomerValueCents));
        t.Policy = policy is null ? null : TicketEntity.Write(policy);
    }

    /// <summary>Checks escalation rules, and that each staff member they assign to exists and is active.</summary>
    public async Task CheckEscalationRulesAsync(IReadOnlyList<EscalationRule>? rules, CancellationToken cancellationToken = default)
    {
        Escalations.Validate(rules);
        var check = new Validation();
        for (var i = 0; i < rules!.Count; i++)
        {
            if (rules[i].Actions.AssignTo is { } id && (!KeyRules.IsValidKey(id) || await staff.FindAsync(id, cancellationToken) is not { Active: true }))
            {
                check.Add($"rules[{i}].actions.assignTo", $"no active staff member has the id '{id}'.");
            }
        }
        check.ThrowIfInvalid();
    }

    internal async Task<StaffMember?> AssigneeAsync(string? staffId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(staffId))
        {
            return null;
        }
        var member = KeyRules.IsValidKey(staffId) ? await staff.FindAsync(staffId, cancellationToken) : null;
        return member is { Active: true } ? member : throw new ValidationFailedException("assigneeId", $"no active staff member has the id '{staffId}'.");
    }

    private async Task CheckOrderAsync(string? orderId, string customerId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(orderId))
        {
            return;
        }
        var order = KeyRules.IsValidKey(orderId) ? await orders.FindAsync(orderId, cancellationToken) : null;
        if (order is null || order.CustomerId != customerId)
        {
            throw new ValidationFailedException("orderId", $"the customer has no order '{orderId}'.");
        }
    }

    private static void CheckTags(Validation check, IReadOnlyList<string>? tags)
    {
        if (tags is null)
        {
            return;
        }
        if (tags.Count > MaxTags)
        {
            check.Add("tags", $"at most {MaxTags} tags.");
        }
        for (var i = 0; i < tags.Count; i++)
        {
            check.Required($"tags[{i}]", tags[i], 50);
        }
    }

    private static List<string> NormalizeTags(IReadOnlyList<string>? tags) =>
        (tags ?? []).Select(t => t.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public static bool IsOpen(TicketStatus status) => status is TicketStatus.Open or TicketStatus.InProgress or TicketStatus.PendingCustomer;

    internal TicketLogEntity Log(string ticketId, string kind, string text, TicketActor actor, DateTimeOffset at) =>
        TicketLogEntity.From(ticketId, Entry(kind, text, actor, at));

    internal TicketLogEntry Entry(string kind, string text, TicketActor actor, DateTimeOffset at) => new(Ids.New(time), kind, text, actor.Name, at);

    internal static string Name<T>(T value) where T : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}

/// <summary>The rows a ticket change adds beside the ticket (messages, attachments, log entries).</summary>
internal sealed record TicketChange(IReadOnlyList<ITableEntity> Rows);
