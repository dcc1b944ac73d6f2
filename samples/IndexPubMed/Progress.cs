using System.Diagnostics;

namespace IndexPubMed;

/// <summary>
/// Progress of long work on stderr: a line redrawn in place on a terminal, a plain line every few
/// seconds when stderr is redirected, nothing when quiet.
/// </summary>
internal sealed class Progress
{
    private readonly string _unit;
    private readonly long? _total;
    private readonly bool _quiet;
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastReport;

    public Progress(string unit, long? total, bool quiet)
    {
        _unit = unit;
        _total = total;
        _quiet = quiet;
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Report(long done, bool force = false, string? detail = null)
    {
        if (_quiet)
        {
            return;
        }
        var now = _clock.Elapsed;
        var interval = _terminal ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(10);
        if (!force && now - _lastReport < interval)
        {
            return;
        }
        _lastReport = now;
        double rate = done / Math.Max(now.TotalSeconds, 1e-9);
        string line = _total is long total && total > 0
            ? $"{done:N0}/{total:N0} {_unit} ({100.0 * done / total:F1}%), {rate:F1}/s, ETA {Format(TimeSpan.FromSeconds(rate > 0 ? (total - done) / rate : 0))}"
            : $"{done:N0} {_unit}, {rate:F1}/s, {Format(now)} elapsed";
        if (detail is not null)
        {
            line += ", " + detail;
        }
        if (_terminal)
        {
            Console.Error.Write("\r" + line.PadRight(Math.Min(Console.WindowWidth > 0 ? Console.WindowWidth - 1 : 100, 120)));
        }
        else
        {
            Console.Error.WriteLine(line);
        }
    }

    public void Finish(long done, string? detail = null)
    {
        if (_quiet)
        {
            return;
        }
        Report(done, force: true, detail);
        if (_terminal)
        {
            Console.Error.WriteLine();
        }
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : $"{t.Minutes}m{t.Seconds:D2}s";
}
