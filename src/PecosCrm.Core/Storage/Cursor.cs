using System.Buffers.Text;
using System.Text;

namespace PecosCrm.Core.Storage;

/// <summary>
/// Turns a storage continuation token into the opaque <c>cursor</c> the API hands out, and back.
/// Clients must not parse it; the encoding only keeps tokens URL-safe.
/// </summary>
public static class Cursor
{
    public static string? Encode(string? continuationToken) =>
        continuationToken is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(continuationToken));

    public static string? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw new ValidationFailedException("cursor", "is not a cursor this API handed out.");
        }
    }
}
