using System.CommandLine;
using System.CommandLine.Parsing;

namespace IndexPubMed.Commands;

/// <summary>
/// The command line as a whole: every command, and parse errors handled the same way for all of them, as the
/// README states: a one-line message per problem naming the option (not its value), then exit code 2.
/// </summary>
internal static class CliRunner
{
    /// <summary>Exit code of a refused command line.</summary>
    public const int Refused = 2;

    public static RootCommand CreateRoot() => new("Index, search and evaluate PubMed (or any JSONL collection) with BM25 and SPLADE in Lucene.NET.")
    {
        UnexpectedErrors.Verbose,
        EncodeCommand.Create(),
        IndexCommand.Create(),
        SearchCommand.Create(),
        EvalCommand.Create(),
        ReindexCommand.Create(),
        StatsCommand.Create(),
        MergeCommand.Create(),
        QuantizeCommand.Create(),
    };

    /// <summary>Parses and runs <paramref name="args"/>; parse errors are reported on the error writer and give exit code 2.</summary>
    public static int Run(string[] args, InvocationConfiguration? configuration = null) => Run(CreateRoot(), args, configuration);

    /// <summary>Parses and runs <paramref name="args"/> against <paramref name="root"/>; parse errors give exit code 2.</summary>
    public static int Run(RootCommand root, string[] args, InvocationConfiguration? configuration = null)
    {
        var parse = root.Parse(args);
        var unknown = UnknownOptions(parse);
        if (parse.Errors.Count == 0 && unknown.Count == 0)
        {
            return UnexpectedErrors.Invoke(parse, configuration);
        }
        var error = configuration?.Error ?? Console.Error;
        string command = parse.CommandResult.Command is RootCommand ? "IndexPubMed" : parse.CommandResult.Command.Name;
        var messages = unknown.Select(o => $"unknown option {o}").Concat(Describe(parse, unknown)).Distinct().ToList();
        if (parse.CommandResult.Command is RootCommand && parse.UnmatchedTokens.Count > 0 && !parse.UnmatchedTokens[0].StartsWith('-'))
        {
            messages = [$"unknown command {parse.UnmatchedTokens[0]}"];
        }
        foreach (string message in messages)
        {
            error.WriteLine($"{command}: {message}");
        }
        error.WriteLine(parse.CommandResult.Command is RootCommand
            ? "Run with --help for the commands."
            : $"Run '{command} --help' for its options.");
        return Refused;
    }

    /// <summary>
    /// Tokens that look like options (<c>--name</c>, <c>-x</c>) but are none of the command's: the parser would
    /// take them as an argument value (a QUERY) and report the value after them instead. Tokens after <c>--</c>
    /// and negative numbers are values.
    /// </summary>
    private static List<string> UnknownOptions(ParseResult parse)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        for (SymbolResult? r = parse.CommandResult; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                foreach (var o in c.Command.Options)
                {
                    known.Add(o.Name);
                    known.UnionWith(o.Aliases);
                }
            }
        }
        var unknown = new List<string>();
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                break;
            }
            string v = token.Value;
            bool looksLikeOption = v.Length > 1 && v[0] == '-' && (v[1] == '-' ? v.Length > 2 && char.IsLetter(v[2]) : char.IsLetter(v[1]));
            if (token.Type is TokenType.Argument or TokenType.Option && looksLikeOption && !known.Contains(v.Split('=', ':')[0]))
            {
                unknown.Add(v);
            }
        }
        return unknown;
    }

    private static IEnumerable<string> Describe(ParseResult parse, List<string> unknownOptions)
    {
        foreach (var e in parse.Errors)
        {
            if (parse.UnmatchedTokens.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal)))
            {
                // The value after an unknown option is not reported separately: the option is named instead.
                if (unknownOptions.Count == 0)
                {
                    yield return $"unexpected argument {parse.UnmatchedTokens.First(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal))}";
                }
                continue;
            }
            string? option = OptionOf(e.SymbolResult);
            yield return option is null || e.Message.Contains(option, StringComparison.Ordinal) ? e.Message : $"{option}: {e.Message}";
        }
    }

    private static string? OptionOf(SymbolResult? result)
    {
        for (var r = result; r is not null; r = r.Parent)
        {
            if (r is OptionResult option)
            {
                return option.Option.Name;
            }
        }
        return null;
    }
}
