using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

/// <summary>The shape of every list: <c>{ "items": [...], "nextCursor": "..." }</c>.</summary>
public sealed record ListResponse<T>(IReadOnlyList<T> Items, string? NextCursor)
{
    public static ListResponse<T> From<TSource>(Page<TSource> page, Func<TSource, T> map) => new(page.Items.Select(map).ToList(), page.NextCursor);
}
