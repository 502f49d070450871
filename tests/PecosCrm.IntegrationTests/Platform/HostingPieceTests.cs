using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using PecosCrm.Core.Campaigns;
using PecosCrm.Core.Events;
using PecosCrm.Core.Segments;
using PecosCrm.Functions.Hosting;
using PecosCrm.Functions.Jobs;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary>Pure pieces of the hosting code, without storage.</summary>
public sealed class HostingPieceTests
{
    [Fact]
    public void Catalog_RejectsInvalidScheduleDuplicateNamesAndFunctionsWithoutTrigger()
    {
        Assert.ThrowsAny<Exception>(() => FunctionCatalog.FromTypes([typeof(BadSchedule)]));
        var twice = Assert.Throws<InvalidOperationException>(() => FunctionCatalog.FromTypes([typeof(SameName)]));
        Assert.Contains("declared twice", twice.Message);
        Assert.Throws<InvalidOperationException>(() => FunctionCatalog.FromTypes([typeof(NoTrigger)]));
    }

    [Fact]
    public void Catalog_OfTheApp_FindsTimersQueuesAndTheOneHttpFunction()
    {
        var catalog = FunctionCatalog.ForApp();

        var http = Assert.Single(catalog.Functions, f => f.Kind == TriggerKind.Http);
        Assert.Equal(ApiFunction.FunctionName, http.Name);
        Assert.Equal(HousekeepingTimerJob.Schedule, catalog.Find(HousekeepingTimerJob.FunctionName)!.Schedule);
        Assert.Equal("events", catalog.Find(ProcessEventsJob.FunctionName)!.Queue);
        Assert.All(catalog.Timers.Concat(catalog.Queues), FunctionInvoker.Validate);
    }

    [Theory]
    [InlineData("", "/api/customers", "/api/customers")]
    [InlineData("/api", "/customers", "/api/customers")]
    [InlineData("", "/customers/c1", "/api/customers/c1")]
    [InlineData("", "/API/keys", "/API/keys")]
    [InlineData("", "/apiary", "/api/apiary")]
    public void ApiPath_KeepsApiRoutesWhetherOrNotTheHostStripsThePrefix(string pathBase, string path, string expected) =>
        Assert.Equal(expected, ApiFunction.ApiPath(new PathString(pathBase.Length == 0 ? null : pathBase), new PathString(path)).Value);

    [Theory]
    [InlineData("--functions-uri", "http://127.0.0.1:50051/", true)]
    [InlineData("--urls", "http://127.0.0.1:7071", false)]
    public void HostingMode_IsFunctionsHost_WhenTheHostPassesItsEndpoint(string option, string value, bool expected) =>
        Assert.Equal(expected, HostingMode.IsFunctionsHost([option, value, "--functions-worker-id", "w1"]));

