using System.Globalization;

namespace Splade.Bench.Common;

/// <summary>The <c>--name value</c> options of one benchmark; asking for an option marks it as known.</summary>
internal sealed class BenchArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public BenchArguments(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.", nameof(args));
            }
            _values[args[i][2..]] = args[++i];
        }
        Raw = args;
    }

    /// <summary>The arguments as given (passed on to child processes).</summary>
    public string[] Raw { get; }

    public string? Find(string name)
    {
        _read.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public string Get(string name, string fallback) => Find(name) ?? fallback;

    public int Get(string name, int fallback)
    {
        string? text = Find(name);
        if (text is null)
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 0
            ? value
            : throw new ArgumentException($"--{name} must be a non-negative integer, got '{text}'.", name);
    }

    /// <summary>Fails on options no benchmark asked for (typos would otherwise be silently ignored).</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }
}
