using PecosCrm.Core.Messaging;

namespace PecosCrm.UnitTests.Messaging;

/// <summary>Whether an email request is whole, and what a new message becomes.</summary>
public sealed class OutboundEmailTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Decide_ABlockedMessageIsSkippedEvenWhenScheduled_AFutureOneScheduled_ElseQueued()
    {
        Assert.Equal(MessageStatus.Skipped, OutboundEmail.Decide("the address is suppressed", Now.AddDays(1), Now));
        Assert.Equal(MessageStatus.Scheduled, OutboundEmail.Decide(null, Now.AddMinutes(1), Now));
        Assert.Equal(MessageStatus.Queued, OutboundEmail.Decide(null, Now, Now));
        Assert.Equal(MessageStatus.Queued, OutboundEmail.Decide(null, Now.AddMinutes(-1), Now));
        Assert.Equal(MessageStatus.Queued, OutboundEmail.Decide(null, null, Now));
    }

    [Fact]
    public void Check_NamesEachBadField()
    {
        var request = new EmailRequest(null, Subject: "Hi", SendAt: Now, LocalTime: "9am", LocalDate: "Jan 5");

        var errors = Assert.Throws<ValidationFailedException>(() => OutboundEmail.Check(request)).Errors;

        Assert.Equal(["customerId", "localDate", "localTime", "templateId"], errors.Keys.Order());
        Assert.Equal(2, errors["localTime"].Length);
    }

    [Fact]
    public void Check_ATemplateOrASubjectWithABody_AndALocalTimeWithItsDate_Pass()
    {
        OutboundEmail.Check(new EmailRequest("c1", TemplateId: "t1"));
        OutboundEmail.Check(new EmailRequest("c1", Subject: "Hi", Text: "Howdy", LocalTime: "09:00", LocalDate: "2026-01-06"));
    }
}
