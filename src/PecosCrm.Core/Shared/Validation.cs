using System.Net.Mail;

namespace PecosCrm.Core.Shared;

/// <summary>Collects field errors and throws them together, so a client fixes every field at once.</summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public Validation Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
        return this;
    }

    public Validation Required(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, "is required.");
        }
        return MaxLength(field, value, maxLength);
    }

    public Validation MaxLength(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters.");
        }
        return this;
    }

    public Validation Email(string field, string? value, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return required ? Add(field, "is required.") : this;
        }
        if (value.Length > 254 || !MailAddress.TryCreate(value, out var parsed) || parsed.Address != value.Trim())
        {
            Add(field, "must be an email address.");
        }
        return this;
    }

    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw new ValidationFailedException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }
    }
}
