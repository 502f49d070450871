using System.Text.Json;
using System.Text.Json.Nodes;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Writes the deployment files Azure Functions needs from the trigger registry: <c>host.json</c>
/// and one <c>{Name}/function.json</c> per function, plus <c>Api/function.json</c>, the one HTTP
/// function whose catch-all route forwards every <c>/api/...</c> request to the app unchanged.
/// </summary>
public sealed class FunctionsManifest(TriggerRegistry registry, StorageAccount storage)
{
    public const string HttpFunctionName = "Api";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The files by relative path (forward slashes) and their JSON.</summary>
    public IReadOnlyDictionary<string, JsonObject> Build(string executable = "PecosCrm.Functions")
    {
        var files = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal)
        {
            ["host.json"] = HostJson(executable),
            [HttpFunctionName + "/function.json"] = new()
            {
                ["bindings"] = new JsonArray(
                    new JsonObject
                    {
                        ["type"] = "httpTrigger",
                        ["direction"] = "in",
                        ["name"] = "req",
                        ["authLevel"] = "anonymous",
                        ["methods"] = new JsonArray("get", "post", "put", "patch", "delete", "head", "options"),
                        ["route"] = "{*route}",
                    },
                    new JsonObject { ["type"] = "http", ["direction"] = "out", ["name"] = "res" }),
            },
        };
        foreach (var function in registry.Functions)
        {
            var trigger = function.Kind == TriggerKind.Timer
                ? new JsonObject { ["type"] = "timerTrigger", ["direction"] = "in", ["name"] = function.BindingName, ["schedule"] = function.Schedule }
                : new JsonObject
                {
                    ["type"] = "queueTrigger",
                    ["direction"] = "in",
                    ["name"] = function.BindingName,
                    ["queueName"] = storage.QueueName(function.Queue!),
                    ["connection"] = StorageOptions.ConnectionStringKey,
                };
            files[function.Name + "/function.json"] = new JsonObject { ["bindings"] = new JsonArray(trigger) };
        }
        return files;
    }

    public async Task WriteAsync(string directory, CancellationToken cancellationToken = default)
    {
        foreach (var (path, json) in Build())
        {
            var full = Path.Combine(directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, json.ToJsonString(Indented) + "\n", cancellationToken);
        }
    }

    private static JsonObject HostJson(string executable) => new()
    {
        ["version"] = "2.0",
        ["logging"] = new JsonObject
        {
            ["applicationInsights"] = new JsonObject { ["samplingSettings"] = new JsonObject { ["isEnabled"] = true } },
        },
        ["extensionBundle"] = new JsonObject
        {
            ["id"] = "Microsoft.Azure.Functions.ExtensionBundle",
            ["version"] = "[4.*, 5.0.0)",
        },
        ["customHandler"] = new JsonObject
        {
            ["description"] = new JsonObject
            {
                ["defaultExecutablePath"] = executable,
                ["workingDirectory"] = "",
                ["arguments"] = new JsonArray(),
            },
            ["enableForwardingHttpRequest"] = true,
        },
        ["extensions"] = new JsonObject
        {
            ["http"] = new JsonObject { ["routePrefix"] = "api" },
            // The same semantics the standalone poller implements.
            ["queues"] = new JsonObject
            {
                ["maxDequeueCount"] = 5,
                ["batchSize"] = 16,
                ["visibilityTimeout"] = "00:00:02",
                ["maxPollingInterval"] = "00:00:05",
            },
        },
        ["functionTimeout"] = "00:10:00",
    };
}
