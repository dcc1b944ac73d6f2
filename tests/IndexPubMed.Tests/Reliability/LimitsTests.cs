using System.CommandLine;
using System.Text;
using IndexPubMed.Commands;
using IndexPubMed.Input;

namespace IndexPubMed.Tests.Reliability;

/// <summary>Bounds on the work one line may cost, and the last-resort handling of unexpected errors.</summary>
public sealed class LimitsTests
{
    [Fact]
    public void ALineLongerThanTheLimitIsReadThroughAndReportedWithItsNumber()
    {
        string text = "short one\n" + new string('x', 5000) + "\n" + "short three\n" + new string('y', 300_000) + "\nlast\n" + new string('z', 200);
        using var lines = new Utf8LineReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), maxLineBytes: 100);
        var seen = new List<string>();
        var refused = new List<long>();
        while (true)
        {
            try
            {
                if (!lines.TryReadLine(out var line))
                {
                    break;
                }
                seen.Add(Encoding.UTF8.GetString(line.Span) + "@" + lines.LineNumber);
            }
            catch (FormatException e)
            {
                Assert.Contains("longer than 100 bytes", e.Message);
                refused.Add(lines.LineNumber);
            }
        }
        Assert.Equal(["short one@1", "short three@3", "last@5"], seen);
        Assert.Equal([2L, 4L, 6L], refused);
    }

    [Fact]
    public void AnUnexpectedExceptionIsOneLineAndExitTwoAndVerboseAddsTheStackTrace()
    {
        var root = new RootCommand();
        var boom = new Command("boom");
        boom.SetAction(new Func<ParseResult, int>(_ => throw new InvalidOperationException("something nobody foresaw\nsecond line")));
        root.Subcommands.Add(boom);
        root.Options.Add(UnexpectedErrors.Verbose);
        foreach (bool verbose in new[] { false, true })
        {
            var error = new StringWriter();
            var old = Console.Error;
            int exit;
            lock (Support.InProcessCli.Gate)
            {
                Console.SetError(TextWriter.Synchronized(error));
                try
                {
                    exit = UnexpectedErrors.Invoke(root.Parse(verbose ? ["boom", "--verbose"] : ["boom"]));
                }
                finally
                {
                    Console.SetError(old);
                }
            }
            Assert.Equal(2, exit);
            string text = error.ToString();
            Assert.StartsWith("internal error: InvalidOperationException: something nobody foresaw", text, StringComparison.Ordinal);
            Assert.Equal(verbose, text.Contains("   at ", StringComparison.Ordinal));
            if (!verbose)
            {
                Assert.Single(text.Trim().Split('\n'));
            }
        }
    }
}
