namespace PecosCrm.Core.Storage;

/// <summary>Ids made by PecosCrm: time-ordered, so they sort by creation time as strings.</summary>
public static class Ids
{
    /// <summary>A new id: a version 7 GUID (48-bit millisecond timestamp first) as 32 hex digits.</summary>
    public static string New(TimeProvider time) => Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
}
