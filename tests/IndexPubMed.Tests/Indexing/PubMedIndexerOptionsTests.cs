using IndexPubMed.Indexing;
using IndexPubMed.Input;

namespace IndexPubMed.Tests.Indexing;

/// <summary>How often <c>index</c> commits when <c>--commit-every</c> is not given, by kind of input.</summary>
public sealed class PubMedIndexerOptionsTests
{
    [Fact]
    public void CommitEveryDefaultsTo10000TextRecordsAnd100000Vectors_AndAGivenValueWinsForBoth()
    {
        var defaults = new PubMedIndexerOptions { IndexDirectory = "unused" };
        Assert.Equal(10_000, defaults.CommitEveryFor(InputKind.PubMedXml));
        Assert.Equal(10_000, defaults.CommitEveryFor(InputKind.Documents));
        Assert.Equal(100_000, defaults.CommitEveryFor(InputKind.Vectors));
        var given = new PubMedIndexerOptions { IndexDirectory = "unused", CommitEvery = 7 };
        Assert.Equal(7, given.CommitEveryFor(InputKind.PubMedXml));
        Assert.Equal(7, given.CommitEveryFor(InputKind.Vectors));
    }
}
