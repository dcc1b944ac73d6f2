using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Index;

namespace Splade.Lucene.Tests.Index;

/// <summary>
/// <see cref="IndexCommits.HasCommit"/> tells an unfinished first commit (a writer killed while writing segments_1) from
/// an index, so that a rerun can start afresh; it never calls a finished but damaged commit unfinished.
/// </summary>
public sealed class IndexCommitsTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "index-commits-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (System.IO.Directory.Exists(_path))
        {
            System.IO.Directory.Delete(_path, recursive: true);
        }
    }

    [Fact]
    public void NoFolderContentIsNoCommit_AndACommitIsOne()
    {
        using var dir = FSDirectory.Open(_path);
        Assert.False(IndexCommits.HasCommit(dir));
        Commit(dir, OpenMode.CREATE, "a", "b");
        Assert.True(IndexCommits.HasCommit(dir));
        Assert.Throws<ArgumentNullException>(() => IndexCommits.HasCommit(null!));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void AFirstCommitCutShortIsNoCommit_AndCreatingAfreshWorks(int cut)
    {
        using (var dir = FSDirectory.Open(_path))
        {
            Commit(dir, OpenMode.CREATE, "a", "b");
        }
        // What a kill during the first commit leaves: segments_1 cut short (empty, one byte, or half) and no
        // segments.gen, which Lucene 4.8 writes when the commit finishes.
        string segments = Path.Combine(_path, "segments_1");
        long length = new FileInfo(segments).Length;
        using (var file = new FileStream(segments, FileMode.Open))
        {
            file.SetLength(cut switch { 0 => 0, 1 => 1, _ => length / 2 });
        }
        File.Delete(Path.Combine(_path, IndexFileNames.SEGMENTS_GEN));
        using (var dir = FSDirectory.Open(_path))
        {
            Assert.True(DirectoryReader.IndexExists(dir), "Lucene counts the folder as an index");
            Assert.ThrowsAny<IOException>(() => DirectoryReader.Open(dir).Dispose());
            Assert.False(IndexCommits.HasCommit(dir));
            // Lucene's writer cannot even create over it ...
            Assert.ThrowsAny<IOException>(() => Commit(dir, OpenMode.CREATE_OR_APPEND, "c"));
            // ... so the CLI removes it first: a new index over it (the unfinished commit's other files are removed),
            // which opens.
            Assert.True(IndexCommits.RemoveUnfinishedFirstCommit(dir));
            Assert.False(IndexCommits.RemoveUnfinishedFirstCommit(dir));
            Commit(dir, OpenMode.CREATE_OR_APPEND, "c");
            Assert.False(IndexCommits.RemoveUnfinishedFirstCommit(dir));
            Assert.True(IndexCommits.HasCommit(dir));
            using var reader = DirectoryReader.Open(dir);
            Assert.Equal(1, reader.NumDocs);
            Assert.Equal("c", reader.Document(0).Get("id"));
        }
    }

    [Fact]
    public void ALaterCommitCutShortFallsBackToThePreviousOne()
    {
        using (var dir = FSDirectory.Open(_path))
        {
            Commit(dir, OpenMode.CREATE, "a");
        }
        // What a kill while writing the second commit leaves: segments_1 (deleted only once segments_2 is finished)
        // beside a segments_2 cut short.
        string first = Path.Combine(_path, "segments_1");
        byte[] kept = File.ReadAllBytes(first);
        using (var dir = FSDirectory.Open(_path))
        {
            Commit(dir, OpenMode.APPEND, "b");
        }
        File.WriteAllBytes(first, kept);
        string second = Path.Combine(_path, "segments_2");
        using (var file = new FileStream(second, FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }
        using var reopened = FSDirectory.Open(_path);
        Assert.True(IndexCommits.HasCommit(reopened));
        using var reader = DirectoryReader.Open(reopened);
        Assert.Equal("segments_1", reader.IndexCommit.SegmentsFileName);
        Assert.Equal(1, reader.NumDocs);
    }

    [Fact]
    public void AFinishedCommitDamagedIsReportedNotCalledUnfinished()
    {
        using (var dir = FSDirectory.Open(_path))
        {
            Commit(dir, OpenMode.CREATE, "a", "b");
        }
        // segments.gen says a commit finished: a segments_1 cut short now is damage, which must not be created over.
        string segments = Path.Combine(_path, "segments_1");
        using (var file = new FileStream(segments, FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }
        using var damaged = FSDirectory.Open(_path);
        Assert.ThrowsAny<IOException>(() => IndexCommits.HasCommit(damaged));
        Assert.ThrowsAny<IOException>(() => IndexCommits.RemoveUnfinishedFirstCommit(damaged));
        Assert.True(File.Exists(segments), "a damaged finished commit is left for the user to look at");
    }

    private static void Commit(global::Lucene.Net.Store.Directory dir, OpenMode mode, params string[] ids)
    {
        using var writer = new IndexWriter(dir, Config(mode));
        foreach (string id in ids)
        {
            writer.AddDocument(new Document { new StringField("id", id, Field.Store.YES) });
        }
        writer.Commit();
    }

    private static IndexWriterConfig Config(OpenMode mode) =>
        new(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48)) { OpenMode = mode };
}
