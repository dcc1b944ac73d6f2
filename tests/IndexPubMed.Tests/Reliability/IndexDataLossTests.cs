using System.Text;
using IndexPubMed.Indexing;
using IndexPubMed.Input;
using IndexPubMed.Tests.Input;
using IndexPubMed.Tests.Support;
using Splade.Encoder;
using Splade.Lucene.Index;

namespace IndexPubMed.Tests.Reliability;

/// <summary>Regression tests of issue 9's data-loss items in <c>index</c> (each reproduces the reported failure).</summary>
public sealed class IndexDataLossTests : IDisposable
{
    private static readonly string Model = IndexPubMed.Tests.Commands.Cli.ModelDir;

    private readonly TempDir _temp = new();

    private string IndexDir => Path.Combine(_temp.Path, "index");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void NoSpladeOnAnIndexWithASpladeFieldIsRefusedAsASettingsMismatch()
    {
        string first = _temp.Write("a.jsonl", Doc("1", "aspirin and the heart") + Doc("2", "statins lower cholesterol"));
        string second = _temp.Write("b.jsonl", Doc("3", "beta blockers after infarction"));
        Assert.Equal(0, InProcessCli.Run("index", "--index", IndexDir, "--model", Model, "--quiet", first).Exit);

        var refused = InProcessCli.Run("index", "--index", IndexDir, "--no-splade", "--quiet", second);

        Assert.Equal(2, refused.Exit);
        Assert.Contains("--no-splade", refused.Error);
        Assert.Equal(["1", "2"], IndexContents.Read(IndexDir).Keys.Order());
        Assert.Equal(2, IndexContents.WithSplade(IndexDir));
    }

    [Fact]
    public void ADifferentFileWithTheSameNameAndSizeIsIndexed()
    {
        string file = _temp.Write("docs.jsonl", Doc("1", "aaaa bbbb"));
        Assert.Equal(0, InProcessCli.Run("index", "--index", IndexDir, "--no-splade", "--quiet", file).Exit);
        long size = new FileInfo(file).Length;
        File.WriteAllText(file, Doc("2", "cccc dddd"), new UTF8Encoding(false));
        Assert.Equal(size, new FileInfo(file).Length);

        Assert.Equal(0, InProcessCli.Run("index", "--index", IndexDir, "--no-splade", "--quiet", file).Exit);

        Assert.Equal(["1", "2"], IndexContents.Read(IndexDir).Keys.Order());
        // The same content again is still skipped: the run is idempotent.
        var again = InProcessCli.Run("index", "--index", IndexDir, "--no-splade", file);
        Assert.Equal(0, again.Exit);
        Assert.Contains("already indexed", again.Error);
    }

    [Fact]
    public void AnExtremeVectorWeightRejectsThatRecordWithItsLineAndTheRestIsIndexed()
    {
        string vectors = _temp.Write("vectors.jsonl",
            "{\"id\": \"a\", \"vector\": {\"heart\": 1.5}}\n" +
            "{\"id\": \"b\", \"vector\": {\"heart\": 2e7}}\n" +
            "{\"id\": \"c\", \"vector\": {\"heart\": -1}}\n" +
            "{\"id\": \"d\", \"vector\": {\"heart\": 655.35, \"attack\": 0.5}}\n");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var run = InProcessCli.Run("index", "--index", IndexDir, "--model", Model, "--quiet", "--vectors", vectors);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Equal(1, run.Exit);
        Assert.Contains($"{vectors}:2: vector of 'b' skipped", run.Error);
        Assert.Contains("65,535", run.Error);
        Assert.Contains($"{vectors}:3: vector of 'c' skipped", run.Error);
        // 655.35 x 100 = 65,535: the largest impact accepted.
        Assert.Equal(["a", "d"], IndexContents.Read(IndexDir).Keys.Order());
    }

