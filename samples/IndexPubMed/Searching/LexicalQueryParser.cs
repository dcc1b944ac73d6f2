using Lucene.Net.Analysis;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace IndexPubMed.Searching;

/// <summary>
/// The classic parser for searches without a model: like <c>SpladeQueryParser</c> but refusing clauses on
/// the SPLADE field, which would otherwise be analysed as English text and silently match nothing useful.
/// </summary>
internal sealed class LexicalQueryParser : QueryParser
{
    private readonly string _spladeField;

    public LexicalQueryParser(string defaultField, Analyzer analyzer, string spladeField)
        : base(LuceneVersion.LUCENE_48, defaultField, analyzer) => _spladeField = spladeField;

    protected override Query GetFieldQuery(string field, string queryText, bool quoted) =>
        string.Equals(field, _spladeField, StringComparison.Ordinal)
            ? throw new ParseException($"'{field}:' clauses are SPLADE queries and need --model")
            : base.GetFieldQuery(field, queryText, quoted);
}
