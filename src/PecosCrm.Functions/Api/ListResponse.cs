using System.Globalization;
using PecosCrm.Core;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

/// <summary>The shape of every list: <c>{ "items": [...], "nextCursor": "..." }</c>.</summary>
public sealed record ListResponse<T>(IReadOnlyList<T> Items, string? NextCursor)
{
    private const string OffsetPrefix = "offset:";

    /// <summary>Lists read whole are far shorter; a larger offset was not handed out by this API.</summary>
    private const int MaxOffset = 1_000_000;

    public static ListResponse<T> From<TSource>(Page<TSource> page, Func<TSource, T> map) => new(page.Items.Select(map).ToList(), page.NextCursor);

    /// <summary>
    /// A page of a list that is small and read whole (a catalogue, a customer's tags, a report's rows):
    /// <c>limit</c> and <c>cursor</c> work as on every other list, the cursor holding the offset.
    /// </summary>
    public static ListResponse<T> Slice(IReadOnlyList<T> all, int? limit, string? cursor)
    {
        var size = Page<T>.CheckLimit(limit);
        var offset = Offset(cursor);
        var items = all.Skip(offset).Take(size).ToList();
        var next = offset + items.Count < all.Count ? Cursor.Encode(OffsetPrefix + (offset + items.Count).ToString(CultureInfo.InvariantCulture)) : null;
        return new ListResponse<T>(items, next);
    }

    /// <summary>Where a page of <see cref="Slice"/> starts: 0 without a cursor.</summary>
    public static int Offset(string? cursor)
    {
        if (Cursor.Decode(cursor) is not { } token)
        {
            return 0;
        }
        return token.StartsWith(OffsetPrefix, StringComparison.Ordinal)
            && int.TryParse(token.AsSpan(OffsetPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) && offset <= MaxOffset
            ? offset
            : throw new ValidationFailedException("cursor", "is not a cursor this API handed out.");
    }
}
