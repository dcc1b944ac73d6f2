using System.Diagnostics;

namespace IndexPubMed.Tests.Support;

/// <summary>Runs the IndexPubMed CLI in a child process, for tests that kill it (its crash hook would kill the test host).</summary>
internal static class CliProcess
{
    public static int Run(params string[] args) => RunWithInput(null, args).Exit;

    /// <summary>Runs the CLI with <paramref name="stdin"/> (null: none) as standard input; returns its exit code and output.</summary>
    public static (int Exit, string Output, string Error) RunWithInput(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = stdin is not null };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IndexPubMed.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        Assert.True(process.WaitForExit(120_000), "the child run did not finish within 2 minutes");
        Task.WaitAll(stdout, stderr);
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
