using System.Globalization;

namespace IndexPubMed.Indexing;

/// <summary>
/// How far an indexing run got, kept in the index's commit user data so that it is exactly as durable
/// as the documents: after a crash the index reopens at its last commit, and so does this record.
/// </summary>
internal sealed class IndexProgress
{
    private const string DoneKey = "indexpubmed.done_files";
    private const string CurrentKey = "indexpubmed.current_file";
    private const string CurrentItemsKey = "indexpubmed.current_items";

    private readonly HashSet<string> _done;

    private IndexProgress(HashSet<string> done, string? current, long currentItems)
    {
        _done = done;
        CurrentFile = current;
        CurrentItems = currentItems;
    }

    /// <summary>The file being indexed at the last commit, if it was not finished.</summary>
    public string? CurrentFile { get; private set; }

    /// <summary>Items (records and deletion blocks) of <see cref="CurrentFile"/> applied at the last commit.</summary>
    public long CurrentItems { get; private set; }

    public int DoneCount => _done.Count;

    /// <summary>
    /// A file's identity: its name, size and the SHA-256 of its content (first 128 bits), so that a different
    /// file with the same name and size (a re-downloaded or corrected file) is indexed, not skipped as done.
    /// Reading errors give a key that never matches a done file; the reader then reports the error itself.
    /// </summary>
    public static string KeyOf(string path)
    {
        string name = Path.GetFileName(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            byte[] hash = System.Security.Cryptography.SHA256.HashData(stream);
            return FormattableString.Invariant($"{name}|{stream.Length}|sha256:{Convert.ToHexStringLower(hash, 0, 16)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FormattableString.Invariant($"{name}|unreadable:{Guid.NewGuid():N}");
        }
    }

    /// <summary>The size of <paramref name="path"/> in bytes, 0 when it cannot be read.</summary>
    public static long SizeOf(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public static IndexProgress Read(IDictionary<string, string>? userData)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        long items = 0;
        if (userData is not null)
        {
            if (userData.TryGetValue(DoneKey, out var list))
            {
                done.UnionWith(list.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
            if (userData.TryGetValue(CurrentKey, out var c) && c.Length > 0)
            {
                current = c;
                items = userData.TryGetValue(CurrentItemsKey, out var n) ? long.Parse(n, CultureInfo.InvariantCulture) : 0;
            }
        }
        return new IndexProgress(done, current, items);
    }

    public bool IsDone(string key) => _done.Contains(key);

    /// <summary>Items of <paramref name="key"/> already applied (0 unless it was the unfinished file).</summary>
    public long ItemsApplied(string key) => CurrentFile == key ? CurrentItems : 0;

    public void MarkPartial(string key, long items)
    {
        CurrentFile = key;
        CurrentItems = items;
    }

    public void MarkDone(string key)
    {
        _done.Add(key);
        CurrentFile = null;
        CurrentItems = 0;
    }

    /// <summary>Writes this record into <paramref name="userData"/>, leaving other keys alone.</summary>
    public void WriteTo(IDictionary<string, string> userData)
    {
        userData[DoneKey] = string.Join('\n', _done.Order(StringComparer.Ordinal));
        userData[CurrentKey] = CurrentFile ?? "";
        userData[CurrentItemsKey] = CurrentItems.ToString(CultureInfo.InvariantCulture);
    }
}
