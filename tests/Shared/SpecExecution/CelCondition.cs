using System.Globalization;
using System.Text.Json.Nodes;

namespace PipelineSdk.Tests.Shared.SpecExecution;

/// <summary>
/// Evaluates a <c>triggerPolicy.condition</c> as Kubeflow's driver does with CEL: over the task's resolved
/// <c>inputs.parameter_values</c>, where every JSON number is a CEL <c>double</c> (a protobuf Value), <c>int(...)</c>
/// and <c>double(...)</c> convert, and comparing values of different types is an error ("no such overload").
/// Covers the subset the generator emits: literals, <c>inputs.parameter_values['name']</c>, <c>int</c>/<c>double</c>,
/// <c>== != &lt; &lt;= &gt; &gt;=</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c> and parentheses; anything else is an error.
/// </summary>
internal sealed class CelCondition
{
    private readonly string _text;
    private readonly IReadOnlyDictionary<string, JsonNode?> _parameters;
    private readonly List<string> _tokens;
    private int _position;

    private CelCondition(string text, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        _text = text;
        _parameters = parameters;
        _tokens = Tokenize(text);
    }

    /// <summary>The condition's value; throws <see cref="FormatException"/> with CEL's reason when it has none.</summary>
    public static bool Evaluate(string condition, IReadOnlyDictionary<string, JsonNode?> parameterValues)
    {
        var parser = new CelCondition(condition, parameterValues);
        var value = parser.Or();
        if (parser._position != parser._tokens.Count)
        {
            throw parser.Error($"unexpected '{parser._tokens[parser._position]}'");
        }

        return value is bool result ? result : throw parser.Error($"the condition is a {TypeName(value)}, not a bool");
    }

    private object Or()
    {
        var left = And();
        while (Accept("||"))
        {
            var right = And();
            left = Bool(left) || Bool(right);
        }

        return left;
    }

    private object And()
    {
        var left = Comparison();
        while (Accept("&&"))
        {
            var right = Comparison();
            left = Bool(left) && Bool(right);
        }

        return left;
    }

    private object Comparison()
    {
        var left = Unary();
        foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
        {
            if (Accept(op))
            {
                return Compare(left, op, Unary());
            }
        }

        return left;
    }

    private object Unary() => Accept("!") ? !Bool(Unary()) : Primary();

    private object Primary()
    {
        var token = Next();
        switch (token)
        {
            case "(":
                var inner = Or();
                Expect(")");
                return inner;
            case "true":
                return true;
            case "false":
                return false;
            case "int":
            case "double":
                Expect("(");
                var argument = Or();
                Expect(")");
                return token == "int" ? ToInt(argument) : ToDouble(argument);
            case "inputs":
                Expect(".");
                Expect("parameter_values");
                Expect("[");
                var name = Next();
                if (name[0] != '\'' && name[0] != '"')
                {
                    throw Error($"expected a quoted input name, got {name}");
                }

                Expect("]");
                var key = name[1..^1];
                return _parameters.TryGetValue(key, out var value)
                    ? FromJson(value, key)
                    : throw Error($"no such key: {key} (the task's inputs: {string.Join(", ", _parameters.Keys)})");
            default:
                if (token[0] is '\'' or '"')
                {
                    return token[1..^1];
                }

                if (char.IsAsciiDigit(token[0]) || token[0] == '-')
                {
                    return token.Contains('.', StringComparison.Ordinal) || token.Contains('e', StringComparison.OrdinalIgnoreCase)
                        ? double.Parse(token, CultureInfo.InvariantCulture)
                        : long.Parse(token, CultureInfo.InvariantCulture);
                }

                throw Error($"unsupported '{token}'");
        }
    }

    private object FromJson(JsonNode? node, string key) => node?.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.True => true,
        System.Text.Json.JsonValueKind.False => false,
        System.Text.Json.JsonValueKind.String => node.GetValue<string>(),
        System.Text.Json.JsonValueKind.Number => double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture),
        _ => throw Error($"input {key} is {node?.ToJsonString() ?? "null"}, which a condition cannot read"),
    };

    private object Compare(object left, string op, object right)
    {
        if (left.GetType() != right.GetType())
        {
            throw Error($"no such overload: {TypeName(left)} {op} {TypeName(right)}");
        }

        if (op is "==" or "!=")
        {
            return left.Equals(right) == (op == "==");
        }

        var order = left switch
        {
            long l => l.CompareTo((long)right),
            double d => d.CompareTo((double)right),
            string s => string.CompareOrdinal(s, (string)right),
            _ => throw Error($"no such overload: {TypeName(left)} {op} {TypeName(right)}"),
        };
        return op switch { "<" => order < 0, "<=" => order <= 0, ">" => order > 0, _ => order >= 0 };
    }

    private long ToInt(object value) => value switch
    {
        long l => l,
        double d => (long)Math.Truncate(d),
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw Error($"int() of a {TypeName(value)}"),
    };

    private double ToDouble(object value) => value switch
    {
        long l => l,
        double d => d,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw Error($"double() of a {TypeName(value)}"),
    };

    private bool Bool(object value) => value is bool b ? b : throw Error($"expected a bool, got a {TypeName(value)}");

    private static string TypeName(object value) => value switch { long => "int", double => "double", string => "string", bool => "bool", _ => value.GetType().Name };

    private bool Accept(string token)
    {
        if (_position < _tokens.Count && _tokens[_position] == token)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void Expect(string token)
    {
        if (!Accept(token))
        {
            throw Error($"expected '{token}'");
        }
    }

    private string Next() => _position < _tokens.Count ? _tokens[_position++] : throw Error("unexpected end");

    private FormatException Error(string reason) => new($"cannot evaluate the condition \"{_text}\": {reason}");

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '\'' or '"')
            {
                var end = text.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw new FormatException($"cannot evaluate the condition \"{text}\": unterminated string");
                }

                tokens.Add(text[i..(end + 1)]);
                i = end + 1;
            }
            else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]) && (tokens.Count == 0 || tokens[^1] is "(" or "==" or "!=" or "<" or "<=" or ">" or ">=" or "&&" or "||" or "!")))
            {
                var start = i++;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] is '.' or 'e' or 'E' || (text[i] is '-' or '+' && text[i - 1] is 'e' or 'E')))
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                var op = two is "==" or "!=" or "<=" or ">=" or "&&" or "||" ? two : c.ToString();
                if (op.Length == 1 && "()[].<>!".IndexOf(c, StringComparison.Ordinal) < 0)
                {
                    throw new FormatException($"cannot evaluate the condition \"{text}\": unsupported character '{c}'");
                }

                tokens.Add(op);
                i += op.Length;
            }
        }

        return tokens;
    }
}
