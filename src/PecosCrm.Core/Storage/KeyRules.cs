using System.Globalization;

namespace PecosCrm.Core.Storage;

/// <summary>Rules and helpers for PartitionKey and RowKey values.</summary>
public static class KeyRules
{
    /// <summary>Table Storage forbids these in keys; control characters are refused as well.</summary>
    public static bool IsValidKey(string? value) =>
        !string.IsNullOrEmpty(value)
        && value.Length <= 512
        && !value.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));

    /// <summary>Throws a validation error naming <paramref name="field"/> when the value cannot be a key.</summary>
    public static string Require(string? value, string field)
    {
        if (!IsValidKey(value))
        {
            throw new ValidationFailedException(field, "must be 1-512 characters without / \\ # ? or control characters.");
        }
        return value!;
    }

    /// <summary>
    /// Makes any text usable inside a key by percent-encoding the characters keys forbid (and
    /// '%' itself), so values such as emails can be looked up by key.
    /// </summary>
    public static string Escape(string value)
    {
        if (!value.Any(c => c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c)))
        {
            return value;
        }
        var builder = new System.Text.StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// A RowKey prefix that sorts newest first: the ticks left until <see cref="DateTimeOffset.MaxValue"/>,
    /// zero-padded to 19 digits so that string order is numeric order.
    /// </summary>
    public static string InvertedTicks(DateTimeOffset time) =>
        (DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>The time an <see cref="InvertedTicks"/> prefix was made from.</summary>
    public static DateTimeOffset FromInvertedTicks(string key) =>
        new(DateTimeOffset.MaxValue.UtcTicks - long.Parse(key.AsSpan(0, 19), CultureInfo.InvariantCulture), TimeSpan.Zero);

    /// <summary>The smallest string greater than every string starting with <paramref name="prefix"/>.</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);
}
