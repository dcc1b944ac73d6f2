using Lucene.Net.Index;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Splade.Lucene.Index;

/// <summary>
/// Whether an index folder holds a commit, telling apart the one state a kill can leave that Lucene.NET 4.8 cannot open
/// by itself: a writer killed while writing its <em>first</em> commit leaves a truncated <c>segments_1</c> and no earlier
/// commit to fall back to, which <see cref="DirectoryReader.IndexExists"/> counts as an index but no reader and no
/// appending writer can open ("read past EOF"). Lucene 4.8 writes <c>segments_N</c> in place (later versions write a
/// pending file and rename it); a kill during any later commit leaves the previous <c>segments_N</c>, which readers
/// fall back to.
/// </summary>
public static class IndexCommits
{
    /// <summary>
    /// True when <paramref name="directory"/> holds a commit a reader can open. False when it holds none, or only an
    /// unfinished first commit (a single <c>segments_N</c> file cut short, and no <c>segments.gen</c>, which Lucene 4.8
    /// writes when a commit finishes): nothing was ever committed there, so the index may be created afresh
    /// (<see cref="RemoveUnfinishedFirstCommit"/>, then a writer) and nothing is lost.
    /// </summary>
    /// <param name="directory">The index directory.</param>
    /// <exception cref="IOException">
    /// The index's commit cannot be read and is not an unfinished first commit (a finished commit damaged, say):
    /// Lucene's own exception (<see cref="CorruptIndexException"/>, <see cref="EndOfStreamException"/>, ...), as a reader
    /// would throw it.
    /// </exception>
    public static bool HasCommit(LuceneDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!DirectoryReader.IndexExists(directory))
        {
            return false;
        }
        try
        {
            new SegmentInfos().Read(directory);
            return true;
        }
        catch (EndOfStreamException) when (IsUnfinishedFirstCommit(directory))
        {
            return false;
        }
    }

    /// <summary>
    /// Removes an unfinished first commit (see <see cref="HasCommit"/>) so that a writer can create the index afresh:
    /// Lucene's <c>IndexWriter</c> refuses to open over a <c>segments_N</c> it cannot read, even to create
    /// (<see cref="OpenMode.CREATE"/>). Only its <c>segments_N</c> file is deleted; the new writer removes the other
    /// files, which no commit refers to. Call it before opening a writer on a folder a killed run may have left.
    /// </summary>
    /// <param name="directory">The index directory.</param>
    /// <returns>True when an unfinished first commit was removed; false when there was none (no index, or a commit).</returns>
    /// <exception cref="IOException">As <see cref="HasCommit"/>: a commit that cannot be read and is not an unfinished first one.</exception>
    public static bool RemoveUnfinishedFirstCommit(LuceneDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!DirectoryReader.IndexExists(directory) || HasCommit(directory))
        {
            return false;
        }
        foreach (string name in directory.ListAll().Where(IsSegmentsFile))
        {
            directory.DeleteFile(name);
        }
        return true;
    }

    // Cut short, the only segments_N, and no segments.gen: Lucene 4.8 writes segments.gen when it finishes a commit, so
    // no commit ever finished here. A damaged segments_N of a finished commit (whose corruption could also read past
    // its end) has segments.gen beside it and is reported, never recreated over.
    private static bool IsUnfinishedFirstCommit(LuceneDirectory directory)
    {
        string[] files = directory.ListAll();
        return !files.Contains(IndexFileNames.SEGMENTS_GEN, StringComparer.Ordinal) && files.Count(IsSegmentsFile) == 1;
    }

    private static bool IsSegmentsFile(string name) => name.StartsWith(IndexFileNames.SEGMENTS + "_", StringComparison.Ordinal);
}
