using System.Text.Json;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Messaging.Templates;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// Campaigns as staff work with them: drafts that can be edited, then start (now or at a time),
/// pause, resume and cancel. Every change goes with the campaign's ETag; the sending itself is
/// <see cref="CampaignRunner"/>'s.
/// </summary>
public sealed class CampaignService(
    CampaignStore store, SegmentStore segments, CampaignRunner runner, Attribution attribution, IOptions<CampaignOptions> options, TimeProvider time)
{
    public const int MaxAttributionDays = 90;
    public const int MaxVariants = 5;

    /// <summary>Table Storage keeps at most 64 KiB (32,000 characters) in one property; bodies stay under it with room for merge fields.</summary>
    public const int MaxBodyLength = 30_000;

    public const int MaxSubjectLength = 500;

    private static readonly TimeSpan MinDecideAfter = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxDecideAfter = TimeSpan.FromDays(30);

    public async Task<Campaign> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var campaign = await store.GetEntityAsync(id, cancellationToken);
        return campaign.ToRecord(campaign.Frozen ? await store.ProgressAsync(id, cancellationToken) : null);
    }

    public async Task<Campaign> CreateAsync(CampaignDraft draft, string actor, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var campaign = new CampaignEntity
        {
            RowKey = KeyRules.InvertedTicks(now) + Guid.NewGuid().ToString("N")[..8],
            CreatedBy = actor,
            CreatedAt = now,
            UpdatedAt = now,
            AttributionDays = attribution.DefaultWindowDays,
        };
        var list = await ApplyAsync(campaign, new CampaignChange(draft.Name, draft.Audience, draft.Content, draft.Purpose ?? MessagePurpose.Marketing,
            draft.AbTest, draft.ThrottlePerMinute, draft.AttributionDays), creating: true, cancellationToken);
        if (list is not null)
        {
            await store.WriteIdsAsync(CampaignStore.ListBlob(campaign.RowKey), list, onlyIfMissing: false, cancellationToken);
        }
        await store.AddAsync(campaign, cancellationToken);
        return await GetAsync(campaign.RowKey, cancellationToken);
    }

    /// <summary>Changes a draft; a paused campaign takes a new name and content only (to fix what paused it).</summary>
    public async Task<(Campaign Before, Campaign After)> UpdateAsync(string id, CampaignChange change, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var campaign = await store.GetEntityAsync(id, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, campaign.ETag);
        var before = campaign.ToRecord(null);
        if (campaign.StateValue == CampaignState.Paused)
        {
            if (change.Audience is not null || change.Purpose is not null || change.AbTest is not null || change.ThrottlePerMinute is not null || change.AttributionDays is not null)
            {
                throw new ConflictException("A paused campaign takes a new name or content only; its audience, purpose, A/B test, throttle and attribution are fixed once it has started.");
            }
        }
        else if (campaign.StateValue != CampaignState.Draft)
        {
            throw new ConflictException($"Only a draft (or the content of a paused campaign) can be changed; this campaign is {Words(campaign.StateValue)}.");
        }
        var list = await ApplyAsync(campaign, change, creating: false, cancellationToken);
        if (list is not null)
        {
            await store.WriteIdsAsync(CampaignStore.ListBlob(id), list, onlyIfMissing: false, cancellationToken);
        }
        campaign.UpdatedAt = time.GetUtcNow();
        await store.ReplaceAsync(campaign, cancellationToken);
        return (before, await GetAsync(id, cancellationToken));
    }

    public async Task<Campaign> DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var campaign = await store.GetEntityAsync(id, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, campaign.ETag);
        if (campaign.StateValue != CampaignState.Draft)
        {
            throw new ConflictException($"Only a draft can be deleted; this campaign is {Words(campaign.StateValue)}. Cancel it instead.");
        }
        await store.DeleteAsync(campaign, cancellationToken);
        return campaign.ToRecord(null);
    }

    /// <summary>Starts a draft now, or schedules it for <paramref name="sendAt"/>.</summary>
    public async Task<(Campaign Before, Campaign After)> StartAsync(string id, DateTimeOffset? sendAt, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var campaign = await store.GetEntityAsync(id, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, campaign.ETag);
        var before = campaign.ToRecord(null);
        if (campaign.StateValue != CampaignState.Draft)
        {
            throw new ConflictException($"Only a draft can be started; this campaign is {Words(campaign.StateValue)}.");
        }
        if (campaign.SegmentId is { } segmentId && await segments.FindEntityAsync(segmentId, cancellationToken) is null)
        {
            throw new ValidationFailedException("audience.segmentId", $"no segment has the id '{segmentId}' any more.");
        }
        var now = time.GetUtcNow();
        campaign.UpdatedAt = now;
        campaign.Error = null;
        if (sendAt is { } at && at > now)
        {
            campaign.StateValue = CampaignState.Scheduled;
            campaign.SendAt = at;
            await store.ReplaceAsync(campaign, cancellationToken);
        }
        else
        {
            campaign.StateValue = CampaignState.Sending;
            campaign.StartedAt = now;
            await store.ReplaceAsync(campaign, cancellationToken);
            await runner.QueueAsync(new CampaignWork(CampaignWork.Start, id), null, cancellationToken);
        }
        return (before, await GetAsync(id, cancellationToken));
    }

    /// <summary>Stops sending: batches notice within a second and stop after the recipient they are on.</summary>
    public async Task<(Campaign Before, Campaign After)> PauseAsync(string id, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var campaign = await store.GetEntityAsync(id, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, campaign.ETag);
        var before = campaign.ToRecord(null);
        if (campaign.StateValue is not (CampaignState.Sending or CampaignState.Testing))
        {
            throw new ConflictException($"Only a sending or testing campaign can be paused; this campaign is {Words(campaign.StateValue)}.");
        }
        var now = time.GetUtcNow();
        campaign.StateValue = CampaignState.Paused;
        campaign.PausedAt = now;
        campaign.UpdatedAt = now;
        await store.ReplaceAsync(campaign, cancellationToken);
        return (before, await GetAsync(id, cancellationToken));
    }

    /// <summary>
    /// Goes on from where a paused campaign stopped: the recipients left are queued again (the first
    /// batch no sooner than one throttle interval after the pause), or it waits for its A/B decision again.
    /// </summary>
    public async Task<(Campaign Before, Campaign After)> ResumeAsync(string id, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var campaign = await store.GetEntityAsync(id, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, campaign.ETag);
        var before = campaign.ToRecord(null);
        if (campaign.StateValue != CampaignState.Paused)
        {
            throw new ConflictException($"Only a paused campaign can be resumed; this campaign is {Words(campaign.StateValue)}.");
        }
        var now = time.GetUtcNow();
        campaign.UpdatedAt = now;
        campaign.Error = null;
        campaign.StartedAt ??= now;
        List<CampaignWork>? works = null;
        if (!campaign.Frozen || campaign.Generation == 0)
        {
            campaign.StateValue = CampaignState.Sending;
        }
        else if (campaign.Phase == CampaignEntity.TestPhase && campaign.TestCompletedAt is not null)
        {
            campaign.StateValue = CampaignState.Testing;
        }
        else
        {
            campaign.StateValue = CampaignState.Sending;
            var start = campaign.PausedAt is { } paused && paused + CampaignRunner.Interval(campaign) > now ? paused + CampaignRunner.Interval(campaign) : now;
            works = await runner.PlanAsync(campaign, campaign.Phase!, start, cancellationToken);
        }
        await store.ReplaceAsync(campaign, cancellationToken);
        if (works is null && campaign.StateValue == CampaignState.Sending)
        {
            await runner.QueueAsync(new CampaignWork(CampaignWork.Start, id), null, cancellationToken);
        }
        else if (works is not null)
        {
            await runner.QueueBatchesAsync(campaign, campaign.Phase!, works, cancellationToken);
        }
        return (before, await GetAsync(id, cancellationToken));
    }

    /// <summary>Stops for good: recipients not yet reached are marked cancelled (by a job, shortly).</summary>
    public async Task<(Campaign Before, Campaign After)> CancelAsync(string id, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var campaign = await store.GetEntityAsync(id, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, campaign.ETag);
        var before = campaign.ToRecord(null);
        if (campaign.StateValue is not (CampaignState.Scheduled or CampaignState.Sending or CampaignState.Paused or CampaignState.Testing))
        {
            throw new ConflictException($"Only a scheduled, sending, paused or testing campaign can be cancelled; this campaign is {Words(campaign.StateValue)}.");
        }
        var now = time.GetUtcNow();
        campaign.StateValue = CampaignState.Cancelled;
        campaign.CancelledAt = now;
        campaign.UpdatedAt = now;
        await store.ReplaceAsync(campaign, cancellationToken);
        if (campaign.Frozen)
        {
            await runner.QueueAsync(new CampaignWork(CampaignWork.Cancel, id), null, cancellationToken);
        }
        return (before, await GetAsync(id, cancellationToken));
    }

    private static string Words(CampaignState state) => state.ToString().ToLowerInvariant();

    /// <summary>Checks the change against what the campaign already has and applies it; returns a new list audience to store, if any.</summary>
    private async Task<List<string>?> ApplyAsync(CampaignEntity campaign, CampaignChange change, bool creating, CancellationToken cancellationToken)
    {
        var check = new Validation();
        if (creating || change.Name is not null)
        {
            check.Required("name", change.Name, 200);
        }

        List<string>? list = null;
        string? segmentName = null;
        if (creating && change.Audience is null)
        {
            check.Add("audience", "is required: a segmentId, or customerIds for a list.");
        }
        else if (change.Audience is { } audience)
        {
            if ((audience.SegmentId is null) == (audience.CustomerIds is null))
            {
                check.Add("audience", "give either a segmentId or customerIds (a list), not both or neither.");
            }
            else if (audience.SegmentId is { } segmentId)
            {
                if (await segments.FindEntityAsync(segmentId, cancellationToken) is { } segment)
                {
                    segmentName = segment.Name;
                }
                else
                {
                    check.Add("audience.segmentId", $"no segment has the id '{segmentId}'.");
                }
            }
            else
            {
                list = audience.CustomerIds!.Where(c => c is not null).Select(c => c.Trim()).Distinct(StringComparer.Ordinal).ToList();
                if (list.Count == 0 || list.Count > options.Value.MaxListSize)
                {
                    check.Add("audience.customerIds", $"must hold 1 to {options.Value.MaxListSize:N0} customer ids.");
                }
                foreach (var bad in list.Where(c => !KeyRules.IsValidKey(c) || c.Length > 100).Take(10))
                {
                    check.Add("audience.customerIds", $"'{bad}' is not a customer id (1-100 characters without / \\ # ? or control characters).");
                }
            }
        }

        var content = change.Content is null ? null : change.Content with
        {
            Subject = Blank(change.Content.Subject),
            Html = Blank(change.Content.Html),
            Text = Blank(change.Content.Text),
            TemplateId = Blank(change.Content.TemplateId),
        };
        if (creating && content is null)
        {
            check.Add("content", "is required: a subject with html and/or text, or a templateId.");
        }
        else if (content is not null)
        {
            if (content.TemplateId is null && (content.Subject is null || (content.Html is null && content.Text is null)))
            {
                check.Add("content", "give a subject with html and/or text, or a templateId.");
            }
            if (content.TemplateId is { } templateId && (!KeyRules.IsValidKey(templateId) || templateId.Length > 100))
            {
                check.Add("content.templateId", "must be 1-100 characters without / \\ # ? or control characters.");
            }
            check.MaxLength("content.subject", content.Subject, MaxSubjectLength)
                .MaxLength("content.html", content.Html, MaxBodyLength)
                .MaxLength("content.text", content.Text, MaxBodyLength);
            InlineText.Check(check, "content.subject", content.Subject);
            InlineText.Check(check, "content.html", content.Html, html: true);
            InlineText.Check(check, "content.text", content.Text);
        }

        AbTestSummary? ab = null;
        var removeAb = change.AbTest is { Variants: null or { Count: 0 } } && !creating;
        if (change.AbTest is { } test && !removeAb)
        {
            var variants = test.Variants ?? [];
            if (variants.Count is < 2 or > MaxVariants)
            {
                check.Add("abTest.variants", $"must hold 2 to {MaxVariants} variants, each with a subject.");
            }
            for (var i = 0; i < variants.Count; i++)
            {
                var field = $"abTest.variants[{i}].subject";
                check.Required(field, variants[i]?.Subject, MaxSubjectLength);
                InlineText.Check(check, field, variants[i]?.Subject);
            }
            if (test.TestShare is not ({ } share and > 0 and < 1))
            {
                check.Add("abTest.testShare", "is required: the share of recipients in the test, more than 0 and less than 1 (0.2 = 20 %).");
            }
            if (test.DecideAfter is not { } after || after < MinDecideAfter || after > MaxDecideAfter)
            {
                check.Add("abTest.decideAfter", "is required: how long after the test is sent to choose the winner, from 00:01:00 to 30.00:00:00.");
            }
            if (check.IsValid)
            {
                ab = new AbTestSummary(
                    variants.Select((v, i) => new VariantSummary(((char)('A' + i)).ToString(), v!.Subject!.Trim())).ToList(),
                    test.TestShare!.Value, test.Metric ?? CampaignMetric.Open, test.DecideAfter!.Value);
            }
        }
        var throttle = change.ThrottlePerMinute;
        if (throttle is { } perMinute && (perMinute < 0 || (perMinute == 0 && creating) || perMinute > 100_000))
        {
            check.Add("throttlePerMinute", creating ? "must be 1 to 100,000 messages a minute." : "must be 1 to 100,000 messages a minute, or 0 for no throttle.");
        }
        if (change.AttributionDays is { } days && days is < 1 or > MaxAttributionDays)
        {
            check.Add("attributionDays", $"must be 1 to {MaxAttributionDays} days.");
        }
        check.ThrowIfInvalid();

        if (change.Name is not null)
        {
            campaign.Name = change.Name.Trim();
        }
        if (change.Audience is not null)
        {
            campaign.SegmentId = change.Audience.SegmentId;
            campaign.SegmentName = segmentName;
            campaign.ListSize = list?.Count;
        }
        if (content is not null)
        {
            (campaign.Subject, campaign.Html, campaign.Text, campaign.TemplateId) = (content.Subject, content.Html, content.Text, content.TemplateId);
        }
        if (change.Purpose is { } purpose)
        {
            campaign.Purpose = purpose.ToString();
        }
        if (ab is not null || removeAb)
        {
            campaign.AbTest = ab is null ? null : JsonSerializer.Serialize(ab, CrmJson.Options);
        }
        if (throttle is not null)
        {
            campaign.ThrottlePerMinute = throttle == 0 ? null : throttle;
        }
        if (change.AttributionDays is { } attribution)
        {
            campaign.AttributionDays = attribution;
        }
        return list;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
