using PecosCrm.Bench.Scenarios;
using PecosCrm.Bench.Scenarios.Analytics;

namespace PecosCrm.Bench;

public static class ScenarioRegistry
{
    /// <summary>Every scenario, in the order <c>all</c> runs them.</summary>
    public static readonly IReadOnlyList<IScenario> All =
    [
        new AzuriteScenario(),
        new ApiOverheadScenario(),
        new EventsScenario(),
        new Customer360Scenario(),
        new CampaignScenario(),
        new AnalyticsScenario(),
        new AutomationScenario(),
        new ImagesScenario(),
        new MyTasksScenario(),
        new BoardScenario(),
        new SupportScenario(),
        new LoyaltyScenario(),
        new WebhooksScenario(),
    ];

    public static IScenario? Find(string name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
