using Microsoft.Extensions.Options;
using PecosCrm.Core.Automation;
using PecosCrm.Core.Messaging;

namespace PecosCrm.UnitTests.Automation;

/// <summary>Automation cron schedules read the store's clock.</summary>
public sealed class CronZoneTests
{
    private static readonly StoreTime Store = new(Options.Create(new StoreOptions()));

    [Fact]
    public void NineAmCron_IsDueAtNineInDenver_NotAtNineUtc()
    {
        var since = new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);
        // 09:00 in Denver (MST, UTC-7) is 16:00 UTC.
        var beforeNineInDenver = new DateTimeOffset(2026, 1, 5, 15, 59, 0, TimeSpan.Zero);
        var afterNineInDenver = new DateTimeOffset(2026, 1, 5, 16, 30, 0, TimeSpan.Zero);

        Assert.Null(AutomationTriggers.DueOccurrence("0 9 * * *", null, since, beforeNineInDenver, Store.Zone));
        Assert.Equal("202601051600", AutomationTriggers.DueOccurrence("0 9 * * *", null, since, afterNineInDenver, Store.Zone));
    }

    [Fact]
    public void StoreZone_DefaultsToDenver_AndCustomersOwnZoneWinsForSends()
    {
        var now = new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal("America/Denver", Store.Zone.Id);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 16, 0, 0, TimeSpan.Zero), Store.LocalSendTime(null, "09:00", null, now));
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 14, 0, 0, TimeSpan.Zero), Store.LocalSendTime("America/New_York", "09:00", null, now));
        Assert.Equal(new DateTimeOffset(2026, 1, 6, 0, 0, 0, TimeSpan.Zero), new StoreTime(Options.Create(new StoreOptions { TimeZone = "Asia/Tokyo" })).LocalSendTime(null, "09:00", null, now));
    }

    [Fact]
    public void UnknownStoreZone_FailsLoudly()
    {
        var bad = new StoreTime(Options.Create(new StoreOptions { TimeZone = "Mars/Olympus" }));

        Assert.Throws<InvalidOperationException>(() => bad.Zone);
    }
}
