namespace IndexPubMed.Indexing;

/// <summary>
/// An exclusive lock on an index folder that holds across processes. Lucene.NET's own write.lock
/// becomes a shared flock on Linux, so a second process could open a second IndexWriter and corrupt
/// the index; a file opened with <see cref="FileShare.None"/> is an exclusive flock there.
/// </summary>
internal sealed class IndexLock : IDisposable
{
    public const string FileName = "indexpubmed.lock";

    private readonly FileStream _stream;

    private IndexLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock or throws <see cref="IOException"/> saying that another process holds it.</summary>
    public static IndexLock Acquire(string indexDirectory)
    {
        System.IO.Directory.CreateDirectory(indexDirectory);
        string path = Path.Combine(indexDirectory, FileName);
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            stream.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            stream.Write(pid);
            stream.Flush();
            return new IndexLock(stream);
        }
        catch (IOException e)
        {
            throw new IOException($"The index {indexDirectory} is in use by another process (lock file {path}); wait for it to finish.", e);
        }
    }

    public void Dispose() => _stream.Dispose();
}
