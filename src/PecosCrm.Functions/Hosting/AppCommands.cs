using PecosCrm.Core.Access;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Hosting;

/// <summary>The app's commands besides serving: <c>create-admin-key</c> prints a new admin API key.</summary>
public static class AppCommands
{
    public static readonly IReadOnlyList<string> Names = ["create-admin-key"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0]);

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        switch (args[0])
        {
            case "create-admin-key":
                await app.Services.GetRequiredService<StorageInitializer>().StartAsync(CancellationToken.None);
                var secret = await app.Services.GetRequiredService<ApiKeyStore>().CreateAdminKeyAsync();
                Console.WriteLine(secret);
                return 0;
            default:
                Console.Error.WriteLine($"Unknown command '{args[0]}'. Commands: {string.Join(", ", Names)}");
                return 2;
        }
    }
}
