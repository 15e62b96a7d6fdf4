using System.Globalization;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;
using Truffle.Generators.Parsing;

namespace Truffle.Generators.Emitting;

/// <summary>
/// Emits the typed API of one namespace (<c>bus.Chat</c>) for the assembly being compiled: concrete <c>Send</c>,
/// <c>Broadcast</c>, <c>Request</c> and <c>Handle</c> overloads per message, its own and its references', so every
/// call binds at compile time, plus generic <c>On</c> and <c>ReadAll</c> for the namespace's messages.
/// </summary>
/// <remarks>
/// Everything is internal, in the assembly's own C# namespace, which <see cref="EmitImports"/> brings into scope for
/// the assembly alone: each assembly's <c>bus.Chat</c> is its own, so several assemblies declaring <c>chat</c> never
/// make two <c>bus.Chat</c> meet, not even where one sees the other's internals.
/// </remarks>
internal static class NamespaceApiEmitter
{
    public const string ImportsHintName = "Truffle.NamespaceApis.g.cs";

    public static string HintName(NamespaceApiModel api) => $"Truffle.{WireNames.ApiTypeName(api.WireNamespace)}.g.cs";

    /// <summary>The global using that makes the assembly's namespace APIs reachable from all its files.</summary>
    public static string EmitImports(string generatedNamespace) => $$"""
        {{KnownNames.FileHeader}}

        // bus.<Namespace> is internal to each assembly (docs/generator.md); this brings this assembly's into scope.
        global using global::{{generatedNamespace}};

        """;

    public static string Emit(NamespaceApiModel api)
    {
        var w = new SourceWriter();
        string type = WireNames.ApiTypeName(api.WireNamespace);
        string qualifiedType = $"global::{api.ApiNamespace}.{type}";
        string bus = KnownNames.MessageBus;

        w.WriteLine($$"""
            {{KnownNames.FileHeader}}

            namespace {{api.ApiNamespace}};

            /// <summary>
            /// The typed API of the <c>{{api.WireNamespace}}</c> namespace, reached as <c>bus.{{api.PropertyName}}</c>: every message of the
            /// namespace declared in this assembly or in an assembly it references.
            /// </summary>
            {{KnownNames.GeneratedCode}}
            internal readonly struct {{type}}
            {
                /// <summary>The namespace on the wire.</summary>
                public const string WireNamespace = {{CSharpNames.Literal(api.WireNamespace)}};

                private readonly {{bus}} _bus;

                /// <summary>The typed API over <paramref name="bus"/>.</summary>
                public {{type}}({{bus}} bus) => _bus = bus ?? throw new global::System.ArgumentNullException(nameof(bus));
            """);
        w.Indentation++;
        WriteMembers(w, api, new ApiHost("public", string.Empty, "_bus", string.Empty));
        w.CloseBlock();
        w.WriteLine();
        if (api.LegacyAssembly is { } legacy)
        {
            WriteLegacyExtensions(w, api, type, qualifiedType, legacy);
        }
        else
        {
            WriteExtension(w, api, type);
        }

        return w.ToString();
    }

    /// <summary>
    /// The API members of every message, then the generic ones. On a 0.1.0 API (<paramref name="host"/> is its
    /// extensions), the messages that API already serves are left out, and the reply formatters are the struct's.
    /// </summary>
    private static void WriteMembers(SourceWriter w, NamespaceApiModel api, ApiHost host)
    {
        var shapes = new ShapeEmitter();
        int replyIndex = 0;
        foreach (ApiMessage message in api.Messages)
        {
            // Numbered over all messages, so the struct and the extensions agree on each reply's formatter.
            string? replyFormatter = message.Reply is { Kind: not ShapeKind.Annotated }
                ? $"Reply{replyIndex++.ToString(CultureInfo.InvariantCulture)}Formatter"
                : null;
            if (host.ExtendsLegacyApi && message.InLegacyApi)
            {
                continue;
            }

            WriteMessageMethods(w, host, message);
            if (message.Reply is not { } reply)
            {
                continue;
            }

            WriteRequestMethods(w, host, message, reply, replyFormatter is null ? FormatterOf(reply.ConstructName) : $"{host.Scope}{replyFormatter}.Instance");
            if (replyFormatter is not null && !host.ExtendsLegacyApi)
            {
                WriteReplyFormatter(w, shapes, reply, replyFormatter);
            }
        }

        WriteGenericMethods(w, host);
    }

