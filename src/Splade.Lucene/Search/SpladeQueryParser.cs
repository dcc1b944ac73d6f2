using Lucene.Net.Analysis;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Util;
using Splade.Encoder;

namespace Splade.Lucene.Search;

/// <summary>
/// The classic Lucene query parser with one SPLADE field: a clause on that field becomes a
/// <see cref="SpladeQuery"/> encoded from the clause text, other fields go through the analyzer as usual.
/// Quote multi-word SPLADE text: in <c>title:aspirin AND splade:"aspirin heart attack prevention"</c>
/// the quoted text is encoded as one query, whereas <c>splade:aspirin heart</c> sends only
/// <c>aspirin</c> to the SPLADE field. Boosts (<c>splade:"..."^2</c>) apply as usual. Search the result
/// with <see cref="SpladePerFieldSimilarity"/> for BM25 on the other fields.
/// </summary>
public sealed class SpladeQueryParser : QueryParser
{
    private readonly string _spladeField;
    private readonly ISparseEncoder _encoder;
    private readonly SpladeQueryOptions? _options;
    private readonly QueryEncodingCache? _cache;

    /// <summary>Creates the parser.</summary>
    /// <param name="matchVersion">Lucene compatibility version.</param>
    /// <param name="defaultField">Field of clauses without a field name.</param>
    /// <param name="analyzer">Analyzer of the non-SPLADE fields.</param>
    /// <param name="spladeField">The SPLADE field.</param>
    /// <param name="encoder">Encodes SPLADE clause text.</param>
    /// <param name="options">Options of the SPLADE queries; defaults when null.</param>
    /// <param name="cache">Encoding cache; the encoder's shared cache when null.</param>
    public SpladeQueryParser(LuceneVersion matchVersion, string defaultField, Analyzer analyzer, string spladeField, ISparseEncoder encoder, SpladeQueryOptions? options = null, QueryEncodingCache? cache = null)
        : base(matchVersion, defaultField, analyzer)
    {
        if (string.IsNullOrEmpty(spladeField))
        {
            throw new ArgumentException($"The SPLADE field name must not be empty, not '{spladeField}'.", nameof(spladeField));
        }
        _spladeField = spladeField;
        _encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        options?.Validate();
        _options = options?.Clone();
        _cache = cache;
    }

    /// <summary>The SPLADE field.</summary>
    public string SpladeField => _spladeField;

    /// <summary>
    /// Multiplies every SPLADE clause's score; default 1 (impact sums). <c>1 / scale</c> (what
    /// <c>SpladeFieldSchema.CreateQueryParser</c> sets) gives SPLADE scores in model units, dot products
    /// comparable with BM25 in a combined query such as <c>title:aspirin AND splade:"..."</c>. A boost written in
    /// the query (<c>splade:"..."^2</c>) multiplies it: the clause is a one-clause <see cref="BooleanQuery"/>
    /// (which rewrites to the <see cref="SpladeQuery"/> with both boosts) whenever this is not 1.
    /// </summary>
    /// <exception cref="ArgumentException">The value is not a finite positive number.</exception>
    public float SpladeBoost
    {
        get => _spladeBoost;
        init
        {
            if (!float.IsFinite(value) || value <= 0)
            {
                throw new ArgumentException($"{nameof(SpladeBoost)} must be a finite positive number, not {value}.", nameof(value));
            }
            _spladeBoost = value;
        }
    }

    private readonly float _spladeBoost = 1f;

    /// <inheritdoc/>
    protected override Query GetFieldQuery(string field, string queryText, bool quoted)
    {
        if (!string.Equals(field, _spladeField, StringComparison.Ordinal))
        {
            return base.GetFieldQuery(field, queryText, quoted);
        }
        var query = new SpladeQuery(field, queryText, _encoder, _options, _cache);
        if (_spladeBoost == 1f)
        {
            return query;
        }
        // The parser sets (not multiplies) the boost of a clause written with ^b, so the unit factor lives one level down.
        query.Boost = _spladeBoost;
        return new BooleanQuery(disableCoord: true) { { query, Occur.SHOULD } };
    }
}
