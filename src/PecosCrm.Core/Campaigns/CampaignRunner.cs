using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// Sends campaigns, as work on the <c>campaigns</c> queue.
/// <para>
/// Start freezes the audience: a dynamic segment is refreshed, its member ids (or the list) are
/// written once to a snapshot blob, the A/B test share is drawn from it by a hash of campaign and
/// customer (so a start run twice draws the same), and a recipient row per customer and a slice per
/// 500 recipients are added (never overwritten). Then the slices of the first phase are queued, one
/// message each, spaced by the throttle with visibility delays.
/// </para>
/// <para>
/// Exactly one message per recipient: a batch claims a pending recipient by an ETag-guarded update to
/// <c>sending</c> that records a message id chosen then; only then is the message logged under that
/// id, and sent in the batch by <see cref="MessageService.DispatchAsync"/> (no queue message per
/// email). A batch that finds a recipient still <c>sending</c> (its worker crashed, or another
/// delivery of the batch is on it) looks that id up in the communication log: no message yet, it is
/// logged now (a second worker doing the same at once gets the first one's message back); a message
/// still queued is sent; anything else is only recorded. The message service's own claim (queued to
/// sending) makes sure one worker sends it, and a message found half-sent is marked failed rather
/// than sent again, so a crash in the middle of the provider call can cost a recipient their email
/// (reported as failed) but never sends it twice.
/// </para>
/// <para>
/// Each batch re-reads its campaign at least every <see cref="CampaignOptions.StateCheckInterval"/>
/// and stops when it is paused or cancelled, or its plan was replaced (a newer generation). It then
/// writes its slice's tally of recipient states with the ETag read before its recipients, so the
/// tally left last was counted after every change. The batch that leaves no recipient of its phase
/// pending ends the phase: the A/B test share moves the campaign to <c>testing</c>, the rest to <c>sent</c>.
/// </para>
/// </summary>
public sealed partial class CampaignRunner(
    StorageAccount storage, CampaignStore store, SegmentStore segments, SegmentService segmentService, MessageService messages, MessageStore log,
    AuditLog audit, IOptions<CampaignOptions> options, TimeProvider time, ILogger<CampaignRunner> logger)
{
    /// <summary>The longest a queue message can stay invisible is 7 days; longer waits hop.</summary>
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(6);

    private const int MaxAttempts = 10;

    public Task HandleAsync(CampaignWork work, CancellationToken cancellationToken = default) => work.Kind switch
    {
        CampaignWork.Start => StartAsync(work.CampaignId, cancellationToken),
        CampaignWork.Batch => BatchAsync(work, cancellationToken),
        CampaignWork.Decide => DecideAsync(work.CampaignId, cancellationToken),
        CampaignWork.Cancel => CancelRecipientsAsync(work.CampaignId, cancellationToken),
        _ => throw new InvalidOperationException($"Unknown campaign work '{work.Kind}'."),
    };

    internal Task QueueAsync(CampaignWork work, TimeSpan? delay, CancellationToken cancellationToken) =>
        storage.Queue(StorageNames.Queues.Campaigns).SendMessageAsync(JsonSerializer.Serialize(work, CrmJson.Options), delay, null, cancellationToken);

    /// <summary>Freezes the audience (once) and queues the first phase's batches.</summary>
    private async Task StartAsync(string id, CancellationToken cancellationToken)
    {
        var campaign = await store.FindEntityAsync(id, cancellationToken);
        if (campaign is null || campaign.StateValue is not (CampaignState.Sending or CampaignState.Paused or CampaignState.Cancelled))
        {
            return;
        }
        if (!campaign.Frozen)
        {
            if (campaign.StateValue == CampaignState.Cancelled)
            {
                return;
            }
            List<string> audience;
            try
            {
                audience = await SnapshotAsync(campaign, cancellationToken);
            }
            catch (Exception ex) when (ex is NotFoundException or ValidationFailedException or ConflictException)
            {
                await PauseForErrorAsync(id, "The audience could not be frozen: " + ex.Message, cancellationToken);
                return;
            }
            campaign = await FreezeAsync(campaign, audience, cancellationToken);
        }
        if (campaign.StateValue == CampaignState.Cancelled)
        {
            await QueueAsync(new CampaignWork(CampaignWork.Cancel, id), null, cancellationToken);
            return;
        }
        if (campaign.StateValue != CampaignState.Sending || campaign.Generation > 0)
        {
            // Paused meanwhile (resume plans), or already planned by an earlier delivery of this message.
            return;
        }
        var phase = campaign.AbTest is null ? CampaignEntity.MainPhase : CampaignEntity.TestPhase;
        var works = await PlanAsync(campaign, phase, time.GetUtcNow(), cancellationToken);
        await store.ReplaceAsync(campaign, cancellationToken);
        await QueueBatchesAsync(campaign, phase, works, cancellationToken);
    }

    /// <summary>The audience's customer ids, taken once: later runs read the snapshot.</summary>
    private async Task<List<string>> SnapshotAsync(CampaignEntity campaign, CancellationToken cancellationToken)
    {
        var name = CampaignStore.AudienceBlob(campaign.RowKey);
        if (await store.ReadIdsAsync(name, cancellationToken) is { } frozen)
        {
            return frozen;
        }
        List<string> ids;
        if (campaign.SegmentId is { } segmentId)
        {
            var segment = await segments.GetAsync(segmentId, cancellationToken);
            if (segment.Kind == SegmentKind.Dynamic)
            {
                await segmentService.RefreshAsync(segmentId, cancellationToken);
            }
            ids = [];
            await foreach (var page in segments.MemberIdPagesAsync(segmentId, cancellationToken))
            {
                ids.AddRange(page);
            }
        }
        else
        {
            ids = await store.ReadIdsAsync(CampaignStore.ListBlob(campaign.RowKey), cancellationToken) ?? [];
        }
        ids = ids.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return await store.WriteIdsAsync(name, ids, onlyIfMissing: true, cancellationToken)
            ? ids
            : await store.ReadIdsAsync(name, cancellationToken) ?? ids;
    }

    /// <summary>Writes the recipients and slices (adding only what is missing) and marks the campaign frozen.</summary>
    private async Task<CampaignEntity> FreezeAsync(CampaignEntity campaign, List<string> audience, CancellationToken cancellationToken)
    {
        var id = campaign.RowKey;
        var sliceSize = Math.Max(1, Math.Min(options.Value.BatchSize, campaign.ThrottlePerMinute ?? int.MaxValue));
        var ab = campaign.AbTestValue();
        var test = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ab is not null && audience.Count > 0)
        {
            var count = Math.Clamp((int)Math.Round(audience.Count * ab.TestShare, MidpointRounding.AwayFromZero), Math.Min(audience.Count, ab.Variants.Count), audience.Count);
            var drawn = audience.OrderBy(c => Draw(id, c), StringComparer.Ordinal).Take(count).ToList();
            for (var i = 0; i < drawn.Count; i++)
            {
                test[drawn[i]] = ab.Variants[i % ab.Variants.Count].Variant;
            }
        }
        var phases = new[]
        {
            (Phase: CampaignEntity.TestPhase, Ids: audience.Where(test.ContainsKey).ToList()),
            (Phase: CampaignEntity.MainPhase, Ids: audience.Where(c => !test.ContainsKey(c)).ToList()),
        };
        var now = time.GetUtcNow();
        var recipients = new List<CampaignRecipientEntity>(audience.Count);
        var slices = new List<CampaignSliceEntity>();
        var blobs = new List<(string Name, string[] Ids)>();
        foreach (var (phase, ids) in phases)
        {
            var chunks = ids.Chunk(sliceSize).ToList();
            for (var index = 0; index < chunks.Count; index++)
            {
                blobs.Add((CampaignStore.SliceBlob(id, phase, index), chunks[index]));
                slices.Add(new CampaignSliceEntity
                {
                    PartitionKey = id, RowKey = CampaignSliceEntity.Key(id, phase, index), Phase = phase, Index = index,
                    Count = chunks[index].Length, Pending = chunks[index].Length, TalliedAt = now,
                });
                recipients.AddRange(chunks[index].Select(c => new CampaignRecipientEntity
                {
                    PartitionKey = id, RowKey = CampaignKeys.Recipient(id, c), Phase = phase, Variant = test.GetValueOrDefault(c), Slice = index,
                }));
            }
        }
        await Parallel.ForEachAsync(blobs, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (b, ct) =>
            await store.WriteIdsAsync(b.Name, b.Ids, onlyIfMissing: false, ct));
        await store.AddIfMissingAsync(recipients, recipients: true, cancellationToken);
        await store.AddIfMissingAsync(slices, recipients: false, cancellationToken);

        return await OptimisticRetry.RunAsync(async attempt =>
        {
            if (attempt > 1)
            {
                // Paused or cancelled meanwhile: keep that, and freeze all the same.
                campaign = await store.GetEntityAsync(id, cancellationToken);
            }
            if (campaign.Frozen)
            {
                return campaign;
            }
            campaign.Frozen = true;
            campaign.Recipients = audience.Count;
            campaign.SliceSize = sliceSize;
            campaign.Phase = ab is null ? CampaignEntity.MainPhase : CampaignEntity.TestPhase;
            await store.ReplaceAsync(campaign, cancellationToken);
            LogFrozen(logger, id, audience.Count, slices.Count);
            return campaign;
        }, MaxAttempts, cancellationToken);
    }

    /// <summary>Where a customer falls in the A/B draw: a hash of campaign and customer, the same on every run.</summary>
    private static string Draw(string campaignId, string customerId) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(campaignId + "\n" + customerId)));

    /// <summary>
    /// Starts a new generation of work for <paramref name="phase"/>: every slice with recipients left
    /// gets a batch, the first at <paramref name="start"/> and the next ones a throttle interval apart.
    /// Changes the campaign; the caller saves it, then queues what this returns.
    /// </summary>
    internal async Task<List<CampaignWork>> PlanAsync(CampaignEntity campaign, string phase, DateTimeOffset start, CancellationToken cancellationToken)
    {
        var slices = (await store.SlicesAsync(campaign.RowKey, phase, cancellationToken)).Where(s => s.Remaining > 0).ToList();
        var interval = Interval(campaign);
        var now = time.GetUtcNow();
        campaign.Generation++;
        campaign.Phase = phase;
        campaign.PlannedAt = now;
        campaign.PlannedEndAt = start + interval * Math.Max(0, slices.Count - 1);
        return slices.Select((s, i) => new CampaignWork(CampaignWork.Batch, campaign.RowKey, campaign.Generation, phase, s.Index, start + interval * i)).ToList();
    }

    /// <summary>The time between two batches: a batch is at most a minute's share of the throttle.</summary>
    internal static TimeSpan Interval(CampaignEntity campaign) =>
        campaign.ThrottlePerMinute is { } perMinute ? TimeSpan.FromMinutes((double)campaign.SliceSize / perMinute) : TimeSpan.Zero;

    /// <summary>Queues a plan's batches; a plan with none ends its phase at once.</summary>
    internal async Task QueueBatchesAsync(CampaignEntity campaign, string phase, List<CampaignWork> works, CancellationToken cancellationToken)
    {
        if (works.Count == 0)
        {
            await CompletePhaseAsync(campaign.RowKey, phase, cancellationToken);
            return;
        }
        var now = time.GetUtcNow();
        await Parallel.ForEachAsync(works, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (w, ct) =>
            await QueueAsync(w, Delay(w.NotBefore, now), ct));
        LogPlanned(logger, campaign.RowKey, phase, campaign.Generation, works.Count);
    }

    private static TimeSpan? Delay(DateTimeOffset? notBefore, DateTimeOffset now) =>
        notBefore is { } at && at > now ? (at - now < MaxDelay ? at - now : MaxDelay) : null;

    /// <summary>Sends one slice's pending recipients.</summary>
    private async Task BatchAsync(CampaignWork work, CancellationToken cancellationToken)
    {
        var campaign = await store.FindEntityAsync(work.CampaignId, cancellationToken);
        if (campaign is null || !IsCurrent(campaign, work))
        {
            return;
        }
        if (Delay(work.NotBefore, time.GetUtcNow()) is { } wait)
        {
            // Delivered early (a hop of a wait longer than a queue message can hide).
            await QueueAsync(work, wait, cancellationToken);
            return;
        }
        var phase = work.Phase!;
        // The slice is read before its recipients: its ETag then vouches that the tally written at the end counts every change.
        var slice = await store.FindSliceAsync(campaign.RowKey, phase, work.Slice, cancellationToken);
        var ids = await store.ReadIdsAsync(CampaignStore.SliceBlob(campaign.RowKey, phase, work.Slice), cancellationToken);
        if (slice is null || ids is null)
        {
            return;
        }
        var rows = await ReadRecipientsAsync(campaign.RowKey, ids, cancellationToken);
        var gate = new Gate(store, work, options.Value.StateCheckInterval);
        var content = Content.For(campaign, phase);
        var halted = false;
        var todo = Enumerable.Range(0, rows.Length).Where(i => rows[i]?.StateValue is RecipientState.Pending or RecipientState.Sending).ToList();
        // Each recipient's work runs to its end with the job's token: a failure of one stops the
        // loop from starting more, but never cuts another off between claim and record.
        await Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.SendParallelism), CancellationToken = cancellationToken }, async (i, _) =>
        {
            if (Volatile.Read(ref halted) || !await gate.OpenAsync(cancellationToken))
            {
                Volatile.Write(ref halted, true);
                return;
            }
            var (row, stop) = await SendAsync(campaign, content, rows[i]!, cancellationToken);
            rows[i] = row;
            if (stop)
            {
                Volatile.Write(ref halted, true);
            }
        });
        await TallyAsync(slice, ids, rows, cancellationToken);
        if (!halted)
        {
            await CompletePhaseAsync(campaign.RowKey, phase, cancellationToken);
        }
    }

    private static bool IsCurrent(CampaignEntity campaign, CampaignWork work) =>
        campaign.StateValue == CampaignState.Sending && campaign.Generation == work.Generation && campaign.Phase == work.Phase;

    private async Task<CampaignRecipientEntity?[]> ReadRecipientsAsync(string campaignId, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var rows = new CampaignRecipientEntity?[ids.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
            rows[i] = await store.FindRecipientAsync(campaignId, ids[i], ct));
        return rows;
    }

    /// <summary>Claims, logs, sends and records one recipient. <c>Stop</c>: the campaign cannot go on (it was paused with the reason).</summary>
    private async Task<(CampaignRecipientEntity Row, bool Stop)> SendAsync(CampaignEntity campaign, Content content, CampaignRecipientEntity row, CancellationToken cancellationToken)
    {
        var fresh = false;
        if (row.StateValue == RecipientState.Pending)
        {
            row.StateValue = RecipientState.Sending;
            row.MessageId = log.NewId();
            row.ClaimedAt = time.GetUtcNow();
            row.Variant ??= content.Variant;
            if (await store.TryReplaceRecipientAsync(row, cancellationToken))
            {
                fresh = true;
            }
            else
            {
                // Cancelled, or claimed by another delivery of this batch: go on from where that stands.
                row = await store.FindRecipientAsync(row.PartitionKey, row.CustomerId, cancellationToken) ?? row;
                if (row.StateValue != RecipientState.Sending)
                {
                    return (row, false);
                }
            }
        }
        var customerId = row.CustomerId;
        var messageId = row.MessageId!;
        var message = fresh ? null : (await log.FindEntityAsync(customerId, messageId, cancellationToken))?.ToRecord();
        if (message is null)
        {
            var (request, missing) = Request(campaign, content, row);
            if (request is null)
            {
                return (await RecordAsync(row, r => Skip(r, missing!), cancellationToken), false);
            }
            try
            {
                message = await messages.SendEmailAsync(request, "campaign:" + campaign.RowKey, messageId, queue: false, cancellationToken);
            }
            catch (ValidationFailedException ex) when (ex.Errors.ContainsKey("customerId"))
            {
                return (await RecordAsync(row, r => Skip(r, "the customer no longer exists"), cancellationToken), false);
            }
            catch (ValidationFailedException ex)
            {
                // The content itself cannot be sent (a template that does not exist, say): nobody would get it.
                var reason = string.Join(" ", ex.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
                await PauseForErrorAsync(campaign.RowKey, "The email could not be composed: " + reason, cancellationToken);
                var released = await RecordAsync(row, r =>
                {
                    r.StateValue = RecipientState.Pending;
                    r.MessageId = null;
                    r.ClaimedAt = null;
                }, cancellationToken);
                return (released, true);
            }
        }
        // A message left sending by a worker that died is marked failed by the dispatch, never sent again.
        if (message.Status == MessageStatus.Queued || (!fresh && message.Status == MessageStatus.Sending))
        {
            message = await messages.DispatchAsync(customerId, messageId, cancellationToken) ?? message;
        }
        if (message.Status == MessageStatus.Sending)
        {
            // Another worker is sending it, or one died doing so less than Messaging:SendingTimeout ago:
            // fail this delivery so the queue brings the batch back later, when the outcome is known.
            throw new InvalidOperationException($"Message {messageId} is still being sent; the batch will be retried.");
        }
        var sent = message;
        return (await RecordAsync(row, r => Record(r, sent), cancellationToken), false);
    }

    private static void Skip(CampaignRecipientEntity row, string reason)
    {
        row.StateValue = RecipientState.Skipped;
        row.SkipReason = reason;
    }

    private void Record(CampaignRecipientEntity row, Message message)
    {
        switch (message.Status)
        {
            case MessageStatus.Skipped:
                Skip(row, message.Error is { } e && e.StartsWith(NotSent, StringComparison.Ordinal) ? e[NotSent.Length..] : message.Error ?? "not sent");
                break;
            case MessageStatus.Failed:
                row.StateValue = RecipientState.Failed;
                row.Error = message.Error;
                break;
            case MessageStatus.Queued:
                // A transient provider failure: the message queue tries again.
                row.StateValue = RecipientState.Retrying;
                row.Error = message.Error;
                break;
            case MessageStatus.Cancelled:
                row.StateValue = RecipientState.Cancelled;
                break;
            default:
                row.StateValue = RecipientState.Sent;
                row.SentAt ??= message.Steps.TryGetValue(MessageStatus.Sent, out var at) ? at : time.GetUtcNow();
                row.Error = null;
                if (row.StatusValue is not { } known || MessageStore.Rank(message.Status) > MessageStore.Rank(known))
                {
                    row.Status = message.Status.ToString();
                }
                break;
        }
    }

    private const string NotSent = "Not sent: ";

    /// <summary>Applies a change to a recipient that is still <c>sending</c>, re-reading on a lost race (a provider event, say).</summary>
    private async Task<CampaignRecipientEntity> RecordAsync(CampaignRecipientEntity row, Action<CampaignRecipientEntity> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            change(row);
            if (await store.TryReplaceRecipientAsync(row, cancellationToken))
            {
                return row;
            }
            var current = await store.FindRecipientAsync(row.PartitionKey, row.CustomerId, cancellationToken);
            if (current is null || current.StateValue != RecipientState.Sending || current.MessageId != row.MessageId || attempt >= MaxAttempts)
            {
                return current ?? row;
            }
            row = current;
        }
    }

    /// <summary>The email for one recipient, or why there is none.</summary>
    private static (EmailRequest? Request, string? Missing) Request(CampaignEntity campaign, Content content, CampaignRecipientEntity row)
    {
        var subject = content.SubjectFor(row.Variant);
        if (campaign.TemplateId is { } template)
        {
            // Rendering, merge fields included, is the template's business; an A/B subject rides along.
            return (new EmailRequest(row.CustomerId, TemplateId: template, Subject: content.HasVariants ? subject : null, Purpose: campaign.PurposeValue, CampaignId: campaign.RowKey), null);
        }
        // Merge fields are rendered by the composer, with the template engine, for each recipient.
        return (new EmailRequest(row.CustomerId, Subject: subject, Html: campaign.Html, Text: campaign.Text, Purpose: campaign.PurposeValue, CampaignId: campaign.RowKey), null);
    }

    /// <summary>Writes a slice's tally; when somebody else wrote it since it was read, counts again from fresh reads.</summary>
    private async Task TallyAsync(CampaignSliceEntity slice, IReadOnlyList<string> ids, CampaignRecipientEntity?[] rows, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            slice.Tally(rows.OfType<CampaignRecipientEntity>(), time.GetUtcNow());
            if (await store.TryReplaceSliceAsync(slice, cancellationToken))
            {
                return;
            }
            slice = await store.FindSliceAsync(slice.PartitionKey, slice.Phase, slice.Index, cancellationToken) ?? slice;
            rows = await ReadRecipientsAsync(slice.PartitionKey, ids, cancellationToken);
        }
    }

    /// <summary>Ends the phase when no slice of it has recipients left: the test share goes to <c>testing</c>, the rest to <c>sent</c>.</summary>
    private async Task CompletePhaseAsync(string id, string phase, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var campaign = await store.FindEntityAsync(id, cancellationToken);
            if (campaign is null || campaign.StateValue != CampaignState.Sending || campaign.Phase != phase)
            {
                return;
            }
            if ((await store.SlicesAsync(id, phase, cancellationToken)).Any(s => s.Remaining > 0))
            {
                return;
            }
            var before = campaign.StateValue;
            var now = time.GetUtcNow();
            if (phase == CampaignEntity.TestPhase)
            {
                campaign.StateValue = CampaignState.Testing;
                campaign.TestCompletedAt = now;
                campaign.DecideAt = now + campaign.AbTestValue()!.DecideAfter;
            }
            else
            {
                campaign.StateValue = CampaignState.Sent;
                campaign.CompletedAt = now;
            }
            campaign.UpdatedAt = now;
            try
            {
                await store.ReplaceAsync(campaign, cancellationToken);
            }
            catch (ConcurrencyException)
            {
                continue;
            }
            await audit.RecordAsync(AuditActor.System, phase == CampaignEntity.TestPhase ? "campaign.test_sent" : "campaign.sent", "campaign", id,
                new { state = before }, new { state = campaign.StateValue, campaign.DecideAt, campaign.CompletedAt }, cancellationToken: cancellationToken);
            LogPhaseDone(logger, id, phase);
            return;
        }
    }

    /// <summary>Chooses the A/B winner from the test share's opens or clicks and queues the rest with its subject.</summary>
    private async Task DecideAsync(string id, CancellationToken cancellationToken)
    {
        var campaign = await store.FindEntityAsync(id, cancellationToken);
        var now = time.GetUtcNow();
        if (campaign is null || campaign.StateValue != CampaignState.Testing || campaign.DecideAt > now || campaign.AbTestValue() is not { } ab)
        {
            return;
        }
        var stats = ab.Variants.ToDictionary(v => v.Variant, _ => (Sent: 0, Opened: 0, Clicked: 0), StringComparer.Ordinal);
        await foreach (var r in store.AllRecipientsAsync(id, CampaignEntity.TestPhase, cancellationToken))
        {
            if (r.Variant is not { } v || !stats.TryGetValue(v, out var s) || r.StateValue != RecipientState.Sent)
            {
                continue;
            }
            stats[v] = (s.Sent + 1, s.Opened + (r.OpenedAt is not null || r.ClickedAt is not null ? 1 : 0), s.Clicked + (r.ClickedAt is not null ? 1 : 0));
        }
        var rates = ab.Variants.Select(v =>
        {
            var s = stats[v.Variant];
            var hits = ab.Metric == CampaignMetric.Click ? s.Clicked : s.Opened;
            return new VariantRate(v.Variant, v.Subject, s.Sent, s.Opened, s.Clicked, s.Sent == 0 ? 0 : Math.Round((double)hits / s.Sent, 4));
        }).ToList();
        // The first variant with the highest rate: a tie goes to the earlier one.
        var best = rates.Aggregate((a, b) => b.Rate > a.Rate ? b : a);
        var winner = new AbWinner(best.Variant, best.Subject, ab.Metric, rates, now);
        campaign.Winner = JsonSerializer.Serialize(winner, CrmJson.Options);
        campaign.StateValue = CampaignState.Sending;
        campaign.UpdatedAt = now;
        var works = await PlanAsync(campaign, CampaignEntity.MainPhase, now, cancellationToken);
        try
        {
            await store.ReplaceAsync(campaign, cancellationToken);
        }
        catch (ConcurrencyException)
        {
            // Paused, cancelled or decided meanwhile; the timer asks again while it is still testing.
            return;
        }
        await audit.RecordAsync(AuditActor.System, "campaign.winner_chosen", "campaign", id, null, winner, cancellationToken: cancellationToken);
        LogWinner(logger, id, winner.Variant);
        await QueueBatchesAsync(campaign, CampaignEntity.MainPhase, works, cancellationToken);
    }

    /// <summary>Marks the recipients a cancelled campaign had not reached as cancelled, slice by slice.</summary>
    private async Task CancelRecipientsAsync(string id, CancellationToken cancellationToken)
    {
        var campaign = await store.FindEntityAsync(id, cancellationToken);
        if (campaign is null || campaign.StateValue != CampaignState.Cancelled || !campaign.Frozen)
        {
            return;
        }
        var slices = (await store.SlicesAsync(id, null, cancellationToken)).Where(s => s.Pending > 0).ToList();
        await Parallel.ForEachAsync(slices, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (slice, ct) =>
        {
            var ids = await store.ReadIdsAsync(CampaignStore.SliceBlob(id, slice.Phase, slice.Index), ct) ?? [];
            var rows = await ReadRecipientsAsync(id, ids, ct);
            await Parallel.ForEachAsync(Enumerable.Range(0, rows.Length), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, ct2) =>
            {
                for (var attempt = 1; rows[i] is { StateValue: RecipientState.Pending } row && attempt <= MaxAttempts; attempt++)
                {
                    row.StateValue = RecipientState.Cancelled;
                    if (!await store.TryReplaceRecipientAsync(row, ct2))
                    {
                        rows[i] = await store.FindRecipientAsync(id, row.CustomerId, ct2);
                    }
                }
            });
            await TallyAsync(slice, ids, rows, ct);
        });
        LogCancelled(logger, id, slices.Sum(s => s.Pending));
    }

    /// <summary>
    /// The timer's round: starts scheduled campaigns whose time has come, asks for A/B decisions that
    /// are due, and queues again the work of a campaign that has stalled (its start or a batch lost
    /// to a crash or the poison queue).
    /// </summary>
    public async Task RunDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var stall = options.Value.StallAfter;
        foreach (var campaign in await store.ActiveAsync(cancellationToken))
        {
            var id = campaign.RowKey;
            switch (campaign.StateValue)
            {
                case CampaignState.Scheduled when campaign.SendAt <= now:
                    campaign.StateValue = CampaignState.Sending;
                    campaign.StartedAt = now;
                    campaign.UpdatedAt = now;
                    try
                    {
                        await store.ReplaceAsync(campaign, cancellationToken);
                    }
                    catch (ConcurrencyException)
                    {
                        continue;
                    }
                    await audit.RecordAsync(AuditActor.System, "campaign.started", "campaign", id, new { state = CampaignState.Scheduled }, new { state = CampaignState.Sending }, cancellationToken: cancellationToken);
                    await QueueAsync(new CampaignWork(CampaignWork.Start, id), null, cancellationToken);
                    break;
                case CampaignState.Testing when campaign.DecideAt <= now:
                    await QueueAsync(new CampaignWork(CampaignWork.Decide, id), null, cancellationToken);
                    break;
                case CampaignState.Sending when (!campaign.Frozen || campaign.Generation == 0) && campaign.StartedAt + stall < now:
                    LogStalled(logger, id, "start");
                    await QueueAsync(new CampaignWork(CampaignWork.Start, id), null, cancellationToken);
                    break;
                case CampaignState.Sending when campaign.Frozen && campaign.PlannedEndAt + stall < now:
                    var slices = await store.SlicesAsync(id, campaign.Phase, cancellationToken);
                    var heard = slices.Select(s => s.TalliedAt).Append(campaign.PlannedAt).Max();
                    if (slices.Any(s => s.Remaining > 0) && heard + stall < now)
                    {
                        LogStalled(logger, id, campaign.Phase ?? "");
                        var works = await PlanAsync(campaign, campaign.Phase!, now, cancellationToken);
                        try
                        {
                            await store.ReplaceAsync(campaign, cancellationToken);
                        }
                        catch (ConcurrencyException)
                        {
                            continue;
                        }
                        await QueueBatchesAsync(campaign, campaign.Phase!, works, cancellationToken);
                    }
                    break;
            }
        }
    }

    /// <summary>Pauses a sending campaign with the reason it cannot go on.</summary>
    private async Task PauseForErrorAsync(string id, string error, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var campaign = await store.FindEntityAsync(id, cancellationToken);
            if (campaign is null || campaign.StateValue is not (CampaignState.Sending or CampaignState.Testing))
            {
                return;
            }
            var now = time.GetUtcNow();
            campaign.StateValue = CampaignState.Paused;
            campaign.PausedAt = now;
            campaign.UpdatedAt = now;
            campaign.Error = error;
            try
            {
                await store.ReplaceAsync(campaign, cancellationToken);
            }
            catch (ConcurrencyException)
            {
                continue;
            }
            await audit.RecordAsync(AuditActor.System, "campaign.paused", "campaign", id, null, new { state = CampaignState.Paused, error }, cancellationToken: cancellationToken);
            LogPausedForError(logger, id, error);
            return;
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
            var winner = phase == CampaignEntity.MainPhase ? campaign.WinnerValue()?.Variant : null;
            return new Content(campaign.Subject, variants, winner);
        }
    }

    /// <summary>
    /// Whether a batch may go on: re-reads its campaign at most every <c>interval</c> (real time, as
    /// polling is: a test's frozen clock must not stop a pause from being seen).
    /// </summary>
    private sealed class Gate(CampaignStore store, CampaignWork work, TimeSpan interval)
    {
        private readonly SemaphoreSlim _sync = new(1, 1);
        private long _checkedAt = Stopwatch.GetTimestamp();
        private bool _open = true;

        public async Task<bool> OpenAsync(CancellationToken cancellationToken)
        {
            if (!_open || Stopwatch.GetElapsedTime(Interlocked.Read(ref _checkedAt)) < interval)
            {
                return _open;
            }
            await _sync.WaitAsync(cancellationToken);
            try
            {
                if (_open && Stopwatch.GetElapsedTime(Interlocked.Read(ref _checkedAt)) >= interval)
                {
                    var campaign = await store.FindEntityAsync(work.CampaignId, cancellationToken);
                    _open = campaign is not null && IsCurrent(campaign, work);
                    Interlocked.Exchange(ref _checkedAt, Stopwatch.GetTimestamp());
                }
                return _open;
            }
            finally
            {
                _sync.Release();
            }
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Campaign {CampaignId}: audience frozen, {Recipients} recipients in {Slices} slices")]
    private static partial void LogFrozen(ILogger logger, string campaignId, int recipients, int slices);

    [LoggerMessage(2, LogLevel.Information, "Campaign {CampaignId}: {Batches} batches of phase {Phase} queued (generation {Generation})")]
    private static partial void LogPlanned(ILogger logger, string campaignId, string phase, int generation, int batches);

    [LoggerMessage(3, LogLevel.Information, "Campaign {CampaignId}: phase {Phase} done")]
    private static partial void LogPhaseDone(ILogger logger, string campaignId, string phase);

    [LoggerMessage(4, LogLevel.Information, "Campaign {CampaignId}: A/B winner {Variant}")]
    private static partial void LogWinner(ILogger logger, string campaignId, string variant);

    [LoggerMessage(5, LogLevel.Information, "Campaign {CampaignId} cancelled: {Recipients} recipients not reached")]
    private static partial void LogCancelled(ILogger logger, string campaignId, int recipients);

    [LoggerMessage(6, LogLevel.Warning, "Campaign {CampaignId} stalled in {Stage}; its remaining work is queued again")]
    private static partial void LogStalled(ILogger logger, string campaignId, string stage);

    [LoggerMessage(7, LogLevel.Warning, "Campaign {CampaignId} paused: {Error}")]
    private static partial void LogPausedForError(ILogger logger, string campaignId, string error);
}
