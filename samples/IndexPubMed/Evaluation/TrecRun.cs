using System.Globalization;

namespace IndexPubMed.Evaluation;

/// <summary>
/// A retrieval run: scored documents per query, read from and written to the TREC run format
/// <c>qid Q0 docid rank score tag</c>.
/// </summary>
/// <remarks>
/// Rankings are always in trec_eval's order: score descending, then document id descending
/// (trec_eval's <c>comp_sim_docno</c> compares docnos in reverse). The rank column is ignored
/// on reading, as trec_eval ignores it, and rewritten from that order on writing, so the file
/// means the same to trec_eval, pytrec_eval and <see cref="RetrievalMetrics"/>. Ids are
/// compared ordinally (UTF-16), which equals strcmp for ASCII ids.
/// </remarks>
public sealed class TrecRun
{
    private static readonly Comparison<RunEntry> TrecEvalOrder = (x, y) =>
    {
        int byScore = y.Score.CompareTo(x.Score);
        return byScore != 0 ? byScore : string.CompareOrdinal(y.DocId, x.DocId);
    };

    private readonly Dictionary<string, QueryRanking> _queries = new(StringComparer.Ordinal);
    private readonly List<string> _queryOrder = [];

    /// <summary>Query ids in the order they were first added or read.</summary>
    public IReadOnlyList<string> QueryIds => _queryOrder;

    /// <summary>Whether the run has results for <paramref name="queryId"/>.</summary>
    public bool Contains(string queryId) => _queries.ContainsKey(queryId);

    /// <summary>Adds one scored document for a query.</summary>
    /// <exception cref="ArgumentException">An id is empty or contains whitespace, the score is NaN,
    /// or the document is already in this query's results (trec_eval rejects duplicates).</exception>
    public void Add(string queryId, string docId, double score)
    {
        CheckId(queryId, nameof(queryId));
        CheckId(docId, nameof(docId));
        if (double.IsNaN(score))
        {
            throw new ArgumentException($"Score of document '{docId}' for query '{queryId}' is NaN.", nameof(score));
        }
        if (!_queries.TryGetValue(queryId, out var ranking))
        {
            ranking = new QueryRanking();
            _queries.Add(queryId, ranking);
            _queryOrder.Add(queryId);
        }
        if (!ranking.DocIds.Add(docId))
        {
            throw new ArgumentException($"Document '{docId}' appears twice for query '{queryId}'.", nameof(docId));
        }
        ranking.Entries.Add(new RunEntry(docId, score));
        ranking.Sorted = false;
    }

    /// <summary>The documents retrieved for <paramref name="queryId"/> in trec_eval order; empty if none.</summary>
    public IReadOnlyList<RunEntry> GetRanking(string queryId)
    {
        if (!_queries.TryGetValue(queryId, out var ranking))
        {
            return [];
        }
        if (!ranking.Sorted)
        {
            ranking.Entries.Sort(TrecEvalOrder);
            ranking.Sorted = true;
        }
        return ranking.Entries;
    }

    /// <summary>Writes the run, queries in insertion order, each ranked in trec_eval order from rank 1.</summary>
    /// <exception cref="ArgumentException"><paramref name="tag"/> is empty or contains whitespace.</exception>
    public void Write(TextWriter writer, string tag)
    {
        ArgumentNullException.ThrowIfNull(writer);
        CheckId(tag, nameof(tag));
        foreach (string queryId in _queryOrder)
        {
            var ranking = GetRanking(queryId);
            for (int i = 0; i < ranking.Count; i++)
            {
                // "R" round-trips the double, so re-reading cannot create ties that were not there.
                writer.Write(queryId);
                writer.Write(" Q0 ");
                writer.Write(ranking[i].DocId);
                writer.Write(' ');
                writer.Write((i + 1).ToString(CultureInfo.InvariantCulture));
                writer.Write(' ');
                writer.Write(ranking[i].Score.ToString("R", CultureInfo.InvariantCulture));
                writer.Write(' ');
                writer.Write(tag);
                writer.Write('\n');
            }
        }
    }

    /// <summary>Writes the run to a file (UTF-8, no BOM).</summary>
    public void Save(string path, string tag)
    {
        using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
        Write(writer, tag);
    }

    /// <summary>Reads a run in TREC format; blank lines are skipped.</summary>
    /// <exception cref="FormatException">A line does not have six fields, has a non-numeric
    /// score, or repeats a document for a query.</exception>
    public static TrecRun Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var run = new TrecRun();
        foreach (var (lineNumber, line) in DataLines.NonBlank(reader))
        {
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 6)
            {
                throw new FormatException($"Run line {lineNumber}: expected 'qid Q0 docid rank score tag', got '{line}'.");
            }
            if (!double.TryParse(fields[4], NumberStyles.Float, CultureInfo.InvariantCulture, out double score) || double.IsNaN(score))
            {
                throw new FormatException($"Run line {lineNumber}: score '{fields[4]}' is not a number.");
            }
            try
            {
                run.Add(fields[0], fields[2], score);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"Run line {lineNumber}: {e.Message}", e);
            }
        }
        return run;
    }

    /// <summary>Reads a run file.</summary>
    public static TrecRun Load(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader);
    }

    private static void CheckId(string value, string paramName)
    {
        if (string.IsNullOrEmpty(value) || value.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"'{value}' is not a valid TREC field: it must be non-empty without whitespace.", paramName);
        }
    }

    private sealed class QueryRanking
    {
        public List<RunEntry> Entries { get; } = [];

        public HashSet<string> DocIds { get; } = new(StringComparer.Ordinal);

        public bool Sorted { get; set; } = true;
    }
}
