using Splade.Encoder;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;

namespace Splade.Lucene.Tests.Search;

public sealed class QueryEncodingCacheTests
{
    [Fact]
    public void EncodesEachTextOnceAndEvictsTheLeastRecentlyUsed()
    {
        var encoder = new FakeSparseEncoder();
        var cache = new QueryEncodingCache(encoder, capacity: 2);
        var a = cache.Encode("heart attack");
        Assert.Equal(a, cache.Encode("heart attack"));
        cache.Encode("cat");
        cache.Encode("heart attack"); // now "cat" is the least recently used
        cache.Encode("dog");          // evicts "cat"
        Assert.Equal(3, encoder.QueryCalls);
        Assert.Equal(2, cache.Count);
        cache.Encode("heart attack");
        Assert.Equal(3, encoder.QueryCalls);
        cache.Encode("cat");
        Assert.Equal(4, encoder.QueryCalls);
        Assert.Equal(0, encoder.DocumentCalls);
    }

    [Fact]
    public void ConcurrentRequestsShareOneEncoding()
    {
        var encoder = new FakeSparseEncoder();
        var cache = new QueryEncodingCache(encoder);
        Parallel.For(0, 200, i => cache.Encode("q" + (i % 5)));
        Assert.Equal(5, encoder.QueryCalls);
    }

    [Fact]
    public void FailedEncodingIsNotCached()
    {
        var encoder = new ThrowingOnceEncoder();
        var cache = new QueryEncodingCache(encoder);
        Assert.Throws<InvalidOperationException>(() => cache.Encode("x"));
        Assert.Equal(0, cache.Count);
        cache.Encode("x");
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void SharedCacheIsPerEncoder()
    {
        var e1 = new FakeSparseEncoder();
        var e2 = new FakeSparseEncoder();
        Assert.Same(QueryEncodingCache.GetShared(e1), QueryEncodingCache.GetShared(e1));
        Assert.NotSame(QueryEncodingCache.GetShared(e1), QueryEncodingCache.GetShared(e2));
        Assert.Throws<ArgumentException>(() => new QueryEncodingCache(e1, 0));
    }

    private sealed class ThrowingOnceEncoder : ISparseEncoder
    {
        private int _calls;

        public Vocabulary Vocabulary => FakeSparseEncoder.BertVocabulary;

        public SimilarityFunction SimilarityFunction => SimilarityFunction.Dot;

        public string ModelId => "throwing";

        public SparseVector EncodeQuery(string text) => ++_calls == 1 ? throw new InvalidOperationException("first call fails") : SparseVector.Empty;

        public SparseVector EncodeDocument(string text) => throw new NotSupportedException();

        public IReadOnlyList<SparseVector> EncodeQueries(IReadOnlyList<string> texts) => throw new NotSupportedException();

        public IReadOnlyList<SparseVector> EncodeDocuments(IReadOnlyList<string> texts) => throw new NotSupportedException();
    }
}
