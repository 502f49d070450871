using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;
using PecosCrm.Functions.Jobs;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Platform;

[Collection(AzuriteCollection.Name)]
public sealed class HostingTests(AzuriteFixture fixture)
{
    [Fact]
    public void Manifest_HasOneFunctionJsonPerRegisteredTrigger_MatchingIt()
    {
        var registry = fixture.App.Services.GetRequiredService<TriggerRegistry>();
        var files = fixture.App.Services.GetRequiredService<FunctionsManifest>().Build();

        var functionFiles = files.Keys.Where(k => k.EndsWith("/function.json", StringComparison.Ordinal)).ToList();
        Assert.Equal(registry.Functions.Count + 1, functionFiles.Count);
        foreach (var function in registry.Functions)
        {
            var binding = Assert.Single(files[function.Name + "/function.json"]["bindings"]!.AsArray())!;
            if (function.Kind == TriggerKind.Timer)
            {
                Assert.Equal("timerTrigger", binding["type"]!.GetValue<string>());
                Assert.Equal(function.Schedule, binding["schedule"]!.GetValue<string>());
            }
            else
            {
                Assert.Equal("queueTrigger", binding["type"]!.GetValue<string>());
                Assert.Equal(fixture.App.Storage.QueueName(function.Queue!), binding["queueName"]!.GetValue<string>());
                Assert.Equal("AzureWebJobsStorage", binding["connection"]!.GetValue<string>());
            }
            Assert.Equal(function.BindingName, binding["name"]!.GetValue<string>());
        }
        Assert.Contains(registry.Functions, f => f.Kind == TriggerKind.Timer);
        Assert.Contains(registry.Functions, f => f.Kind == TriggerKind.Queue);
    }

    [Fact]
    public void Manifest_HttpFunction_HasOnlyHttpTriggerAndHttpOutput_AndHostForwardsRequests()
    {
        var files = fixture.App.Services.GetRequiredService<FunctionsManifest>().Build();

        var bindings = files["Api/function.json"]["bindings"]!.AsArray();
        Assert.Equal(["httpTrigger", "http"], bindings.Select(b => b!["type"]!.GetValue<string>()));
        Assert.Equal("{*route}", bindings[0]!["route"]!.GetValue<string>());
        var host = files["host.json"];
        Assert.True(host["customHandler"]!["enableForwardingHttpRequest"]!.GetValue<bool>());
        Assert.Equal("PecosCrm.Functions", host["customHandler"]!["description"]!["defaultExecutablePath"]!.GetValue<string>());
        Assert.Equal("[4.*, 5.0.0)", host["extensionBundle"]!["version"]!.GetValue<string>());
        Assert.Equal(5, host["extensions"]!["queues"]!["maxDequeueCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Standalone_DoesNotExposeInvocationRoutes()
    {
        var response = await fixture.App.Admin().PostAsync("/" + HousekeepingTimerJob.FunctionName, new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task FunctionsHost_TimerInvocation_RunsJob_AndAnswersInvocationResponse()
    {
        await using var app = FunctionsModeApp();
        var client = app.ClientWithKey(null);
        var queue = app.Storage.Queue(StorageNames.Queues.Housekeeping);
        var payload = """
            {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}},"Metadata":{"sys":{"MethodName":"HousekeepingTimer","UtcNow":"2026-11-24T03:30:00Z","RandGuid":"0f6c2c9a-7d2b-4c5e-9a8e-1b2c3d4e5f60"}}}
            """;

        var response = await client.PostAsync("/HousekeepingTimer", new StringContent(payload, Encoding.UTF8, "application/json"));

        var body = await response.AssertJsonAsync();
        AssertInvocationShape(body);
        var queued = (await queue.PeekMessagesAsync(32)).Value;
        var containers = queued.Select(m => JsonNode.Parse(m.Body.ToString())!["container"]!.GetValue<string>()).Order();
        Assert.Equal(HousekeepingTimerJob.Retention.Select(r => r.Container).Order(), containers);
    }

    [Fact]
    public async Task FunctionsHost_QueueInvocation_WithDoubleEncodedString_RunsJob()
    {
        await using var app = FunctionsModeApp();
        var client = app.ClientWithKey(null);
        var exports = app.Storage.Container(StorageNames.Containers.Exports);
        await exports.UploadBlobAsync("old-export.csv", BinaryData.FromString("id,email"));
        var task = JsonSerializer.Serialize(new { container = "exports", olderThan = DateTimeOffset.UtcNow.AddMinutes(5) });
        // The host sends string trigger data JSON-encoded twice.
        var data = JsonSerializer.Serialize(JsonSerializer.Serialize(task));
        var payload = "{\"Data\":{\"message\":" + data + "},\"Metadata\":{\"DequeueCount\":1,\"Id\":\"" + Guid.NewGuid() + "\"}}";

        var response = await client.PostAsync("/HousekeepingQueue", new StringContent(payload, Encoding.UTF8, "application/json"));

        AssertInvocationShape(await response.AssertJsonAsync());
        Assert.False((await exports.GetBlobClient("old-export.csv").ExistsAsync()).Value);
    }

    [Fact]
    public async Task FunctionsHost_FailingInvocation_AnswersNon2xxSoTheHostRetries()
    {
        await using var app = FunctionsModeApp();
        var data = JsonSerializer.Serialize(JsonSerializer.Serialize(new { container = "locks", olderThan = DateTimeOffset.UtcNow }));
        var payload = "{\"Data\":{\"message\":" + data + "},\"Metadata\":{\"DequeueCount\":2}}";

        var response = await app.ClientWithKey(null).PostAsync("/HousekeepingQueue", new StringContent(payload, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        AssertInvocationShape(JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
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
        var function = one.Services.GetRequiredService<TriggerRegistry>().Find(HousekeepingTimerJob.FunctionName)!;
        var occurrence = new DateTimeOffset(2026, 11, 24, 3, 30, 0, TimeSpan.Zero);
        var runners = new[] { one.Services.GetRequiredService<TimerRunner>(), two.Services.GetRequiredService<TimerRunner>() };

        var fired = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => runners[i % 2].FireAsync(function, occurrence, CancellationToken.None)));
        var next = await runners[1].FireAsync(function, occurrence.AddDays(1), CancellationToken.None);

        Assert.Equal(1, fired.Count(f => f));
        Assert.True(next);
        Assert.Equal(2 * HousekeepingTimerJob.Retention.Count, (await one.Storage.Queue(StorageNames.Queues.Housekeeping).PeekMessagesAsync(32)).Value.Length);
    }

    private CrmApp FunctionsModeApp()
    {
        var app = fixture.NewApp(new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "5555" });
        _ = app.Server;
        return app;
    }

    private static void AssertInvocationShape(JsonNode body)
    {
        var o = body.AsObject();
        Assert.True(o.ContainsKey("Outputs"));
        Assert.True(o.ContainsKey("Logs"));
        Assert.True(o.ContainsKey("ReturnValue"));
        Assert.IsType<JsonArray>(o["Logs"]);
    }
}