    private static void WriteMessageMethods(SourceWriter w, ApiHost host, ApiMessage message)
    {
        string formatter = FormatterOf(message.FullyQualifiedName);
        string wireType = WireTypeOf(message);
        w.WriteLine($$"""

            /// <summary>Sends a <see cref="{{message.FullyQualifiedName}}"/> to one device; see <see cref="global::Truffle.IMessageBus.SendAsync"/> for failures.</summary>
            {{host.Modifiers}} {{KnownNames.ValueTask}} Send({{host.Receiver}}string deviceId, {{message.FullyQualifiedName}} message, {{KnownNames.CancellationToken}} cancellationToken = default) =>
                {{KnownNames.TypedBus}}.SendAsync({{host.Bus}}, deviceId, {{host.Scope}}WireNamespace, {{wireType}}, message, {{formatter}}, cancellationToken);

            /// <summary>Sends a <see cref="{{message.FullyQualifiedName}}"/> to every other device.</summary>
            {{host.Modifiers}} {{KnownNames.ValueTask}} Broadcast({{host.Receiver}}{{message.FullyQualifiedName}} message, {{KnownNames.CancellationToken}} cancellationToken = default) =>
                {{KnownNames.TypedBus}}.BroadcastAsync({{host.Bus}}, {{host.Scope}}WireNamespace, {{wireType}}, message, {{formatter}}, cancellationToken);
            """);
    }

    private static void WriteRequestMethods(SourceWriter w, ApiHost host, ApiMessage message, TypeShape reply, string replyFormatter)
    {
        string request = message.FullyQualifiedName;
        string replyType = reply.Kind == ShapeKind.Annotated ? reply.ConstructName : reply.TypeName;
        string requestFormatter = FormatterOf(request);
        string wireType = WireTypeOf(message);
        string handlerArguments = $"{host.Bus}, {host.Scope}WireNamespace, {wireType}, {requestFormatter}, {replyFormatter}, handler";
        w.WriteLine($$"""

            /// <summary>Asks one device and waits for its reply; see <see cref="global::Truffle.IMessageBus.RequestAsync"/> for failures.</summary>
            {{host.Modifiers}} {{KnownNames.ValueTask}}<{{replyType}}> Request({{host.Receiver}}string deviceId, {{request}} request, global::System.TimeSpan timeout, {{KnownNames.CancellationToken}} cancellationToken = default) =>
                {{KnownNames.TypedBus}}.RequestAsync<{{request}}, {{replyType}}>({{host.Bus}}, deviceId, {{host.Scope}}WireNamespace, {{wireType}}, request, {{requestFormatter}}, {{replyFormatter}}, timeout, cancellationToken);

            /// <summary>Answers <see cref="{{request}}"/> requests; dispose the result to stop.</summary>
            {{host.Modifiers}} {{KnownNames.Disposable}} Handle({{host.Receiver}}global::System.Func<{{request}}, {{KnownNames.MessageContext}}, {{KnownNames.CancellationToken}}, {{KnownNames.ValueTask}}<{{replyType}}>> handler) =>
                {{KnownNames.TypedBus}}.Handle<{{request}}, {{replyType}}>({{handlerArguments}});

            /// <summary>Answers <see cref="{{request}}"/> requests synchronously; dispose the result to stop.</summary>
            {{host.Modifiers}} {{KnownNames.Disposable}} Handle({{host.Receiver}}global::System.Func<{{request}}, {{KnownNames.MessageContext}}, {{replyType}}> handler) =>
                {{KnownNames.TypedBus}}.Handle<{{request}}, {{replyType}}>({{handlerArguments}});
            """);
    }

