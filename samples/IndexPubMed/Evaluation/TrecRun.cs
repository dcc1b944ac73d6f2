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

    private static readonly Comparison<RunEntry> AnseriniOrder = (x, y) =>
    {
        int byScore = y.Score.CompareTo(x.Score);
        return byScore != 0 ? byScore : string.CompareOrdinal(x.DocId, y.DocId);
    };

    private readonly Dictionary<string, QueryRanking> _queries = new(StringComparer.Ordinal);
    private readonly List<string> _queryOrder = [];

    // Scores already cut to six decimals (Anserini's "%f"), written as such.
    private bool _sixDecimals;

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

    /// <summary>
    /// This run under Anserini's tie convention, so that trec_eval ranks tied documents as Anserini does (by
    /// docid ascending) and metrics match Anserini's to the last digit: per query, documents in score order with
    /// ties by docid ascending (<c>BREAK_SCORE_TIES_BY_DOCID</c>); each score (as a float) rounded to 1e-4, and
    /// 1e-6 subtracted per document tied with the one before (<c>ScoreTiesAdjusterReranker</c>, float
    /// arithmetic); scores written with six decimals (<c>%f</c>). As in Anserini, above about 8 the float
    /// spacing swallows part of the 1e-6 steps, so large tied scores may stay tied.
    /// </summary>
    public TrecRun WithAnseriniTies()
    {
        var result = new TrecRun { _sixDecimals = true };
        foreach (string queryId in _queryOrder)
        {
            var entries = new List<RunEntry>(_queries[queryId].Entries);
            entries.Sort(AnseriniOrder);
            float previous = 0;
            int dup = 0;
            for (int i = 0; i < entries.Count; i++)
            {
                float score = RoundToFourDecimals((float)entries[i].Score);
                if (i == 0 || previous - score > 1e-4f)
                {
                    dup = 0;
                }
                else
                {
                    dup++;
                    score -= 1e-6f * dup;
                }
                previous = score;
                result.Add(queryId, entries[i].DocId, SixDecimals(score));
            }
        }
        return result;
    }

    // Java's Math.round(x * 1e4f) / 1e4f: the product in float, rounded half up to an int (saturating), divided in float.
    private static float RoundToFourDecimals(float score)
    {
        float product = score * 1e4f;
        double rounded = Math.Floor((double)product + 0.5);
        long r = (long)Math.Clamp(rounded, int.MinValue, int.MaxValue);
        return (float)r / 1e4f;
    }

    // Java's String.format("%f", aFloat): the float's shortest decimal form rounded half up to six decimals.
    private static double SixDecimals(float score)
    {
        if (!float.IsFinite(score))
        {
            return score;
        }
        if (Math.Abs(score) >= 7.9e27f)
        {
            return Math.Round((double)score, 6, MidpointRounding.AwayFromZero);
        }
        decimal shortest = decimal.Parse(score.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        return (double)Math.Round(shortest, 6, MidpointRounding.AwayFromZero);
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
                writer.Write(ranking[i].Score.ToString(_sixDecimals ? "F6" : "R", CultureInfo.InvariantCulture));
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
