namespace PecosCrm.Core.Analytics;

/// <summary>
/// Names for the 125 RFM codes. The default map gives every code exactly one name by the first
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
    public static readonly IReadOnlyList<string> DefaultNames =
        ["Champions", "Loyal", "Big Spenders", "New", "Promising", "Potential", "At Risk", "Hibernating", "Lost", "Developing"];

    public static readonly IReadOnlyDictionary<string, string> Default = Build();

    public static string Code(int r, int f, int m) => $"{r}{f}{m}";

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
