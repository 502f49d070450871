using PecosCrm.Core.Access;
using PecosCrm.Core.Staff;

namespace PecosCrm.Core.Tasks;

/// <summary>
/// Whose tasks a caller sees and changes: admins, managers, viewers (read only by their permissions)
/// and integrations see every task; agents and marketers only the tasks assigned to them or that they
/// created. Anyone with <c>tasks:write</c> may give a task to a colleague.
/// </summary>
public sealed record TaskAccess(string? StaffId, bool SeesAll)
{
    public static TaskAccess For(ApiKeyPrincipal? principal) => principal switch
    {
        null => new TaskAccess(null, true),
        { Staff: null } => new TaskAccess(null, true),
        { Staff: { } staff } => new TaskAccess(staff.Id, staff.Role is StaffRole.Admin or StaffRole.Manager or StaffRole.Viewer),
    };

    public bool CanSee(StaffTask task) => SeesAll || task.AssigneeId == StaffId || task.CreatedBy == StaffId;

    public bool CanSeeAssignee(string assigneeId) => SeesAll || assigneeId == StaffId;
}
