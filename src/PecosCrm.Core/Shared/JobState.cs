namespace PecosCrm.Core.Shared;

/// <summary>Where a background job (an export, a segment action) stands.</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
}
