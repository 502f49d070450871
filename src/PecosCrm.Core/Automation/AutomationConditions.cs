using System.Globalization;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Predictive;

namespace PecosCrm.Core.Automation;

/// <summary>
/// Answers a condition node's test for an instance's customer. <c>prediction_above</c> and
/// <c>prediction_below</c> compare one of the last fit's scores (<see cref="PredictionFields"/>) with the
/// node's <c>fieldValue</c>; a customer without predictions (no counted order, or no fit yet) answers no.
/// </summary>
public sealed class AutomationConditions(AutomationInstances instances, MessageStore log, CustomerStore customers, TagStore tags, CustomerPredictions predictions)
{
    public static readonly IReadOnlyList<string> PredictionFields =
        ["p_alive", "churn_probability", "churn_probability_model", "expected_purchases", "predicted_clv", "next_purchase_in_days"];

    public async Task<bool> TestAsync(StepInput input, WorkflowNode node)
    {
        var customerId = input.Instance.CustomerId;
        switch (node.Test)
        {
            case "ordered":
                return await instances.OrderedSinceAsync(customerId, input.Instance.EnrolledAt, CancellationToken.None);
            case "opened_last_email" or "clicked_last_email":
                if (input.LastEmailId is null || await log.FindEntityAsync(customerId, input.LastEmailId, CancellationToken.None) is not { } email)
                {
                    return false;
                }
                var steps = email.StepTimes();
                return node.Test == "clicked_last_email" ? steps.ContainsKey(MessageStatus.Clicked) : steps.ContainsKey(MessageStatus.Opened) || steps.ContainsKey(MessageStatus.Clicked);
            case "consent_email":
                return (await customers.GetAsync(customerId)).Consent.Email;
            case "has_tag":
                return (await tags.ForCustomerAsync(customerId)).Any(t => t.TagId == node.TagId);
            case "prediction_above" or "prediction_below":
                var value = Score(await predictions.FindAsync(customerId), node.Field);
                var threshold = double.Parse(node.FieldValue!, NumberStyles.Float, CultureInfo.InvariantCulture);
                return value is { } v && (node.Test == "prediction_above" ? v > threshold : v < threshold);
            default:
                throw new InvalidOperationException($"Unknown condition {node.Test}.");
        }
    }

    /// <summary>The named score of a customer's predictions; null when there are none or the score is not known.</summary>
    internal static double? Score(CustomerPrediction? p, string? field) => p is null ? null : field switch
    {
        "p_alive" => p.ProbabilityAlive,
        "churn_probability" => p.ChurnProbability,
        "churn_probability_model" => p.ChurnProbabilityClassifier,
        "expected_purchases" => p.ExpectedPurchases,
        "predicted_clv" => (double)p.PredictedClv,
        "next_purchase_in_days" => p.NextPurchaseDays,
        _ => null,
    };
}
