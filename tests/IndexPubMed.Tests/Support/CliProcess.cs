using System.Diagnostics;

namespace IndexPubMed.Tests.Support;

/// <summary>Runs the IndexPubMed CLI in a child process, for tests that kill it (its crash hook would kill the test host).</summary>
internal static class CliProcess
{
    public static int Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IndexPubMed.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "the child run did not finish within 2 minutes");
        Task.WaitAll(stdout, stderr);
        return process.ExitCode;
    }
}
