using System;
using System.Text;

namespace Truffle.Generators.Helpers;

/// <summary>
/// A small indented writer for generated source. Fixed shapes are written as multi-line raw-string templates, which
/// it re-indents line by line to the current <see cref="Indentation"/>; blocks whose content varies are opened and
/// closed around the code that writes it.
/// </summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();

    /// <summary>The current depth, four spaces each. A template that leaves a block open raises it by hand.</summary>
    public int Indentation { get; set; }

    public void WriteLine() => _builder.Append('\n');

    public void WriteLine(string text)
    {
        if (text.IndexOf('\n') < 0)
        {
            WriteIndentedLine(text);
            return;
        }

        foreach (string line in text.Replace("\r\n", "\n").Split('\n'))
        {
            WriteIndentedLine(line);
        }
    }

    /// <summary>Writes <paramref name="header"/> (if any) and an opening brace, then indents.</summary>
    public void OpenBlock(string? header = null)
    {
        if (header is not null)
        {
            WriteLine(header);
        }

        WriteLine("{");
        Indentation++;
    }

    /// <summary>Unindents and writes a closing brace followed by <paramref name="suffix"/>.</summary>
    public void CloseBlock(string suffix = "")
    {
        Indentation--;
        WriteLine("}" + suffix);
    }

    public override string ToString()
    {
        if (Indentation != 0)
        {
            throw new InvalidOperationException("Unbalanced blocks in generated source.");
        }

        return _builder.ToString();
    }

    private void WriteIndentedLine(string line)
    {
        if (line.Length > 0)
        {
            _builder.Append(' ', Indentation * 4);
            _builder.Append(line);
        }

        _builder.Append('\n');
    }
}
