using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Messaging.Templates;

namespace PecosCrm.Core.Campaigns;

/// <summary>What a batch left to its dispatcher: pause the campaign with an error, queue the slice again after a while, end the phase.</summary>
internal sealed record BatchResult(bool Halted, string? PauseError = null, TimeSpan? RetryAfter = null);

/// <summary>
/// Sends one slice of a campaign. Its recipient rows are read with one query of the slice's
/// partition, the suppression list with one query, and what sending needs of each recipient comes
/// from the slice's blob (frozen at the start), and a template once for the slice: no read per recipient. Then, 100 recipients at a time:
/// consent and suppression decided (<see cref="Suppressions.Decide"/>), each email composed under a
/// message id chosen now, the recipients claimed (pending → <c>sending</c> with that id, or
/// <c>skipped</c> with the reason) in one ETag-guarded transaction, the emails handed to the provider
/// in shared requests (<see cref="PersonalizationGroups"/>), each message logged once with its final
/// status (one transaction in the customer's partition), the touches written 100 a transaction, and
/// the recipients recorded in one transaction.
/// <para>
/// Exactly once: the claim is the last write before the provider call, so a recipient still
/// <c>pending</c> was never handed over, and a recipient found <c>sending</c> may have been. A
/// concurrent claim loses cleanly (the transaction's 412: its rows are read again and only those still
/// pending are claimed). A batch that finds recipients left <c>sending</c> longer than
/// <see cref="MessagingOptions.SendingTimeout"/> looks their message up in the log: logged, the
/// recipient is recorded as it says; not logged, the message is logged failed ("outcome unknown") and
/// never sent again. Recipients claimed but not handed over (a pause, a transient provider failure)
/// go back to <c>pending</c> (or <c>cancelled</c>) in one transaction.
/// </para>
/// </summary>
internal sealed partial class CampaignBatch(
    CampaignStore store, MessageStore log, Suppressions suppressions, Preferences preferences, IEmailComposer composer, IEmailSender sender,
    SignedLinks links, Touches touches, IOptions<CampaignOptions> options, IOptions<MessagingOptions> messaging, TimeProvider time, ILogger logger)
{
    private readonly CampaignMessages _messages = new(store, log, messaging, time);

    public const string SliceArg = "pecos_campaign_slice";
    private const int ClaimSize = 100;
    private const int MaxAttempts = 10;

    /// <summary>Sends what is left of the slice and writes its tally.</summary>
    public async Task<BatchResult> SendAsync(CampaignEntity campaign, CampaignWork work, CampaignSliceEntity slice, IReadOnlyList<AudienceMember> members, CancellationToken cancellationToken)
    {
        var phase = work.Phase!;
        var slate = new Slate(await store.SliceRecipientsAsync(campaign.RowKey, phase, work.Slice, cancellationToken));
        var byId = members.ToDictionary(m => m.CustomerId, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var timeout = messaging.Value.SendingTimeout;
        var stuck = slate.Rows.Where(r => r.StateValue == RecipientState.Sending).ToList();
        var stale = stuck.Where(r => r.ClaimedAt is not { } at || at <= now - timeout).ToList();
        await Parallel.ForEachAsync(stale, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (row, ct) =>
            slate.Put(await _messages.RecoverAsync(campaign, row, byId.GetValueOrDefault(row.CustomerId), ct)));
        TimeSpan? retryAfter = stuck.Count > stale.Count ? stuck.Where(r => !stale.Contains(r)).Max(r => r.ClaimedAt!.Value + timeout - now) : null;

        var todo = slate.Rows.Where(r => r.StateValue == RecipientState.Pending).ToList();
        var run = new Run(campaign, work, Content.For(campaign, phase), byId, new CampaignGate(store, work, options.Value.StateCheckInterval),
            todo.Count > 0 ? await suppressions.EmailListAsync(cancellationToken) : new Dictionary<string, Suppression>(),
            todo.Count > 0 ? await composer.PreloadAsync(campaign.TemplateId, cancellationToken) : null);
        string? pauseError = null;
        var halted = false;
        var failures = new ConcurrentQueue<ExceptionDispatchInfo>();
        foreach (var chunk in todo.Chunk(ClaimSize))
        {
            if (!await run.Gate.OpenAsync(cancellationToken))
            {
                halted = true;
                break;
            }
            var outcome = await SendChunkAsync(run, slate, chunk, failures, cancellationToken);
            retryAfter = Min(retryAfter, outcome.RetryAfter);
            if (outcome.Halted)
            {
                (halted, pauseError) = (true, outcome.PauseError);
                break;
            }
            if (!failures.IsEmpty || outcome.RetryAfter is not null)
            {
                // A crash to report, or a provider failing for now: the rest of the slice waits for the next delivery.
                break;
            }
        }
        await TallyAsync(slice, slate, cancellationToken);
        if (failures.TryDequeue(out var failure))
        {
            // A simulated or real crash in a provider call: what is known is recorded; the rest stays sending.
            failure.Throw();
        }
        return new BatchResult(halted, pauseError, retryAfter);
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private async Task<BatchResult> SendChunkAsync(Run run, Slate slate, CampaignRecipientEntity[] chunk, ConcurrentQueue<ExceptionDispatchInfo> failures, CancellationToken cancellationToken)
    {
        var campaign = run.Campaign;
        var purpose = campaign.PurposeValue;
        var letters = new Letter?[chunk.Length];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, chunk.Length), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.SendParallelism), CancellationToken = cancellationToken }, async (i, ct) =>
                letters[i] = await ComposeAsync(run, chunk[i], ct));
        }
        catch (ValidationFailedException ex)
        {
            // The content itself cannot be sent (a template that does not exist, say): nobody would get it.
            var reason = string.Join(" ", ex.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
            return new BatchResult(true, "The email could not be composed: " + reason);
        }

        var now = time.GetUtcNow();
        var claims = await ApplyAsync(slate, chunk.Select((row, i) => new Change(row.CustomerId, r => r.StateValue == RecipientState.Pending, r => Claim(r, letters[i]!, run.Content, now))).ToList(), cancellationToken);
        var claimed = letters.OfType<Letter>().Where(l => claims.Contains(l.CustomerId)).ToList();
        var skipped = claimed.Where(l => l.SkipReason is not null).ToList();
        var sending = claimed.Where(l => l.SkipReason is null && l.Email is not null).ToList();

        var batches = PersonalizationGroups.Group(sending.Select(l => l.Email!).ToList(), messaging.Value.FromEmail, messaging.Value.FromName,
            purpose == MessagePurpose.Marketing ? "marketing" : "transactional");
        var outcomes = new SendOutcome?[batches.Count];
        var attempted = new bool[batches.Count];
        var halted = false;
        await Parallel.ForEachAsync(Enumerable.Range(0, batches.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.SendParallelism) }, async (b, _) =>
        {
            if (Volatile.Read(ref halted) || !failures.IsEmpty || !await run.Gate.OpenAsync(cancellationToken))
            {
                Volatile.Write(ref halted, true);
                return;
            }
            attempted[b] = true;
            try
            {
                outcomes[b] = await sender.SendBatchAsync(batches[b], cancellationToken);
            }
            catch (Exception ex)
            {
                // Kept and thrown once what the other requests did is recorded: their recipients must not be taken for lost.
                failures.Enqueue(ExceptionDispatchInfo.Capture(ex));
            }
        });
        var sentAt = time.GetUtcNow();
        var lastAttempt = run.Work.Attempt + 1 >= messaging.Value.MaxAttempts;
        var letterOf = sending.ToDictionary(l => l.Email!.Recipient);
        var results = new List<(Letter Letter, SendOutcome? Outcome, bool Attempted)>();
        for (var b = 0; b < batches.Count; b++)
        {
            results.AddRange(batches[b].Recipients.Select(r => (letterOf[r], outcomes[b], attempted[b])));
        }

        var logged = skipped.Select(l => (Letter: l, Outcome: (SendOutcome?)null))
            .Concat(results.Where(r => r.Outcome is { } o && (o.Result != SendResult.Transient || lastAttempt)).Select(r => (r.Letter, r.Outcome)))
            .ToList();
        await Parallel.ForEachAsync(logged, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.WriteParallelism), CancellationToken = cancellationToken }, async (x, ct) =>
            await _messages.LogAsync(campaign, x.Letter.CustomerId, x.Letter.MessageId, x.Letter.Member?.Email, x.Letter.Content, x.Letter.Unsubscribe, x.Letter.SkipReason, x.Outcome, now, sentAt, ct));
        await touches.RecordManyAsync(results.Where(r => r.Outcome?.Result == SendResult.Accepted)
            .Select(r => new Touch(r.Letter.CustomerId, r.Letter.MessageId, campaign.RowKey, sentAt)), cancellationToken);

        var retry = false;
        var records = new List<Change>();
        foreach (var (letter, outcome, tried) in results)
        {
            var (id, messageId) = (letter.CustomerId, letter.MessageId);
            bool Mine(CampaignRecipientEntity r) => r.StateValue == RecipientState.Sending && r.MessageId == messageId;
            switch (outcome)
            {
                case { Result: SendResult.Accepted }:
                    records.Add(new Change(id, Mine, r => Sent(r, sentAt)));
                    break;
                case { Result: SendResult.Transient } transient when !lastAttempt:
                    retry = true;
                    records.Add(new Change(id, Mine, r => Release(r, RecipientState.Pending, transient.Error)));
                    break;
                case { } failed:
                    records.Add(new Change(id, Mine, r => Failed(r, failed.Error)));
                    break;
                case null when !tried:
                    // Not handed over: the batch stopped before this request. (Tried and thrown: left sending, its outcome unknown.)
                    records.Add(new Change(id, Mine, r => Release(r, run.Gate.Cancelled ? RecipientState.Cancelled : RecipientState.Pending, null)));
                    break;
            }
        }
        await ApplyAsync(slate, records, cancellationToken);
        if (retry)
        {
            LogTransient(logger, campaign.RowKey, run.Work.Slice, run.Work.Attempt + 1);
        }
        var delay = retry ? messaging.Value.FirstRetryDelay * Math.Pow(2, run.Work.Attempt) : (TimeSpan?)null;
        return new BatchResult(Volatile.Read(ref halted), null, delay);
    }

    /// <summary>The email of one recipient, or why there is none; composed for every recipient who exists (a skipped one is logged with its subject).</summary>
    private async Task<Letter> ComposeAsync(Run run, CampaignRecipientEntity row, CancellationToken cancellationToken)
    {
        var phase = run.Work.Phase!;
        var messageId = CampaignKeys.MessageId(log.NewId(), phase, run.Work.Slice);
        if (run.Members.GetValueOrDefault(row.CustomerId) is not { Exists: true } member)
        {
            return new Letter(row.CustomerId, messageId, null, null, "the customer no longer exists", null);
        }
        var variant = row.Variant ?? run.Content.Variant;
        var customer = member.ToCustomer();
        var content = await composer.ComposeAsync(Request(run.Campaign, run.Content, row.CustomerId, variant), customer, messageId, cancellationToken, run.Template);
        var reason = Suppressions.Decide(Channel.Email, member.Email, true, member.ConsentEmail, content.Purpose,
            member.Email is { } address ? run.Suppressed.GetValueOrDefault(Suppressions.Normalize(address)) : null);
        if (reason is null && content.Purpose == MessagePurpose.Transactional && !await preferences.TransactionalAsync(row.CustomerId, cancellationToken))
        {
            reason = "the customer turned off transactional email";
        }
        var unsubscribe = links.Unsubscribe(row.CustomerId, messageId);
        var (html, text, substitutions) = PersonalizationGroups.Tokenize(content.Html, content.Text, unsubscribe, links.Preferences(row.CustomerId, messageId));
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (content.Purpose == MessagePurpose.Marketing)
        {
            // RFC 8058 one-click unsubscribe: mail clients POST to the link without a visit.
            headers["List-Unsubscribe"] = $"<{unsubscribe}>";
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
        }
        var args = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CustomArgs.MessageId] = messageId,
            [CustomArgs.CustomerId] = row.CustomerId,
            [CustomArgs.CampaignId] = run.Campaign.RowKey,
            [SliceArg] = CampaignKeys.SliceName(phase, run.Work.Slice),
        };
        var email = reason is null && member.Email is { } to
            ? new PersonalEmail(html, text, new OutgoingRecipient(to, customer.FullName, content.Subject, substitutions, headers, args))
            : null;
        return new Letter(row.CustomerId, messageId, member, content, reason, email, variant, content.Purpose == MessagePurpose.Marketing ? unsubscribe : null);
    }

    private static void Claim(CampaignRecipientEntity row, Letter letter, Content content, DateTimeOffset now)
    {
        row.MessageId = letter.MessageId;
        row.Variant ??= content.Variant;
        if (letter.SkipReason is { } reason)
        {
            row.StateValue = RecipientState.Skipped;
            row.SkipReason = reason;
            if (letter.Content is null)
            {
                row.MessageId = null;
            }
            return;
        }
        row.StateValue = RecipientState.Sending;
        row.ClaimedAt = now;
    }

    private static void Sent(CampaignRecipientEntity row, DateTimeOffset at)
    {
        row.StateValue = RecipientState.Sent;
        row.SentAt ??= at;
        row.Error = null;
        if (row.StatusValue is not { } known || MessageStore.Rank(MessageStatus.Sent) > MessageStore.Rank(known))
        {
            row.Status = nameof(MessageStatus.Sent);
        }
    }

    internal static void Failed(CampaignRecipientEntity row, string? error)
    {
        row.StateValue = RecipientState.Failed;
        row.Error = error;
        row.Status = nameof(MessageStatus.Failed);
    }

    private static void Release(CampaignRecipientEntity row, RecipientState state, string? error)
    {
        row.StateValue = state;
        row.MessageId = null;
        row.ClaimedAt = null;
        row.Error = error;
    }

    /// <summary>
    /// Applies changes to recipients of the slice, 100 a transaction under their ETags; a transaction
    /// that lost a race is retried from one fresh read of the slice, for the rows its guard still
    /// accepts. Returns the customer ids whose change was written.
    /// </summary>
    private async Task<HashSet<string>> ApplyAsync(Slate slate, IReadOnlyList<Change> changes, CancellationToken cancellationToken)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        var left = changes.ToList();
        for (var attempt = 1; left.Count > 0 && attempt <= MaxAttempts; attempt++)
        {
            var lost = new List<Change>();
            foreach (var chunk in left.Where(c => slate.Find(c.CustomerId) is { } r && c.Applies(r)).Chunk(ClaimSize))
            {
                var rows = chunk.Select(c =>
                {
                    var row = slate.Find(c.CustomerId)!;
                    c.Apply(row);
                    return row;
                }).ToList();
                if (await store.TryReplaceRecipientsAsync(rows, cancellationToken))
                {
                    written.UnionWith(chunk.Select(c => c.CustomerId));
                }
                else
                {
                    lost.AddRange(chunk);
                }
            }
            if (lost.Count > 0)
            {
                var first = slate.Find(lost[0].CustomerId)!;
                slate.Reload(await store.PartitionRecipientsAsync(first.PartitionKey, cancellationToken));
            }
            left = lost;
        }
        return written;
    }

    /// <summary>Writes the slice's tally with the ETag read before its recipients; when somebody else wrote it since, counts again from fresh reads.</summary>
    private async Task TallyAsync(CampaignSliceEntity slice, Slate slate, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            slice.Tally(slate.Rows, time.GetUtcNow());
            if (await store.TryReplaceSliceAsync(slice, cancellationToken))
            {
                return;
            }
            slice = await store.FindSliceAsync(slice.PartitionKey, slice.Phase, slice.Index, cancellationToken) ?? slice;
            slate.Reload(await store.SliceRecipientsAsync(slice.PartitionKey, slice.Phase, slice.Index, cancellationToken));
        }
    }

    /// <summary>The email for one recipient: the campaign's content with the subject of their variant.</summary>
    private static EmailRequest Request(CampaignEntity campaign, Content content, string customerId, string? variant)
    {
        var subject = content.SubjectFor(variant);
        if (campaign.TemplateId is { } template)
        {
            // Rendering, merge fields included, is the template's business; an A/B subject rides along.
            return new EmailRequest(customerId, TemplateId: template, Subject: content.HasVariants ? subject : null, Purpose: campaign.PurposeValue, CampaignId: campaign.RowKey);
        }
        return new EmailRequest(customerId, Subject: subject, Html: campaign.Html, Text: campaign.Text, Purpose: campaign.PurposeValue, CampaignId: campaign.RowKey);
    }

    /// <summary>One recipient's email as composed, or the reason it is not sent (with <see cref="Content"/> null when there is no customer to log it for).</summary>
    private sealed record Letter(
        string CustomerId, string MessageId, AudienceMember? Member, EmailContent? Content, string? SkipReason, PersonalEmail? Email,
        string? Variant = null, string? Unsubscribe = null);

    /// <summary>A change of one recipient that only applies while <see cref="Applies"/> holds (read again after a lost race).</summary>
    private sealed record Change(string CustomerId, Func<CampaignRecipientEntity, bool> Applies, Action<CampaignRecipientEntity> Apply);

    /// <summary>What every chunk of a batch shares.</summary>
    private sealed record Run(
        CampaignEntity Campaign, CampaignWork Work, Content Content, IReadOnlyDictionary<string, AudienceMember> Members, CampaignGate Gate,
        IReadOnlyDictionary<string, Suppression> Suppressed, EmailTemplate? Template);

    /// <summary>The slice's recipient rows as last read or written, by customer id.</summary>
    private sealed class Slate(IEnumerable<CampaignRecipientEntity> rows)
    {
        private readonly ConcurrentDictionary<string, CampaignRecipientEntity> _rows = new(rows.ToDictionary(r => r.CustomerId, StringComparer.Ordinal), StringComparer.Ordinal);

        public IEnumerable<CampaignRecipientEntity> Rows => _rows.Values.OrderBy(r => r.RowKey, StringComparer.Ordinal);

        public CampaignRecipientEntity? Find(string customerId) => _rows.GetValueOrDefault(customerId);

        public void Put(CampaignRecipientEntity row) => _rows[row.CustomerId] = row;

        public void Reload(IEnumerable<CampaignRecipientEntity> rows)
        {
            foreach (var row in rows)
            {
                _rows[row.CustomerId] = row;
            }
        }
    }

    /// <summary>The subjects of one phase: the variants' in the test share, the winner's after it.</summary>
    private sealed record Content(string? Subject, IReadOnlyDictionary<string, string> Variants, string? Variant)
    {
        public bool HasVariants => Variants.Count > 0;

        public string? SubjectFor(string? variant) => variant is not null && Variants.TryGetValue(variant, out var s) ? s : Subject;

        public static Content For(CampaignEntity campaign, string phase)
        {
            var ab = campaign.AbTestValue();
            var variants = ab?.Variants.ToDictionary(v => v.Variant, v => v.Subject, StringComparer.Ordinal) ?? new Dictionary<string, string>(StringComparer.Ordinal);
            var winner = phase == CampaignKeys.MainPhase ? campaign.WinnerValue()?.Variant : null;
            return new Content(campaign.Subject, variants, winner);
        }
    }

    [LoggerMessage(20, LogLevel.Warning, "Campaign {CampaignId}: slice {Slice} met a transient provider failure (attempt {Attempt}); queued again")]
    private static partial void LogTransient(ILogger logger, string campaignId, int slice, int attempt);
}
