using System.Globalization;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Splade.Lucene.Index;
using Splade.Lucene.Tests.EndToEnd;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests;

/// <summary>The <see cref="SpladeIndex"/> facade with the tiny model and the 20 golden documents.</summary>
public sealed class SpladeIndexTests : IClassFixture<TinyModelFixture>, IDisposable
{
    private readonly TinyModelFixture _model;
    private readonly ITestOutputHelper _output;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "splade-index-tests-" + Guid.NewGuid().ToString("N"));

    public SpladeIndexTests(TinyModelFixture model, ITestOutputHelper output)
    {
        _model = model;
        _output = output;
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(_folder))
        {
            System.IO.Directory.Delete(_folder, recursive: true);
        }
    }

    private IEnumerable<SpladeDocument> Documents() => _model.DocumentTexts.Select((t, d) =>
        new SpladeDocument($"d{d}", t, new Dictionary<string, string> { ["group"] = d % 2 == 0 ? "even" : "odd" }));

    [Fact]
    public void WarmUpAtOpenChangesNoResult()
    {
        var docs = Documents().ToList();
        using (var index = SpladeIndex.Create(_folder, _model.Encoder, new SpladeIndexOptions { WarmUp = false }))
        {
            for (int i = 0; i < docs.Count; i += 6)
            {
                index.Add(docs.Skip(i).Take(6));
                index.Commit();   // several segments
            }
        }
        // The facade holds the index's write lock: one open at a time, warmed then not.
        List<IReadOnlyList<SpladeHit>> Run(SpladeIndex index) => _model.QueryTexts
            .SelectMany(q => new[] { SpladeSearchMode.Splade, SpladeSearchMode.Hybrid }.Select(mode => index.Search(q, new SpladeSearchOptions { Mode = mode, Top = 15 })))
            .ToList();
        var counting = new CountingEncoder(_model.Encoder);
        List<IReadOnlyList<SpladeHit>> warm;
        using (var warmed = SpladeIndex.Open(_folder, counting))
        {
            Assert.Equal(1, counting.QueryCalls);   // the warm-up encoded its one query at open
            warm = Run(warmed);
        }
        var coldEncoder = new CountingEncoder(_model.Encoder);
        List<IReadOnlyList<SpladeHit>> cold;
        using (var index = SpladeIndex.Open(_folder, coldEncoder, new SpladeIndexOptions { WarmUp = false }))
        {
            Assert.Equal(0, coldEncoder.QueryCalls);
            cold = Run(index);
        }
        Assert.Equal(cold.Count, warm.Count);
        for (int i = 0; i < cold.Count; i++)
        {
            Assert.NotEmpty(warm[i]);
            Assert.Equal(cold[i].Select(h => (h.Id, h.Score)), warm[i].Select(h => (h.Id, h.Score)));
        }
    }

    [Fact]
    public void TiesAreBrokenByIdWhateverTheOrderAndSegmentsOfTheDocuments()
    {
        // Every text three times under different ids: each score is tied at least three ways.
        var docs = _model.DocumentTexts.SelectMany((t, d) => new[] { $"a{d}", $"b{d}", $"c{d}" }.Select(id => new SpladeDocument(id, t))).ToList();
        var shuffled = docs.Select((d, i) => (d, i)).OrderBy(p => p.i * 37 % docs.Count).Select(p => p.d).Reverse().ToList();   // a fixed permutation
        using var first = SpladeIndex.Create(Path.Combine(_folder, "1"), _model.Encoder);
        first.Add(docs);
        first.Commit();
        using var second = SpladeIndex.Create(Path.Combine(_folder, "2"), _model.Encoder, new SpladeIndexOptions { BatchSize = 7 });
        for (int i = 0; i < shuffled.Count; i += 13)
        {
            second.Add(shuffled.Skip(i).Take(13));
            second.Commit();   // one segment per commit: another layout
        }
        foreach (string query in _model.QueryTexts)
        {
            foreach (int k in new[] { 1, 4, 10, 60 })
            {
                var x = first.Search(query, new SpladeSearchOptions { Top = k });
                var y = second.Search(query, new SpladeSearchOptions { Top = k });
                Assert.Equal(x.Select(h => (h.Id, h.Score)), y.Select(h => (h.Id, h.Score)));
                for (int i = 1; i < x.Count; i++)
                {
                    Assert.True(x[i - 1].Score > x[i].Score || string.CompareOrdinal(x[i - 1].Id, x[i].Id) < 0, $"tie order at {i} for '{query}'");
                }
            }
        }
    }

    [Fact]
    public void AddsInBatchesCommitsReopensAndSearchesInModelUnits()
    {
        var counting = new CountingEncoder(_model.Encoder);
        using (var index = SpladeIndex.Create(_folder, counting, new SpladeIndexOptions { BatchSize = 8 }))
        {
            Assert.Equal(20, index.Add(Documents()));
            Assert.Equal(3, counting.BatchCalls);          // 8 + 8 + 4
            Assert.Equal(8, counting.LargestBatch);
            Assert.Equal(0, counting.DocumentCalls);
            Assert.Equal(20, index.Count);
            index.Commit(new Dictionary<string, string> { ["app"] = "x" });
        }
        using (var index = SpladeIndex.Open(_folder, _model.Encoder))
        {
            Assert.Equal(20, index.Count);
            Assert.Equal("x", index.CommitData["app"]);
            Assert.Equal("100", index.CommitData[SpladeIndexSettings.KeyFor("splade", SpladeIndexSettings.ScaleKey)]);
            for (int q = 0; q < _model.QueryTexts.Length; q++)
            {
                var hits = index.Search(_model.QueryTexts[q], new SpladeSearchOptions { Top = 20 });
                double bound = _model.EncodedQueries[q].Values.ToArray().Sum(w => Math.Abs(w) * 0.5 / 100) + 1e-4;
                Assert.NotEmpty(hits);
                foreach (var hit in hits)
                {
                    int d = int.Parse(hit.Id[1..], CultureInfo.InvariantCulture);
                    Assert.True(Math.Abs(hit.Score - _model.Scores[q][d]) <= bound + 1e-6, $"query {q} {hit.Id}: {hit.Score:R} vs golden {_model.Scores[q][d]:R}");
                    Assert.Equal(_model.DocumentTexts[d], hit.Fields["text"]);
                    Assert.Equal(d % 2 == 0 ? "even" : "odd", hit.Fields["group"]);
                    Assert.Equal(hit.Score, hit.MatchedTerms.Sum(m => (double)m.Contribution), 4);
                }
                Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(20)]
    public void LinearHybridIsPrunedAndEqualsExhaustive(int top)
    {
        using var dir = new RAMDirectory();
        using var index = SpladeIndex.Create(dir, _model.Encoder);
        index.Add(Documents());
        foreach (string query in new[] { "aspirin heart attack prevention", "cancer", "diabetes metformin insulin insulin" })
        {
            foreach (var (wb, ws) in new[] { (1f, 1f), (0f, 1f), (1f, 0f), (0.5f, 3f) })
            {
                var pruned = index.Search(query, new SpladeSearchOptions { Mode = SpladeSearchMode.Hybrid, Top = top, Bm25Weight = wb, SpladeWeight = ws });
                var exhaustive = index.Search(query, new SpladeSearchOptions
                {
                    Mode = SpladeSearchMode.Hybrid, Top = top, Bm25Weight = wb, SpladeWeight = ws,
                    QueryOptions = new Splade.Lucene.Search.SpladeQueryOptions { Exhaustive = true },
                });
                Assert.Equal(exhaustive.Select(h => (h.Id, BitConverter.SingleToInt32Bits(h.Score))), pruned.Select(h => (h.Id, BitConverter.SingleToInt32Bits(h.Score))));
                Assert.NotEmpty(pruned);
            }
        }
    }

    [Fact]
    public void ModesFiltersUpsertsAndDeletes()
    {
        using var dir = new RAMDirectory();
        using var index = SpladeIndex.Create(dir, _model.Encoder);
        index.Add(Documents());
        string query = "aspirin heart attack prevention";
        var splade = index.Search(query, new SpladeSearchOptions { Top = 20 }).ToDictionary(h => h.Id, h => h.Score);
        var bm25 = index.Search(query, new SpladeSearchOptions { Mode = SpladeSearchMode.Bm25, Top = 20 }).ToDictionary(h => h.Id, h => h.Score);
        Assert.Contains("d0", bm25.Keys);
        Assert.All(index.Search(query, new SpladeSearchOptions { Mode = SpladeSearchMode.Bm25 }), h => Assert.Empty(h.MatchedTerms));
        var linear = index.Search(query, new SpladeSearchOptions { Mode = SpladeSearchMode.Hybrid, Top = 20, Bm25Weight = 1, SpladeWeight = 2 });
        Assert.Equal(bm25.Keys.Union(splade.Keys).Count(), linear.Count);
        foreach (var hit in linear)
        {
            double expected = bm25.GetValueOrDefault(hit.Id) + (2.0 * splade.GetValueOrDefault(hit.Id));
            Assert.True(Math.Abs(hit.Score - expected) <= 1e-5 * expected, $"{hit.Id}: {hit.Score:R} vs {expected:R}");
        }
        var rrf = index.Search(query, new SpladeSearchOptions { Mode = SpladeSearchMode.Hybrid, Fusion = HybridFusion.Rrf, Top = 5 });
        Assert.Equal(5, rrf.Count);
        Assert.Equal((1.0 / 61) + (1.0 / 61), rrf[0].Score, 6);   // d0 is first in both lists

        // Filters restrict without changing scores.
        var even = index.Search(query, new SpladeSearchOptions { Top = 20, FilterQuery = new TermQuery(new Term("group", "even")) });
        Assert.Equal(splade.Where(p => int.Parse(p.Key[1..], CultureInfo.InvariantCulture) % 2 == 0).OrderBy(p => p.Key), even.Select(h => new KeyValuePair<string, float>(h.Id, h.Score)).OrderBy(p => p.Key));
        var filtered = index.Search(query, new SpladeSearchOptions { Mode = SpladeSearchMode.Hybrid, Top = 20, Filter = new QueryWrapperFilter(new TermQuery(new Term("group", "odd"))) });
        Assert.All(filtered, h => Assert.Equal("odd", h.Fields["group"]));

        // Upsert replaces by id; delete removes.
        index.Upsert(new SpladeDocument("d0", "Metformin is the first-line treatment for type 2 diabetes."));
        Assert.Equal(20, index.Count);
        var d0 = index.Search("metformin diabetes", new SpladeSearchOptions { Top = 20 }).Single(h => h.Id == "d0");
        Assert.DoesNotContain("group", d0.Fields.Keys);
        Assert.StartsWith("Metformin", d0.Fields["text"], StringComparison.Ordinal);
        index.Delete("d1");
        index.Delete(["d2", "nosuchid"]);
        Assert.Equal(18, index.Count);
        Assert.DoesNotContain(index.Search(query, new SpladeSearchOptions { Top = 20 }), h => h.Id is "d1" or "d2");
    }

    [Fact]
    public void CreateOpenAndMisuseAreRefusedClearly()
    {
        using (var index = SpladeIndex.Create(_folder, _model.Encoder))
        {
            index.Add(Documents().Take(3));
        }   // disposing commits
        Assert.Throws<ArgumentException>(() => SpladeIndex.Create(_folder, _model.Encoder));
        var e = Assert.Throws<SpladeIndexMismatchException>(() => SpladeIndex.Open(_folder, _model.Encoder, new SpladeIndexOptions { Splade = new SpladeFieldOptions { Scale = 50 } }));
        Assert.Contains("scale=100", e.Message, StringComparison.Ordinal);
        using (var index = SpladeIndex.Open(_folder, _model.Encoder))
        {
            Assert.Equal(3, index.Count);
            Assert.Throws<ArgumentException>(() => index.Add(new SpladeDocument("x", "y", new Dictionary<string, string> { ["splade"] = "z" })));
            Assert.Throws<ArgumentException>(() => index.Commit(new Dictionary<string, string> { [SpladeIndexSettings.KeyFor("splade", SpladeIndexSettings.StorageModeKey)] = "Payload" }));
            Assert.Throws<ArgumentException>(() => index.Search("x", new SpladeSearchOptions { Top = 0 }));
        }
        Assert.Throws<ArgumentException>(() => SpladeIndex.Open(Path.Combine(_folder, "missing"), _model.Encoder));
    }

    [Fact]
    public async Task SearchesRunConcurrentlyWithAWriterAndSeeItsWrites()
    {
        int seed = Environment.TickCount;
        _output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        using var dir = new RAMDirectory();
        using var index = SpladeIndex.Create(dir, _model.Encoder, new SpladeIndexOptions { BatchSize = 4 });
        const int Rounds = 10;
        using var done = new CancellationTokenSource();
        var errors = new List<Exception>();
        var searchers = Enumerable.Range(0, 3).Select(t => Task.Run(() =>
        {
            int last = 0;
            while (!done.IsCancellationRequested)
            {
                try
                {
                    int before = index.Count;
                    Assert.True(before >= last, $"count went back from {last} to {before}");
                    last = before;
                    var hits = index.Search(_model.QueryTexts[t], new SpladeSearchOptions { Top = 5, Mode = (SpladeSearchMode)(t % 3) });
                    Assert.All(hits, h => Assert.StartsWith("r", h.Id, StringComparison.Ordinal));
                }
                catch (Exception e)
                {
                    lock (errors)
                    {
                        errors.Add(e);
                    }
                    return;
                }
            }
        })).ToArray();
        int total = 0;
        for (int r = 0; r < Rounds; r++)
        {
            int n = random.Next(1, 10);
            int text = random.Next(20);
            index.Add(Enumerable.Range(0, n).Select(i => new SpladeDocument($"r{r}-{i}", _model.DocumentTexts[text])));
            total += n;
            // A write is visible to the next search.
            Assert.Equal(total, index.Count);
            Assert.Contains(index.Search(_model.DocumentTexts[text], new SpladeSearchOptions { Top = 1000 }), h => h.Id.StartsWith($"r{r}-", StringComparison.Ordinal));
            if (r % 3 == 0)
            {
                index.Commit();
            }
        }
        done.Cancel();
        await Task.WhenAll(searchers);
        Assert.Empty(errors);
    }
}
