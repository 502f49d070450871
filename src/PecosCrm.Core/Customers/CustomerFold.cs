using Azure.Data.Tables;
using PecosCrm.Core.Events;

namespace PecosCrm.Core.Customers;

/// <summary>One customer's events of a batch folded onto the card: the transactions to commit and what changed.</summary>
internal sealed class CustomerFold(string customerId, Customer? before, IReadOnlySet<string> autoTagsBefore, bool isNew, Azure.ETag etag)
{
    public string CustomerId { get; } = customerId;
    public Customer? Before { get; } = before;
    public Customer? After { get; set; }
    public IReadOnlySet<string> AutoTagsBefore { get; } = autoTagsBefore;
    public IReadOnlySet<string> AutoTagsAfter { get; set; } = new HashSet<string>();
    public bool IsNew { get; } = isNew;
    public Azure.ETag ETag { get; } = etag;
    public Dictionary<string, CardOrder> Orders { get; } = new(StringComparer.Ordinal);
    public List<FoldChunk> Chunks { get; } = [];
    /// <summary>Emails claimed by the fold, with the lookup summary the claim wrote.</summary>
    public List<(string Email, CustomerSummary Summary)> Claimed { get; } = [];
    public List<(StoreEvent Event, string Reason)> Rejected { get; } = [];
    public int Applied { get; set; }
    public int Duplicates { get; set; }

    /// <summary>A commit found one of the events applied before: the next fold must read the markers.</summary>
    public bool FoundApplied { get; set; }

    /// <summary>The card lists a running automation (which may wait for one of these events).</summary>
    public bool InAutomation { get; set; }

    /// <summary>Every event of the fold that was applied or found applied before, for the observers.</summary>
    public IEnumerable<StoreEvent> Heard(IReadOnlyList<StoreEvent> events)
    {
        var rejected = Rejected.Select(r => r.Event.Id).ToHashSet(StringComparer.Ordinal);
        return events.Where(e => !rejected.Contains(e.Id));
    }
}

/// <summary>The rows of one transaction of a fold, and the card as it stands after them.</summary>
internal sealed class FoldChunk
{
    public List<StoreEvent> Events { get; } = [];
    public List<TableTransactionAction> Rows { get; } = [];
    public List<TimelineEntry> Entries { get; } = [];
    public HashSet<string> OrderIds { get; } = new(StringComparer.Ordinal);

    /// <summary>What happened to the customer's loyalty in these events, published once they are committed.</summary>
    public List<Loyalty.LoyaltyNotice> Notices { get; } = [];
    public CardEntity? Card { get; set; }
    public bool Committed { get; set; }

    /// <summary>Rows so far, counting the order rows and two timeline rows per entry that closing adds.</summary>
    public int RowCount => Rows.Count + OrderIds.Count + 2 * Entries.Count;
}
