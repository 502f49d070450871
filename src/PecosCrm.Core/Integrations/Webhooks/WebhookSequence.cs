using System.Globalization;
using System.Security.Cryptography;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// Sequences of published events: 12 hex digits of Unix milliseconds, 4 of a per-process counter
/// (so events published in one millisecond keep their order) and 16 random, so two processes never
/// make the same one. Sorted as strings, they are in publication order.
/// </summary>
public static class WebhookSequence
{
    public const int Length = 32;

    private static readonly Lock Gate = new();
    private static long _lastMs;
    private static int _counter;

    public static string Next(DateTimeOffset now)
    {
        long ms;
        int counter;
        lock (Gate)
        {
            ms = Math.Max(now.ToUnixTimeMilliseconds(), _lastMs);
            if (ms == _lastMs)
            {
                if (++_counter > 0xFFFF)
                {
                    ms++;
                    _counter = 0;
                }
            }
            else
            {
                _counter = 0;
            }
            _lastMs = ms;
            counter = _counter;
        }
        return ms.ToString("x12", CultureInfo.InvariantCulture) + counter.ToString("x4", CultureInfo.InvariantCulture)
            + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    }

    public static bool IsValid(string? value) =>
        value is { Length: Length } && value.All(char.IsAsciiHexDigitLower);

    public static DateTimeOffset TimeOf(string sequence) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(sequence.AsSpan(0, 12), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
}
