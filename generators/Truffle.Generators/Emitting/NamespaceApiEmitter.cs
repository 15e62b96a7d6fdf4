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

        w.WriteLine($$"""
            {{KnownNames.FileHeader}}

            namespace Truffle;

            /// <summary>The typed API of the <c>{{api.WireNamespace}}</c> namespace, reached as <c>bus.{{api.PropertyName}}</c>.</summary>
            {{KnownNames.GeneratedCode}}
            {{access}} readonly struct {{type}}
            {
                /// <summary>The namespace on the wire.</summary>
                public const string WireNamespace = {{CSharpNames.Literal(api.WireNamespace)}};

                private readonly {{bus}} _bus;

                /// <summary>The typed API over <paramref name="bus"/>.</summary>
                public {{type}}({{bus}} bus) => _bus = bus ?? throw new global::System.ArgumentNullException(nameof(bus));

                /// <summary>Implemented by every message of this namespace; lets <c>On</c> and <c>ReadAll</c> accept only them.</summary>
                public interface IMessage
                {
                }
            """);
        w.Indentation++;
        int replyIndex = 0;
        foreach (ApiMessage message in api.Messages)
        {
            WriteMessageMethods(w, message);
            if (message.Reply is not { } reply)
            {
                continue;
            }

            string replyFormatter = $"Reply{replyIndex.ToString(CultureInfo.InvariantCulture)}Formatter";
            if (reply.Kind == ShapeKind.Annotated)
            {
                WriteRequestMethods(w, message, reply, ReplyFormatterOf(reply));
            }
            else
            {
                WriteRequestMethods(w, message, reply, replyFormatter + ".Instance");
                WriteReplyFormatter(w, shapes, reply, replyFormatter);
                replyIndex++;
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
        string wireType = CSharpNames.Literal(message.WireType);
        w.WriteLine($$"""

            /// <summary>Sends a <see cref="{{message.FullyQualifiedName}}"/> to one device; see <see cref="global::Truffle.IMessageBus.SendAsync"/> for failures.</summary>
            public {{KnownNames.ValueTask}} Send(string deviceId, {{message.FullyQualifiedName}} message, {{KnownNames.CancellationToken}} cancellationToken = default) =>
                {{KnownNames.TypedBus}}.SendAsync(_bus, deviceId, WireNamespace, {{wireType}}, message, {{formatter}}, cancellationToken);

            /// <summary>Sends a <see cref="{{message.FullyQualifiedName}}"/> to every other device.</summary>
            public {{KnownNames.ValueTask}} Broadcast({{message.FullyQualifiedName}} message, {{KnownNames.CancellationToken}} cancellationToken = default) =>
                {{KnownNames.TypedBus}}.BroadcastAsync(_bus, WireNamespace, {{wireType}}, message, {{formatter}}, cancellationToken);
            """);
    }

    private static void WriteRequestMethods(SourceWriter w, ApiMessage message, TypeShape reply, string replyFormatter)
    {
        string request = message.FullyQualifiedName;
        string replyType = reply.Kind == ShapeKind.Annotated ? reply.ConstructName : reply.TypeName;
        string requestFormatter = $"{KnownNames.WireFormat}.FormatterOf<{request}>()";
        string wireType = CSharpNames.Literal(message.WireType);
        string handlerArguments = $"_bus, WireNamespace, {wireType}, {requestFormatter}, {replyFormatter}, handler";
        w.WriteLine($$"""

            /// <summary>Asks one device and waits for its reply; see <see cref="global::Truffle.IMessageBus.RequestAsync"/> for failures.</summary>
            public {{KnownNames.ValueTask}}<{{replyType}}> Request(string deviceId, {{request}} request, global::System.TimeSpan timeout, {{KnownNames.CancellationToken}} cancellationToken = default) =>
                {{KnownNames.TypedBus}}.RequestAsync<{{request}}, {{replyType}}>(_bus, deviceId, WireNamespace, {{wireType}}, request, {{requestFormatter}}, {{replyFormatter}}, timeout, cancellationToken);

            /// <summary>Answers <see cref="{{request}}"/> requests; dispose the result to stop.</summary>
            public {{KnownNames.Disposable}} Handle(global::System.Func<{{request}}, {{KnownNames.MessageContext}}, {{KnownNames.CancellationToken}}, {{KnownNames.ValueTask}}<{{replyType}}>> handler) =>
                {{KnownNames.TypedBus}}.Handle<{{request}}, {{replyType}}>({{handlerArguments}});

            /// <summary>Answers <see cref="{{request}}"/> requests synchronously; dispose the result to stop.</summary>
            public {{KnownNames.Disposable}} Handle(global::System.Func<{{request}}, {{KnownNames.MessageContext}}, {{replyType}}> handler) =>
                {{KnownNames.TypedBus}}.Handle<{{request}}, {{replyType}}>({{handlerArguments}});
            """);
    }

    private static void WriteGenericMethods(SourceWriter w)
    {
        const string Constraint = "where T : IMessage, global::Truffle.ITruffleMessage<T>";
        string options = KnownNames.SubscriptionOptions;
        w.WriteLine($$"""

            /// <summary>Calls <paramref name="handler"/> for every <typeparamref name="T"/> received; dispose the result to stop.</summary>
            public {{KnownNames.Disposable}} On<T>(global::System.Action<T, {{KnownNames.MessageContext}}> handler, {{options}}? options = null)
                {{Constraint}} =>
                {{KnownNames.TypedBus}}.On(_bus, WireNamespace, T.WireType, T.Formatter, handler, options);

            /// <summary>Awaits <paramref name="handler"/> for every <typeparamref name="T"/> received, one at a time; dispose the result to stop.</summary>
            public {{KnownNames.Disposable}} On<T>(global::System.Func<T, {{KnownNames.MessageContext}}, {{KnownNames.CancellationToken}}, {{KnownNames.ValueTask}}> handler, {{options}}? options = null)
                {{Constraint}} =>
                {{KnownNames.TypedBus}}.On(_bus, WireNamespace, T.WireType, T.Formatter, handler, options);

            /// <summary>Yields every <typeparamref name="T"/> received until <paramref name="cancellationToken"/> is cancelled.</summary>
            public global::System.Collections.Generic.IAsyncEnumerable<global::Truffle.Received<T>> ReadAll<T>({{options}}? options = null, {{KnownNames.CancellationToken}} cancellationToken = default)
                {{Constraint}} =>
                {{KnownNames.TypedBus}}.ReadAllAsync(_bus, WireNamespace, T.WireType, T.Formatter, options, cancellationToken);
            """);
    }

    private static void WriteReplyFormatter(SourceWriter w, ShapeEmitter shapes, TypeShape reply, string name)
    {
        w.WriteLine($$"""

            {{KnownNames.GeneratedCode}}
            private sealed class {{name}} : {{KnownNames.FormatterInterface}}<{{reply.TypeName}}>
            {
                public static readonly {{name}} Instance = new();

                public void Serialize(ref {{KnownNames.Writer}} writer, {{reply.TypeName}} value, {{KnownNames.Options}} options)
                {
            """);
        w.Indentation += 2;
        shapes.Write(w, reply, "value");
        w.Indentation--;
        w.WriteLine($$"""
            }

            public {{reply.TypeName}} Deserialize(ref {{KnownNames.Reader}} reader, {{KnownNames.Options}} options)
            {
                {{reply.TypeName}} result;
            """);
        w.Indentation++;
        shapes.Read(w, reply, "result");
        w.Indentation -= 2;
        w.WriteLine("""
                    return result;
                }
            }
            """);
    }

    private static void WriteExtension(SourceWriter w, NamespaceApiModel api, string type, string access)
    {
        string property = api.UseExtensionProperty
            ? $$"""
                extension({{KnownNames.MessageBus}} bus)
                {
                    /// <summary>The typed API of the <c>{{api.WireNamespace}}</c> namespace.</summary>
                    public {{type}} {{api.PropertyName}} => new(bus);
                }
                """
            : $$"""
                /// <summary>The typed API of the <c>{{api.WireNamespace}}</c> namespace (an extension property from C# 14 on).</summary>
                public static {{type}} {{api.PropertyName}}(this {{KnownNames.MessageBus}} bus) => new(bus);
                """;
        w.WriteLine($$"""
            /// <summary>Adds <c>bus.{{api.PropertyName}}</c>, the typed API of the <c>{{api.WireNamespace}}</c> namespace.</summary>
            {{KnownNames.GeneratedCode}}
            {{access}} static class {{type}}Extensions
            {
            """);
        w.Indentation++;
        w.WriteLine(property);
        w.CloseBlock();
    }

    private static string ReplyFormatterOf(TypeShape reply) => $"{KnownNames.WireFormat}.FormatterOf<{reply.ConstructName}>()";

    private static string WireNamesPascal(string wireNamespace) => Parsing.WireNames.ToPascalCase(wireNamespace);
}
