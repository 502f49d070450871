using PecosCrm.Core.Messaging;

namespace PecosCrm.UnitTests.Messaging;

/// <summary>What a send attempt leads to, when a claim counts as abandoned, and what the provider is handed.</summary>
public sealed class DispatchRulesTests
{
    [Theory]
    [InlineData(SendResult.Accepted, 1, SendStep.Sent)]
    [InlineData(SendResult.Accepted, 6, SendStep.Sent)]
    [InlineData(SendResult.Transient, 1, SendStep.Retry)]
    [InlineData(SendResult.Transient, 5, SendStep.Retry)]
    [InlineData(SendResult.Transient, 6, SendStep.Failed)]
    [InlineData(SendResult.Permanent, 1, SendStep.Failed)]
    public void After_TransientRetriesUntilTheLastAttempt_PermanentFailsAtOnce(SendResult result, int attempts, SendStep expected) =>
        Assert.Equal(expected, DispatchRules.After(result, attempts, maxAttempts: 6));

    [Fact]
    public void RetryDelay_DoublesWithEachAttempt()
    {
        var first = TimeSpan.FromSeconds(30);

        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4)],
            Enumerable.Range(1, 4).Select(a => DispatchRules.RetryDelay(first, a)));
    }

    [Fact]
    public void ClaimAbandoned_OnlyOnceOlderThanTheSendingTimeout()
    {
        var now = new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
        var timeout = TimeSpan.FromMinutes(5);

        Assert.False(DispatchRules.ClaimAbandoned(now.AddMinutes(-4), now, timeout));
        Assert.True(DispatchRules.ClaimAbandoned(now.AddMinutes(-5), now, timeout));
        Assert.True(DispatchRules.ClaimAbandoned(now.AddHours(-1), now, timeout));
    }

    [Fact]
    public void Email_MarketingCarriesOneClickUnsubscribeAndTheCampaign_TransactionalNeither()
    {
        var options = new MessagingOptions();
        var marketing = Row("Marketing", "https://crm.example/u/abc", "wf:w1:n1");
        var order = Row("Transactional", null, null);

        var outgoing = DispatchRules.Email(marketing, "Cody Reyes", options);
        var plain = DispatchRules.Email(order, null, options);

        Assert.Equal("<https://crm.example/u/abc>", outgoing.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", outgoing.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("wf:w1:n1", outgoing.CustomArgs[CustomArgs.CampaignId]);
        Assert.Equal("m1", outgoing.CustomArgs[CustomArgs.MessageId]);
        Assert.Equal(("marketing", "Cody Reyes", options.FromEmail), (outgoing.Category, outgoing.ToName, outgoing.From));
        Assert.Empty(plain.Headers);
        Assert.False(plain.CustomArgs.ContainsKey(CustomArgs.CampaignId));
        Assert.Equal("transactional", plain.Category);
    }

    private static MessageEntity Row(string purpose, string? unsubscribe, string? campaign) => new()
    {
        PartitionKey = "c1",
        RowKey = MessageEntity.Prefix + "m1",
        Channel = nameof(Channel.Email),
        Purpose = purpose,
        To = "cody@example.com",
        Subject = "Howdy",
        Html = "<p>Howdy</p>",
        Text = "Howdy",
        UnsubscribeUrl = unsubscribe,
        CampaignId = campaign,
    };
}
