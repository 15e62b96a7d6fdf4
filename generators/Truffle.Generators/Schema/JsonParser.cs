using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Truffle.Generators.Schema;

/// <summary>
/// A small strict JSON reader for the lock file (the generator cannot depend on System.Text.Json): objects become
/// dictionaries, arrays lists, numbers decimals (exact for every enum value up to <c>ulong.MaxValue</c>). Errors say
/// the line and column.
/// </summary>
internal sealed class JsonParser(string text)
{
    private const int MaxDepth = 32;
    private int _position;
    private int _depth;

    public object? ParseDocument()
    {
        object? value = ParseValue();
        SkipWhitespace();
        if (_position != text.Length)
        {
            throw Error("unexpected text after the end of the document");
        }

        return value;
    }

    private object? ParseValue()
    {
        SkipWhitespace();
        if (_position >= text.Length)
        {
            throw Error("unexpected end of the file");
        }

        char c = text[_position];
        switch (c)
        {
            case '{': return ParseObject();
            case '[': return ParseArray();
            case '"': return ParseString();
            case 't': return Literal("true", true);
            case 'f': return Literal("false", false);
            case 'n': return Literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return ParseNumber();
                }

                throw Error($"unexpected '{c}'");
        }
    }

    private Dictionary<string, object?> ParseObject()
    {
        Enter();
        _position++;
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        SkipWhitespace();
        if (Peek() == '}')
        {
            _position++;
            _depth--;
            return result;
        }

        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"')
            {
                throw Error("expected a property name");
            }

            string key = ParseString();
            SkipWhitespace();
            Expect(':');
            result[key] = ParseValue();
            SkipWhitespace();
            if (Peek() == ',')
            {
                _position++;
                continue;
            }

            Expect('}');
            _depth--;
            return result;
        }
    }

    private List<object?> ParseArray()
    {
        Enter();
        _position++;
        var result = new List<object?>();
        SkipWhitespace();
        if (Peek() == ']')
        {
            _position++;
            _depth--;
            return result;
        }

        while (true)
        {
            result.Add(ParseValue());
            SkipWhitespace();
            if (Peek() == ',')
            {
                _position++;
                continue;
            }

            Expect(']');
            _depth--;
            return result;
        }
    }

    private string ParseString()
    {
        _position++;
        var value = new StringBuilder();
        while (_position < text.Length)
        {
            char c = text[_position++];
            if (c == '"')
            {
                return value.ToString();
            }

            if (c != '\\')
            {
                value.Append(c);
                continue;
            }

            if (_position >= text.Length)
            {
                break;
            }

            char escape = text[_position++];
            switch (escape)
            {
                case '"': value.Append('"'); break;
                case '\\': value.Append('\\'); break;
                case '/': value.Append('/'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'n': value.Append('\n'); break;
                case 'r': value.Append('\r'); break;
                case 't': value.Append('\t'); break;
                case 'u' when _position + 4 <= text.Length
                    && int.TryParse(text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code):
                    value.Append((char)code);
                    _position += 4;
                    break;
                default: throw Error($"bad escape '\\{escape}'");
            }
        }

        throw Error("unterminated string");
    }

    private decimal ParseNumber()
    {
        int start = _position;
        while (_position < text.Length && "+-0123456789.eE".IndexOf(text[_position]) >= 0)
        {
            _position++;
        }

        return decimal.TryParse(text.Substring(start, _position - start), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal number)
            ? number
            : throw Error("bad number");
    }

    private object? Literal(string word, object? value)
    {
        if (string.CompareOrdinal(text, _position, word, 0, word.Length) != 0)
        {
            throw Error($"unexpected '{text[_position]}'");
        }

        _position += word.Length;
        return value;
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw Error("nested too deeply");
        }
    }

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error($"expected '{c}'");
        }

        _position++;
    }

    private char Peek() => _position < text.Length ? text[_position] : '\0';

    private void SkipWhitespace()
    {
        while (_position < text.Length && text[_position] is ' ' or '\t' or '\r' or '\n')
        {
            _position++;
        }
    }

    private FormatException Error(string problem)
    {
        int line = 1, column = 1;
        for (int i = 0; i < _position && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return new FormatException($"line {line}, column {column}: {problem}");
    }
}
