using System.Globalization;
using System.Text;

namespace IndexPubMed.Input;

/// <summary>
/// Share <see cref="Index"/> of <see cref="Count"/> of the records (<c>encode --shard K/N</c>, K from 0 to
/// N - 1): a record belongs to shard FNV-1a-64(UTF-8 of its id) mod N. The hash depends on the id alone
/// (not on the file, its order, the process or the machine, unlike <see cref="string.GetHashCode()"/>),
/// so N jobs given the same inputs encode every record exactly once between them.
/// </summary>
internal readonly record struct RecordShard(int Index, int Count)
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>Everything (one shard of one).</summary>
    public static RecordShard All => new(0, 1);

    /// <summary>Whether the record with <paramref name="id"/> is in this shard.</summary>
    public bool Contains(string id) => Count == 1 || (int)(Hash(id) % (ulong)Count) == Index;

    /// <summary>The shard index of <paramref name="id"/> among <paramref name="count"/>.</summary>
    public static int Of(string id, int count) => (int)(Hash(id) % (ulong)count);

    /// <summary>64-bit FNV-1a of the UTF-8 bytes of <paramref name="id"/>.</summary>
    public static ulong Hash(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        Span<byte> stack = stackalloc byte[256];
        int max = Encoding.UTF8.GetMaxByteCount(id.Length);
        byte[]? heap = max > stack.Length ? new byte[max] : null;
        var bytes = heap ?? stack;
        int n = Encoding.UTF8.GetBytes(id, bytes);
        ulong h = FnvOffset;
        foreach (byte b in bytes[..n])
        {
            h = (h ^ b) * FnvPrime;
        }
        return h;
    }

    /// <summary>Parses <c>K/N</c> with 0 &lt;= K &lt; N.</summary>
    public static bool TryParse(string? text, out RecordShard shard, out string error)
    {
        shard = All;
        error = "";
        var parts = (text ?? "").Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            error = $"--shard must be K/N (for example 0/4), not '{text}'.";
            return false;
        }
        if (n < 1 || k >= n)
        {
            error = $"--shard {text}: N must be at least 1 and K between 0 and N - 1 (shards are numbered from 0, like JOB_COMPLETION_INDEX).";
            return false;
        }
        shard = new RecordShard(k, n);
        return true;
    }

    /// <summary><c>K/N</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
