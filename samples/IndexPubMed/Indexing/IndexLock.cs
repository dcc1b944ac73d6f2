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

    /// <summary>
    /// Takes the lock, or throws <see cref="IndexRefusedException"/> saying why not: another process holds it, or the
    /// folder or lock file cannot be created or written (read-only file system, no permission, disk full).
    /// </summary>
    public static IndexLock Acquire(string indexDirectory)
    {
        try
        {
            System.IO.Directory.CreateDirectory(indexDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IndexRefusedException($"cannot create the index folder {indexDirectory}: {e.Message}", e);
        }
        string path = Path.Combine(indexDirectory, FileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (HeldByAnother(e))
            {
                throw new IndexRefusedException($"the index {indexDirectory} is in use by another process (lock file {path}); wait for it to finish.", e);
            }
            throw new IndexRefusedException($"cannot create the lock file {path} (read-only file system, no permission or no space?): {e.Message}", e);
        }
        try
        {
            stream.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            stream.Write(pid);
            stream.Flush();
            return new IndexLock(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream.Dispose();
            throw new IndexRefusedException($"cannot write the lock file {path} (disk full?): {e.Message}", e);
        }
    }

    // The lock is held by another process: on Unix .NET reports flock's EWOULDBLOCK (errno 11 on Linux, 35 on macOS)
    // as the HResult; on Windows a sharing or lock violation. A read-only file system (EROFS), a missing permission
    // or a full disk (ENOSPC) give other codes and are reported as what they are.
    private static bool HeldByAnother(Exception e) => e is IOException && e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    public void Dispose() => _stream.Dispose();
}
