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

    public static IConfigurationBuilder AddLocalSettings(this IConfigurationBuilder builder, string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
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
}
