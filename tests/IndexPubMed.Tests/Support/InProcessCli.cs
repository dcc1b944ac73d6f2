using System.CommandLine;
using IndexPubMed.Commands;

namespace IndexPubMed.Tests.Support;

/// <summary>
/// Runs the whole CLI in-process as Program.cs does (global --verbose, unexpected errors turned into one line and exit
/// code 2), with Console output captured. Runs are serialised because Console is process-wide.
/// </summary>
internal static class InProcessCli
{
    /// <summary>Held while Console is redirected; tests that redirect it themselves take it too.</summary>
    internal static readonly Lock Gate = new();

    public static (int Exit, string Output, string Error) Run(params string[] args)
    {
        lock (Gate)
        {
            var root = new RootCommand
            {
                EncodeCommand.Create(), IndexCommand.Create(), SearchCommand.Create(), EvalCommand.Create(), StatsCommand.Create(), ReindexCommand.Create(),
            };
            root.Options.Add(UnexpectedErrors.Verbose);
            var oldOut = Console.Out;
            var oldError = Console.Error;
            // Other test classes may write to Console meanwhile: synchronized writers keep that safe (if noisy).
            var output = new StringWriter();
            var error = new StringWriter();
            Console.SetOut(TextWriter.Synchronized(output));
            Console.SetError(TextWriter.Synchronized(error));
            try
            {
                int exit = UnexpectedErrors.Invoke(root.Parse(args));
                return (exit, output.ToString(), error.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldError);
            }
        }
    }

    /// <summary>Asserts the run printed no stack trace and no "internal error" (an exception no command handled).</summary>
    public static void AssertNoCrash((int Exit, string Output, string Error) run, params string[] args)
    {
        Assert.False(run.Error.Contains(UnexpectedErrors.Prefix, StringComparison.Ordinal), $"unhandled exception for {string.Join(' ', args)}:\n{run.Error}");
        Assert.False(run.Error.Contains("   at ", StringComparison.Ordinal), $"stack trace for {string.Join(' ', args)}:\n{run.Error}");
        Assert.InRange(run.Exit, 0, 2);
    }
}
