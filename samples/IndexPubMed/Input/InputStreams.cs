using System.IO.Compression;

namespace IndexPubMed.Input;

/// <summary>Opens input files, transparently decompressing gzip whatever the file is called.</summary>
internal static class InputStreams
{
    private const int BufferSize = 1 << 16;

    /// <summary>
    /// Opens <paramref name="path"/> for sequential reading; gzip is detected by its magic bytes
    /// (1f 8b) because files get renamed and NLM's own names are not a promise.
    /// </summary>
    public static Stream Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            int n = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            {
                // .NET's GZipStream reads concatenated members, as produced by `cat a.gz b.gz`.
                return new BufferedStream(new GZipStream(file, CompressionMode.Decompress), BufferSize);
            }
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>True when reading failed because of the data (corrupt gzip) or the disk, not a bug.</summary>
    public static bool IsDataOrIoError(Exception e) => e is IOException or InvalidDataException or UnauthorizedAccessException;
}
