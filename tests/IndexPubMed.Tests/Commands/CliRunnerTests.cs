using IndexPubMed.Commands;

namespace IndexPubMed.Tests.Commands;

/// <summary>
/// Every command refuses a bad command line the same way (issue 8): exit code 2 and a one-line message that
/// names the option, never its value alone, and nothing on stdout.
/// </summary>
public sealed class CliRunnerTests
{
    [Theory]
    [InlineData("index", "--bogus")]
    [InlineData("search", "--bogus")]
    [InlineData("eval", "--bogus")]
    [InlineData("reindex", "--bogus")]
    [InlineData("stats", "--bogus")]
    [InlineData("encode", "--bogus")]
    public void AnUnknownOptionIsNamedAndGivesExit2(string command, string option)
    {
        var (exit, output, error) = Cli.Run(command, option, "value-after-it");

        Assert.Equal(2, exit);
        Assert.Contains($"{command}: unknown option {option}", error);
        Assert.DoesNotContain("'value-after-it'", error);
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData("index --index /tmp/x --storage nonsense in.xml", "--storage")]
    [InlineData("reindex --index /tmp/x --model /tmp/m --storage nonsense", "--storage")]
    [InlineData("search --index /tmp/x --mode tf q", "--mode")]
    [InlineData("search --index /tmp/x --depth many q", "--depth")]
    [InlineData("search --index /tmp/x --ties random q", "--ties")]
    [InlineData("eval --run r.trec", "--qrels")]
    [InlineData("encode --model /tmp/m --input x --format xml", "--format")]
    public void ABadOrMissingValueNamesTheOptionAndGivesExit2(string commandLine, string option)
    {
        var (exit, output, error) = Cli.Run(commandLine.Split(' '));

        Assert.Equal(2, exit);
        Assert.Contains(option, error);
        Assert.Equal("", output);
    }

    [Fact]
    public void AnUnknownCommandIsNamed()
    {
        var (exit, _, error) = Cli.Run("frobnicate");
        Assert.Equal(2, exit);
        Assert.Contains("unknown command frobnicate", error);
    }

    [Fact]
    public void HelpStillWorksAndExits0()
    {
        var (exit, output, _) = Cli.Run("search", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("--ties", output);
        Assert.DoesNotContain("--scale", output);
        Assert.Equal(CliRunner.Refused, Cli.Run("index").Exit);
    }
}
