namespace PecosCrm.Core.Messaging.Templates;

/// <summary>The roadmap's template categories; the API spells them <c>order</c>, <c>service</c>, <c>marketing</c>, <c>transactional</c>, <c>personal</c>.</summary>
public enum TemplateCategory
{
    /// <summary>Order updates: confirmation, shipped, delivered, delayed.</summary>
    Order,

    /// <summary>Customer service: ticket received, issue resolved, follow-up.</summary>
    Service,

    /// <summary>Marketing: welcome series, win-back, birthday. Carries unsubscribe and preference links.</summary>
    Marketing,

    /// <summary>Transactional: password reset, account update, review request.</summary>
    Transactional,

    /// <summary>Personal notes from staff: thank you, VIP offer, apology.</summary>
    Personal,
}
