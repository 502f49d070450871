namespace PecosCrm.Core.Storage;

/// <summary>One page of a list and the opaque cursor of the next page (null on the last one).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public Page<TOut> Select<TOut>(Func<T, TOut> map) => new(Items.Select(map).ToList(), NextCursor);

    /// <summary>Checks a requested page size, defaulting to 50.</summary>
    public static int CheckLimit(int? limit)
    {
        var value = limit ?? DefaultLimit;
        if (value is < 1 or > MaxLimit)
        {
            throw new ValidationFailedException("limit", $"must be between 1 and {MaxLimit}.");
        }
        return value;
    }
}
