using System.CommandLine;

namespace IndexPubMed.Commands;

/// <summary>
/// The last line of defence: an exception that no command turned into a message (a bug, or a failure nobody
/// foresaw) is printed as one line naming its type and the command exits with 2, as for any refusal; the stack
/// trace is printed only with <c>--verbose</c>.
/// </summary>
internal static class UnexpectedErrors
{
    /// <summary>Marks the one-line message, so that tests can tell an unforeseen failure from a refusal.</summary>
    public const string Prefix = "internal error: ";

    /// <summary>The global <c>--verbose</c> option: print stack traces of unexpected errors.</summary>
    public static Option<bool> Verbose { get; } = new("--verbose")
    {
        Description = "print the stack trace of an unexpected error",
        Recursive = true,
    };

    /// <summary>
    /// Runs the parsed command line (with <paramref name="configuration"/>'s writers, if given); unexpected exceptions
    /// become one line on stderr and exit code 2.
    /// </summary>
    public static int Invoke(ParseResult parse, InvocationConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        configuration ??= new InvocationConfiguration();
        configuration.EnableDefaultExceptionHandler = false;
        var error = configuration.Error ?? Console.Error;
        try
        {
            return parse.Invoke(configuration);
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("cancelled; progress up to the last commit is kept.");
            return 2;
        }
        catch (Exception e)
        {
            var inner = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e;
            error.WriteLine($"{Prefix}{inner.GetType().Name}: {inner.Message.Split('\n', 2)[0].Trim()}" + (parse.GetValue(Verbose) ? "" : " (--verbose prints the details)"));
            if (parse.GetValue(Verbose))
            {
                error.WriteLine(e);
            }
            return 2;
        }
    }
}
