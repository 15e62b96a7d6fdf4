using System.Text;
using System.Text.Json;
using MessagePack;

namespace Truffle.Cli;

/// <summary>
/// JSON in, MessagePack out, and back: MessagePack-CSharp's own conversion, so <c>{"author":"ana","text":"hi"}</c>
/// becomes the very map a generated formatter writes and reads (camelCase keys).
/// </summary>
internal static class JsonPayload
{
    /// <summary>The MessagePack of <paramref name="json"/>.</summary>
    /// <exception cref="CliException">Not JSON; the message says where (exit code <see cref="ExitCodes.Usage"/>).</exception>
    public static byte[] ToMessagePack(string json)
    {
        try
        {
            // System.Text.Json first, for an error that says where; MessagePack's reader says only what.
            using (JsonDocument.Parse(json))
            {
            }
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line && e.BytePositionInLine is long column ? $" at line {line + 1}, position {column + 1}" : "";
            throw new CliException(ExitCodes.Usage, $"The payload is not valid JSON{where}: {FirstSentence(e.Message)}", e);
        }

        return MessagePackSerializer.ConvertFromJson(json, MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData));
    }

    /// <summary>The JSON of a MessagePack payload; payloads that are not MessagePack are shown as base64.</summary>
    public static string ToJson(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return "null";
        }

        try
        {
            return MessagePackSerializer.ConvertToJson(payload, MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData));
        }
        catch (MessagePackSerializationException)
        {
            return JsonSerializer.Serialize(Convert.ToBase64String(payload.Span), CliJsonContext.Default.String);
        }
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class CliJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
