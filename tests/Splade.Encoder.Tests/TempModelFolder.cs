using System.Text.Json.Nodes;

namespace Splade.Encoder.Tests;

/// <summary>
/// A throw-away copy of the tiny-splade folder that a test may edit; deleted on Dispose.
/// golden.json and model_pooled.onnx are left out unless asked for, to keep the copy small.
/// </summary>
public sealed class TempModelFolder : IDisposable
{
    private TempModelFolder(string directory) => Directory = directory;

    /// <summary>The copy.</summary>
    public string Directory { get; }

    /// <summary>An empty temporary folder.</summary>
    public static TempModelFolder Empty()
    {
        string dir = Path.Combine(Path.GetTempPath(), "splade-enc-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        return new TempModelFolder(dir);
    }

    /// <summary>A copy of the fixture; <paramref name="only"/> restricts it to the named files.</summary>
    public static TempModelFolder CopyOfFixture(bool withPooledModel = false, params string[] only)
    {
        var folder = Empty();
        foreach (string source in System.IO.Directory.EnumerateFiles(TinySplade.Directory, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(TinySplade.Directory, source);
            bool wanted = only.Length > 0
                ? only.Contains(relative.Replace('\\', '/'))
                : relative != "golden.json" && (withPooledModel || relative != "model_pooled.onnx");
            if (wanted)
            {
                string target = Path.Combine(folder.Directory, relative);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target);
            }
        }
        return folder;
    }

    /// <summary>Path of a file in the copy.</summary>
    public string PathOf(string relative) => Path.Combine(Directory, relative);

    /// <summary>Writes a file of the copy (creating its folder).</summary>
    public string Write(string relative, string text)
    {
        string path = PathOf(relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Changes a JSON object file of the copy (created as {} when missing).</summary>
    public string EditJson(string relative, Action<JsonObject> edit)
    {
        string path = PathOf(relative);
        var root = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))!.AsObject() : new JsonObject();
        edit(root);
        return Write(relative, root.ToJsonString());
    }

    public void Delete(string relative) => File.Delete(PathOf(relative));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a session must not fail the test; the OS temp cleaner gets it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
