using System.IO.Compression;
using System.Text;

namespace IndexPubMed.Tests.Input;

/// <summary>A temporary folder deleted with the test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pubmed-input-" + Guid.NewGuid().ToString("N"));

    public string Write(string name, string content)
    {
        string file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content, new UTF8Encoding(false));
        return file;
    }

    public string WriteGzip(string name, string content)
    {
        string file = System.IO.Path.Combine(Path, name);
        using var gz = new GZipStream(File.Create(file), CompressionLevel.Fastest);
        gz.Write(Encoding.UTF8.GetBytes(content));
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static string Fixture(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures", "pubmed-xml", name);

    public static string ReadFixtureText(string name)
    {
        using var file = File.OpenRead(Fixture(name));
        Stream s = name.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(s, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
