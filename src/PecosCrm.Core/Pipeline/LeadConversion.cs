using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Wholesale;

namespace PecosCrm.Core.Pipeline;

/// <summary>
/// A lead's way to a customer: a qualified lead becomes a deal; a deal moved to its pipeline's won
/// stage becomes a customer (the existing one with the deal's email, else a new one) and a
/// wholesale account. Every step can be repeated: the deal of a lead and the customer of a deal
/// have ids derived from the lead's and the deal's, and each step first looks for what it would
/// make, so a retried conversion or win finds what the first try made and duplicates nothing.
/// </summary>
public sealed class LeadConversion(LeadStore leads, DealStore deals, PipelineSettings settings, CustomerStore customers, WholesaleAccountService wholesale)
{
    /// <summary>Makes the deal of a qualified lead (or finds the one made before) and notes it on the lead.</summary>
    public async Task<Conversion> ConvertAsync(string leadId, ConversionRequest request, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var lead = await leads.RequireConvertibleAsync(leadId, cancellationToken);
        var dealId = lead.DealId ?? PipelineKeys.DealOfLead(lead.Id);
        var deal = await deals.FindAsync(dealId, cancellationToken);
        var created = false;
        if (deal is null)
        {
            var fields = new DealFields(
                request.Name ?? lead.Company, lead.Company, lead.ContactName ?? "", lead.Email ?? "", lead.Phone ?? "",
                request.Value ?? Money.ToDecimal(lead.EstimatedValueCents ?? 0), request.Probability ?? lead.Probability,
                request.ExpectedCloseDate, lead.OwnerId ?? "");
            try
            {
                var pipeline = await settings.GetPipelineAsync(request.PipelineId ?? SalesPipeline.Wholesale, cancellationToken);
                var stage = pipeline.FindStage(StageFor(lead.Status)) is { Outcome: StageOutcome.Open } s ? s.Id : null;
                deal = await deals.CreateAsync(pipeline.Id, fields, stage, actor, dealId, lead.Id, cancellationToken);
                created = true;
            }
            catch (ConflictException)
            {
                deal = await deals.GetAsync(dealId, cancellationToken);
            }
        }
        await leads.MarkConvertedAsync(lead.Id, deal.Id, actor, cancellationToken);
        return new Conversion(lead.Id, deal, created, deal.CustomerId, deal.WholesaleAccountId);
    }

    /// <summary>
    /// Moves a deal's card. Into the won stage it completes the conversion (again, if a first try
    /// stopped half-way); into the won or lost stage it closes the deal's lead the same way.
    /// </summary>
    public async Task<(Deal Before, Deal After)> MoveAsync(
        string dealId, string? stageId, string? lostReason, string? ifMatch, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var (before, after) = await deals.MoveAsync(dealId, stageId, lostReason, ifMatch, actor, cancellationToken);
        var outcome = (await settings.GetPipelineAsync(after.PipelineId, cancellationToken)).FindStage(after.StageId)?.Outcome ?? StageOutcome.Open;
        if (outcome == StageOutcome.Won && after.CustomerId is null)
        {
            await WinAsync(after, actor, cancellationToken);
            after = await deals.GetAsync(dealId, cancellationToken);
        }
        if (outcome != StageOutcome.Open && after.LeadId is not null)
        {
            await leads.CloseAsync(after.LeadId, outcome == StageOutcome.Won, after.LostReason, actor, cancellationToken);
        }
        return (before, after);
    }

    private async Task<WinOutcome> WinAsync(Deal deal, AuditActor actor, CancellationToken cancellationToken)
    {
        var customerId = await LinkOrCreateCustomerAsync(deal, actor, cancellationToken);
        var wholesaleAccountId = deal.PipelineId == SalesPipeline.Wholesale ? await OpenAccountAsync(deal, customerId, actor, cancellationToken) : null;
        await deals.LinkAsync(deal.Id, customerId, wholesaleAccountId, cancellationToken);
        return new WinOutcome(customerId, wholesaleAccountId);
    }

    /// <summary>The customer's wholesale account (the one they have, else a new one), managed by the deal's owner when they are staff.</summary>
    private async Task<string> OpenAccountAsync(Deal deal, string customerId, AuditActor actor, CancellationToken cancellationToken)
    {
        var company = deal.Company is { Length: > 0 } c ? c : deal.Name;
        var owner = string.IsNullOrEmpty(deal.OwnerId) ? null : deal.OwnerId;
        try
        {
            return await wholesale.OpenForCustomerAsync(customerId, company, owner, deal.Id, actor.Id, cancellationToken);
        }
        catch (ValidationFailedException ex) when (owner is not null && ex.Errors.ContainsKey("accountManagerId"))
        {
            return await wholesale.OpenForCustomerAsync(customerId, company, null, deal.Id, actor.Id, cancellationToken);
        }
    }

    /// <summary>The customer with the deal's email, else one made from the deal under an id derived from it.</summary>
    private async Task<string> LinkOrCreateCustomerAsync(Deal deal, AuditActor actor, CancellationToken cancellationToken)
    {
        if (deal.Email is not null && await customers.FindByEmailAsync(deal.Email, cancellationToken) is { } existing)
        {
            return existing.Id;
        }
        var id = PipelineKeys.CustomerOfDeal(deal.Id);
        var contact = (deal.ContactName ?? deal.Company ?? deal.Name).Trim();
        var space = contact.IndexOf(' ');
        var phone = deal.Phone is not null && CustomerRules.NormalizePhone(deal.Phone).Length is >= 7 and <= 15 ? deal.Phone : null;
        var fields = new CustomerFields(
            Id: id,
            FirstName: Truncate(space > 0 ? contact[..space] : contact),
            LastName: space > 0 ? Truncate(contact[(space + 1)..]) : null,
            Email: deal.Email,
            Phone: phone,
            Source: "pipeline");
        try
        {
            return (await customers.CreateAsync(fields, actor.Name, cancellationToken)).Id;
        }
        catch (ConflictException)
        {
            return (deal.Email is not null ? (await customers.FindByEmailAsync(deal.Email, cancellationToken))?.Id : null)
                ?? (await customers.GetAsync(id, cancellationToken)).Id;
        }
    }

    private static string StageFor(LeadStatus status) => status switch
    {
        LeadStatus.Proposal => "proposal",
        LeadStatus.Negotiation => "negotiation",
        _ => "qualified",
    };

    private static string Truncate(string text) => text.Length > 100 ? text[..100] : text;

    private sealed record WinOutcome(string CustomerId, string? WholesaleAccountId);
}

/// <summary>What a conversion may set on the deal; the rest comes from the lead.</summary>
public sealed record ConversionRequest(string? PipelineId, string? Name, decimal? Value, int? Probability, DateOnly? ExpectedCloseDate);

/// <summary>The lead's deal, whether this call made it, and the customer and wholesale account of a won deal.</summary>
public sealed record Conversion(string LeadId, Deal Deal, bool Created, string? CustomerId, string? WholesaleAccountId);
