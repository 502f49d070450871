namespace PecosCrm.Core.Wholesale;

/// <summary>
/// What an uploaded certificate is, from its bytes, never from its name or declared type: a PDF
/// (<c>%PDF-</c> and an <c>%%EOF</c> near its end), a JPEG (SOI marker, EOI at the end) or a PNG
/// (its eight-byte signature and an IEND chunk). No I/O.
/// </summary>
public static class CertificateFile
{
    /// <summary>The file's content type and extension, or a validation error naming <paramref name="field"/>.</summary>
    public static (string ContentType, string Extension) Inspect(ReadOnlySpan<byte> content, long maxBytes, string field = "file")
    {
        if (content.Length == 0)
        {
            throw new ValidationFailedException(field, "is empty.");
        }
        if (content.Length > maxBytes)
        {
            throw new ValidationFailedException(field, $"is {content.Length:N0} bytes; a certificate may be at most {maxBytes:N0} bytes.");
        }
        var tail = content[Math.Max(0, content.Length - 1024)..];
        if (content.StartsWith("%PDF-"u8) && tail.IndexOf("%%EOF"u8) >= 0)
        {
            return ("application/pdf", "pdf");
        }
        if (content is [0xFF, 0xD8, 0xFF, ..] && content.Length > 4 && content[^2] == 0xFF && content[^1] == 0xD9)
        {
            return ("image/jpeg", "jpg");
        }
        if (content.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) && tail.IndexOf("IEND"u8) >= 0)
        {
            return ("image/png", "png");
        }
        throw new ValidationFailedException(field, "is not a whole PDF, JPEG or PNG file (judged by its content, not its name).");
    }
}
