using System.Text.RegularExpressions;

namespace Splade.Lucene.Tests.EndToEnd;

/// <summary>
/// Keeps the README's "Library quick start" true: its program is <see cref="QuickStartProgram"/> (compared line by
/// line, indentation aside), and running it with the tiny model prints exactly the README's output block.
/// </summary>
public sealed class QuickStartTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "splade-quickstart-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void TheReadmeProgramIsTheTestedProgramAndPrintsTheReadmeOutput()
    {
        string readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));
        var section = Regex.Match(readme, @"^## Library quick start\n(.*?)(?=^## )", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(section.Success, "README has no '## Library quick start' section");
        var code = Regex.Matches(section.Groups[1].Value, @"^```csharp\n(.*?)^```\n", RegexOptions.Multiline | RegexOptions.Singleline);
        var text = Regex.Matches(section.Groups[1].Value, @"^```text\n(.*?)^```\n", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.Single(code);
        Assert.Single(text);

        string source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "QuickStartProgram.cs"));
        var usings = source.Split('\n').TakeWhile(l => l.StartsWith("using ", StringComparison.Ordinal)).ToList();
        int begin = source.IndexOf("// BEGIN README", StringComparison.Ordinal), end = source.IndexOf("// END README", StringComparison.Ordinal);
        var body = source[begin..end].Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0);
        var expected = usings.Concat(body).ToList();
        var actual = code[0].Groups[1].Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        Assert.Equal(expected, actual);

        var output = new StringWriter { NewLine = "\n" };
        QuickStartProgram.Run([Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-splade"), _folder], output);
        Assert.Equal(text[0].Groups[1].Value, output.ToString());
    }
}
