namespace Truffle.Generators;

/// <summary>Names of the pipeline steps, for incrementality tests.</summary>
internal static class TrackingNames
{
    public const string KnownTypes = nameof(KnownTypes);
    public const string ParseMessages = nameof(ParseMessages);
    public const string ParseSlices = nameof(ParseSlices);
    public const string Models = nameof(Models);
    public const string References = nameof(References);
    public const string NamespaceApis = nameof(NamespaceApis);
    public const string NamespaceApiImports = nameof(NamespaceApiImports);
    public const string Resolver = nameof(Resolver);
    public const string ReferencedSchemas = nameof(ReferencedSchemas);
    public const string CompilationInfo = nameof(CompilationInfo);
    public const string UpdateSchema = nameof(UpdateSchema);
    public const string SchemaLock = nameof(SchemaLock);
    public const string Schema = nameof(Schema);
}
