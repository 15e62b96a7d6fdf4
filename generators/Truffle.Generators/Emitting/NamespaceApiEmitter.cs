using System.Globalization;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Emitting;

/// <summary>
/// Emits the typed API of one namespace (<c>bus.Chat</c>): concrete <c>Send</c>, <c>Broadcast</c>, <c>Request</c>
/// and <c>Handle</c> overloads per message, so every call binds at compile time, plus generic <c>On</c> and
/// <c>ReadAll</c> constrained to the namespace's messages.
/// </summary>
internal static class NamespaceApiEmitter
{
    /// <summary>The API type of a namespace: <c>chat</c> → <c>ChatBus</c>.</summary>
    public static string TypeName(string wireNamespace) => WireNamesPascal(wireNamespace) + "Bus";

    public static string HintName(NamespaceApiModel api) => $"Truffle.{TypeName(api.WireNamespace)}.g.cs";

    public static string Emit(NamespaceApiModel api)
    {
        var w = new SourceWriter();
        var shapes = new ShapeEmitter();
        string type = TypeName(api.WireNamespace);
        string access = api.IsPublic ? "public" : "internal";
        string bus = KnownNames.MessageBus;

        w.WriteLine(KnownNames.FileHeader);
        w.WriteLine();
        w.WriteLine("namespace Truffle;");
        w.WriteLine();
        w.WriteLine($"/// <summary>The typed API of the <c>{api.WireNamespace}</c> namespace, reached as <c>bus.{api.PropertyName}</c>.</summary>");
        w.WriteLine(KnownNames.GeneratedCode);
        w.OpenBlock($"{access} readonly struct {type}");
        w.WriteLine("/// <summary>The namespace on the wire.</summary>");
        w.WriteLine($"public const string WireNamespace = {TypeEmitter.Literal(api.WireNamespace)};");
        w.WriteLine();
        w.WriteLine($"private readonly {bus} _bus;");
        w.WriteLine();
        w.WriteLine("/// <summary>The typed API over <paramref name=\"bus\"/>.</summary>");
        w.WriteLine($"public {type}({bus} bus) => _bus = bus ?? throw new global::System.ArgumentNullException(nameof(bus));");
        w.WriteLine();
        w.WriteLine("/// <summary>Implemented by every message of this namespace; lets <c>On</c> and <c>ReadAll</c> accept only them.</summary>");
        w.WriteLine("public interface IMessage");
        w.OpenBlock();
        w.CloseBlock();

        int replyIndex = 0;
        foreach (ApiMessage message in api.Messages)
        {
            WriteMessageMethods(w, message);
            if (message.Reply is { } reply)
            {
                string replyFormatter = reply.Kind == ShapeKind.Annotated
                    ? ReplyFormatterOf(reply)
                    : $"Reply{replyIndex.ToString(CultureInfo.InvariantCulture)}Formatter.Instance";
                WriteRequestMethods(w, message, reply, replyFormatter);
                if (reply.Kind != ShapeKind.Annotated)
                {
                    WriteReplyFormatter(w, shapes, reply, $"Reply{replyIndex.ToString(CultureInfo.InvariantCulture)}Formatter");
                    replyIndex++;
                }
            }
        }

        WriteGenericMethods(w);
        w.CloseBlock();
        w.WriteLine();
        WriteExtension(w, api, type, access);
        return w.ToString();
    }

    private static void WriteMessageMethods(SourceWriter w, ApiMessage message)
    {
        string formatter = $"{KnownNames.WireFormat}.FormatterOf<{message.FullyQualifiedName}>()";
        string wireType = TypeEmitter.Literal(message.WireType);
        w.WriteLine();
        w.WriteLine($"/// <summary>Sends a <see cref=\"{Cref(message.FullyQualifiedName)}\"/> to one device; see <see cref=\"global::Truffle.IMessageBus.SendAsync\"/> for failures.</summary>");
        w.WriteLine($"public {KnownNames.ValueTask} Send(string deviceId, {message.FullyQualifiedName} message, {KnownNames.CancellationToken} cancellationToken = default) =>");
        w.WriteLine($"    {KnownNames.TypedBus}.SendAsync(_bus, deviceId, WireNamespace, {wireType}, message, {formatter}, cancellationToken);");
        w.WriteLine();
        w.WriteLine($"/// <summary>Sends a <see cref=\"{Cref(message.FullyQualifiedName)}\"/> to every other device.</summary>");
        w.WriteLine($"public {KnownNames.ValueTask} Broadcast({message.FullyQualifiedName} message, {KnownNames.CancellationToken} cancellationToken = default) =>");
        w.WriteLine($"    {KnownNames.TypedBus}.BroadcastAsync(_bus, WireNamespace, {wireType}, message, {formatter}, cancellationToken);");
    }

