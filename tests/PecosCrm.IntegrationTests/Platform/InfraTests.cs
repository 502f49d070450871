using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using PecosCrm.Testing;

namespace PecosCrm.IntegrationTests.Platform;

public sealed class InfraTests
{
    [Fact]
    public async Task MainBicep_CompilesWithoutWarnings_ToAFunctionsAppOnTheDotnetIsolatedWorker()
    {
        var bicep = CopyOfBicepCli();
        var template = Path.Combine(AzuriteProcess.RepoRoot(), "infra", "main.bicep");
        var start = new ProcessStartInfo(bicep, ["build", template, "--stdout"]) { RedirectStandardOutput = true, RedirectStandardError = true };

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, stderr);
        Assert.DoesNotContain("Warning", stderr);
        var json = await stdout;
        var arm = JsonNode.Parse(json)!;
        Assert.Contains("Microsoft.Web/sites", json);
        Assert.Contains("Microsoft.KeyVault/vaults", json);
        Assert.Contains("Microsoft.Insights/components", json);
        Assert.Contains("'FUNCTIONS_WORKER_RUNTIME', 'value', 'dotnet-isolated'", json);
        Assert.Contains("'name', 'dotnet-isolated', 'version', variables('dotnetVersion')", json);
        Assert.Equal("10.0", arm["variables"]!["dotnetVersion"]!.GetValue<string>());
        Assert.Contains("'Durable__TaskHub', 'value', parameters('taskHubName')", json);
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", json);
        Assert.DoesNotContain("'custom'", json);
        Assert.Contains("Messaging__SendGridApiKey", json);
    }

    /// <summary>The CLI from the Azure.Bicep.CommandLine package, copied so it can be made executable.</summary>
    private static string CopyOfBicepCli()
    {
        var package = typeof(InfraTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPackage").Value!;
        var source = Directory.EnumerateFiles(package, "bicep", SearchOption.AllDirectories).First();
        var copy = Path.Combine(Path.GetTempPath(), "pecoscrm-bicep-" + Environment.ProcessId);
        File.Copy(source, copy, overwrite: true);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return copy;
    }
}
