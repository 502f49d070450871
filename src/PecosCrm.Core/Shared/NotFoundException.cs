namespace PecosCrm.Core.Shared;

/// <summary>The thing asked for does not exist; the API answers 404.</summary>
public sealed class NotFoundException(string entityType, string id)
    : Exception($"{entityType} '{id}' was not found.")
{
    public string EntityType { get; } = entityType;

    public string Id { get; } = id;
}
