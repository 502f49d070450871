using System.Net;
namespace PecosCrm.IntegrationTests.Infrastructure;

/// <summary>A staff member of a role and a client that acts as them.</summary>
public sealed record StaffClient(string Id, string Email, HttpClient Client)
{
    public static async Task<StaffClient> CreateAsync(CrmApp app, HttpClient admin, string role)
    {
        var member = await (await admin.PostJsonAsync("/api/staff", new { name = $"Hand {role}", email = $"{role}.{Guid.NewGuid():N}@pecos.example", role }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var id = member["id"]!.GetValue<string>();
        var key = await (await admin.PostJsonAsync("/api/keys", new { name = $"{role} key", owner = "staff", staffId = id })).AssertJsonAsync(HttpStatusCode.Created);
        return new StaffClient(id, member["email"]!.GetValue<string>(), app.ClientWithKey(key["secret"]!.GetValue<string>()));
    }
}
