using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Support;

/// <summary>What the support tests share: a customer, a staff member, a business-hours policy, a ticket.</summary>
internal static class SupportTestKit
{
    public const string ParseKey = "parse-secret";

    public static Dictionary<string, string?> Settings() => new()
    {
        ["Hosting:RunTimers"] = "false",
        ["Messaging:InboundParseKey"] = ParseKey,
        ["Messaging:PublicBaseUrl"] = "https://crm.example",
        ["Messaging:FromEmail"] = "support@pecos.example",
        ["Store:TimeZone"] = "America/Denver",
    };

    public static async Task<string> CustomerAsync(HttpClient admin, string id, string? email = null)
    {
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "John", "Smith", email ?? $"{id}@riders.example"))).AssertJsonAsync(HttpStatusCode.Created);
        return id;
    }

    public static async Task<JsonNode> StaffAsync(HttpClient admin, string name, string email, string role = "agent") =>
        await (await admin.PostJsonAsync("/api/staff", new { name, email, role })).AssertJsonAsync(HttpStatusCode.Created);

    /// <summary>Monday to Friday, 09:00-17:00 in Denver, closed on Christmas Day 2026.</summary>
    public static object BusinessHoursPolicy() => new
    {
        policies = new object[]
        {
            new
            {
                id = "standard",
                name = "Standard",
                targets = new Dictionary<string, object>
                {
                    ["urgent"] = new { firstResponseMinutes = 120, nextResponseMinutes = 120, resolutionMinutes = 600 },
                    ["high"] = new { firstResponseMinutes = 240, nextResponseMinutes = 240, resolutionMinutes = 960 },
                    ["medium"] = new { firstResponseMinutes = 480, nextResponseMinutes = 480, resolutionMinutes = 2400 },
                    ["low"] = new { firstResponseMinutes = 960, nextResponseMinutes = 960, resolutionMinutes = 4800 },
                },
                schedule = new
                {
                    timeZone = "America/Denver",
                    week = new Dictionary<string, object>
                    {
                        ["monday"] = new[] { new { start = "09:00", end = "17:00" } },
                        ["tuesday"] = new[] { new { start = "09:00", end = "17:00" } },
                        ["wednesday"] = new[] { new { start = "09:00", end = "17:00" } },
                        ["thursday"] = new[] { new { start = "09:00", end = "17:00" } },
                        ["friday"] = new[] { new { start = "09:00", end = "17:00" } },
                    },
                    holidays = new[] { "2026-12-25" },
                },
                nearBreachPercent = 80,
            },
        },
    };

    public static async Task<JsonNode> TicketAsync(HttpClient admin, string customerId, string subject, string priority = "medium", string category = "order", string? description = null) =>
        await (await admin.PostJsonAsync("/api/tickets", new { customerId, subject, priority, category, channel = "email", description })).AssertJsonAsync(HttpStatusCode.Created);

    public static async Task<JsonNode> GetAsync(HttpClient admin, string ticketId) => await (await admin.GetAsync($"/api/tickets/{ticketId}")).AssertJsonAsync();
}
