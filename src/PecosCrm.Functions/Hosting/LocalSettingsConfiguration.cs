using System.Text.Json;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Reads <c>local.settings.json</c> the way Azure Functions Core Tools does: its <c>Values</c> become
/// settings as if they were environment variables (<c>Storage__Prefix</c> is <c>Storage:Prefix</c>).
/// Real environment variables still win, as they do under the Functions host.
/// </summary>
public static class LocalSettingsConfiguration
{
    public const string FileName = "local.settings.json";

    /// <summary>
    /// Adds the first <c>local.settings.json</c> found in <paramref name="directory"/> or the folders
    /// above it, up to the repository root (the folder holding <c>PecosCrm.sln</c>): the file sits at
    /// the root for <c>./run.sh</c> and <c>dotnet run</c>, and beside the app when published.
    /// </summary>
    public static IConfigurationBuilder AddLocalSettings(this IConfigurationBuilder builder, string directory)
    {
        if (Find(directory) is not { } path)
        {
            return builder;
        }
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Object)
        {
            return builder;
        }
        var settings = values.EnumerateObject()
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText());
        return builder.AddInMemoryCollection(settings);
    }

    /// <summary>The settings file that applies to an app started in <paramref name="directory"/>, or null.</summary>
    public static string? Find(string directory)
    {
        for (var folder = new DirectoryInfo(Path.GetFullPath(directory)); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
            if (File.Exists(Path.Combine(folder.FullName, "PecosCrm.sln")))
            {
                return null;
            }
        }
        return null;
    }
}
