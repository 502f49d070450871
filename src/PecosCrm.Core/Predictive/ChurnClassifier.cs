using Microsoft.ML;
using Microsoft.ML.Data;

namespace PecosCrm.Core.Predictive;

/// <summary>
/// A churn classifier trained with ML.NET (L-BFGS logistic regression on standardised features):
/// the label is "no purchase in the horizon", the features what a customer's history and the BG/NBD
/// model say at the start of it (<see cref="FeatureNames"/>). Logistic regression gives calibrated
/// probabilities and is deterministic; the evaluation is on a fifth of the customers held out of
/// training by a hash of their id, so the same data always gives the same report.
/// </summary>
public sealed class ChurnClassifier
{
    public static readonly IReadOnlyList<string> FeatureNames =
    [
        "days_since_last_purchase", "repeat_purchases", "days_since_first_purchase", "log_mean_order_value", "log_total_spend",
        "coupon_share", "bgnbd_probability_alive", "bgnbd_expected_purchases",
    ];

    private readonly MLContext _ml = new(seed: 1);
    private readonly ITransformer _model;

    private ChurnClassifier(ITransformer model) => _model = model;

    /// <summary>The features of one customer at a moment, from their history and the BG/NBD forecast.</summary>
    public static float[] Features(CustomerHistory c, double probabilityAlive, double expectedPurchases) =>
    [
        (float)(c.History.Age - c.History.Recency), c.History.Repeat, (float)c.History.Age, (float)Math.Log(1 + c.History.MeanValue),
        (float)Math.Log(1 + c.TotalValue), (float)c.CouponShare, (float)probabilityAlive, (float)expectedPurchases,
    ];

    /// <summary>Trains on four fifths of the examples and evaluates on the rest; null when either part lacks both outcomes.</summary>
    public static (ChurnClassifier Classifier, ClassifierReport Report)? Train(IReadOnlyList<(string CustomerId, float[] Features, bool Churned)> examples)
    {
        var rows = examples.Select(e => new Example { Label = e.Churned, Features = e.Features, Test = InTestFifth(e.CustomerId) }).ToList();
        var training = rows.Where(r => !r.Test).ToList();
        var test = rows.Where(r => r.Test).ToList();
        if (training.Select(r => r.Label).Distinct().Count() < 2 || test.Select(r => r.Label).Distinct().Count() < 2)
        {
            return null;
        }
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.NormalizeMeanVariance(nameof(Example.Features))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(nameof(Example.Label), nameof(Example.Features)));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(training));
        var scored = model.Transform(ml.Data.LoadFromEnumerable(test));
        var metrics = ml.BinaryClassification.Evaluate(scored, nameof(Example.Label));
        var probabilities = ml.Data.CreateEnumerable<Score>(scored, reuseRowObject: false).Select(s => (double)s.Probability).ToList();
        var calibration = ModelQuality.Calibration(probabilities, test.Select(r => r.Label).ToList());
        var report = new ClassifierReport("ML.NET L-BFGS logistic regression", FeatureNames, training.Count, test.Count,
            metrics.AreaUnderRocCurve, metrics.LogLoss, test.Average(r => r.Label ? 1.0 : 0.0), calibration);
        return (new ChurnClassifier(model), report);
    }

    /// <summary>The churn probability of each customer's features.</summary>
    public IReadOnlyList<double> Predict(IReadOnlyList<float[]> features)
    {
        var data = _ml.Data.LoadFromEnumerable(features.Select(f => new Example { Features = f }));
        return _ml.Data.CreateEnumerable<Score>(_model.Transform(data), reuseRowObject: false).Select(s => (double)s.Probability).ToList();
    }

    private static bool InTestFifth(string customerId)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(customerId));
        return BitConverter.ToUInt32(hash, 0) % 5 == 0;
    }

    private sealed class Example
    {
        public bool Label { get; set; }

        [VectorType(8)]
        public float[] Features { get; set; } = [];

        [NoColumn]
        public bool Test { get; set; }
    }

    private sealed class Score
    {
        public float Probability { get; set; }
    }
}
