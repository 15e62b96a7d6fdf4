using Microsoft.Extensions.Options;

namespace Truffle.Hosting;

/// <summary>The check of options set in code (<c>AddTruffle(options =&gt; ...)</c>) that the compiler cannot make.</summary>
internal static class CodeOptions
{
    /// <summary>
    /// <paramref name="options"/>, if its app id is set. <c>required</c> makes an object initializer name the app id,
    /// but an action that sets properties one by one may forget it; the failure then says where to set it, as a bad
    /// configuration section does, instead of the runtime's "AppId '' must be ...".
    /// </summary>
    /// <exception cref="OptionsValidationException">The app id is empty.</exception>
    public static TruffleOptions RequireAppId(TruffleOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.AppId))
        {
            throw new OptionsValidationException(
                nameof(TruffleOptions),
                typeof(TruffleOptions),
                ["TruffleOptions.AppId is missing: set it in AddTruffle(options => options.AppId = \"...\"), the same on every device of the app (lowercase letters, digits and '-')."]);
        }

        return options;
    }
}
