using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Analytics;

/// <summary>One named RFM segment of a map and the codes (e.g. <c>545</c>) it claims.</summary>
public sealed record RfmSegmentCodes(string Name, IReadOnlyList<string> Codes);

/// <summary>A segment as a client sends it, before <see cref="RfmMap.Check"/> has looked at it.</summary>
public sealed record RfmSegmentDraft(string? Name, IReadOnlyList<string?>? Codes);

/// <summary>
/// Names for the 125 RFM codes, and the rules every map must follow. The default map (version 1 of
/// the versioned map in <see cref="RfmMapStore"/>) gives every code exactly one name by the first
/// rule it meets, in this order:
/// <list type="number">
/// <item>Champions: R ≥ 4, F ≥ 4, M ≥ 4;</item>
/// <item>Loyal: R ≥ 3, F ≥ 4;</item>
/// <item>Big Spenders: R ≥ 3, M ≥ 4 (buying seldom but large);</item>
/// <item>New: R = 5, F = 1;</item>
/// <item>Promising: R ≥ 4, F ≤ 2;</item>
/// <item>Potential: R = 3 or 4, F ≤ 3;</item>
/// <item>At Risk: R ≤ 2 and F ≥ 3 or M ≥ 4 (were good, now quiet);</item>
/// <item>Hibernating: R = 2, F ≤ 2;</item>
/// <item>Lost: R = 1, F ≤ 2;</item>
/// <item>Developing: everything else (recent with middling frequency).</item>
/// </list>
/// </summary>
public static class RfmMap
{
    public const int MaxSegments = 30;
    public const int MaxNameLength = 50;
    public const int MaxNoteLength = 500;

    public static readonly IReadOnlyList<string> DefaultNames =
        ["Champions", "Loyal", "Big Spenders", "New", "Promising", "Potential", "At Risk", "Hibernating", "Lost", "Developing"];

    /// <summary>Every code from <c>111</c> to <c>555</c>, ascending.</summary>
    public static readonly IReadOnlyList<string> AllCodes =
        (from r in Enumerable.Range(1, 5) from f in Enumerable.Range(1, 5) from m in Enumerable.Range(1, 5) select Code(r, f, m)).ToList();

    public static readonly IReadOnlyDictionary<string, string> Default = Build();

    /// <summary>The default map as segments, in the order of <see cref="DefaultNames"/>, codes highest first.</summary>
    public static readonly IReadOnlyList<RfmSegmentCodes> DefaultSegments =
        DefaultNames.Select(n => new RfmSegmentCodes(n, Default.Where(c => c.Value == n).Select(c => c.Key).OrderDescending(StringComparer.Ordinal).ToList())).ToList();

    public static string Code(int r, int f, int m) => $"{r}{f}{m}";

    /// <summary>Three digits, each 1 to 5: R, F and M.</summary>
    public static bool IsCode(string? code) => code is { Length: 3 } && code.All(c => c is >= '1' and <= '5');

    /// <summary>
    /// Checks a map as a client sent it and returns it tidied (names trimmed, each segment's codes
    /// highest first). Every code from 111 to 555 must be in exactly one segment; names are required,
    /// at most <see cref="MaxNameLength"/> characters and unique ignoring case; at most
    /// <see cref="MaxSegments"/> segments. Throws <see cref="ValidationFailedException"/> naming every
    /// problem: <c>segments[i].name</c>, <c>segments[i].codes</c> (malformed codes), and
    /// <c>segments</c> (codes missing or given more than once, with the segments that claim them).
    /// </summary>
    public static IReadOnlyList<RfmSegmentCodes> Check(IReadOnlyList<RfmSegmentDraft?>? segments, string? note)
    {
        var check = new Validation().MaxLength("note", note?.Trim(), MaxNoteLength);
        if (segments is null || segments.Count == 0)
        {
            check.Add("segments", "is required: a list of { name, codes } that together hold every code from 111 to 555 once.");
            check.ThrowIfInvalid();
            return [];
        }
        if (segments.Count > MaxSegments)
        {
            check.Add("segments", $"must hold at most {MaxSegments} segments.");
        }

        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var claims = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var tidy = new List<RfmSegmentCodes>();
        for (var i = 0; i < segments.Count; i++)
        {
            var field = $"segments[{i}]";
            if (segments[i] is not { } segment)
            {
                check.Add(field, "is required.");
                continue;
            }
            var name = segment.Name?.Trim();
            if (string.IsNullOrEmpty(name))
            {
                check.Add(field + ".name", "is required.");
            }
            else if (name.Length > MaxNameLength)
            {
                check.Add(field + ".name", $"must be at most {MaxNameLength} characters.");
            }
            else if (name.Any(char.IsControl))
            {
                check.Add(field + ".name", "must not contain control characters.");
            }
            else if (names.TryGetValue(name, out var first))
            {
                check.Add(field + ".name", $"'{name}' is already the name of segments[{first}]; names must be unique, ignoring case.");
            }
            else
            {
                names[name] = i;
            }

            var claimant = string.IsNullOrEmpty(name) ? field : $"'{name}'";
            if (segment.Codes is not { Count: > 0 } codes)
            {
                check.Add(field + ".codes", "must hold at least one code.");
                continue;
            }
            var malformed = codes.Where(c => !IsCode(c)).Select(c => c is null ? "null" : $"'{c}'").ToList();
            if (malformed.Count > 0)
            {
                check.Add(field + ".codes", $"{string.Join(", ", malformed)} {(malformed.Count == 1 ? "is not an RFM code" : "are not RFM codes")}: a code is three digits from 1 to 5 (R, F, M), 111 to 555.");
            }
            foreach (var code in codes.Where(IsCode))
            {
                if (!claims.TryGetValue(code!, out var by))
                {
                    claims[code!] = by = [];
                }
                by.Add(claimant);
            }
            tidy.Add(new RfmSegmentCodes(name ?? "", codes.Where(IsCode).Select(c => c!).Distinct().OrderDescending(StringComparer.Ordinal).ToList()));
        }

        foreach (var (code, by) in claims.Where(c => c.Value.Count > 1).OrderByDescending(c => c.Key, StringComparer.Ordinal))
        {
            check.Add("segments", $"Code {code} is given more than once, by {string.Join(" and ", by)}; each code belongs to exactly one segment.");
        }
        var missing = AllCodes.Where(c => !claims.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            check.Add("segments", $"Every code from 111 to 555 must be in one segment; missing: {string.Join(", ", missing)}.");
        }
        check.ThrowIfInvalid();
        return tidy;
    }

    private static Dictionary<string, string> Build()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var r = 1; r <= 5; r++)
        {
            for (var f = 1; f <= 5; f++)
            {
                for (var m = 1; m <= 5; m++)
                {
                    map[Code(r, f, m)] = (r, f, m) switch
                    {
                        ( >= 4, >= 4, >= 4) => "Champions",
                        ( >= 3, >= 4, _) => "Loyal",
                        ( >= 3, _, >= 4) => "Big Spenders",
                        (5, 1, _) => "New",
                        ( >= 4, <= 2, _) => "Promising",
                        (3 or 4, <= 3, _) => "Potential",
                        ( <= 2, >= 3, _) or ( <= 2, _, >= 4) => "At Risk",
                        (2, <= 2, _) => "Hibernating",
                        (1, <= 2, _) => "Lost",
                        _ => "Developing",
                    };
                }
            }
        }
        return map;
    }
}
