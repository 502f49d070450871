using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Pipeline;

/// <summary>A timeline row of a lead (in the leads partition) or a deal (in its pipeline's partition).</summary>
internal sealed class ActivityEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ActivityId { get; set; } = "";
    public string SubjectId { get; set; } = "";
    public string Type { get; set; } = "";
    public string? Subject { get; set; }
    public string? Body { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public string ActorId { get; set; } = "";
    public string ActorName { get; set; } = "";
    public string? FromStage { get; set; }
    public string? ToStage { get; set; }

    public PipelineActivity ToRecord() => new(
        ActivityId, SubjectId, Enum.Parse<ActivityType>(Type), Subject, Body, OccurredAt, ActorId, ActorName, FromStage, ToStage);

    public static ActivityEntity Create(
        string partition, string subjectId, ActivityType type, string? subject, string? body, DateTimeOffset at, AuditActor actor, TimeProvider time,
        string? from = null, string? to = null)
    {
        var id = Ids.New(time);
        return new ActivityEntity
        {
            PartitionKey = partition,
            RowKey = PipelineKeys.Activity(subjectId, at, id),
            ActivityId = id,
            SubjectId = subjectId,
            Type = type.ToString(),
            Subject = subject,
            Body = body,
            OccurredAt = at,
            ActorId = actor.Id,
            ActorName = actor.Name,
            FromStage = from,
            ToStage = to,
        };
    }

    /// <summary>Checks an activity logged by staff; stage changes are recorded only by the pipeline.</summary>
    public static void Validate(NewActivity activity, DateTimeOffset now)
    {
        var check = new Validation();
        if (activity.Type is null)
        {
            check.Add("type", "is required: one of call, email, meeting, note.");
        }
        else if (activity.Type == ActivityType.StageChange)
        {
            check.Add("type", "stage_change is recorded by the pipeline when the stage or status changes.");
        }
        check.MaxLength("subject", activity.Subject, 200).MaxLength("body", activity.Body, 4000);
        if (string.IsNullOrWhiteSpace(activity.Subject) && string.IsNullOrWhiteSpace(activity.Body))
        {
            check.Add("subject", "a subject or a body is required.");
        }
        if (activity.OccurredAt is { } at && at > now.AddMinutes(5))
        {
            check.Add("occurredAt", "must not be in the future.");
        }
        check.ThrowIfInvalid();
    }
}
