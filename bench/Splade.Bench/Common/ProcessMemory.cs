using System.Globalization;

namespace Splade.Bench.Common;

/// <summary>Resident memory of this process, from Linux's /proc/self/status.</summary>
internal static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM) in bytes, or null when /proc is unavailable.</summary>
    public static long? PeakResidentBytes() => ReadStatus("VmHWM");

    /// <summary>Current resident set size (VmRSS) in bytes.</summary>
    public static long? ResidentBytes() => ReadStatus("VmRSS");

    /// <summary>
    /// Resets VmHWM to the current resident size (Linux 4.0+: writing 5 to clear_refs), so that the
    /// peak of a later phase can be told apart from the peak of loading the model.
    /// </summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? ReadStatus(string key)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return null;
        }
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                string number = line[(key.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(number, CultureInfo.InvariantCulture) * 1024;
            }
        }
        return null;
    }

    public static string Megabytes(long? bytes) => bytes is long b ? (b / (1024.0 * 1024.0)).ToString("F0", CultureInfo.InvariantCulture) + " MB" : "n/a";
}
