namespace PecosCrm.Functions.Hosting;

/// <summary>Which of the two hosting modes the app runs in; see docs/hosting.md.</summary>
public static class HostingMode
{
    /// <summary>
    /// Where the Azure Functions host listens for its worker. The host starts the worker with
    /// <c>--functions-uri</c>, which the worker reads as this setting.
    /// </summary>
    public const string HostEndpointKey = "Functions:Worker:HostEndpoint";

    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--functions-uri"] = HostEndpointKey,
    };

    /// <summary>True when an Azure Functions host started the app as its isolated worker.</summary>
    public static bool IsFunctionsHost(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[HostEndpointKey]);

    /// <summary>The same decision before any host is built, from the environment and the command line.</summary>
    public static bool IsFunctionsHost(string[] args) =>
        IsFunctionsHost(new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args, SwitchMappings).Build());
}
