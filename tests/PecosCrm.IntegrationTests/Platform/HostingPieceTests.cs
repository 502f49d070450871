using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using PecosCrm.Functions.Hosting;
using PecosCrm.Functions.Jobs;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary>Pure pieces of the hosting code, without storage.</summary>
public sealed class HostingPieceTests
{
    [Theory]
    [InlineData("\"{\\\"a\\\":1}\"", "{\"a\":1}")]
    [InlineData("\"\\\"{\\\\\\\"a\\\\\\\":1}\\\"\"", "{\"a\":1}")]
    [InlineData("\"plain text\"", "plain text")]
    public void UnwrapString_UndoesDoubleJsonEncoding(string json, string expected) =>
        Assert.Equal(expected, InvocationEndpoints.UnwrapString(JsonNode.Parse(json)));

    [Fact]
    public void Registry_RejectsInvalidScheduleAndDuplicateNames()
    {
        Assert.ThrowsAny<Exception>(() => new TriggerRegistry().Timer<HousekeepingTimerJob>("Bad", "every day at noon"));
        Assert.Throws<InvalidOperationException>(() => new TriggerRegistry()
            .Timer<HousekeepingTimerJob>("Same", "0 0 * * * *")
            .Queue<HousekeepingQueueJob>("same", "q"));
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
}
