using System.Globalization;

namespace IndexPubMed.Evaluation;

/// <summary>
/// Relevance judgments: a graded relevance per (query, document). Reads BEIR's
/// <c>qrels/*.tsv</c> (header <c>query-id corpus-id score</c>) and TREC qrels
/// (<c>qid iter docid rel</c>). Relevance above zero counts as relevant; unjudged documents are
/// not relevant.
/// </summary>
public sealed class Qrels
{
    private static readonly IReadOnlyDictionary<string, int> NoJudgments = new Dictionary<string, int>();

    private readonly Dictionary<string, Dictionary<string, int>> _judgments = new(StringComparer.Ordinal);
    private readonly List<string> _queryOrder = [];

    /// <summary>Judged query ids in the order first seen.</summary>
    public IReadOnlyList<string> QueryIds => _queryOrder;

    /// <summary>Whether <paramref name="queryId"/> has any judgment (even non-relevant only).</summary>
    public bool Contains(string queryId) => _judgments.ContainsKey(queryId);

    /// <summary>Records a judgment.</summary>
    /// <exception cref="ArgumentException">An id is empty, or the pair is already judged.</exception>
    public void Add(string queryId, string docId, int relevance)
    {
        ArgumentException.ThrowIfNullOrEmpty(queryId);
        ArgumentException.ThrowIfNullOrEmpty(docId);
        if (!_judgments.TryGetValue(queryId, out var docs))
        {
            docs = new Dictionary<string, int>(StringComparer.Ordinal);
            _judgments.Add(queryId, docs);
            _queryOrder.Add(queryId);
        }
        if (!docs.TryAdd(docId, relevance))
        {
            throw new ArgumentException($"Document '{docId}' is judged twice for query '{queryId}'.", nameof(docId));
        }
    }

    /// <summary>The judgments of a query (document id to relevance); empty if none.</summary>
    public IReadOnlyDictionary<string, int> GetJudgments(string queryId) =>
        _judgments.TryGetValue(queryId, out var docs) ? docs : NoJudgments;

    /// <summary>The relevance of a document for a query; 0 when unjudged.</summary>
    public int GetRelevance(string queryId, string docId) =>
        _judgments.TryGetValue(queryId, out var docs) && docs.TryGetValue(docId, out int rel) ? rel : 0;

    /// <summary>The number of documents judged relevant (relevance above 0) for a query.</summary>
    public int CountRelevant(string queryId) =>
        _judgments.TryGetValue(queryId, out var docs) ? docs.Values.Count(r => r > 0) : 0;

    /// <summary>Reads BEIR's tab-separated qrels; the header line is skipped when present.</summary>
    /// <exception cref="FormatException">A line does not have three fields or an integer score.</exception>
    public static Qrels ReadBeir(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var qrels = new Qrels();
        foreach (var (lineNumber, line) in DataLines.NonBlank(reader))
        {
            string[] fields = line.Split('\t');
            if (lineNumber == 1 && fields.Length > 0 && fields[0].Trim() == "query-id")
            {
                continue;
            }
            if (fields.Length != 3)
            {
                throw new FormatException($"Qrels line {lineNumber}: expected 'query-id<TAB>corpus-id<TAB>score', got '{line}'.");
            }
            qrels.AddParsed(fields[0].Trim(), fields[1].Trim(), fields[2].Trim(), lineNumber);
        }
        return qrels;
    }

    /// <summary>Reads TREC qrels (<c>qid iter docid rel</c>, whitespace separated; iter is ignored).</summary>
    /// <exception cref="FormatException">A line does not have four fields or an integer relevance.</exception>
    public static Qrels ReadTrec(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var qrels = new Qrels();
        foreach (var (lineNumber, line) in DataLines.NonBlank(reader))
        {
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 4)
            {
                throw new FormatException($"Qrels line {lineNumber}: expected 'qid iter docid rel', got '{line}'.");
            }
            qrels.AddParsed(fields[0], fields[2], fields[3], lineNumber);
        }
        return qrels;
    }

    /// <summary>
    /// Reads a qrels file, choosing the format from its first non-blank line: BEIR when it is
    /// the <c>query-id</c> header or has three tab-separated fields, TREC otherwise.
    /// </summary>
    public static Qrels Load(string path)
    {
        string? first = File.ReadLines(path).FirstOrDefault(l => !string.IsNullOrWhiteSpace(l));
        bool beir = first is not null && (first.StartsWith("query-id", StringComparison.Ordinal) || first.Split('\t').Length == 3);
        using var reader = new StreamReader(path);
        return beir ? ReadBeir(reader) : ReadTrec(reader);
    }

    private void AddParsed(string queryId, string docId, string relevance, int lineNumber)
    {
        if (!int.TryParse(relevance, NumberStyles.Integer, CultureInfo.InvariantCulture, out int rel))
        {
            throw new FormatException($"Qrels line {lineNumber}: relevance '{relevance}' is not an integer.");
        }
        try
        {
            Add(queryId, docId, rel);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Qrels line {lineNumber}: {e.Message}", e);
        }
    }
}
