using System.IO.Compression;
using System.Text;

namespace IndexPubMed.Commands;

/// <summary>Opens text files that may be gzip-compressed, telling them apart by content, not name.</summary>
internal static class TextFiles
{
    public static Stream Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        int n = file.Read(magic);
        file.Position = 0;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    public static StreamReader OpenText(string path) => new(Open(path), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
}