    [Theory]
    [InlineData("1e9")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void AnUnusableScaleIsRefusedBeforeAnythingIsWritten(string scale)
    {
        string file = _temp.Write("a.jsonl", Doc("1", "aspirin"));

        var run = InProcessCli.Run("index", "--index", IndexDir, "--model", Model, "--quiet", "--scale", scale, file);

        Assert.Equal(2, run.Exit);
        Assert.Contains("--scale must be", run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.False(Directory.Exists(IndexDir), "the index folder was created");
    }

    [Theory]
    [InlineData("--commit-every", "0")]
    [InlineData("--commit-interval", "0")]
    [InlineData("--commit-interval", "-5")]
    [InlineData("--batch-size", "0")]
    public void UnusableNumbersAreRefusedBeforeAnythingIsWritten(string option, string value)
    {
        string file = _temp.Write("a.jsonl", Doc("1", "aspirin"));

        var run = InProcessCli.Run("index", "--index", IndexDir, "--no-splade", "--quiet", option, value, file);

        Assert.Equal(2, run.Exit);
        Assert.Contains(option, run.Error);
        Assert.False(Directory.Exists(IndexDir));
    }

    [Fact]
    public void SymlinkLoopsAreWalkedOnceWithEachFileIndexedOnce()
    {
        string folder = Path.Combine(_temp.Path, "in");
        _temp.Write("in/a.jsonl", Doc("1", "aspirin"));
        _temp.Write("in/sub/b.jsonl", Doc("2", "statins"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "sub", "up"), "..");            // loop to the parent
        Directory.CreateSymbolicLink(Path.Combine(folder, "sub", "self"), ".");           // loop to itself
        Directory.CreateSymbolicLink(Path.Combine(folder, "again"), Path.Combine(folder, "sub"));
        File.CreateSymbolicLink(Path.Combine(folder, "sub", "c.jsonl"), Path.Combine(folder, "a.jsonl"));

        var errors = new List<InputError>();
        var files = InputFiles.Expand([folder], errors.Add);

        Assert.Empty(errors);
        Assert.Equal(2, files.Count);
        var run = InProcessCli.Run("index", "--index", IndexDir, "--no-splade", "--quiet", folder);
        Assert.Equal(0, run.Exit);
        Assert.Equal(["1", "2"], IndexContents.Read(IndexDir).Keys.Order());
    }

    /// <summary>A FIFO (whose opening blocks until a writer comes) or a link to /dev/zero in an input folder hung the run.</summary>
    [Fact]
    public async Task AFifoOrADeviceInAnInputFolderIsReportedAndSkippedNotRead()
    {
        string folder = Path.Combine(_temp.Path, "in");
        _temp.Write("in/a.jsonl", Doc("1", "aspirin"));
        string fifo = Path.Combine(folder, "pipe.jsonl");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        File.CreateSymbolicLink(Path.Combine(folder, "zero.jsonl"), "/dev/zero");

        var errors = new List<InputError>();
        var files = InputFiles.Expand([folder], errors.Add);
        Assert.Equal([Path.Combine(folder, "a.jsonl")], files.Select(f => f.Path));
        Assert.Equal(2, errors.Count);

        var run = await Task.Run(() => InProcessCli.Run("index", "--index", IndexDir, "--no-splade", "--quiet", folder, fifo)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, run.Exit);
        Assert.Contains("pipe.jsonl: a FIFO (named pipe), not a regular file; skipped", run.Error, StringComparison.Ordinal);
        Assert.Contains("zero.jsonl: a character device, not a regular file; skipped", run.Error, StringComparison.Ordinal);
        Assert.Equal(["1"], IndexContents.Read(IndexDir).Keys);
    }

    [Fact]
    public void ASelfReferencingLinkIsReportedNotFollowedForever()
    {
        string folder = Path.Combine(_temp.Path, "in");
        _temp.Write("in/a.jsonl", Doc("1", "aspirin"));
        File.CreateSymbolicLink(Path.Combine(folder, "loop.jsonl"), Path.Combine(folder, "loop.jsonl"));

        var errors = new List<InputError>();
        var files = InputFiles.Expand([folder], errors.Add);

        Assert.Single(files);
        Assert.Single(errors);
    }

    [Fact]
    public async Task AFullDiskWhileTheModelEncodesStopsThePipelineBeforeTheEncoderIsDisposed()
    {
        string file = _temp.Write("a.jsonl", string.Concat(Enumerable.Range(1, 400).Select(i => Doc(i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"text number {i} about aspirin"))));
        var encoder = new SlowEncoder(Vocabulary.LoadVocabTxt(Path.Combine(Model, "vocab.txt")));
        var options = new PubMedIndexerOptions
        {
            IndexDirectory = IndexDir,
            Encoder = encoder,
            BatchSize = 4,
            CommitEvery = 20,
            Quiet = true,
            BeforeWrite = n =>
            {
                if (n == 50)
                {
                    throw new IOException("No space left on device (injected)");
                }
            },
        };
        var inputs = InputFiles.Expand([file], _ => { });

        var e = await Assert.ThrowsAsync<IOException>(() => new PubMedIndexer(options).RunAsync(inputs, _ => { }));

        Assert.Contains("No space left", e.Message);
        // The caller disposes the encoder right after: nothing may still be inside a model call.
        Assert.Equal(0, encoder.CallsInFlight);
        int callsWhenReturned = encoder.Calls;
        await Task.Delay(200);
        Assert.Equal(callsWhenReturned, encoder.Calls);
        // The index is at its last commit (every 20 records), nothing after.
        var committed = IndexContents.Read(IndexDir);
        Assert.Equal(40, committed.Count);
    }

    [Fact]
    public void ALockFileThatCannotBeCreatedIsNotReportedAsInUse()
    {
        Directory.CreateDirectory(Path.Combine(IndexDir, IndexLock.FileName));   // a folder where the lock file goes
        string file = _temp.Write("a.jsonl", Doc("1", "aspirin"));

        var run = InProcessCli.Run("index", "--index", IndexDir, "--no-splade", "--quiet", file);

        Assert.Equal(2, run.Exit);
        Assert.Contains("cannot create the lock file", run.Error);
        Assert.DoesNotContain("in use", run.Error);
    }

    [Fact]
    public void AnIndexFolderThatCannotBeCreatedIsReportedAsSuch()
    {
        string notAFolder = _temp.Write("file.txt", "x");
        string file = _temp.Write("a.jsonl", Doc("1", "aspirin"));

        var run = InProcessCli.Run("index", "--index", Path.Combine(notAFolder, "index"), "--no-splade", "--quiet", file);

        Assert.Equal(2, run.Exit);
        Assert.Contains("cannot create the index folder", run.Error);
        Assert.DoesNotContain("in use", run.Error);
    }

    [Fact]
    public void ProgressIsCommittedByTimeAsWellAsByCount()
    {
        string file = _temp.Write("a.jsonl", string.Concat(Enumerable.Range(1, 300).Select(i => Doc(i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"text {i}"))));

        // Killed after 250 documents; by count nothing would be committed (--commit-every 1000000), by time much is.
        int exit = CliProcess.Run("index", "--index", IndexDir, "--no-splade", "--quiet", "--commit-every", "1000000", "--commit-interval", "0.001", "--batch-size", "2", "--crash-after", "250", file);

        Assert.NotEqual(0, exit);
        Assert.InRange(IndexContents.Read(IndexDir).Count, 1, 249);
        Assert.Equal(0, InProcessCli.Run("index", "--index", IndexDir, "--no-splade", "--quiet", file).Exit);
        Assert.Equal(300, IndexContents.Read(IndexDir).Count);
    }

    internal static string Doc(string id, string text) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = id, ["title"] = "", ["text"] = text }) + "\n";

    /// <summary>A model stand-in whose calls take a while, and which counts calls still running.</summary>
    private sealed class SlowEncoder(Vocabulary vocabulary) : ISparseEncoder
    {
        private int _inFlight;
        private int _calls;

        public int CallsInFlight => Volatile.Read(ref _inFlight);

        public int Calls => Volatile.Read(ref _calls);

        public Vocabulary Vocabulary => vocabulary;

        public SimilarityFunction SimilarityFunction => SimilarityFunction.Dot;

        public string ModelId => "slow-test-model";

        public SparseVector EncodeQuery(string text) => EncodeDocuments([text])[0];

        public SparseVector EncodeDocument(string text) => EncodeDocuments([text])[0];

        public IReadOnlyList<SparseVector> EncodeQueries(IReadOnlyList<string> texts) => EncodeDocuments(texts);

        public IReadOnlyList<SparseVector> EncodeDocuments(IReadOnlyList<string> texts)
        {
            Interlocked.Increment(ref _inFlight);
            Interlocked.Increment(ref _calls);
            try
            {
                Thread.Sleep(30);
                vocabulary.TryGetId("heart", out int id);
                return texts.Select(_ => SparseVector.Create([id], [1.5f])).ToArray();
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }
}
