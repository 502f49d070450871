using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Wholesale;

/// <summary>
/// Tax-exemption certificates: the file goes to a blob of its own (a new name per upload), then the
/// account row names it under its ETag; the old file is removed after. A download is a short-lived
/// read link. A timer emails the account manager once per certificate, a configurable number of days
/// before it lapses.
/// </summary>
public sealed partial class TaxCertificates(
    WholesaleStore store, BlobFiles blobs, StaffStore staff, IEmailSender email, IOptions<WholesaleOptions> options,
    IOptions<MessagingOptions> messaging, StoreTime storeTime, TimeProvider time, ILogger<TaxCertificates> logger)
{
    private const string Container = StorageNames.Containers.TaxCertificates;

    /// <summary>Stores a new certificate for the account, replacing the one it had (whose reminder state goes with it).</summary>
    public async Task<(WholesaleAccount Before, WholesaleAccount After)> UploadAsync(
        string accountId, byte[] content, string? fileName, DateOnly? expiresOn, string? ifMatch, CancellationToken cancellationToken = default)
    {
        if (expiresOn is null)
        {
            throw new ValidationFailedException("expiresOn", "is required: the certificate's last valid day as yyyy-MM-dd.");
        }
        var (contentType, extension) = CertificateFile.Inspect(content, options.Value.CertificateMaxBytes);
        var row = await store.GetAccountRowAsync(accountId, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, row.ETag);
        var before = row.ToRecord();
        var oldBlob = row.CertificateBlob;

        var certificateId = Ids.New(time);
        var blob = WholesaleKeys.CertificateBlob(accountId, certificateId, extension);
        await blobs.UploadAsync(Container, blob, new MemoryStream(content), contentType, cancellationToken);
        row.CertificateId = certificateId;
        row.CertificateBlob = blob;
        row.CertificateContentType = contentType;
        row.CertificateFileName = string.IsNullOrWhiteSpace(fileName) ? $"certificate.{extension}" : Path.GetFileName(fileName.Trim())[..Math.Min(200, Path.GetFileName(fileName.Trim()).Length)];
        row.CertificateBytes = content.Length;
        row.CertificateExpiresOn = expiresOn.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        row.CertificateUploadedAt = time.GetUtcNow();
        row.CertificateReminderSentAt = null;
        row.UpdatedAt = row.CertificateUploadedAt.Value;
        WholesaleAccount after;
        try
        {
            after = await store.ReplaceAccountAsync(row, cancellationToken);
        }
        catch (ConcurrencyException)
        {
            await blobs.DeleteIfExistsAsync(Container, blob, cancellationToken);
            throw;
        }
        if (oldBlob is not null)
        {
            await blobs.DeleteIfExistsAsync(Container, oldBlob, cancellationToken);
        }
        return (before, after);
    }

    /// <summary>A read link to the account's certificate that works for a few minutes, and when it stops working.</summary>
    public async Task<(Uri Link, DateTimeOffset ExpiresAt, TaxCertificate Certificate)> LinkAsync(string accountId, CancellationToken cancellationToken = default)
    {
        var row = await store.GetAccountRowAsync(accountId, cancellationToken);
        if (row.CertificateBlob is null)
        {
            throw new NotFoundException("Tax certificate of account", accountId);
        }
        var lifetime = options.Value.CertificateLinkLifetime;
        return (blobs.GetDownloadLink(Container, row.CertificateBlob, lifetime, row.CertificateFileName), time.GetUtcNow() + lifetime, row.ToRecord().Certificate!);
    }

    /// <summary>
    /// Emails the manager of every account whose certificate lapses within the reminder window and
    /// who has not been told about that certificate. The account row is marked first, under its ETag,
    /// so two runs never both send; when the send fails the mark is taken back for the next run.
    /// Returns how many reminders went out.
    /// </summary>
    public async Task<int> SendRemindersAsync(CancellationToken cancellationToken = default)
    {
        var today = storeTime.Date(time.GetUtcNow());
        var sent = 0;
        foreach (var accountId in await store.CertificatesToRemindAsync(today.AddDays(options.Value.CertificateReminderDays), cancellationToken))
        {
            var row = await store.GetAccountRowAsync(accountId, cancellationToken);
            if (row.CertificateReminderSentAt is not null || row.CertificateId is null || row.AccountManagerId is null
                || await staff.FindAsync(row.AccountManagerId, cancellationToken) is not { Active: true } manager)
            {
                continue;
            }
            row.CertificateReminderSentAt = time.GetUtcNow();
            try
            {
                await store.ReplaceAccountAsync(row, cancellationToken);
            }
            catch (ConcurrencyException)
            {
                continue;
            }
            var certificate = row.ToRecord().Certificate!;
            var outcome = await email.SendAsync(Reminder(manager, row, certificate, today), cancellationToken);
            if (outcome.Result == SendResult.Accepted)
            {
                sent++;
                LogReminded(logger, accountId, certificate.Id);
                continue;
            }
            LogReminderFailed(logger, accountId, outcome.Error);
            var again = await store.GetAccountRowAsync(accountId, cancellationToken);
            if (again.CertificateId == certificate.Id)
            {
                again.CertificateReminderSentAt = null;
                await store.ReplaceAccountAsync(again, cancellationToken);
            }
        }
        return sent;
    }

    private OutgoingEmail Reminder(StaffMember manager, AccountEntity row, TaxCertificate certificate, DateOnly today)
    {
        var days = certificate.ExpiresOn.DayNumber - today.DayNumber;
        var when = certificate.ExpiresOn.ToString("MMMM d, yyyy", System.Globalization.CultureInfo.InvariantCulture);
        var subject = days < 0
            ? $"Tax-exemption certificate of {row.CompanyName} lapsed on {when}"
            : $"Tax-exemption certificate of {row.CompanyName} lapses on {when}";
        var text = $"{subject}. Ask the account for a new certificate and upload it to wholesale account {row.AccountId}.";
        var o = messaging.Value;
        return new OutgoingEmail(manager.Email, manager.Name, o.FromEmail, o.FromName, subject,
            $"<p>{WebUtility.HtmlEncode(text)}</p>", text,
            new Dictionary<string, string>(), new Dictionary<string, string> { ["kind"] = "certificate_reminder", ["account_id"] = row.AccountId }, "wholesale");
    }

    [LoggerMessage(1, LogLevel.Information, "Certificate reminder sent for wholesale account {AccountId} (certificate {CertificateId})")]
    private static partial void LogReminded(ILogger logger, string accountId, string certificateId);

    [LoggerMessage(2, LogLevel.Warning, "Certificate reminder for wholesale account {AccountId} not accepted: {Error}")]
    private static partial void LogReminderFailed(ILogger logger, string accountId, string? error);
}
