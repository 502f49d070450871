namespace PecosCrm.Core.Storage;

/// <summary>A file judged by its first bytes: what it is, and the names it may carry.</summary>
public sealed record AttachmentKind(string ContentType, string Description, IReadOnlyList<string> Extensions);

/// <summary>A file handed in with a message or on its own (an upload, an email's attachment).</summary>
public sealed record IncomingFile(string FileName, byte[] Content);

/// <summary>
/// Decides whether a file may be attached to a ticket or an inbox message, by its content and never by its name alone:
/// images (JPEG, PNG, GIF, WebP) and PDF receipts are accepted, and the name's extension must be
/// one of the detected type's (a PNG called <c>receipt.pdf</c> is refused, as is a program called
/// <c>photo.jpg</c>). Pure.
/// </summary>
public static class AttachmentInspector
{
    private static readonly AttachmentKind Jpeg = new("image/jpeg", "a JPEG image", [".jpg", ".jpeg", ".jfif"]);
    private static readonly AttachmentKind Png = new("image/png", "a PNG image", [".png"]);
    private static readonly AttachmentKind Gif = new("image/gif", "a GIF image", [".gif"]);
    private static readonly AttachmentKind Webp = new("image/webp", "a WebP image", [".webp"]);
    private static readonly AttachmentKind Pdf = new("application/pdf", "a PDF document", [".pdf"]);

    /// <summary>The kind of the file, or a validation error on <paramref name="field"/> saying why it is refused.</summary>
    public static AttachmentKind Inspect(ReadOnlySpan<byte> content, string? fileName, long maxBytes, string field = "file")
    {
        if (content.Length == 0)
        {
            throw new ValidationFailedException(field, "is empty.");
        }
        if (content.Length > maxBytes)
        {
            throw new ValidationFailedException(field, $"is larger than {maxBytes / (1024 * 1024)} MB.");
        }
        if (string.IsNullOrWhiteSpace(fileName) || fileName.Length > 200 || fileName.Any(c => char.IsControl(c) || c is '/' or '\\' or '"'))
        {
            throw new ValidationFailedException(field, "needs a file name of up to 200 characters without / \\ \" or control characters.");
        }
        var kind = Detect(content)
            ?? throw new ValidationFailedException(field, "is not a JPEG, PNG, GIF or WebP image or a PDF document (judged by its content, not its name).");
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (!kind.Extensions.Contains(extension))
        {
            throw new ValidationFailedException(field, $"is {kind.Description} but is named '{fileName}': the name must end in {string.Join(" or ", kind.Extensions)}.");
        }
        return kind;
    }

    private static AttachmentKind? Detect(ReadOnlySpan<byte> b) =>
        b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? Jpeg
        : b.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? Png
        : b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8) ? Gif
        : b.Length >= 12 && b.StartsWith("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8) ? Webp
        : b.StartsWith("%PDF-"u8) ? Pdf
        : null;
}
