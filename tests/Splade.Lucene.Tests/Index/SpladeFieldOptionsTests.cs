using Splade.Lucene.Index;

namespace Splade.Lucene.Tests.Index;

public sealed class SpladeFieldOptionsTests
{
    [Fact]
    public void DefaultsAreAnserinis()
    {
        var options = new SpladeFieldOptions();
        options.Validate();
        Assert.Equal("splade", options.FieldName);
        Assert.Equal(100f, options.Scale);
        Assert.Equal(SpladeStorageMode.TermFrequency, options.StorageMode);
        Assert.Equal(InvalidEntryHandling.Throw, options.InvalidEntries);
        Assert.Null(options.MaxTerms);
    }

    [Theory]
    [InlineData(nameof(SpladeFieldOptions.FieldName))]
    [InlineData(nameof(SpladeFieldOptions.Scale))]
    [InlineData(nameof(SpladeFieldOptions.MaxTerms))]
    [InlineData(nameof(SpladeFieldOptions.StorageMode))]
    [InlineData(nameof(SpladeFieldOptions.InvalidEntries))]
    public void ValidateNamesTheBadProperty(string property)
    {
        var options = new SpladeFieldOptions();
        switch (property)
        {
            case nameof(SpladeFieldOptions.FieldName): options.FieldName = " "; break;
            case nameof(SpladeFieldOptions.Scale): options.Scale = float.NaN; break;
            case nameof(SpladeFieldOptions.MaxTerms): options.MaxTerms = 0; break;
            case nameof(SpladeFieldOptions.StorageMode): options.StorageMode = (SpladeStorageMode)9; break;
            default: options.InvalidEntries = (InvalidEntryHandling)9; break;
        }
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(property, e.ParamName);
        Assert.Contains(property, e.Message, StringComparison.Ordinal);
    }
}
