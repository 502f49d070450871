using System.Text.Json;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>A file that came with an inbox message; its content is in blob storage, served by a short-lived link.</summary>
public sealed record ConversationAttachment(string Id, string FileName, string ContentType, long Size);

/// <summary>
/// The files that come with inbox messages (an email's attachments). They are judged by content as
/// ticket attachments are (<see cref="AttachmentInspector"/>: images and PDFs, the name's extension
/// matching, at most <see cref="MaxAttachmentBytes"/>), kept under <c>{conversationId}/{attachmentId}</c>
/// in the <c>inbox-attachments</c> container and listed on their message. A refused file is named in an
/// internal note on the conversation; the message is kept all the same.
/// </summary>
public sealed partial class Inbox
{
    public const long MaxAttachmentBytes = 10 * 1024 * 1024;

    /// <summary>A short-lived download link of an attachment of the conversation.</summary>
    public async Task<(ConversationAttachment Attachment, Uri Url, DateTimeOffset ExpiresAt)> AttachmentLinkAsync(
        string conversationId, string attachmentId, CancellationToken cancellationToken = default)
    {
        var thread = await GetAsync(conversationId, cancellationToken);
        var attachment = thread.Messages.SelectMany(m => m.Attachments ?? []).FirstOrDefault(a => a.Id == attachmentId)
            ?? throw new NotFoundException("Attachment", attachmentId);
        var url = blobs.GetDownloadLink(StorageNames.Containers.InboxAttachments, BlobName(conversationId, attachmentId), BlobFiles.DefaultLinkLifetime, attachment.FileName);
        return (attachment, url, time.GetUtcNow() + BlobFiles.DefaultLinkLifetime);
    }

    /// <summary>An attachment's content (a conversation turned into a ticket takes its files along); null when the file is gone.</summary>
    public async Task<byte[]?> ReadAttachmentAsync(string conversationId, string attachmentId, CancellationToken cancellationToken = default)
    {
        await using var stream = await blobs.OpenReadIfExistsAsync(StorageNames.Containers.InboxAttachments, BlobName(conversationId, attachmentId), cancellationToken);
        if (stream is null)
        {
            return null;
        }
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }

    /// <summary>Keeps the files that pass the checks; names the others with the reason.</summary>
    private async Task<(List<ConversationAttachment> Kept, List<string> Refused)> StoreFilesAsync(
        string conversationId, IReadOnlyList<IncomingFile> files, CancellationToken cancellationToken)
    {
        var kept = new List<ConversationAttachment>();
        var refused = new List<string>();
        foreach (var file in files)
        {
            AttachmentKind kind;
            try
            {
                kind = AttachmentInspector.Inspect(file.Content, file.FileName, MaxAttachmentBytes);
            }
            catch (ValidationFailedException ex)
            {
                refused.Add($"{file.FileName}: {string.Join(" ", ex.Errors.Values.SelectMany(v => v))}");
                continue;
            }
            var attachment = new ConversationAttachment(Ids.New(time), file.FileName.Trim(), kind.ContentType, file.Content.Length);
            using var content = new MemoryStream(file.Content, writable: false);
            await blobs.UploadAsync(StorageNames.Containers.InboxAttachments, BlobName(conversationId, attachment.Id), content, kind.ContentType, cancellationToken);
            kept.Add(attachment);
        }
        return (kept, refused);
    }

    private static string BlobName(string conversationId, string attachmentId) => conversationId + "/" + attachmentId;

    private static string? WriteAttachments(IReadOnlyList<ConversationAttachment>? attachments) =>
        attachments is { Count: > 0 } ? JsonSerializer.Serialize(attachments, CrmJson.Options) : null;

    private static IReadOnlyList<ConversationAttachment> ReadAttachments(TableEntity row) =>
        row.GetString("Attachments") is { } json ? JsonSerializer.Deserialize<List<ConversationAttachment>>(json, CrmJson.Options) ?? [] : [];
}
