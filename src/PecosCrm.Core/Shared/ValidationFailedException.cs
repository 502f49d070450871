namespace PecosCrm.Core.Shared;

/// <summary>Input broke a rule; the API answers 400 with each named field and what is wrong with it.</summary>
public sealed class ValidationFailedException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("Validation failed: " + string.Join(", ", errors.Keys))
{
    public ValidationFailedException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