    private static void WriteRequestMethods(SourceWriter w, ApiMessage message, TypeShape reply, string replyFormatter)
    {
        string request = message.FullyQualifiedName;
        string replyType = reply.Kind == ShapeKind.Annotated ? reply.ConstructName : reply.TypeName;
        string requestFormatter = $"{KnownNames.WireFormat}.FormatterOf<{request}>()";
        string wireType = TypeEmitter.Literal(message.WireType);
        string context = KnownNames.MessageContext;
        string token = KnownNames.CancellationToken;
        w.WriteLine();
        w.WriteLine($"/// <summary>Asks one device and waits for its reply; see <see cref=\"global::Truffle.IMessageBus.RequestAsync\"/> for failures.</summary>");
        w.WriteLine($"public {KnownNames.ValueTask}<{replyType}> Request(string deviceId, {request} request, global::System.TimeSpan timeout, {token} cancellationToken = default) =>");
        w.WriteLine($"    {KnownNames.TypedBus}.RequestAsync<{request}, {replyType}>(_bus, deviceId, WireNamespace, {wireType}, request, {requestFormatter}, {replyFormatter}, timeout, cancellationToken);");
        w.WriteLine();
        w.WriteLine($"/// <summary>Answers <see cref=\"{Cref(request)}\"/> requests; dispose the result to stop.</summary>");
        w.WriteLine($"public {KnownNames.Disposable} Handle(global::System.Func<{request}, {context}, {token}, {KnownNames.ValueTask}<{replyType}>> handler) =>");
        w.WriteLine($"    {KnownNames.TypedBus}.Handle<{request}, {replyType}>(_bus, WireNamespace, {wireType}, {requestFormatter}, {replyFormatter}, handler);");
        w.WriteLine();
        w.WriteLine($"/// <summary>Answers <see cref=\"{Cref(request)}\"/> requests synchronously; dispose the result to stop.</summary>");
        w.WriteLine($"public {KnownNames.Disposable} Handle(global::System.Func<{request}, {context}, {replyType}> handler) =>");
        w.WriteLine($"    {KnownNames.TypedBus}.Handle<{request}, {replyType}>(_bus, WireNamespace, {wireType}, {requestFormatter}, {replyFormatter}, handler);");
    }

    private static void WriteGenericMethods(SourceWriter w)
    {
        const string Constraint = "where T : IMessage, global::Truffle.ITruffleMessage<T>";
        string context = KnownNames.MessageContext;
        string options = KnownNames.SubscriptionOptions;
        w.WriteLine();
        w.WriteLine("/// <summary>Calls <paramref name=\"handler\"/> for every <typeparamref name=\"T\"/> received; dispose the result to stop.</summary>");
        w.WriteLine($"public {KnownNames.Disposable} On<T>(global::System.Action<T, {context}> handler, {options}? options = null)");
        w.WriteLine($"    {Constraint} =>");
        w.WriteLine($"    {KnownNames.TypedBus}.On(_bus, WireNamespace, T.WireType, T.Formatter, handler, options);");
        w.WriteLine();
        w.WriteLine("/// <summary>Awaits <paramref name=\"handler\"/> for every <typeparamref name=\"T\"/> received, one at a time; dispose the result to stop.</summary>");
        w.WriteLine($"public {KnownNames.Disposable} On<T>(global::System.Func<T, {context}, {KnownNames.CancellationToken}, {KnownNames.ValueTask}> handler, {options}? options = null)");
        w.WriteLine($"    {Constraint} =>");
        w.WriteLine($"    {KnownNames.TypedBus}.On(_bus, WireNamespace, T.WireType, T.Formatter, handler, options);");
        w.WriteLine();
        w.WriteLine("/// <summary>Yields every <typeparamref name=\"T\"/> received until <paramref name=\"cancellationToken\"/> is cancelled.</summary>");
        w.WriteLine($"public global::System.Collections.Generic.IAsyncEnumerable<global::Truffle.Received<T>> ReadAll<T>({options}? options = null, {KnownNames.CancellationToken} cancellationToken = default)");
        w.WriteLine($"    {Constraint} =>");
        w.WriteLine($"    {KnownNames.TypedBus}.ReadAllAsync(_bus, WireNamespace, T.WireType, T.Formatter, options, cancellationToken);");
    }

    private static void WriteReplyFormatter(SourceWriter w, ShapeEmitter shapes, TypeShape reply, string name)
    {
        w.WriteLine();
        w.WriteLine(KnownNames.GeneratedCode);
        w.OpenBlock($"private sealed class {name} : {KnownNames.FormatterInterface}<{reply.TypeName}>");
        w.WriteLine($"public static readonly {name} Instance = new();");
        w.WriteLine();
        w.OpenBlock($"public void Serialize(ref {KnownNames.Writer} writer, {reply.TypeName} value, {KnownNames.Options} options)");
        shapes.Write(w, reply, "value");
        w.CloseBlock();
        w.WriteLine();
        w.OpenBlock($"public {reply.TypeName} Deserialize(ref {KnownNames.Reader} reader, {KnownNames.Options} options)");
        w.WriteLine($"{reply.TypeName} result;");
        shapes.Read(w, reply, "result");
        w.WriteLine("return result;");
        w.CloseBlock();
        w.CloseBlock();
    }

    private static void WriteExtension(SourceWriter w, NamespaceApiModel api, string type, string access)
    {
        w.WriteLine($"/// <summary>Adds <c>bus.{api.PropertyName}</c>, the typed API of the <c>{api.WireNamespace}</c> namespace.</summary>");
        w.WriteLine(KnownNames.GeneratedCode);
        w.OpenBlock($"{access} static class {type}Extensions");
        if (api.UseExtensionProperty)
        {
            w.OpenBlock($"extension({KnownNames.MessageBus} bus)");
            w.WriteLine($"/// <summary>The typed API of the <c>{api.WireNamespace}</c> namespace.</summary>");
            w.WriteLine($"public {type} {api.PropertyName} => new(bus);");
            w.CloseBlock();
        }
        else
        {
            w.WriteLine($"/// <summary>The typed API of the <c>{api.WireNamespace}</c> namespace (an extension property from C# 14 on).</summary>");
            w.WriteLine($"public static {type} {api.PropertyName}(this {KnownNames.MessageBus} bus) => new(bus);");
        }

        w.CloseBlock();
    }

    private static string ReplyFormatterOf(TypeShape reply) => $"{KnownNames.WireFormat}.FormatterOf<{reply.ConstructName}>()";

    private static string Cref(string fullyQualifiedName) => fullyQualifiedName;

    private static string WireNamesPascal(string wireNamespace) => Parsing.WireNames.ToPascalCase(wireNamespace);
}
