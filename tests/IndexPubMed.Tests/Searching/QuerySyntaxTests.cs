using IndexPubMed.Searching;

namespace IndexPubMed.Tests.Searching;

public sealed class QuerySyntaxTests
{
    [Theory]
    [InlineData("title:aspirin", true)]
    [InlineData("aspirin AND year:2020", true)]
    [InlineData("splade:\"heart attack prevention\"", true)]
    [InlineData("(mesh:Humans OR mesh:Mice)", true)]
    [InlineData("+title:aspirin -year:2019", true)]
    [InlineData("aspirin OR ibuprofen", true)]
    [InlineData("aspirin && ibuprofen", true)]
    [InlineData("aspirin for heart attack prevention", false)]
    [InlineData("Aspirin: a review", false)]
    [InlineData("Title: the effect of aspirin?", false)]
    [InlineData("COVID-19: what \"we\" know (so far)", false)]
    [InlineData("subtitle:aspirin", false)]
    [InlineData("operating room or ward", false)]
    [InlineData("ANDROID and ORACLE", false)]
    public void LooksLikeSyntax_FollowsTheDocumentedRule(string text, bool expected) =>
        Assert.Equal(expected, QuerySyntax.LooksLikeSyntax(text));

    [Fact]
    public void SyntaxMode_OverridesTheRule()
    {
        Assert.True(QuerySyntax.ShouldParse("plain words", SyntaxMode.On));
        Assert.False(QuerySyntax.ShouldParse("title:aspirin", SyntaxMode.Off));
        Assert.True(QuerySyntax.ShouldParse("title:aspirin", SyntaxMode.Auto));
    }
}