    private static void WriteGenericMethods(SourceWriter w, ApiHost host)
    {
        const string Constraint = "where T : global::Truffle.ITruffleMessage<T>";
        string options = KnownNames.SubscriptionOptions;
        string refused = $"<exception cref=\"global::System.ArgumentException\"><typeparamref name=\"T\"/> is a message of another namespace.</exception>";
        w.WriteLine($$"""

            /// <summary>Calls <paramref name="handler"/> for every <typeparamref name="T"/> received; dispose the result to stop.</summary>
            /// {{refused}}
            {{host.Modifiers}} {{KnownNames.Disposable}} On<T>({{host.Receiver}}global::System.Action<T, {{KnownNames.MessageContext}}> handler, {{options}}? options = null)
                {{Constraint}} =>
                {{KnownNames.TypedBus}}.On({{host.Bus}}, {{host.Scope}}WireNamespace, handler, options);

            /// <summary>Awaits <paramref name="handler"/> for every <typeparamref name="T"/> received, one at a time; dispose the result to stop.</summary>
            /// {{refused}}
            {{host.Modifiers}} {{KnownNames.Disposable}} On<T>({{host.Receiver}}global::System.Func<T, {{KnownNames.MessageContext}}, {{KnownNames.CancellationToken}}, {{KnownNames.ValueTask}}> handler, {{options}}? options = null)
                {{Constraint}} =>
                {{KnownNames.TypedBus}}.On({{host.Bus}}, {{host.Scope}}WireNamespace, handler, options);

            /// <summary>Yields every <typeparamref name="T"/> received until <paramref name="cancellationToken"/> is cancelled.</summary>
            /// {{refused}}
            {{host.Modifiers}} global::System.Collections.Generic.IAsyncEnumerable<global::Truffle.Received<T>> ReadAll<T>({{host.Receiver}}{{options}}? options = null, {{KnownNames.CancellationToken}} cancellationToken = default)
                {{Constraint}} =>
                {{KnownNames.TypedBus}}.ReadAllAsync<T>({{host.Bus}}, {{host.Scope}}WireNamespace, options, cancellationToken);
            """);
    }

    private static void WriteReplyFormatter(SourceWriter w, ShapeEmitter shapes, TypeShape reply, string name)
    {
        w.WriteLine($$"""

            {{KnownNames.GeneratedCode}}
            internal sealed class {{name}} : {{KnownNames.FormatterInterface}}<{{reply.TypeName}}>
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

    private static void WriteExtension(SourceWriter w, NamespaceApiModel api, string type)
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
            internal static class {{type}}Extensions
            {
            """);
        w.Indentation++;
        w.WriteLine(property);
        w.CloseBlock();
    }

    /// <summary>
    /// When a referenced assembly built with Truffle.Generators 0.1.0 declares <c>bus.Chat</c> publicly, a second
    /// <c>bus.Chat</c> would be ambiguous; the messages its API lacks become extension methods on its API type
    /// instead, and C# picks them wherever its own instance methods do not apply.
    /// </summary>
    private static void WriteLegacyExtensions(SourceWriter w, NamespaceApiModel api, string type, string qualifiedType, string legacyAssembly)
    {
        string legacyType = $"global::Truffle.{type}";
        w.WriteLine($$"""
            /// <summary>
            /// Adds the <c>{{api.WireNamespace}}</c> messages that {{legacyAssembly}} does not declare to its <c>bus.{{api.PropertyName}}</c> (generated
            /// public by Truffle.Generators 0.1.0).
            /// </summary>
            {{KnownNames.GeneratedCode}}
            internal static class {{type}}Extensions
            {
                // The 0.1.0 API type holds nothing but the bus, in a private field.
                private static {{KnownNames.MessageBus}} BusOf({{legacyType}} legacy) =>
                    global::System.Runtime.CompilerServices.Unsafe.As<{{legacyType}}, {{KnownNames.MessageBus}}>(ref legacy);
            """);
        w.Indentation++;
        WriteMembers(w, api, new ApiHost("public static", $"this {legacyType} legacy, ", "BusOf(legacy)", qualifiedType + "."));
        w.CloseBlock();
    }

    /// <summary>A message's wire type: a constant for this compilation's own, the compiled one for a referenced type.</summary>
    private static string WireTypeOf(ApiMessage message) =>
        message.WireType is { } wireType ? CSharpNames.Literal(wireType) : $"{KnownNames.TypedBus}.WireTypeOf<{message.FullyQualifiedName}>()";

    private static string FormatterOf(string type) => $"{KnownNames.WireFormat}.FormatterOf<{type}>()";

    /// <summary>Where API members are written: the API struct itself, or extension methods on a 0.1.0 API type.</summary>
    /// <param name="Modifiers">The member modifiers.</param>
    /// <param name="Receiver">The extension's <c>this</c> parameter and its comma, or nothing.</param>
    /// <param name="Bus">The expression of the bus.</param>
    /// <param name="Scope">What qualifies the struct's members (<c>WireNamespace</c>, reply formatters): nothing inside it.</param>
    private sealed record ApiHost(string Modifiers, string Receiver, string Bus, string Scope)
    {
        public bool ExtendsLegacyApi => Receiver.Length > 0;
    }
}
