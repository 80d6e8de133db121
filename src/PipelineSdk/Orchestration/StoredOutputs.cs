using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace PipelineSdk.Orchestration;

/// <summary>
/// A task's output values by output name, each one read from the artifact store only when something asks for it — a
/// condition, a run result, a consumer that takes the value. Tasks after a cache hit need only the stored hashes, and a
/// consumer of an artifact reads its own copy, so most outputs are never read (nor a <c>Stream</c> opened and left open).
/// </summary>
internal sealed class StoredOutputs : IReadOnlyDictionary<string, object?>
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<object?>> _unread = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];

    /// <summary>Adds an output whose value is in memory already.</summary>
    public void Add(string name, object? value)
    {
        _values[name] = value;
        _names.Add(name);
    }

    /// <summary>Adds an output that <paramref name="read"/> reads from the store when it is first asked for.</summary>
    public void AddUnread(string name, Func<object?> read)
    {
        _unread[name] = read;
        _names.Add(name);
    }

    public int Count => _names.Count;

    public IEnumerable<string> Keys => _names;

    public IEnumerable<object?> Values => _names.Select(name => this[name]);

    public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no output '{key}'");

    public bool ContainsKey(string key)
    {
        lock (_values)
        {
            return _values.ContainsKey(key) || _unread.ContainsKey(key);
        }
    }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        lock (_values)
        {
            if (_values.TryGetValue(key, out value))
            {
                return true;
            }

            if (!_unread.TryGetValue(key, out var read))
            {
                return false;
            }

            value = read();
            _unread.Remove(key);
            _values[key] = value;
            return true;
        }
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _names.Select(name => KeyValuePair.Create(name, this[name])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
