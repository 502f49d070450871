using System.Globalization;
using Azure.Data.Tables;

namespace PecosCrm.Core.Storage;

/// <summary>
/// Text longer than one table property holds (64 KiB, 32K UTF-16 characters): written across
/// <c>Name</c>, <c>Name_1</c>, <c>Name_2</c>, … and read back joined. A row holds at most 1 MiB in all.
/// </summary>
public static class LongText
{
    /// <summary>Characters per property, below the 32,768 limit; a surrogate pair is never split.</summary>
    public const int ChunkLength = 32_000;

    public static void Write(TableEntity entity, string name, string value)
    {
        var part = 0;
        var start = 0;
        do
        {
            var length = Math.Min(ChunkLength, value.Length - start);
            if (length == ChunkLength && char.IsHighSurrogate(value[start + length - 1]))
            {
                length--;
            }
            entity[Key(name, part++)] = value.Substring(start, length);
            start += length;
        }
        while (start < value.Length);
    }

    public static string Read(TableEntity entity, string name)
    {
        var first = entity.GetString(name) ?? "";
        if (!entity.ContainsKey(Key(name, 1)))
        {
            return first;
        }
        var builder = new System.Text.StringBuilder(first);
        for (var part = 1; entity.GetString(Key(name, part)) is { } next; part++)
        {
            builder.Append(next);
        }
        return builder.ToString();
    }

    private static string Key(string name, int part) => part == 0 ? name : name + "_" + part.ToString(CultureInfo.InvariantCulture);
}
