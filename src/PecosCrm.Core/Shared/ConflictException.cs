namespace PecosCrm.Core.Shared;

/// <summary>The change clashes with existing data (a duplicate email, say); the API answers 409.</summary>
public sealed class ConflictException(string message) : Exception(message);
