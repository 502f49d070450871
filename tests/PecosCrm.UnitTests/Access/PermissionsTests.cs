using PecosCrm.Core.Access;
using PecosCrm.Core.Staff;

namespace PecosCrm.UnitTests.Access;

public sealed class PermissionsTests
{
    [Fact]
    public void OnlyAdmins_ManageKeys()
    {
        Assert.Contains(Permissions.KeysManage, Permissions.ForRole(StaffRole.Admin));
        foreach (var role in Enum.GetValues<StaffRole>().Where(r => r != StaffRole.Admin))
        {
            Assert.DoesNotContain(Permissions.KeysManage, Permissions.ForRole(role));
        }
        Assert.DoesNotContain(Permissions.KeysManage, Permissions.Scopes);
    }

    [Fact]
    public void Viewer_ReadsButNeverWrites()
    {
        var viewer = Permissions.ForRole(StaffRole.Viewer);

        Assert.Contains(Permissions.CustomersRead, viewer);
        Assert.DoesNotContain(viewer, p => !p.EndsWith(":read", StringComparison.Ordinal));
        Assert.DoesNotContain(Permissions.AuditRead, viewer);
    }

    [Fact]
    public void Agent_WorksTickets_Marketer_RunsCampaigns_NeitherManagesStaff()
    {
        var agent = Permissions.ForRole(StaffRole.Agent);
        var marketer = Permissions.ForRole(StaffRole.Marketer);

        Assert.Contains(Permissions.SupportWrite, agent);
        Assert.DoesNotContain(Permissions.CampaignsWrite, agent);
        Assert.Contains(Permissions.CampaignsWrite, marketer);
        Assert.DoesNotContain(Permissions.SupportWrite, marketer);
        Assert.DoesNotContain(Permissions.StaffWrite, agent);
        Assert.DoesNotContain(Permissions.StaffWrite, marketer);
    }
}
