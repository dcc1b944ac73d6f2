using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using IndexPubMed.Evaluation;
using IndexPubMed.Indexing;
using IndexPubMed.Input;
using IndexPubMed.Searching;
using Lucene.Net.Search;
using Splade.Encoder;
using Splade.Lucene.Formats;
using Splade.Lucene.Index;

namespace IndexPubMed.Commands;

/// <summary>
/// <c>search</c>: one query from the command line (printed with titles and matching SPLADE terms) or a batch
/// from a query file (a TREC run, latency figures and, with qrels, retrieval metrics), in BM25, SPLADE or
/// hybrid mode.
/// </summary>
internal static class SearchCommand
{
    private const int TermsShown = 5;
    private const string SingleQueryId = "1";

    public static Command Create()
    {
        var index = new Option<DirectoryInfo>("--index") { Description = "index folder (opened read-only)", Required = true };
        var model = CommonOptions.Model(required: false);
        var mode = new Option<string?>("--mode")
        {
            Description = "how plain-text queries are searched: bm25 (bag of words on contents), splade, or hybrid (both, fused by --fusion). Default: splade with --query-vectors alone, else bm25",
        };
        mode.AcceptOnlyFromAmong("bm25", "splade", "hybrid");
        var top = new Option<int?>("--top", "-k") { Description = "hits per query: shown for a single QUERY (default 10), written to the run (default --depth)" };
        var explain = new Option<bool>("--explain") { Description = "print the full Lucene explanation of each shown hit" };
        var queries = new Option<FileInfo?>("--queries") { Description = "query file: BEIR queries JSONL ({\"_id\", \"text\"}) or id<TAB>text lines; each text is plain text, never query syntax" };
        var queryVectors = new Option<FileInfo?>("--query-vectors") { Description = "precomputed SPLADE query vectors (Anserini JSONL {\"id\", \"vector\": {token: weight}}), used as the SPLADE side; with --queries, matched by id" };
        var run = new Option<FileInfo?>("--run") { Description = "write a TREC run (--top hits per query, default --depth); tag bm25, splade, hybrid-linear, hybrid-rrf, hybrid-minmax or query" };
        var qrels = new Option<FileInfo?>("--qrels") { Description = "qrels (BEIR TSV or TREC) for a batch: prints nDCG@10, R@100, R@1000, MRR@10" };
        var exhaustive = new Option<bool>("--exhaustive")
        {
            Description = "turn off dynamic pruning of SPLADE and linear hybrid top-k queries (exact either way; for comparing speed and work done)",
        };
        var fusion = new Option<string>("--fusion") { Description = "hybrid fusion: linear (one query, bm25-weight x BM25 + splade-weight x SPLADE), rrf, or minmax (weighted min-max normalised scores)", DefaultValueFactory = _ => "linear" };
        fusion.AcceptOnlyFromAmong("linear", "rrf", "minmax");
        var bm25Weight = new Option<float>("--bm25-weight") { Description = "weight of BM25 in linear and minmax fusion", DefaultValueFactory = _ => 1f };
        var spladeWeight = new Option<float?>("--splade-weight") { Description = "weight of SPLADE in linear and minmax fusion (default 1: SPLADE scores are dot products in the model's units)" };
        var rrfK = new Option<int>("--rrf-k") { Description = "RRF constant k", DefaultValueFactory = _ => 60 };
        var depth = new Option<int>("--depth") { Description = "hits retrieved per query (and per side before rrf/minmax fusion); the run's length unless --top is smaller", DefaultValueFactory = _ => 1000 };
        var syntax = new Option<string>("--syntax")
        {
            Description = "QUERY as query syntax: auto (when it has a field clause such as title:x, year:2020, splade:\"...\" or a word AND/OR/NOT), on, off (plain text)",
            DefaultValueFactory = _ => "auto",
        };
        syntax.AcceptOnlyFromAmong("auto", "on", "off");
        var ties = new Option<string>("--ties")
        {
            Description = "tie order of runs: trec_eval (ties by docid descending, scores as computed) or anserini (ties by docid ascending, scores rounded to 1e-4 and lowered by 1e-6 per tied document, as Anserini writes them)",
            DefaultValueFactory = _ => "trec_eval",
        };
        ties.AcceptOnlyFromAmong("trec_eval", "anserini");
        var noWarmUp = new Option<bool>("--no-warm-up")
        {
            Description = "batch: do not warm the searcher before the first query (by default the SPLADE search path is run once on the index's frequent terms, reported as part of opening, so the first query is not slowed by a fresh process's start)",
        };
        var threads = CommonOptions.Threads();
        var quiet = CommonOptions.Quiet();
        var query = new Argument<string?>("QUERY")
        {
            Description = "one query. Plain text is searched by --mode; query syntax (see --syntax) is run as written: default field contents (BM25), fields title, abstract, journal, year, mesh, language, pubtype, doi, id, and splade:\"text\" for SPLADE",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("search", "Search an index with BM25, SPLADE or both; write TREC runs and evaluate them.")
        {
            index, model, mode, top, explain, queries, queryVectors, run, qrels, exhaustive, fusion, bm25Weight, spladeWeight, rrfK, depth, syntax, ties, noWarmUp, threads, quiet, query,
        };
        command.SetAction(parse =>
        {
            var request = new Arguments
            {
                Index = parse.GetValue(index)!,
                Model = parse.GetValue(model),
                Mode = parse.GetValue(mode),
                Top = parse.GetValue(top),
                Explain = parse.GetValue(explain),
                Queries = parse.GetValue(queries),
                QueryVectors = parse.GetValue(queryVectors),
                Run = parse.GetValue(run),
                Qrels = parse.GetValue(qrels),
                Syntax = Enum.Parse<SyntaxMode>(parse.GetValue(syntax)!, ignoreCase: true),
                AnseriniTies = parse.GetValue(ties) == "anserini",
                WarmUp = !parse.GetValue(noWarmUp),
                Threads = parse.GetValue(threads),
                Quiet = parse.GetValue(quiet),
                Query = parse.GetValue(query),
                Options = new SearchOptions
                {
                    Fusion = parse.GetValue(fusion) switch { "rrf" => FusionMethod.Rrf, "minmax" => FusionMethod.MinMax, _ => FusionMethod.Linear },
                    Bm25Weight = parse.GetValue(bm25Weight),
                    SpladeWeight = parse.GetValue(spladeWeight),
                    RrfK = parse.GetValue(rrfK),
                    FusionDepth = parse.GetValue(depth),
                    Exhaustive = parse.GetValue(exhaustive),
                },
            };
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                return Run(request, output, error);
            }
            catch (Exception e) when (e is SearchSetupException or SpladeIndexMismatchException or SpladeModelException or ArgumentException or IOException or FormatException or UnauthorizedAccessException)
            {
                error.WriteLine($"search: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static int Run(Arguments a, TextWriter output, TextWriter error)
    {
        bool batch = a.Queries is not null || a.QueryVectors is not null;
        // A bag of words has one clause per distinct term: a long text (a pasted abstract, a 100,000-character line)
        // has thousands. As Anserini, lift Lucene's limit of 1,024 clauses; a query's size is bounded by its text.
        BooleanQuery.MaxClauseCount = int.MaxValue;
        if (batch == (a.Query is not null))
        {
            throw new SearchSetupException("give either one QUERY or --queries / --query-vectors.");
        }
        if (a.Top is <= 0)
        {
            throw new SearchSetupException($"--top must be positive, not {a.Top}.");
        }
        if (a.Qrels is not null && !batch)
        {
            throw new SearchSetupException("--qrels evaluates a batch: give --queries or --query-vectors.");
        }
        // Before the searches, not after a long batch.
        if (a.Run is { } runFile)
        {
            if (Directory.Exists(runFile.FullName))
            {
                throw new SearchSetupException($"--run {runFile.FullName} is a folder: give the path of the run file to write.");
            }
            if (runFile.Directory is { Exists: false } folder)
            {
                throw new SearchSetupException($"--run {runFile.FullName}: the folder {folder.FullName} does not exist.");
            }
        }
        a.Options.Validate();
        var mode = a.Mode is { } m ? Enum.Parse<SearchMode>(m, ignoreCase: true) : a.QueryVectors is not null && a.Queries is null ? SearchMode.Splade : SearchMode.Bm25;
        if (a.QueryVectors is not null && mode == SearchMode.Bm25)
        {
            throw new SearchSetupException("--query-vectors are SPLADE queries: use --mode splade (or hybrid with --queries for the BM25 side).");
        }
        if (a.QueryVectors is not null && mode == SearchMode.Hybrid && a.Queries is null)
        {
            throw new SearchSetupException("hybrid search with --query-vectors needs --queries too: the query texts are the BM25 side.");
        }
        bool parseQuery = a.Query is not null && QuerySyntax.ShouldParse(a.Query, a.Syntax);
        if (mode != SearchMode.Bm25 && !parseQuery && a.Model is null && a.QueryVectors is null)
        {
            throw new SearchSetupException($"--mode {mode.ToString().ToLowerInvariant()} needs --model DIR to encode queries (or --query-vectors FILE).");
        }

        using var encoder = a.Model is null ? null : SpladeEncoder.Create(a.Model.FullName, new SpladeEncoderOptions { IntraOpNumThreads = a.Threads });
        var opening = Stopwatch.StartNew();
        using var searcher = PubMedSearcher.Open(a.Index.FullName, encoder, null, a.Options);
        var opened = opening.Elapsed;
        string tag = parseQuery ? "query" : mode switch
        {
            SearchMode.Bm25 => "bm25",
            SearchMode.Splade => "splade",
            _ => "hybrid-" + a.Options.Fusion.ToString().ToLowerInvariant(),
        };

        if (!batch)
        {
            var request = parseQuery
                ? new SearchRequest(SingleQueryId, null, null, searcher.Parse(a.Query!))
                : Build(searcher, mode, SingleQueryId, a.Query!, null);
            return SearchOne(searcher, request, a, tag, output, error);
        }
        var requests = BuildBatch(searcher, mode, a, error, out bool inputErrors);
        // A batch reports per-query latency: warm the searcher first (SPLADE searches only), so that the first
        // query is not the one paying for the fresh process (compilation, term dictionaries); reported apart.
        var warming = Stopwatch.StartNew();
        bool warmed = a.WarmUp && mode != SearchMode.Bm25 && searcher.WarmUp(hybrid: mode == SearchMode.Hybrid);
        var startup = string.Create(CultureInfo.InvariantCulture,
            $"opened in {opened.TotalMilliseconds:F0} ms{(warmed ? $", warm-up {warming.Elapsed.TotalMilliseconds:F0} ms" : a.WarmUp ? "" : ", no warm-up")}");
        int code = SearchBatch(searcher, requests, a, tag, startup, output, error);
        return code != 0 ? code : inputErrors ? 1 : 0;
    }

    private static SearchRequest Build(PubMedSearcher searcher, SearchMode mode, string id, string? text, IReadOnlyDictionary<string, float>? vector)
    {
        Query? bm25 = mode != SearchMode.Splade ? searcher.Bm25Query(text!) : null;
        Query? splade = mode == SearchMode.Bm25 ? null : vector is not null ? searcher.SpladeQuery(vector, id) : searcher.SpladeQuery(text!);
        return new SearchRequest(id, bm25, splade);
    }

    private static List<SearchRequest> BuildBatch(PubMedSearcher searcher, SearchMode mode, Arguments a, TextWriter error, out bool inputErrors)
    {
        bool errors = false;
        void Report(InputError e)
        {
            errors = true;
            error.WriteLine($"skipped: {e}");
        }
        Dictionary<string, VectorRecord>? vectors = null;
        var order = new List<string>();
        if (a.QueryVectors is not null)
        {
            vectors = new Dictionary<string, VectorRecord>(StringComparer.Ordinal);
            foreach (var v in new VectorJsonlReader().Read(a.QueryVectors.FullName, Report))
            {
                if (vectors.TryAdd(v.Id, v))
                {
                    order.Add(v.Id);
                }
                else
                {
                    Report(new InputError(a.QueryVectors.FullName, v.Line, $"query vector '{v.Id}' repeated (first at line {vectors[v.Id].Line}); the first is used"));
                }
            }
        }
        var requests = new List<SearchRequest>();
        void Add(string id, string? text, VectorRecord? vector)
        {
            try
            {
                requests.Add(Build(searcher, mode, id, text, vector?.Weights));
            }
            catch (SearchSetupException e) when (vector is not null)
            {
                // A bad query vector (a weight that is not positive, say) costs that query only.
                Report(new InputError(a.QueryVectors!.FullName, vector.Line, $"{e.Message}; query skipped"));
            }
            catch (Exception e) when (e is ArgumentException or BooleanQuery.TooManyClausesException)
            {
                // So does a query that cannot be built (too many clauses, say): the batch goes on.
                Report(new InputError(a.Queries?.FullName ?? a.QueryVectors?.FullName ?? "query", 0, $"query '{id}' skipped: {e.Message}"));
            }
        }
        if (a.Queries is null)
        {
            foreach (string id in order)
            {
                Add(id, null, vectors![id]);
            }
        }
        else
        {
            foreach (var q in QueryFileReader.Read(a.Queries.FullName, Report))
            {
                VectorRecord? vector = null;
                if (vectors is not null && mode != SearchMode.Bm25 && !vectors.TryGetValue(q.Id, out vector))
                {
                    Report(new InputError(a.QueryVectors!.FullName, 0, $"no vector for query '{q.Id}'; query skipped"));
                    continue;
                }
                Add(q.Id, q.Text, vector);
            }
        }
        inputErrors = errors;
        if (requests.Count == 0)
        {
            throw new SearchSetupException("no query to run.");
        }
        return requests;
    }

    private static int SearchOne(PubMedSearcher searcher, SearchRequest request, Arguments a, string tag, TextWriter output, TextWriter error)
    {
        int shown = a.Top ?? 10;
        int k = a.Run is null ? shown : a.Top ?? a.Options.FusionDepth;
        var hits = searcher.Search(request, Math.Max(k, shown));
        var searched = request.Parsed ?? (request.IsHybrid ? null : request.Bm25 ?? request.Splade);
        output.WriteLine(searched is not null
            ? $"query: {searched}"
            : $"query: {request.Bm25} | {request.Splade}  ({tag}{(a.Options.Fusion == FusionMethod.Linear ? $", {a.Options.Bm25Weight.ToString(CultureInfo.InvariantCulture)} x BM25 + {searcher.LinearSpladeWeight.ToString(CultureInfo.InvariantCulture)} x SPLADE" : "")})");
        output.WriteLine($"{Math.Min(shown, hits.Count)} hits shown of at most {shown} (ties: score descending, then id ascending)");
        var spladeSide = request.Parsed ?? request.Splade;
        for (int i = 0; i < Math.Min(shown, hits.Count); i++)
        {
            var hit = hits[i];
            string title = searcher.Title(hit.Doc);
            if (title.Length > 100)
            {
                title = title[..97] + "...";
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1,4}  {hit.Id,-10}  {hit.Score,12:0.######}  {title}"));
            if (request.IsHybrid)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{"",18}bm25 {searcher.ScoreOf(request.Bm25!, hit.Doc):0.######}, splade {searcher.ScoreOf(request.Splade!, hit.Doc):0.######}"));
            }
            if (spladeSide is not null)
            {
                var terms = searcher.MatchedTerms(spladeSide, hit.Doc);
                if (terms.Count > 0)
                {
                    output.WriteLine($"{"",18}splade terms ({terms.Count} matched; query weight x document weight): {MatchedTerms.Format(terms.Take(TermsShown))}");
                }
            }
            if (a.Explain)
            {
                WriteExplanation(searcher, request, a.Options, hit.Doc, output);
            }
        }
        if (a.Run is not null)
        {
            var run = new TrecRun();
            foreach (var hit in hits.Take(k))
            {
                run.Add(SingleQueryId, hit.Id, hit.Score);
            }
            (a.AnseriniTies ? run.WithAnseriniTies() : run).Save(a.Run.FullName, tag);
            if (!a.Quiet)
            {
                error.WriteLine($"run written to {a.Run.FullName} ({Math.Min(k, hits.Count)} hits, query id {SingleQueryId}, tag {tag})");
            }
        }
        return 0;
    }

    private static void WriteExplanation(PubMedSearcher searcher, SearchRequest request, SearchOptions options, int doc, TextWriter output)
    {
        if (!request.IsHybrid)
        {
            output.Write(Indent(searcher.Searcher.Explain(request.Parsed ?? request.Bm25 ?? request.Splade!, doc).ToString()));
        }
        else if (options.Fusion == FusionMethod.Linear)
        {
            output.Write(Indent(searcher.Searcher.Explain(Splade.Lucene.Search.HybridQuery.Create(request.Bm25!, request.Splade!, options.Bm25Weight, searcher.LinearSpladeWeight), doc).ToString()));
        }
        else
        {
            output.WriteLine($"{"",18}{options.Fusion.ToString().ToLowerInvariant()} fusion of the ranks/scores of:");
            output.Write(Indent(searcher.Searcher.Explain(request.Bm25!, doc).ToString()));
            output.Write(Indent(searcher.Searcher.Explain(request.Splade!, doc).ToString()));
        }
    }

    private static string Indent(string text) => string.Concat(text.Split('\n').Where(l => l.Length > 0).Select(l => new string(' ', 18) + l + "\n"));

    /// <summary>The k a batch searches each query with: the run's length, --top when it is below --depth.</summary>
    private static int SearchDepth(Arguments a) => a.Top is int top ? Math.Min(top, a.Options.FusionDepth) : a.Options.FusionDepth;

    // Whether the batch fuses two ranked lists (rrf, minmax), each searched --depth deep whatever k is.
    private static bool Fuses(Arguments a, List<SearchRequest> requests) =>
        a.Options.Fusion != FusionMethod.Linear && requests.Any(r => r.Parsed is null && r.IsHybrid);

    private static int SearchBatch(PubMedSearcher searcher, List<SearchRequest> requests, Arguments a, string tag, string startup, TextWriter output, TextWriter error)
    {
        var run = new TrecRun();
        var latency = new LatencyStats();
        var progress = new Progress("queries", requests.Count, a.Quiet);
        var total = Stopwatch.StartNew();
        var clock = new Stopwatch();
        int empty = 0;
        int failed = 0;
        // The run keeps --top hits, so only those are searched (a top-10 run used to pay for k = --depth, 1000 by
        // default, and never got k = 10's pruning). Fused modes (rrf, minmax) still take --depth hits of each side
        // before fusing (PubMedSearcher.Search); their top k is the first k of the fused --depth list.
        int k = SearchDepth(a);
        foreach (var request in requests)
        {
            clock.Restart();
            IReadOnlyList<RankedHit> hits;
            try
            {
                hits = searcher.Search(request, k);
            }
            catch (Exception e) when (e is ArgumentException or BooleanQuery.TooManyClausesException)
            {
                // One query that cannot run is reported and skipped; the batch goes on.
                failed++;
                error.WriteLine($"skipped: query '{request.Id}': {e.Message}");
                continue;
            }
            clock.Stop();
            latency.Add(clock.Elapsed);
            foreach (var hit in hits)
            {
                run.Add(request.Id, hit.Id, hit.Score);
            }
            if (hits.Count == 0)
            {
                empty++;
            }
            progress.Report(latency.Count);
        }
        total.Stop();
        progress.Finish(latency.Count);
        if (a.AnseriniTies)
        {
            run = run.WithAnseriniTies();
        }
        if (!a.Quiet)
        {
            error.WriteLine($"{tag}: {latency.Format(total.Elapsed)}; {startup}" + (empty > 0 ? $"; {empty} queries without hits" : ""));
        }
        if (!a.Quiet && searcher.SpladeStats.Searches > 0)
        {
            error.WriteLine($"splade top-k ({(a.Options.Exhaustive ? "exhaustive" : "pruned")}): {searcher.SpladeStats}");
        }
        if (a.Run is not null)
        {
            run.Save(a.Run.FullName, tag);
            if (!a.Quiet)
            {
                error.WriteLine($"run written to {a.Run.FullName} (tag {tag}, up to {k} hits per query, searched with k = {k}{(Fuses(a, requests) ? $" after fusing the top {a.Options.FusionDepth} of each side" : "")}; {(a.AnseriniTies ? "Anserini's tie order: ties by docid ascending, scores adjusted by 1e-6" : "ranks in trec_eval order: ties by docid descending")})");
            }
        }
        if (a.Qrels is not null)
        {
            var report = EvaluationReport.Compute(Qrels.Load(a.Qrels.FullName), run);
            output.Write(report.Format());
            if (report.Queries == 0)
            {
                error.WriteLine("search: no query is judged in the qrels (do the query ids match?).");
                return 1;
            }
        }
        else if (a.Run is null)
        {
            // A batch's run can be hundreds of thousands of lines: say what was found and how to keep it.
            int hitsTotal = run.QueryIds.Sum(q => run.GetRanking(q).Count);
            output.WriteLine($"{tag}: {requests.Count:N0} queries, {hitsTotal:N0} hits ({requests.Count - empty:N0} queries with hits); give --run FILE to write the run, --qrels QRELS to evaluate it");
        }
        return failed > 0 ? 1 : 0;
    }

    private sealed class Arguments
    {
        public required DirectoryInfo Index { get; init; }

        public DirectoryInfo? Model { get; init; }

        public string? Mode { get; init; }

        public int? Top { get; init; }

        public bool Explain { get; init; }

        public FileInfo? Queries { get; init; }

        public FileInfo? QueryVectors { get; init; }

        public FileInfo? Run { get; init; }

        public FileInfo? Qrels { get; init; }

        public SyntaxMode Syntax { get; init; }

        public bool AnseriniTies { get; init; }

        public bool WarmUp { get; init; }

        public int Threads { get; init; }

        public bool Quiet { get; init; }

        public string? Query { get; init; }

        public required SearchOptions Options { get; init; }
    }
}
