using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Truffle.Generators.Model;

namespace Truffle.Generators.Parsing;

/// <summary>Formats a constructor parameter's declared default as a C# expression of the member's type.</summary>
internal static class DefaultValues
{
    public static string? Format(IParameterSymbol parameter, TypeShape? shape)
    {
        if (!parameter.HasExplicitDefaultValue)
        {
            return null;
        }

        object? value = parameter.ExplicitDefaultValue;
        string typeName = shape?.ConstructName ?? parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return value switch
        {
            null => "default!",
            double d when double.IsNaN(d) => "global::System.Double.NaN",
            double d when double.IsPositiveInfinity(d) => "global::System.Double.PositiveInfinity",
            double d when double.IsNegativeInfinity(d) => "global::System.Double.NegativeInfinity",
            float f when float.IsNaN(f) => "global::System.Single.NaN",
            float f when float.IsPositiveInfinity(f) => "global::System.Single.PositiveInfinity",
            float f when float.IsNegativeInfinity(f) => "global::System.Single.NegativeInfinity",
            decimal m => m.ToString(CultureInfo.InvariantCulture) + "m",
            _ => $"({typeName})({SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false)})",
        };
    }
}
