namespace PecosCrm.Functions.Hosting;

/// <summary>Which of the two hosting modes the app runs in.</summary>
public static class HostingMode
{
    /// <summary>True when the Azure Functions host started the app as its custom handler.</summary>
    public static bool IsFunctionsHost(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[HostingOptions.CustomHandlerPortKey]);
}
