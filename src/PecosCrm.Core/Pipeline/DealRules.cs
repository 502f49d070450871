using System.Globalization;
using PecosCrm.Core.Staff;

namespace PecosCrm.Core.Pipeline;

/// <summary>The rules of a deal's fields, apart from storage: every bad field named at once; null leaves a field as it is, an empty string clears optional text.</summary>
internal static class DealRules
{
    public static void Validate(DealFields f, bool creating, StaffMember? owner)
    {
        var check = new Validation();
        if (creating || f.Name is not null)
        {
            check.Required("name", f.Name, 200);
        }
        check.MaxLength("company", f.Company, 200).MaxLength("contactName", f.ContactName, 200).MaxLength("phone", f.Phone, 40);
        if (!string.IsNullOrEmpty(f.Email))
        {
            check.Email("email", f.Email);
        }
        if (creating && f.Value is null)
        {
            check.Add("value", "is required: the deal's value in dollars.");
        }
        if (f.Value is { } value && !LeadRules.IsAmount(value))
        {
            check.Add("value", "must be 0 or more, with at most two decimals.");
        }
        if (f.Probability is not null and not (>= 0 and <= 100))
        {
            check.Add("probability", "must be 0 to 100.");
        }
        if (!string.IsNullOrEmpty(f.AssignedTo) && owner is not { Active: true })
        {
            check.Add("assignedTo", "must be the id of an active staff member.");
        }
        check.ThrowIfInvalid();
    }

    /// <summary>Copies checked fields onto the row.</summary>
    public static void Copy(DealEntity entity, DealFields f, StaffMember? owner)
    {
        entity.Name = f.Name?.Trim() ?? entity.Name;
        entity.Company = f.Company is null ? entity.Company : LeadRules.Blank(f.Company);
        entity.ContactName = f.ContactName is null ? entity.ContactName : LeadRules.Blank(f.ContactName);
        entity.Email = f.Email is null ? entity.Email : LeadRules.Blank(f.Email);
        entity.Phone = f.Phone is null ? entity.Phone : LeadRules.Blank(f.Phone);
        entity.ValueCents = f.Value is { } v ? Money.ToCents(v) : entity.ValueCents;
        entity.Probability = f.Probability ?? entity.Probability;
        entity.ExpectedCloseDate = f.ExpectedCloseDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? entity.ExpectedCloseDate;
        if (f.AssignedTo is not null)
        {
            entity.OwnerId = owner?.Id;
            entity.OwnerName = owner?.Name;
        }
    }
}
