using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;
using PecosCrm.Functions.Jobs;
using PecosCrm.IntegrationTests.Infrastructure;
using PecosCrm.Testing;
using Xunit.Abstractions;

namespace PecosCrm.IntegrationTests.Platform;

[Collection(AzuriteCollection.Name)]
public sealed class HostingTests(AzuriteFixture fixture, ITestOutputHelper output)
{
    /// <summary>
    /// The SDK writes functions.metadata from the [Function] attributes at build; standalone mode reads
    /// the same attributes by reflection. Timers, queues and HTTP must match exactly: those are what
    /// standalone mode runs itself. Orchestration, activity and entity functions are run by the durable
    /// engine in either mode, so they are listed here, not compared.
    /// </summary>
    [Fact]
    public async Task FunctionsMetadata_ListsTheSameTimersQueuesAndHttpAsStandaloneDiscovery()
    {
        var metadata = JsonNode.Parse(await File.ReadAllTextAsync(FunctionsMetadataPath()))!.AsArray();
        var generated = metadata.Select(f =>
        {
            var trigger = Assert.Single(f!["bindings"]!.AsArray(), b => b!["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal))!;
            return new Triggered(
                f["name"]!.GetValue<string>(),
                trigger["type"]!.GetValue<string>(),
                trigger["schedule"]?.GetValue<string>(),
                trigger["queueName"]?.GetValue<string>());
        }).ToList();
        var discovered = FunctionCatalog.ForApp().Functions.Select(f => new Triggered(f.Name, f.BindingType, f.Schedule, f.Queue)).ToList();
        string[] compared = ["timerTrigger", "queueTrigger", "httpTrigger"];

        Assert.Equal(
            generated.Where(t => compared.Contains(t.Type)).OrderBy(t => t.Name, StringComparer.Ordinal),
            discovered.Where(t => compared.Contains(t.Type)).OrderBy(t => t.Name, StringComparer.Ordinal));
        foreach (var durable in generated.Where(t => !compared.Contains(t.Type)))
        {
            output.WriteLine($"run by the durable engine, not compared: {durable.Name} ({durable.Type})");
        }
        Assert.Contains(generated, t => t.Type == "timerTrigger");
        Assert.Contains(generated, t => t.Type == "queueTrigger");
        var api = metadata.Single(f => f!["name"]!.GetValue<string>() == ApiFunction.FunctionName)!["bindings"]!.AsArray();
        Assert.Equal("{*path}", api[0]!["route"]!.GetValue<string>());
        Assert.Equal("anonymous", api[0]!["authLevel"]!.GetValue<string>(), ignoreCase: true);
        // Every function asks for the durable client, so work started from any of them can reach the engine;
        // except the orchestrator, which does no I/O of its own.
        Assert.All(metadata.Where(f => f!["bindings"]!.AsArray().All(b => b!["type"]!.GetValue<string>() != "orchestrationTrigger")),
            f => Assert.Contains(f!["bindings"]!.AsArray(), b => b!["type"]!.GetValue<string>() == "durableClient"));
    }

    [Fact]
    public async Task ApiFunction_OnADefaultHttpContext_RunsTheApiPipeline_RoutingAuthAndProblems()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunQueues"] = "false", ["Hosting:RunTimers"] = "false" });
        _ = app.Server;

        var anonymous = await InvokeApiAsync(app, "", "/api/keys", key: null);
        var keys = await InvokeApiAsync(app, "", "/api/keys", app.AdminKey);
        var stripped = await InvokeApiAsync(app, "", "/keys", app.AdminKey);
        var split = await InvokeApiAsync(app, "/api", "/keys", app.AdminKey);
        var missing = await InvokeApiAsync(app, "", "/api/no-such-thing", app.AdminKey);
        var health = await InvokeApiAsync(app, "", "/health", key: null);

        Assert.Equal(StatusCodes.Status401Unauthorized, anonymous.Status);
        Assert.StartsWith("application/problem+json", anonymous.ContentType);
        Assert.Equal(401, JsonNode.Parse(anonymous.Body)!["status"]!.GetValue<int>());
        Assert.Equal(StatusCodes.Status200OK, keys.Status);
        Assert.Equal(StatusCodes.Status200OK, stripped.Status);
        Assert.Equal(StatusCodes.Status200OK, split.Status);
        Assert.Equal(StatusCodes.Status404NotFound, missing.Status);
        Assert.StartsWith("application/problem+json", missing.ContentType);
        Assert.Equal(StatusCodes.Status200OK, health.Status);
    }

    [Fact]
    public async Task Standalone_DoesNotExposeFunctionRoutes()
    {
        var response = await fixture.App.Admin().PostAsync("/" + HousekeepingTimerJob.FunctionName, new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Standalone_QueuePoller_HandlesMessageAndDeletesIt()
    {
        await using var app = fixture.NewApp();
        _ = app.Server;
        var exports = app.Storage.Container(StorageNames.Containers.Exports);
        await exports.UploadBlobAsync("stale.xlsx", BinaryData.FromString("x"));
        var queue = app.Storage.Queue(StorageNames.Queues.Housekeeping);

        await queue.SendMessageAsync(JsonSerializer.Serialize(new { container = "exports", olderThan = DateTimeOffset.UtcNow.AddMinutes(5) }));

        await HttpAssertions.EventuallyAsync(async () => !(await exports.GetBlobClient("stale.xlsx").ExistsAsync()).Value, "the export blob is deleted");
        await HttpAssertions.EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "the message is deleted");
    }

    [Fact]
    public async Task Standalone_QueuePoller_MovesMessageToPoisonAfterFiveFailures()
    {
        await using var app = fixture.NewApp();
        _ = app.Server;
        var queue = app.Storage.Queue(StorageNames.Queues.Housekeeping);
        var poison = app.Storage.Queue(StorageNames.Queues.Poison(StorageNames.Queues.Housekeeping));
        var body = JsonSerializer.Serialize(new { container = "locks", olderThan = DateTimeOffset.UtcNow });

        await queue.SendMessageAsync(body);

        await HttpAssertions.EventuallyAsync(async () => (await poison.PeekMessagesAsync(1)).Value.Length == 1, "the message reaches the poison queue");
        Assert.Equal(body, (await poison.PeekMessagesAsync(1)).Value[0].Body.ToString());
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Standalone_Timer_FiresAtItsScheduledTime()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 3, 29, 58, TimeSpan.Zero));
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunQueues"] = "false" }, time);
        _ = app.Server;
        var queue = app.Storage.Queue(StorageNames.Queues.Housekeeping);
        await Task.Delay(500);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);