    [Fact]
    public void HostingOptions_HoldMessagesBriefly_SoAbandonedWorkReturnsWithinAMinute() =>
        Assert.InRange(new HostingOptions().VisibilityTimeout, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));

    [Fact]
    public void HostJson_ConfiguresTheQueueTriggerAsStandaloneModeRuns_AndTheDurableTaskHub()
    {
        var host = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json")))!;
        var queues = host["extensions"]!["queues"]!;
        var durable = host["extensions"]!["durableTask"]!;
        var standalone = new HostingOptions();

        Assert.Equal("base64", queues["messageEncoding"]!.GetValue<string>());
        Assert.Equal(standalone.MaxDequeueCount, queues["maxDequeueCount"]!.GetValue<int>());
        Assert.Equal(standalone.QueueBatchSize, queues["batchSize"]!.GetValue<int>());
        Assert.Equal(standalone.RetryDelay, TimeSpan.Parse(queues["visibilityTimeout"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("api", host["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
        Assert.Equal("%Durable__TaskHub%", durable["hubName"]!.GetValue<string>());
        Assert.Equal(4, durable["storageProvider"]!["partitionCount"]!.GetValue<int>());
        Assert.True(durable["maxConcurrentActivityFunctions"]!.GetValue<int>() > 0);
        Assert.True(durable["maxConcurrentOrchestratorFunctions"]!.GetValue<int>() > 0);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("null")]
    [InlineData("{\"hello\":\"world\"}")]
    [InlineData("{\"batch\":null}")]
    [InlineData("{\"batch\":42}")]
    public void QueuePayload_ForeignEventMessage_IsRejectedWithItsFunctionNamed(string body)
    {
        var ex = Assert.Throws<QueueMessageRejectedException>(() => QueuePayload.Parse<EventBatchMessage>(ProcessEventsJob.FunctionName, body));

        Assert.Equal(ProcessEventsJob.FunctionName, ex.Function);
        Assert.StartsWith("ProcessEvents rejected a queue message that is not a", ex.Message);
    }

    [Fact]
    public void QueuePayload_ChecksKindsAndOptionalMembers()
    {
        Assert.Throws<QueueMessageRejectedException>(() => QueuePayload.Parse<SegmentMessage>("SegmentWork", "{\"kind\":\"explode\",\"id\":\"s1\"}",
            w => QueuePayload.OneOf("kind", w.Kind, SegmentMessage.Refresh, SegmentMessage.Action)));
        Assert.Throws<QueueMessageRejectedException>(() => QueuePayload.Parse<SegmentMessage>("SegmentWork", "{\"kind\":\"refresh\"}"));

        var work = QueuePayload.Parse<CampaignWork>("CampaignWork", "{\"kind\":\"start\",\"campaignId\":\"c1\"}");
        var segment = QueuePayload.Parse<SegmentMessage>("SegmentWork", "{\"kind\":\"refresh\",\"id\":\"s1\",\"recomputeJob\":null}");

        Assert.Equal(("start", "c1", 0), (work.Kind, work.CampaignId, work.Generation));
        Assert.Null(segment.RecomputeJob);
    }

    [Fact]
    public void LocalSettings_ValuesBecomeSettings_DoubleUnderscoreIsSection_EnvironmentWins()
    {
        var dir = Directory.CreateTempSubdirectory("pecoscrm-settings-").FullName;
        File.WriteAllText(Path.Combine(dir, "local.settings.json"), """
            { "IsEncrypted": false, "Values": { "AzureWebJobsStorage": "UseDevelopmentStorage=true", "Storage__Prefix": "dev", "Access__DefaultRateLimitPerMinute": "10" } }
            """);
        var variable = "Access__DefaultRateLimitPerMinute";
        Environment.SetEnvironmentVariable(variable, "99");
        try
        {
            var config = new ConfigurationBuilder().AddLocalSettings(dir).AddEnvironmentVariables().Build();

            Assert.Equal("UseDevelopmentStorage=true", config["AzureWebJobsStorage"]);
            Assert.Equal("dev", config["Storage:Prefix"]);
            Assert.Equal("99", config["Access:DefaultRateLimitPerMinute"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1200)]
    [InlineData(60_000)]
    [InlineData(100_000)]
    public void RateLimitBucket_RefillsAMinutesBudgetPerMinute_InStepsOfAtLeast100Ms(int perMinute)
    {
        var bucket = PecosCrm.Functions.Auth.AuthServiceCollectionExtensions.Bucket(perMinute);

        var perMinuteRefill = bucket.TokensPerPeriod * (TimeSpan.FromMinutes(1) / bucket.ReplenishmentPeriod);

        Assert.InRange(perMinuteRefill, perMinute, perMinute * 1.01);
        Assert.True(bucket.ReplenishmentPeriod >= TimeSpan.FromMilliseconds(100));
        Assert.Equal(perMinute, bucket.TokenLimit);
    }

    private sealed class BadSchedule
    {
        [Function("Bad")]
        public static void Run([TimerTrigger("every day at noon")] TimerInfo timer) => _ = timer;
    }

    private sealed class SameName
    {
        [Function("Same")]
        public static void One([TimerTrigger("0 0 * * * *")] TimerInfo timer) => _ = timer;

        [Function("same")]
        public static void Two([QueueTrigger("q")] string message) => _ = message;
    }

    private sealed class NoTrigger
    {
        [Function("Lonely")]
        public static void Run(string message) => _ = message;
    }
}
