namespace Splade.Encoder.Tests;

public sealed class SparseVectorTests
{
    private static SparseVector V(params (int Id, float Weight)[] entries) =>
        SparseVector.Create(entries.Select(e => e.Id).ToArray(), entries.Select(e => e.Weight).ToArray());

    private static readonly Vocabulary Letters = Vocabulary.Create(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);

    [Fact]
    public void Create_SortsUnsortedInputKeepingWeightsWithTheirIds()
    {
        var v = SparseVector.Create([7, 2, 5], [0.7f, 0.2f, 0.5f]);
        Assert.Equal([2, 5, 7], v.Indices.ToArray());
        Assert.Equal([0.2f, 0.5f, 0.7f], v.Values.ToArray());
        Assert.Equal(3, v.Count);
    }

    [Fact]
    public void Create_DropsZeroWeights()
    {
        var v = SparseVector.Create([4, 1, 9, 3], [0f, 1.5f, -0f, 2f]);
        Assert.Equal([1, 3], v.Indices.ToArray());
        Assert.Equal([1.5f, 2f], v.Values.ToArray());
    }

    [Fact]
    public void Create_KeepsNegativeWeights()
    {
        var v = SparseVector.Create([1], [-2f]);
        Assert.Equal(-2f, v[1]);
    }

    [Fact]
    public void Create_DoesNotAliasTheCallersArrays()
    {
        int[] ids = [3, 1];
        float[] weights = [3f, 1f];
        var v = SparseVector.Create(ids, weights);
        ids[0] = 100;
        weights[0] = 100f;
        Assert.Equal([1, 3], v.Indices.ToArray());
        Assert.Equal([1f, 3f], v.Values.ToArray());
    }

