namespace PecosCrm.Core.Messaging;

/// <summary>How a message is named in its timeline entries ("Email sent: Your order shipped").</summary>
internal static class MessageText
{
    public static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    public static string Word(MessageEntity m) => m.Channel == nameof(Channel.Sms) ? "SMS" : "Email";

    public static string Summary(MessageEntity m) => m.Subject ?? Shorten(m.Text ?? "");
}
