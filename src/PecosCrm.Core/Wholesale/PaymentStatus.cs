namespace PecosCrm.Core.Wholesale;

/// <summary>How much of a wholesale order has been paid: <c>unpaid</c>, <c>partially_paid</c>, <c>paid</c>.</summary>
public enum PaymentStatus
{
    Unpaid,
    PartiallyPaid,
    Paid,
}
