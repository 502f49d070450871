namespace PecosCrm.Core.Shared;

/// <summary>Someone changed the record since it was read (ETag mismatch); the API answers 412.</summary>
public sealed class ConcurrencyException()
    : Exception("The record was changed by someone else since it was read. Read it again and retry with the new ETag.");
