using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using PecosCrm.Testing;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary>
/// The README's settings table lists exactly the settings the code reads: every property of an
/// options class (a class with a <c>SectionName</c>), every key read from configuration directly, and
/// every <c>%setting%</c> that <c>host.json</c> names. The sample local settings use only those.
/// </summary>
public sealed partial class SettingsTableTests
{
    /// <summary>Settings that ASP.NET Core or the Functions host read under another name than the key the code asks for.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal) { ["urls"] = "ASPNETCORE_URLS" };

    /// <summary>Settings that only the Functions host reads.</summary>
    private static readonly string[] HostOnly = ["FUNCTIONS_WORKER_RUNTIME"];

    [Fact]
    public void ReadmeSettingsTable_ListsEverySettingTheCodeReads_AndNothingElse()
    {
        var code = SettingsTheCodeReads();
        var readme = SettingsInTheReadme();

        Assert.True(code.Count > 30, $"only {code.Count} settings found in the code");
        var undocumented = code.Except(readme).Order().ToList();
        var unknown = readme.Except(code).Order().ToList();
        Assert.True(undocumented.Count == 0, "read by the code but not in the README: " + string.Join(", ", undocumented));
        Assert.True(unknown.Count == 0, "in the README but read by nothing: " + string.Join(", ", unknown));
    }

    [Fact]
    public void SampleLocalSettings_UseOnlySettingsTheCodeReads()
    {
        var known = SettingsTheCodeReads();
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "local.settings.sample.json")));
        var unknown = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)
            .Where(n => !known.Contains(n) && !HostOnly.Contains(n));

        Assert.Empty(unknown);
        Assert.Contains("Messaging__SendGridApiKey", sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name));
    }

    private static HashSet<string> SettingsTheCodeReads()
    {
        var settings = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in new[] { typeof(Core.CrmJson).Assembly, typeof(Program).Assembly }.SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field)
            {
                var section = (string)field.GetRawConstantValue()!;
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
                {
                    settings.Add(Normalise(section) + "__" + property.Name);
                }
            }
        }

        var sources = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToList();
        var constants = sources.SelectMany(s => Constant().Matches(s)).GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => g.First().Groups[2].Value);
        foreach (var source in sources)
        {
            foreach (Match m in LiteralKey().Matches(source))
            {
                settings.Add(Normalise(m.Groups["key"].Value));
            }
            foreach (Match m in ConstantKey().Matches(source))
            {
                if (m.Groups["rest"].Success)
                {
                    continue; // SectionName + ":Property": an options property, found above.
                }
                settings.Add(Normalise(constants[m.Groups["name"].Value]));
            }
        }
        foreach (Match m in HostJsonSetting().Matches(File.ReadAllText(Path.Combine(Root, "src", "PecosCrm.Functions", "host.json"))))
        {
            settings.Add(m.Groups[1].Value);
        }
        return settings;
    }

    private static string Normalise(string key) => Aliases.GetValueOrDefault(key, key.Replace(":", "__", StringComparison.Ordinal));

    private static HashSet<string> SettingsInTheReadme()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "README.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith("| setting |", StringComparison.Ordinal));
        Assert.True(start >= 0, "the README has no settings table");
        return lines.Skip(start + 2).TakeWhile(l => l.StartsWith('|'))
            .SelectMany(l => Name().Matches(l.Split('|')[1]).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string Root { get; } = AzuriteProcess.RepoRoot();

    [GeneratedRegex("""(?:(?:onfiguration|config)\[|(?<!Try)GetValue(?:<[^>]+>)?\()\s*"(?<key>[A-Za-z0-9_:]+)"\s*[\]),]""")]
    private static partial Regex LiteralKey();

    [GeneratedRegex("""(?:onfiguration|config)\[(?:\w+\.)?(?<name>[A-Z]\w+)(?<rest>\s*\+\s*"[^"]*")?\]""")]
    private static partial Regex ConstantKey();

    [GeneratedRegex("""const string (\w+) = "([^"]*)";""")]
    private static partial Regex Constant();

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex HostJsonSetting();

    [GeneratedRegex("`([A-Za-z0-9_]+)`")]
    private static partial Regex Name();
}
