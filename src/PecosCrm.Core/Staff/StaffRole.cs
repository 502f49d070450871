namespace PecosCrm.Core.Staff;

/// <summary>What a staff member may do; <see cref="Access.Permissions"/> maps each role to its permissions.</summary>
public enum StaffRole
{
    Admin,
    Manager,
    Agent,
    Marketer,
    Viewer,
}
