using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Truffle.Hosting;

/// <summary>
/// Reads one configuration section key by key and collects every problem, by full path, instead of stopping at the
/// first: a user fixing appsettings.json sees all of them at once. Keys nobody asked for are problems too, so a typo
/// (<c>Netwrok</c>) is reported rather than silently leaving the default in place. An empty value counts as not set.
/// </summary>
internal sealed class SettingsReader
{
    private readonly IConfiguration _section;
    private readonly string _path;
    private readonly List<string> _problems;
    private readonly List<SettingsReader> _children = [];
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);

    public SettingsReader(IConfiguration section)
        : this(section, section is IConfigurationSection named ? named.Path : string.Empty, [])
    {
    }

    private SettingsReader(IConfiguration section, string path, List<string> problems)
    {
        _section = section;
        _path = path;
        _problems = problems;
    }

    /// <summary>A text setting that must be present; <paramref name="hint"/> tells what to set it to.</summary>
    public string Required(string key, string hint)
    {
        string? value = Value(key);
        if (value is null)
        {
            _problems.Add($"{PathOf(key)} is missing: {hint}.");
        }

        return value ?? string.Empty;
    }

    /// <summary>A text setting, or null when not set.</summary>
    public string? Text(string key) => Value(key);

    /// <summary><c>true</c> or <c>false</c>, or null when not set.</summary>
    public bool? Boolean(string key) => Parse<bool>(key, static v => bool.TryParse(v, out bool b) ? b : null, "true or false");

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>], or null when not set.</summary>
    public int? Integer(string key, int min, int max = int.MaxValue) => Parse<int>(
        key,
        v => int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i) && i >= min && i <= max ? i : null,
        (min, max) switch
        {
            (int.MinValue, int.MaxValue) => "a whole number",
            (_, int.MaxValue) => $"a whole number of at least {min.ToString(CultureInfo.InvariantCulture)}",
            _ => $"a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}",
        });

    /// <summary>One of the enum's names (any case; numbers and combinations are refused), or null when not set.</summary>
    public TEnum? Enum<TEnum>(string key)
        where TEnum : struct, Enum
    {
        string[] names = System.Enum.GetNames<TEnum>();
        return Parse<TEnum>(
            key,
            v => Array.Find(names, n => n.Equals(v.Trim(), StringComparison.OrdinalIgnoreCase)) is { } name ? System.Enum.Parse<TEnum>(name) : null,
            "one of " + string.Join(", ", names));
    }

    /// <summary>
    /// A duration written <c>[d.]hh:mm:ss[.fff]</c>, positive (or zero when <paramref name="allowZero"/>), or null when
    /// not set. A bare number is refused: <see cref="TimeSpan"/> would read <c>30</c> as thirty days.
    /// </summary>
    public TimeSpan? Duration(string key, bool allowZero = false) => Parse<TimeSpan>(
        key,
        v => v.Contains(':', StringComparison.Ordinal)
             && TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out TimeSpan t)
             && (t > TimeSpan.Zero || (allowZero && t == TimeSpan.Zero))
            ? t
            : null,
        allowZero ? "a duration such as 00:00:30 (hh:mm:ss)" : "a positive duration such as 00:00:30 (hh:mm:ss)");

    /// <summary>An object of text values, or null when not set.</summary>
    public IReadOnlyDictionary<string, string>? Dictionary(string key)
    {
        IConfigurationSection section = Section(key);
        if (!section.Exists())
        {
            return null;
        }

        if (!HasChildren(section))
        {
            _problems.Add($"{section.Path} is '{section.Value}', not an object of text values.");
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (IConfigurationSection entry in section.GetChildren())
        {
            if (HasChildren(entry))
            {
                _problems.Add($"{entry.Path} is an object; metadata values are text.");
            }
            else
            {
                values[entry.Key] = entry.Value ?? string.Empty;
            }
        }

        return values;
    }

    /// <summary>A nested object of settings; its problems are reported with this reader's.</summary>
    public SettingsReader Child(string key)
    {
        IConfigurationSection section = Section(key);
        if (section.Value is { Length: > 0 } value && !HasChildren(section))
        {
            _problems.Add($"{section.Path} is '{value}', not an object of settings.");
        }

        var child = new SettingsReader(section, section.Path, _problems);
        _children.Add(child);
        return child;
    }

    /// <summary>Adds the keys nobody read as problems, then throws if there is any problem.</summary>
    /// <exception cref="OptionsValidationException">Something was wrong; the message lists every problem.</exception>
    public void ThrowIfInvalid()
    {
        ReportUnknownKeys();
        if (_problems.Count > 0)
        {
            throw new OptionsValidationException(
                _path.Length == 0 ? TruffleConfiguration.SectionName : _path,
                typeof(TruffleOptions),
                [.. _problems]);
        }
    }

    private void ReportUnknownKeys()
    {
        foreach (IConfigurationSection entry in _section.GetChildren())
        {
            if (!_known.Contains(entry.Key))
            {
                _problems.Add(_path.Length == 0
                    ? $"{entry.Path} is not a Truffle setting (pass the Truffle section itself: configuration.GetSection(\"{TruffleConfiguration.SectionName}\"))."
                    : $"{entry.Path} is not a Truffle setting.");
            }
        }

        foreach (SettingsReader child in _children)
        {
            child.ReportUnknownKeys();
        }
    }

    private T? Parse<T>(string key, Func<string, T?> parse, string expected)
        where T : struct
    {
        string? value = Value(key);
        if (value is null)
        {
            return null;
        }

        T? parsed = parse(value);
        if (parsed is null)
        {
            _problems.Add($"{PathOf(key)} is '{value}', not {expected}.");
        }

        return parsed;
    }

    private string? Value(string key)
    {
        IConfigurationSection section = Section(key);
        if (HasChildren(section))
        {
            _problems.Add($"{section.Path} is an object; it takes a single value.");
            return null;
        }

        return string.IsNullOrWhiteSpace(section.Value) ? null : section.Value;
    }

    private IConfigurationSection Section(string key)
    {
        _known.Add(key);
        return _section.GetSection(key);
    }

    private string PathOf(string key) => _path.Length == 0 ? key : _path + ConfigurationPath.KeyDelimiter + key;

    private static bool HasChildren(IConfiguration section) => section.GetChildren().Any();
}
