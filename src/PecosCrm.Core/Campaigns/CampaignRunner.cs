using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// Runs campaign work from the <c>campaigns</c> queue: start (freeze the audience and queue the
/// first phase), batch (one slice, sent by <see cref="CampaignBatch"/>), decide (the A/B winner, by
/// <see cref="AbDecision"/>) and cancel; and the timer's round (<see cref="RunDueAsync"/>).
/// <para>
/// Start freezes the audience once (<see cref="AudienceSnapshot"/>): the ids to a snapshot blob, what
/// sending needs of each from the customer-features file, the A/B test share drawn and the audience
/// cut into slices of at most 500 (<see cref="CampaignSlicing"/>); each slice's members go to a blob,
/// its recipient rows into its own partition (100 a transaction, added, never overwritten, so a start
/// that runs twice changes nothing), and a slice row keeps its tally. Then the slices of the first
/// phase are queued, one message each, spaced by the throttle with visibility delays.
/// </para>
/// <para>
/// Each batch re-reads its campaign at least every <see cref="CampaignOptions.StateCheckInterval"/>
/// and stops when it is paused or cancelled, or its plan was replaced (a newer generation). It then
/// writes its slice's tally with the ETag read before its recipients, so the tally left last was
/// counted after every change. The batch that leaves no recipient of its phase pending ends the
/// phase: the A/B test share moves the campaign to <c>testing</c>, the rest to <c>sent</c>.
/// </para>
/// </summary>
public sealed partial class CampaignRunner(
    StorageAccount storage, CampaignStore store, SegmentStore segments, SegmentService segmentService, AnalyticsCopy copy, AnalyticsEngine engine,
    CustomerStore customers, MessageStore log, Suppressions suppressions, Preferences preferences, IEmailComposer composer, IEmailSender sender,
    SignedLinks links, Touches touches, AuditLog audit, IOptions<CampaignOptions> options, IOptions<MessagingOptions> messaging, TimeProvider time,
    ILogger<CampaignRunner> logger)
{
    /// <summary>The longest a queue message can stay invisible is 7 days; longer waits hop.</summary>
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(6);

    private const int MaxAttempts = 10;

    private readonly AudienceSnapshot _audience = new(store, segments, segmentService, copy, engine, customers);
    private readonly CampaignBatch _batch = new(store, log, suppressions, preferences, composer, sender, links, touches, options, messaging, time, logger);

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
            List<AudienceMember> audience;
            try
            {
                audience = await _audience.MembersAsync(await _audience.IdsAsync(campaign, cancellationToken), cancellationToken);
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

    /// <summary>Writes the slices' blobs, recipients and rows (adding only what is missing) and marks the campaign frozen.</summary>
    private async Task<CampaignEntity> FreezeAsync(CampaignEntity campaign, List<AudienceMember> audience, CancellationToken cancellationToken)
    {
        var id = campaign.RowKey;
        var sliceSize = Math.Max(1, Math.Min(options.Value.BatchSize, campaign.ThrottlePerMinute ?? int.MaxValue));
        var ab = campaign.AbTestValue();
        var plan = CampaignSlicing.Plan(id, audience, ab, sliceSize);
        var now = time.GetUtcNow();
        var slices = plan.Select(p => new CampaignSliceEntity
        {
            PartitionKey = id, RowKey = CampaignSliceEntity.Key(id, p.Phase, p.Index), Phase = p.Phase, Index = p.Index,
            Count = p.Members.Count, Pending = p.Members.Count, TalliedAt = now,
        }).ToList();
        var recipients = plan.SelectMany(p => p.Members.Select(m => new CampaignRecipientEntity
        {
            PartitionKey = CampaignKeys.RecipientPartition(id, p.Phase, p.Index), RowKey = CampaignKeys.Recipient(id, m.CustomerId),
            Phase = p.Phase, Variant = m.Variant, Slice = p.Index,
        })).ToList();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (p, ct) =>
            await store.WriteSliceAsync(CampaignStore.SliceBlob(id, p.Phase, p.Index), p.Members, ct));
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
        if (campaign is null || !CampaignGate.IsCurrent(campaign, work))
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
        var members = await store.ReadSliceAsync(CampaignStore.SliceBlob(campaign.RowKey, phase, work.Slice), cancellationToken);
        if (slice is null || members is null)
        {
            return;
        }
        var result = await _batch.SendAsync(campaign, work, slice, members, cancellationToken);
        if (result.PauseError is { } error)
        {
            await PauseForErrorAsync(campaign.RowKey, error, cancellationToken);
            return;
        }
        if (result.RetryAfter is { } after)
        {
            // A transient provider failure, or recipients another worker may still be sending: this slice comes back later.
            await QueueAsync(work with { NotBefore = null, Attempt = work.Attempt + 1 }, after < MaxDelay ? after : MaxDelay, cancellationToken);
            return;
        }
        if (!result.Halted)
        {
            await CompletePhaseAsync(campaign.RowKey, phase, cancellationToken);
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
        var outcomes = new List<TestOutcome>();
        await foreach (var r in store.AllRecipientsAsync(id, CampaignEntity.TestPhase, cancellationToken))
        {
            outcomes.Add(new TestOutcome(r.Variant, r.StateValue, r.OpenedAt is not null, r.ClickedAt is not null));
        }
        var winner = AbDecision.Choose(ab, outcomes, now);
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
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                var rows = await store.SliceRecipientsAsync(id, slice.Phase, slice.Index, ct);
                var lost = false;
                foreach (var chunk in rows.Where(r => r.StateValue == RecipientState.Pending).Chunk(100))
                {
                    foreach (var row in chunk)
                    {
                        row.StateValue = RecipientState.Cancelled;
                    }
                    lost |= !await store.TryReplaceRecipientsAsync(chunk, ct);
                }
                slice.Tally(rows, time.GetUtcNow());
                if (!lost && await store.TryReplaceSliceAsync(slice, ct))
                {
                    return;
                }
                slice = await store.FindSliceAsync(id, slice.Phase, slice.Index, ct) ?? slice;
            }
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
