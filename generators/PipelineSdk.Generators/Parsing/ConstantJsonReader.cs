using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// Reads the JSON of a <c>[Default("...")]</c> against the parameter's .NET type and writes it canonically (no
/// whitespace, doubles with a fraction), as the runtime's codecs would. The generator targets netstandard2.0 without
/// System.Text.Json, and only this small grammar is needed.
/// </summary>
internal sealed class ConstantJsonReader
{
    private readonly string _text;
    private int _position;

    private ConstantJsonReader(string text) => _text = text;

    /// <summary>The canonical JSON of <paramref name="text"/> as a value of <paramref name="type"/>; null and why when it is not one.</summary>
    public static string? Read(string text, ITypeSymbol type, out string? problem)
    {
        var reader = new ConstantJsonReader(text);
        try
        {
            var json = reader.Value(type);
            reader.SkipSpace();
            if (reader._position != text.Length)
            {
                throw reader.Fail("text after the value");
            }

            problem = null;
            return json;
        }
        catch (JsonProblem e)
        {
            problem = e.Message;
            return null;
        }
    }

    private string Value(ITypeSymbol type)
    {
        SkipSpace();
        switch (type.SpecialType)
        {
            case SpecialType.System_String:
                return JsonLiteral.Quote(String());
            case SpecialType.System_Boolean:
                return Word("true") ? "true" : Word("false") ? "false" : throw Fail("expected true or false");
            case SpecialType.System_Int32:
            case SpecialType.System_Int64:
                var whole = Number();
                var fits = type.SpecialType == SpecialType.System_Int32
                    ? int.TryParse(whole, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var small) ? small : (long?)null
                    : long.TryParse(whole, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var large) ? large : (long?)null;
                // Written back from the parsed value, so the spec holds JSON even for text like 007 or +1.
                return fits is { } value ? value.ToString(CultureInfo.InvariantCulture) : throw Fail($"expected a whole number that fits {type.ToDisplayString()}, found {whole}");
            case SpecialType.System_Double:
                return JsonLiteral.From(double.Parse(Number(), NumberStyles.Float, CultureInfo.InvariantCulture))!;
        }

        if (ElementType(type) is { } element)
        {
            Expect('[');
            var items = new List<string>();
            SkipSpace();
            if (!Take(']'))
            {
                do
                {
                    items.Add(Value(element));
                    SkipSpace();
                }
                while (Take(','));
                Expect(']');
            }

            return "[" + string.Join(",", items) + "]";
        }

        if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 2 } dictionary && dictionary.TypeArguments[0].SpecialType == SpecialType.System_String)
        {
            Expect('{');
            var fields = new List<KeyValuePair<string, string>>();
            SkipSpace();
            if (!Take('}'))
            {
                do
                {
                    SkipSpace();
                    var key = String();
                    SkipSpace();
                    Expect(':');
                    fields.RemoveAll(f => f.Key == key);
                    fields.Add(new KeyValuePair<string, string>(key, Value(dictionary.TypeArguments[1])));
                    SkipSpace();
                }
                while (Take(','));
                Expect('}');
            }

            return "{" + string.Join(",", fields.Select(f => JsonLiteral.Quote(f.Key) + ":" + f.Value)) + "}";
        }

        throw Fail($"a value of type {type.ToDisplayString()} cannot be given as JSON");
    }

    private static ITypeSymbol? ElementType(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol { Rank: 1 } array => array.ElementType,
        INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } list => list.TypeArguments[0],
        _ => null,
    };

    private string String()
    {
        Expect('"');
        var text = new StringBuilder();
        while (_position < _text.Length && _text[_position] != '"')
        {
            var c = _text[_position++];
            if (c != '\\')
            {
                text.Append(c);
                continue;
            }

            if (_position >= _text.Length)
            {
                break;
            }

            var escaped = _text[_position++];
            if (escaped == 'u')
            {
                if (_position + 4 > _text.Length || !int.TryParse(_text.Substring(_position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                {
                    throw Fail("a \\u escape without four hex digits");
                }

                text.Append((char)code);
                _position += 4;
                continue;
            }

            text.Append(escaped switch
            {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'b' => '\b',
                'f' => '\f',
                '"' or '\\' or '/' => escaped,
                _ => throw Fail($"an unknown escape \\{escaped}"),
            });
        }

        Expect('"');
        return text.ToString();
    }

    private string Number()
    {
        var start = _position;
        Take('-');
        while (_position < _text.Length && (char.IsDigit(_text[_position]) || _text[_position] is '.' or 'e' or 'E' or '+' or '-'))
        {
            _position++;
        }

        var number = _text.Substring(start, _position - start);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && !double.IsInfinity(parsed)
            ? number
            : throw Fail("expected a number");
    }

    private bool Word(string word)
    {
        if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
        {
            return false;
        }

        _position += word.Length;
        return true;
    }

    private void SkipSpace()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r')
        {
            _position++;
        }
    }

    private bool Take(char c)
    {
        if (_position < _text.Length && _text[_position] == c)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (!Take(c))
        {
            throw Fail($"expected '{c}'");
        }
    }

    private JsonProblem Fail(string what) =>
        new(_position < _text.Length ? $"{what} at character {(_position + 1).ToString(CultureInfo.InvariantCulture)}" : $"{what} at the end");

    private sealed class JsonProblem(string message) : System.Exception(message);
}
