using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Messaging;

namespace PecosCrm.Core.Reports;

/// <summary>
/// Scheduled runs. The <c>ScheduledReports</c> timer calls <see cref="RunDueAsync"/>, which runs each
/// due occurrence of every scheduled report once, stores its snapshot and emails it, the file
/// attached, to the schedule's recipients.
/// <para>
/// Exactly once across timer firings, instances and retries: an occurrence is first claimed by
/// moving the report's next run on with an ETag-guarded write, which records the occurrence as
/// pending (a racing sweep's write fails and it leaves the occurrence alone). The snapshot's id is
/// made from the occurrence, and the snapshot row notes when its email went. A sweep that finds a
/// pending occurrence whose claim is older than <see cref="ClaimTimeout"/> (the process stopped
/// part-way) claims it again the same way and carries on from where it stopped: the stored
/// snapshot is reused, and an email already noted as sent is not sent again. Only a stop between
/// handing the email to SendGrid and noting it can send it twice.
/// </para>
/// </summary>
public sealed partial class ReportSchedules(
    ReportStore store, ReportRunner runner, IEmailSender email, IOptions<MessagingOptions> messaging, AuditLog audit, StoreTime storeTime,
    TimeProvider time, ILogger<ReportSchedules> logger)
{
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(10);

    private const int MaxRecordAttempts = 5;

    /// <summary>Runs every due occurrence; returns the snapshots it stored and emailed.</summary>
    public async Task<IReadOnlyList<ReportSnapshot>> RunDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var due = await store.DueAsync(now, cancellationToken);
        // One report's failure must not hold up the others; its claim stays pending and is tried
        // again after the claim timeout.
        return await DueRuns.EachAsync(due, entity => RunOccurrenceAsync(entity, now, cancellationToken), "due reports");
    }

    private async Task<ReportSnapshot?> RunOccurrenceAsync(ReportEntity entity, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reportId = ReportKeys.IdOf(entity.RowKey);
        var definition = ReportService.DefinitionOf(entity);
        DateTimeOffset occurrence;
        if (entity.PendingOccurrence is { } pending)
        {
            if (entity.ClaimedAt is { } claimed && now - claimed < ClaimTimeout)
            {
                return null;
            }
            occurrence = pending;
            LogResuming(logger, reportId, occurrence);
        }
        else
        {
            occurrence = entity.NextRunAt!.Value;
            entity.PendingOccurrence = occurrence;
            entity.NextRunAt = definition.Schedule is { Active: true } schedule
                ? ReportScheduleTiming.Next(schedule, storeTime.Zone, occurrence > now ? occurrence : now)
                : null;
        }
        entity.ClaimedAt = now;
        try
        {
            entity.ETag = await store.ReplaceAsync(entity, cancellationToken);
        }
        catch (ConcurrencyException)
        {
            LogTaken(logger, reportId, occurrence);
            return null;
        }

        var snapshotId = ReportKeys.ScheduledSnapshotId(occurrence);
        var snapshot = await store.FindSnapshotAsync(reportId, snapshotId, cancellationToken);
        if (snapshot is null)
        {
            var result = await runner.RunAsync(definition, occurrence, cancellationToken);
            snapshot = new ReportSnapshot(snapshotId, reportId, definition.Name, ReportTriggers.Schedule, AuditActor.System.Name, occurrence, definition, result);
            if (await store.AddSnapshotAsync(snapshot, cancellationToken))
            {
                await audit.RecordAsync(AuditActor.System, "report.ran", "report", reportId, null, new { snapshotId, occurrence }, cancellationToken: cancellationToken);
            }
            snapshot = await store.FindSnapshotAsync(reportId, snapshotId, cancellationToken) ?? snapshot;
        }

        string? error = null;
        if (snapshot.EmailedAt is null && snapshot.Definition.Schedule is { } sent)
        {
            error = await EmailAsync(snapshot, sent, cancellationToken);
            if (error is null)
            {
                await store.MarkEmailedAsync(reportId, snapshotId, time.GetUtcNow(), cancellationToken);
                LogEmailed(logger, reportId, occurrence, sent.Recipients.Count);
            }
        }
        await RecordRunAsync(reportId, occurrence, snapshotId, error, cancellationToken);
        return snapshot;
    }

    /// <summary>
    /// Emails the snapshot to each recipient, the file attached. A refusal that will never work
    /// (a bad address) is returned as the run's error; a passing failure (SendGrid busy) throws, so
    /// the occurrence is tried again.
    /// </summary>
    private async Task<string?> EmailAsync(ReportSnapshot snapshot, ReportSchedule schedule, CancellationToken cancellationToken)
    {
        var result = snapshot.Result;
        var fileName = FileName(snapshot.ReportName, result.LastDay, schedule.Format);
        var attachment = new EmailAttachment(fileName, ReportFiles.ContentType(schedule.Format), ReportFiles.Write(result, schedule.Format));
        var subject = $"{snapshot.ReportName}: {result.FirstDay} to {result.LastDay}";
        var total = result.Currency is null ? result.Total.ToString("#,##0.##", CultureInfo.InvariantCulture) : Money.Format(Money.ToCents(result.Total), result.Currency);
        var text = $"""
            {snapshot.ReportName}
            {result.MetricLabel} from {result.FirstDay} to {result.LastDay} ({result.TimeZone}): {total}, in {result.Rows.Count} rows.
            The rows are attached as {fileName}. This run is kept as snapshot {snapshot.Id} of report {snapshot.ReportId}.
            """;
        var html = "<p>" + WebUtility.HtmlEncode(text).Replace("\n", "<br>", StringComparison.Ordinal) + "</p>";
        var options = messaging.Value;
        var errors = new List<string>();
        foreach (var recipient in schedule.Recipients)
        {
            var outcome = await email.SendAsync(
                new OutgoingEmail(recipient, null, options.FromEmail, options.FromName, subject, html, text,
                    new Dictionary<string, string>(), new Dictionary<string, string> { ["report_id"] = snapshot.ReportId, ["snapshot_id"] = snapshot.Id }, "reports", Attachments: [attachment]),
                cancellationToken);
            switch (outcome.Result)
            {
                case SendResult.Transient:
                    throw new InvalidOperationException($"Report {snapshot.ReportId}: the email could not be handed over now: {outcome.Error}");
                case SendResult.Permanent:
                    errors.Add(outcome.Error ?? "refused");
                    break;
            }
        }
        return errors.Count == 0 ? null : string.Join(" ", errors);
    }

    /// <summary><c>{name as a slug}-{last day}.{format}</c>, e.g. <c>weekly-revenue-2026-03-01.csv</c>.</summary>
    public static string FileName(string reportName, string lastDay, string format)
    {
        var slug = new StringBuilder();
        foreach (var c in reportName.ToLowerInvariant())
        {
            slug.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }
        var name = string.Join('-', slug.ToString().Split('-', StringSplitOptions.RemoveEmptyEntries));
        return $"{(name.Length == 0 ? "report" : name[..Math.Min(name.Length, 60)])}-{lastDay}.{format}";
    }

    /// <summary>Notes the run and clears the claim it came from; read and written again when the report changed in between.</summary>
    private async Task RecordRunAsync(string reportId, DateTimeOffset occurrence, string snapshotId, string? error, CancellationToken cancellationToken)
    {
        await OptimisticRetry.RunAsync(async _ =>
        {
            var entity = await store.FindEntityAsync(reportId, cancellationToken);
            if (entity is null)
            {
                return;
            }
            if (entity.PendingOccurrence == occurrence)
            {
                entity.PendingOccurrence = null;
                entity.ClaimedAt = null;
            }
            entity.LastRunAt = time.GetUtcNow();
            entity.LastSnapshotId = snapshotId;
            entity.LastError = error;
            entity.ETag = await store.ReplaceAsync(entity, cancellationToken);
        }, MaxRecordAttempts, cancellationToken);
    }

    [LoggerMessage(1, LogLevel.Information, "Report {ReportId}: the run for {Occurrence:o} was taken by another sweep")]
    private static partial void LogTaken(ILogger logger, string reportId, DateTimeOffset occurrence);

    [LoggerMessage(2, LogLevel.Warning, "Report {ReportId}: resuming the run for {Occurrence:o} after an interrupted sweep")]
    private static partial void LogResuming(ILogger logger, string reportId, DateTimeOffset occurrence);

    [LoggerMessage(3, LogLevel.Information, "Report {ReportId}: the run for {Occurrence:o} was emailed to {Recipients} recipients")]
    private static partial void LogEmailed(ILogger logger, string reportId, DateTimeOffset occurrence, int recipients);
}
