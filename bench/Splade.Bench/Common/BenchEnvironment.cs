using System.Globalization;
using System.Reflection;
using Microsoft.ML.OnnxRuntime;

namespace Splade.Bench.Common;

/// <summary>Where the benchmark inputs are, and a description of the machine for the report.</summary>
internal static class BenchEnvironment
{
    /// <summary>The repository root (the folder holding splade.sln), searched upwards from the executable and the working folder.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Folder holding the benchmark models: $SPLADE_BENCH_MODELS, else bench-models beside the repository.</summary>
    public static string ModelsRoot => Environment.GetEnvironmentVariable("SPLADE_BENCH_MODELS") is { Length: > 0 } env
        ? env
        : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "bench-models"));

    public static string ScifactCorpus => Path.Combine(RepositoryRoot, "tests", "fixtures", "scifact", "corpus.jsonl.gz");

    /// <summary>Prints date, machine, runtime versions and the command line.</summary>
    public static void PrintHeader(string title)
    {
        Console.WriteLine($"# {title}");
        Console.WriteLine($"date (UTC):   {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"cpu:          {CpuModel()} ({Environment.ProcessorCount} logical cores)");
        Console.WriteLine($"memory:       {MemoryTotal()}");
        Console.WriteLine($"runtime:      .NET {Environment.Version}, ONNX Runtime {OnnxRuntimeVersion()}");
        Console.WriteLine($"command:      Splade.Bench {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}");
        Console.WriteLine();
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string MemoryTotal()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture, out long kb))
            {
                return (kb / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " GiB";
            }
        }
        catch (IOException)
        {
        }
        return "unknown";
    }

    private static string OnnxRuntimeVersion() =>
        typeof(InferenceSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(InferenceSession).Assembly.GetName().Version?.ToString() ?? "unknown";

    private static string FindRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "splade.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("Cannot find the repository root (splade.sln) above the executable or the working folder.");
    }
}