    [Fact]
    public void Create_DuplicateId_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => SparseVector.Create([5, 2, 5], [1f, 1f, 2f]));
        Assert.Contains("5", e.Message);
        Assert.Contains("more than once", e.Message);
        Assert.Equal("indices", e.ParamName);
    }

    [Fact]
    public void Create_DuplicateIdWithZeroWeight_StillThrows()
    {
        // The input is malformed whatever the weights; dropping zeros must not hide it.
        Assert.Throws<ArgumentException>(() => SparseVector.Create([5, 5], [0f, 1f]));
    }

    [Fact]
    public void Create_NegativeId_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => SparseVector.Create([3, -4], [1f, 1f]));
        Assert.Contains("-4", e.Message);
        Assert.Contains("negative", e.Message);
        Assert.Equal("indices", e.ParamName);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Create_NonFiniteWeight_Throws(float weight)
    {
        var e = Assert.Throws<ArgumentException>(() => SparseVector.Create([1, 8], [1f, weight]));
        Assert.Contains("id 8", e.Message);
        Assert.Contains("finite", e.Message);
        Assert.Equal("values", e.ParamName);
    }

    [Fact]
    public void Create_LengthMismatch_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => SparseVector.Create([1, 2, 3], [1f, 2f]));
        Assert.Contains("3 ids", e.Message);
        Assert.Contains("2 weights", e.Message);
    }

    [Fact]
    public void Create_Empty_IsEmpty()
    {
        var v = SparseVector.Create([], []);
        Assert.Equal(0, v.Count);
        Assert.Equal(SparseVector.Empty, v);
    }

    [Fact]
    public void FromDense_KeepsNonZeroEntriesWithTheirPositions()
    {
        var v = SparseVector.FromDense([0f, 1.5f, 0f, 0f, -2f, 0f, 3f]);
        Assert.Equal([1, 4, 6], v.Indices.ToArray());
        Assert.Equal([1.5f, -2f, 3f], v.Values.ToArray());
        Assert.Equal(0, SparseVector.FromDense([0f, 0f]).Count);
        Assert.Equal(0, SparseVector.FromDense([]).Count);
    }

    [Fact]
    public void Indexer_ReturnsWeightOrZero()
    {
        var v = V((10, 1f), (3, 2f), (500, 3f));
        Assert.Equal(2f, v[3]);
        Assert.Equal(1f, v[10]);
        Assert.Equal(3f, v[500]);
        Assert.Equal(0f, v[0]);
        Assert.Equal(0f, v[4]);
        Assert.Equal(0f, v[501]);
        Assert.Equal(0f, v[-1]);
    }

    [Fact]
    public void Dot_HandComputed()
    {
        var a = V((1, 2f), (3, 0.5f), (7, 4f), (9, 1f));
        var b = V((0, 10f), (3, 2f), (7, -1.5f), (8, 3f));
        // Shared ids 3 and 7: 0.5*2 + 4*(-1.5) = 1 - 6 = -5.
        Assert.Equal(-5f, a.Dot(b));
        Assert.Equal(-5f, b.Dot(a));
        // Self: 4 + 0.25 + 16 + 1.
        Assert.Equal(21.25f, a.Dot(a));
    }

    [Fact]
    public void Dot_DisjointIsZero()
    {
        Assert.Equal(0f, V((1, 2f), (5, 3f)).Dot(V((2, 7f), (6, 1f))));
    }

    [Fact]
    public void Dot_WithEmptyIsZero()
    {
        var a = V((1, 2f));
        Assert.Equal(0f, a.Dot(SparseVector.Empty));
        Assert.Equal(0f, SparseVector.Empty.Dot(a));
        Assert.Equal(0f, SparseVector.Empty.Dot(SparseVector.Empty));
    }

    [Fact]
    public void L2Norm_HandComputed()
    {
        Assert.Equal(5f, V((2, 3f), (9, -4f)).L2Norm());
        Assert.Equal(0f, SparseVector.Empty.L2Norm());
    }

    [Fact]
    public void Normalize_GivesUnitNormSameDirection()
    {
        var v = V((2, 3f), (9, -4f), (11, 12f));
        var n = v.Normalize();
        Assert.Equal(v.Indices.ToArray(), n.Indices.ToArray());
        Assert.Equal(1f, n.L2Norm(), 1e-6f);
        // |v| = 13.
        Assert.Equal([3f / 13, -4f / 13, 12f / 13], n.Values.ToArray());
    }

    [Fact]
    public void Normalize_ZeroVectorUnchanged()
    {
        Assert.Equal(SparseVector.Empty, SparseVector.Empty.Normalize());
        Assert.Equal(0, default(SparseVector).Normalize().Count);
    }

    [Fact]
    public void TopK_KeepsLargestWeightsInIdOrder()
    {
        var v = V((1, 0.5f), (2, 3f), (3, -1f), (4, 2f), (5, 1f));
        var top = v.TopK(3);
        Assert.Equal([2, 4, 5], top.Indices.ToArray());
        Assert.Equal([3f, 2f, 1f], top.Values.ToArray());
    }

    [Fact]
    public void TopK_TiesGoToTheSmallerId()
    {
        var v = V((9, 1f), (4, 1f), (7, 1f), (2, 0.5f), (3, 2f));
        Assert.Equal([3, 4], v.TopK(2).Indices.ToArray());
        Assert.Equal([3, 4, 7], v.TopK(3).Indices.ToArray());
    }

    [Fact]
    public void TopK_ManyTies_StableBySmallerId()
    {
        // Large enough for the sort to take its introsort path rather than insertion sort.
        var ids = Enumerable.Range(0, 200).Reverse().ToArray();
        var weights = ids.Select(i => (float)(i % 3)).ToArray();
        var top = SparseVector.Create(ids, weights).TopK(10);
        Assert.Equal(Enumerable.Range(0, 200).Where(i => i % 3 == 2).Take(10).ToArray(), top.Indices.ToArray());
    }

    [Fact]
    public void TopK_KAtLeastCountReturnsTheSameVector()
    {
        var v = V((1, 1f), (2, 2f));
        Assert.Equal(v, v.TopK(2));
        Assert.Equal(v, v.TopK(1000));
    }

    [Fact]
    public void TopK_ZeroIsEmpty()
    {
        Assert.Equal(0, V((1, 1f), (2, 2f)).TopK(0).Count);
    }

    [Fact]
    public void TopK_NegativeThrows()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => V((1, 1f)).TopK(-1));
        Assert.Equal("k", e.ParamName);
    }

    [Fact]
    public void Prune_DropsWeightsBelowThresholdKeepsEqual()
    {
        var v = V((1, 0.1f), (2, 0.5f), (3, 0.49f), (4, 2f));
        var p = v.Prune(0.5f);
        Assert.Equal([2, 4], p.Indices.ToArray());
        Assert.Equal([0.5f, 2f], p.Values.ToArray());
        Assert.Equal(v, v.Prune(0f));
        Assert.Equal(0, v.Prune(10f).Count);
    }

    [Fact]
    public void Decode_HeaviestFirstTiesById()
    {
        var v = V((3, 1f), (1, 2f), (7, 1f), (0, 0.5f));
        var decoded = v.Decode(Letters);
        Assert.Equal([("b", 2f), ("d", 1f), ("h", 1f), ("a", 0.5f)], decoded);
    }

    [Fact]
    public void Decode_TopK()
    {
        var v = V((3, 1f), (1, 2f), (7, 1f), (0, 0.5f));
        Assert.Equal([("b", 2f), ("d", 1f)], v.Decode(Letters, 2));
        Assert.Empty(v.Decode(Letters, 0));
        Assert.Equal(4, v.Decode(Letters, 100).Count);
    }

    [Fact]
    public void Decode_NegativeTopK_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => V((1, 1f)).Decode(Letters, -1));
        Assert.Equal("topK", e.ParamName);
    }

    [Fact]
    public void Decode_IdOutsideVocabulary_ThrowsNamingTheId()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => V((12, 1f)).Decode(Letters));
        Assert.Contains("12", e.Message);
    }

    [Fact]
    public void Equality_ComparesIdsAndWeights()
    {
        var a = V((1, 1f), (2, 2f));
        var b = SparseVector.Create([2, 1], [2f, 1f]);
        var differentWeight = V((1, 1f), (2, 2.5f));
        var differentId = V((1, 1f), (3, 2f));
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != differentWeight);
        Assert.True(a != differentId);
        Assert.False(a.Equals("not a vector"));
        Assert.False(a.Equals(null));
    }

    [Fact]
    public void ToString_ShowsUpToTenEntriesInvariantCulture()
    {
        Assert.Equal("{}", SparseVector.Empty.ToString());
        Assert.Equal("{1:0.5, 20:2}", V((20, 2f), (1, 0.5f)).ToString());
        var many = SparseVector.Create(Enumerable.Range(0, 12).ToArray(), Enumerable.Repeat(1.25f, 12).ToArray());
        Assert.Equal("{0:1.25, 1:1.25, 2:1.25, 3:1.25, 4:1.25, 5:1.25, 6:1.25, 7:1.25, 8:1.25, 9:1.25, ... (12 entries)}", many.ToString());
    }

    [Fact]
    public void ToString_IgnoresCurrentCulture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("{1:0.5}", V((1, 0.5f)).ToString());
        }
        catch (System.Globalization.CultureNotFoundException)
        {
            // Invariant-globalization runs have no de-DE; the other test covers the format.
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Default_BehavesAsEmpty()
    {
        SparseVector d = default;
        var other = V((1, 2f));
        Assert.Equal(0, d.Count);
        Assert.True(d.Indices.IsEmpty);
        Assert.True(d.Values.IsEmpty);
        Assert.Equal(0f, d[0]);
        Assert.Equal(0f, d[5]);
        Assert.Equal(0f, d.Dot(other));
        Assert.Equal(0f, other.Dot(d));
        Assert.Equal(0f, d.L2Norm());
        Assert.Equal(0, d.TopK(0).Count);
        Assert.Equal(0, d.TopK(3).Count);
        Assert.Equal(0, d.Prune(0.5f).Count);
        Assert.Empty(d.Decode(Letters));
        Assert.Empty(d.Decode(Letters, 2));
        Assert.Equal("{}", d.ToString());
        Assert.True(d == SparseVector.Empty);
        Assert.Equal(SparseVector.Empty.GetHashCode(), d.GetHashCode());
        Assert.False(d == other);
    }
}
