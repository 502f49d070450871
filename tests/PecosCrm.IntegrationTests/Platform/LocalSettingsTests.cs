using Microsoft.Extensions.Configuration;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary><c>local.settings.json</c> at the repository root applies to the app started from its project folder, as the README says.</summary>
public sealed class LocalSettingsTests
{
    [Fact]
    public void SettingsFileAtTheRepositoryRoot_AppliesToTheAppStartedInItsProjectFolder()
    {
        var root = Directory.CreateTempSubdirectory("pecoscrm-settings-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "PecosCrm.sln"), "");
            File.WriteAllText(Path.Combine(root, LocalSettingsConfiguration.FileName),
                """{ "IsEncrypted": false, "Values": { "Store__TimeZone": "America/Chicago", "Demo__Seed": "true" } }""");
            var project = Directory.CreateDirectory(Path.Combine(root, "src", "PecosCrm.Functions")).FullName;

            var configuration = new ConfigurationBuilder().AddLocalSettings(project).Build();

            Assert.Equal("America/Chicago", configuration["Store:TimeZone"]);
            Assert.Equal("true", configuration["Demo:Seed"]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void SearchStopsAtTheRepositoryRoot_AndAFileBesideTheAppWins()
    {
        var outer = Directory.CreateTempSubdirectory("pecoscrm-settings-").FullName;
        try
        {
            // A settings file above the repository is not the repository's.
            File.WriteAllText(Path.Combine(outer, LocalSettingsConfiguration.FileName), """{ "Values": { "Demo__Seed": "true" } }""");
            var root = Directory.CreateDirectory(Path.Combine(outer, "repo")).FullName;
            File.WriteAllText(Path.Combine(root, "PecosCrm.sln"), "");
            var app = Directory.CreateDirectory(Path.Combine(root, "publish")).FullName;

            Assert.Null(LocalSettingsConfiguration.Find(app));

            File.WriteAllText(Path.Combine(app, LocalSettingsConfiguration.FileName), """{ "Values": { "Demo__Seed": "false" } }""");
            Assert.Equal(Path.Combine(app, LocalSettingsConfiguration.FileName), LocalSettingsConfiguration.Find(app));
        }
        finally
        {
            Directory.Delete(outer, recursive: true);
        }
    }
}
