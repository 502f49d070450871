using System.Globalization;
using PecosCrm.Core.Staff;

namespace PecosCrm.Core.Pipeline;

/// <summary>
/// The rules of a lead's fields, apart from storage: every bad field named at once, nothing
/// applied unless all are good; null leaves a field as it is, an empty string clears optional text.
/// </summary>
internal static class LeadRules
{
    public static void Apply(LeadEntity entity, LeadFields f, bool creating, IReadOnlyList<string> sources, StaffMember? owner)
    {
        var check = new Validation();
        if (creating || f.Company is not null)
        {
            check.Required("company", f.Company, 200);
        }
        check.MaxLength("contactName", f.ContactName, 200).MaxLength("phone", f.Phone, 40)
            .MaxLength("nextAction", f.NextAction, 500).MaxLength("notes", f.Notes, 8000).MaxLength("lostReason", f.LostReason, 200);
        if (!string.IsNullOrEmpty(f.Email))
        {
            check.Email("email", f.Email);
        }
        if (f.EstimatedValue is { } value && !IsAmount(value))
        {
            check.Add("estimatedValue", "must be 0 or more, with at most two decimals.");
        }
        if (f.Probability is not null and not (>= 0 and <= 100))
        {
            check.Add("probability", "must be 0 to 100.");
        }
        var source = f.Source is null ? null : sources.FirstOrDefault(s => string.Equals(s, f.Source.Trim(), StringComparison.OrdinalIgnoreCase));
        if ((creating || f.Source is not null) && source is null)
        {
            check.Add("source", $"{(f.Source is null ? "is required: " : "must be ")}one of {string.Join(", ", sources)}.");
        }
        if (!string.IsNullOrEmpty(f.AssignedTo) && owner is not { Active: true })
        {
            check.Add("assignedTo", "must be the id of an active staff member.");
        }
        var status = f.Status ?? entity.StatusValue;
        var lostReason = f.LostReason is null ? entity.LostReason : Blank(f.LostReason);
        if (status == LeadStatus.Lost && string.IsNullOrWhiteSpace(lostReason))
        {
            check.Add("lostReason", "is required when the status is lost.");
        }
        check.ThrowIfInvalid();

        entity.Company = f.Company?.Trim() ?? entity.Company;
        entity.CompanyType = f.CompanyType?.ToString() ?? entity.CompanyType;
        entity.ContactName = f.ContactName is null ? entity.ContactName : Blank(f.ContactName);
        entity.Email = f.Email is null ? entity.Email : Blank(f.Email);
        entity.Phone = f.Phone is null ? entity.Phone : Blank(f.Phone);
        entity.Source = source ?? entity.Source;
        entity.Status = status.ToString();
        entity.EstimatedValueCents = f.EstimatedValue is { } v ? Money.ToCents(v) : entity.EstimatedValueCents;
        entity.Probability = f.Probability ?? entity.Probability;
        if (f.AssignedTo is not null)
        {
            entity.OwnerId = owner?.Id;
            entity.OwnerName = owner?.Name;
        }
        entity.NextAction = f.NextAction is null ? entity.NextAction : Blank(f.NextAction);
        entity.NextActionDate = f.NextActionDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? entity.NextActionDate;
        entity.Notes = f.Notes is null ? entity.Notes : Blank(f.Notes);
        entity.LostReason = status == LeadStatus.Lost ? lostReason : null;
    }

    /// <summary>A dollar amount the pipeline takes: from 0 to a billion, whole cents.</summary>
    public static bool IsAmount(decimal value) => value >= 0 && value <= 1_000_000_000m && value == decimal.Round(value, 2);

    public static string? Blank(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