        time.Advance(TimeSpan.FromSeconds(3));

        await HttpAssertions.EventuallyAsync(async () => (await queue.PeekMessagesAsync(1)).Value.Length == 1, "the timer queued its housekeeping task");
    }

    [Fact]
    public async Task Standalone_Timer_OccurrenceFiresOnOneInstanceOnly()
    {
        var prefix = "l" + Guid.NewGuid().ToString("N")[..10];
        var settings = new Dictionary<string, string?> { ["Hosting:RunQueues"] = "false", ["Hosting:RunTimers"] = "false" };
        await using var one = fixture.NewApp(settings, prefix: prefix);
        await using var two = fixture.NewApp(settings, prefix: prefix);
        var function = one.Services.GetRequiredService<FunctionCatalog>().Find(HousekeepingTimerJob.FunctionName)!;
        var occurrence = new DateTimeOffset(2026, 11, 24, 3, 30, 0, TimeSpan.Zero);
        var runners = new[] { one.Services.GetRequiredService<TimerRunner>(), two.Services.GetRequiredService<TimerRunner>() };

        var fired = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => runners[i % 2].FireAsync(function, occurrence, CancellationToken.None)));
        var next = await runners[1].FireAsync(function, occurrence.AddDays(1), CancellationToken.None);

        Assert.Equal(1, fired.Count(f => f));
        Assert.True(next);
        Assert.Equal(2 * HousekeepingTimerJob.Retention.Count, (await one.Storage.Queue(StorageNames.Queues.Housekeeping).PeekMessagesAsync(32)).Value.Length);
    }

    private static async Task<(int Status, string ContentType, string Body)> InvokeApiAsync(CrmApp app, string pathBase, string path, string? key)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Method = HttpMethods.Get;
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("localhost");
        http.Request.PathBase = new PathString(pathBase.Length == 0 ? null : pathBase);
        http.Request.Path = path;
        if (key is not null)
        {
            http.Request.Headers.Authorization = "Bearer " + key;
        }
        using var body = new MemoryStream();
        http.Response.Body = body;
        var function = ActivatorUtilities.CreateInstance<ApiFunction>(scope.ServiceProvider);

        var result = await function.RunAsync(http.Request, client: null);

        Assert.IsType<EmptyResult>(result);
        return (http.Response.StatusCode, http.Response.ContentType ?? "", Encoding.UTF8.GetString(body.ToArray()));
    }

    /// <summary>The metadata the Functions SDK generated when the app was built, in the configuration the tests were built in.</summary>
    private static string FunctionsMetadataPath()
    {
        var configuration = typeof(HostingTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var path = Path.Combine(AzuriteProcess.RepoRoot(), "src", "PecosCrm.Functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build src/PecosCrm.Functions first.");
        return path;
    }

    private sealed record Triggered(string Name, string Type, string? Schedule, string? Queue);
}
