using System.Globalization;
using System.Text.Json;

namespace PipelineSdk.Descriptors;

/// <summary>
/// When a branch runs: the C# condition of an <c>if</c>, kept as a tree of comparisons over run-time values. The spec
/// holds the same condition in CEL; the local orchestrators evaluate this tree with the same meaning.
/// </summary>
public abstract class Condition
{
    /// <summary>Evaluates the condition, reading each value through <paramref name="resolve"/>.</summary>
    public abstract bool Evaluate(Func<InputBinding, object?> resolve);

    /// <summary>A constant or run-time value as something comparable: numbers as double, strings, bools.</summary>
    private protected static object? Normalize(InputBinding operand, Func<InputBinding, object?> resolve)
    {
        if (operand is ConstantBinding constant)
        {
            using var document = JsonDocument.Parse(constant.Json);
            var element = document.RootElement;
            return element.ValueKind switch
            {
                JsonValueKind.Number => element.GetDouble(),
                JsonValueKind.String => element.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => null,
            };
        }

        return resolve(operand) switch
        {
            int i => (double)i,
            long l => (double)l,
            double d => d,
            var other => other,
        };
    }
}

/// <summary>Two values compared with <c>==</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c> or <c>&gt;=</c>.</summary>
public sealed class Comparison(string @operator, InputBinding left, InputBinding right) : Condition
{
    /// <summary>The operator as written in C#.</summary>
    public string Operator { get; } = @operator;

    /// <inheritdoc />
    public override bool Evaluate(Func<InputBinding, object?> resolve)
    {
        var a = Normalize(left, resolve);
        var b = Normalize(right, resolve);
        if (Operator is "==" or "!=" && (a is null || b is null || a.GetType() != b.GetType()))
        {
            // As in CEL: values of different types (or null) are simply not equal.
            return Equals(a, b) == (Operator == "==");
        }

        var order = (a, b) switch
        {
            (double x, double y) => x.CompareTo(y),
            (string x, string y) => string.CompareOrdinal(x, y),
            (bool x, bool y) => x.CompareTo(y),
            _ => throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"cannot compare {a ?? "null"} with {b ?? "null"}")),
        };
        return Operator switch
        {
            "==" => order == 0,
            "!=" => order != 0,
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            ">=" => order >= 0,
            _ => throw new InvalidOperationException($"unknown operator '{Operator}'"),
        };
    }
}

/// <summary>A bool value that must be true.</summary>
public sealed class IsTrue(InputBinding value) : Condition
{
    /// <inheritdoc />
    public override bool Evaluate(Func<InputBinding, object?> resolve) => Normalize(value, resolve) is true;
}

/// <summary>All of the conditions hold (<c>&amp;&amp;</c>).</summary>
public sealed class AllOf(params Condition[] conditions) : Condition
{
    /// <inheritdoc />
    public override bool Evaluate(Func<InputBinding, object?> resolve) => conditions.All(c => c.Evaluate(resolve));
}

/// <summary>At least one of the conditions holds (<c>||</c>).</summary>
public sealed class AnyOf(params Condition[] conditions) : Condition
{
    /// <inheritdoc />
    public override bool Evaluate(Func<InputBinding, object?> resolve) => conditions.Any(c => c.Evaluate(resolve));
}

/// <summary>The condition does not hold (<c>!</c>).</summary>
public sealed class Not(Condition condition) : Condition
{
    /// <inheritdoc />
    public override bool Evaluate(Func<InputBinding, object?> resolve) => !condition.Evaluate(resolve);
}
