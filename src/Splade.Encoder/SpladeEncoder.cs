using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Splade.Encoder.Onnx;
using Splade.Encoder.Pooling;
using Splade.Encoder.Tokenization;

namespace Splade.Encoder;

/// <summary>
/// Encodes text into SPLADE sparse vectors with a model exported to ONNX, giving the vectors that
/// sentence-transformers' <c>SparseEncoder</c> gives: w_j = pool over tokens i of f(logit_ij), with
/// f(x) = log(1 + relu(x)) and max pooling for SPLADE v2+ models. One instance is safe for
/// concurrent use by many threads; dispose it to free the ONNX Runtime session.
/// </summary>
public sealed class SpladeEncoder : ISparseEncoder, IDisposable
{
    private const string PooledOutputName = "sparse_vector";

    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly bool _hasTokenTypes;
    private readonly string _outputName;
    private readonly bool _outputIsPooled;
    private readonly int _maxLength;
    private readonly int _batchSize;
    private readonly int? _maxActiveDims;
    private readonly LongTextMode _longText;
    private readonly int _chunkStride;
    private volatile bool _disposed;

    private SpladeEncoder(SpladeModelConfiguration model, BertTokenizer tokenizer, InferenceSession session, bool hasTokenTypes,
        string outputName, bool outputIsPooled, SpladeEncoderOptions options, string modelId)
    {
        Model = model;
        Tokenizer = tokenizer;
        _session = session;
        _hasTokenTypes = hasTokenTypes;
        _inputNames = hasTokenTypes ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"];
        _outputName = outputName;
        _outputIsPooled = outputIsPooled;
        _maxLength = options.MaxSequenceLength ?? model.MaxSequenceLength;
        _batchSize = options.BatchSize;
        _maxActiveDims = options.MaxActiveDims;
        (_longText, _chunkStride) = (options.LongText, ChunkStrideFor(options, _maxLength));
        Device = options.Device;
        ModelId = modelId;
    }

    /// <summary>The model folder's configuration.</summary>
    public SpladeModelConfiguration Model { get; }

    /// <summary>The tokenizer, configured from the model folder.</summary>
    public BertTokenizer Tokenizer { get; }

    /// <inheritdoc/>
    public Vocabulary Vocabulary => Tokenizer.Vocabulary;

    /// <inheritdoc/>
    public SimilarityFunction SimilarityFunction => Model.SimilarityFunction;

    /// <inheritdoc/>
    public string ModelId { get; }

    /// <summary>Whether pooling runs inside the ONNX graph (true for pooled models and the default for logits models).</summary>
    public bool PoolingInGraph => _outputIsPooled;

    /// <summary>Where the model runs.</summary>
    public SpladeDevice Device { get; private init; }

    /// <summary>
    /// Column slices the vocabulary projection is computed in (pooling in the graph, one slice at a time);
    /// 0 when the whole [batch, sequence, vocabulary] logits tensor is made.
    /// </summary>
    internal int ProjectionSlices { get; private init; }

    /// <summary>Maximum word pieces per text, counting [CLS] and [SEP].</summary>
    public int MaxSequenceLength => _maxLength;

    /// <summary>What happens to documents longer than <see cref="MaxSequenceLength"/>.</summary>
    public LongTextMode LongText => _longText;

    /// <summary>Word pieces between the starts of two windows with <see cref="LongTextMode.Chunk"/>; 0 with <see cref="LongTextMode.Truncate"/>.</summary>
    public int ChunkStride => _longText == LongTextMode.Chunk ? _chunkStride : 0;

    /// <inheritdoc/>
    public string DocumentEncoding => LongTextEncoding.Describe(_longText, _chunkStride);

    /// <summary>
    /// Loads a model folder in the Hugging Face / sentence-transformers layout (see
    /// <see cref="SpladeModelConfiguration.Load(string, string?)"/>).
    /// </summary>
    /// <param name="modelDirectory">The folder holding the ONNX file and tokenizer files.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="SpladeModelException">A file is missing, corrupt, or does not fit the others
    /// (for example a vocabulary whose size differs from the model's output).</exception>
    public static SpladeEncoder Create(string modelDirectory, SpladeEncoderOptions? options = null)
    {
        options ??= new SpladeEncoderOptions();
        options.Validate();
        var model = SpladeModelConfiguration.Load(modelDirectory, options.ModelFile);
        _ = ChunkStrideFor(options, options.MaxSequenceLength ?? model.MaxSequenceLength);
        var vocabulary = model.VocabularyPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? Vocabulary.LoadTokenizerJson(model.VocabularyPath)
            : Vocabulary.LoadVocabTxt(model.VocabularyPath);
        var tokenizer = BertTokenizer.Create(vocabulary, new BertTokenizerOptions
        {
            LowerCase = model.LowerCase,
            StripAccents = model.StripAccents,
            TokenizeChineseChars = model.TokenizeChineseChars,
            UnknownToken = model.UnknownToken,
            ClassifierToken = model.ClassifierToken,
            SeparatorToken = model.SeparatorToken,
            PaddingToken = model.PaddingToken,
            MaskToken = model.MaskToken,
        });

        // Read, parse and rewrite in a method of their own: the file bytes and the parsed graph (about 1 GB for
        // BERT-base) must be unreachable before ONNX Runtime loads the model, and in unoptimised (tier-0) code a
        // caller's locals and temporaries stay reachable until the method returns.
        var prepared = PrepareModel(model, vocabulary, options);
        LoadMemory.Release(prepared.Size);
        InferenceSession session;
        try
        {
            session = prepared.Bytes is { } bytes ? CreateSession(bytes, model.OnnxPath, options) : CreateSession(prepared.File!, model.OnnxPath, options);
        }
        finally
        {
            if (prepared.FileIsTemporary)
            {
                LoadMemory.DeleteTemporary(prepared.File);
            }
        }
        string modelId = prepared.ModelId, outputName = prepared.OutputName;
        bool pooled = prepared.Pooled;
        int slices = prepared.Slices;
        long size = prepared.Size;
        prepared = null!;
        LoadMemory.Release(size);
        LoadMemory.TrimNativeHeap(size);
        try
        {
            var inputs = session.InputMetadata;
            foreach (var required in new[] { "input_ids", "attention_mask" })
            {
                if (!inputs.ContainsKey(required))
                {
                    throw new SpladeModelException($"The model has no '{required}' input (inputs: {string.Join(", ", inputs.Keys)}).", model.OnnxPath);
                }
            }
            var unknown = inputs.Keys.Where(k => k is not ("input_ids" or "attention_mask" or "token_type_ids")).ToList();
            if (unknown.Count > 0)
            {
                throw new SpladeModelException($"The model needs inputs this encoder cannot fill: {string.Join(", ", unknown)}.", model.OnnxPath);
            }
            return new SpladeEncoder(model, tokenizer, session, inputs.ContainsKey("token_type_ids"), outputName, pooled, options, modelId) { ProjectionSlices = slices };
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public SparseVector EncodeQuery(string text) => Encode([text], Model.QueryPrompt, chunk: false)[0];

    /// <inheritdoc/>
    public SparseVector EncodeDocument(string text) => Encode([text], Model.DocumentPrompt, _longText == LongTextMode.Chunk)[0];

    /// <inheritdoc/>
    public IReadOnlyList<SparseVector> EncodeQueries(IReadOnlyList<string> texts) => Encode(texts, Model.QueryPrompt, chunk: false);

    /// <inheritdoc/>
    public IReadOnlyList<SparseVector> EncodeDocuments(IReadOnlyList<string> texts) => Encode(texts, Model.DocumentPrompt, _longText == LongTextMode.Chunk);

    /// <summary>
    /// The token ids the model sees for <paramref name="text"/>: the query or document prompt, then the text,
    /// tokenized and truncated exactly as for encoding (with <see cref="LongTextMode.Chunk"/>, a long document is
    /// encoded as several windows, and these are the ids of a truncated encoding: its first window).
    /// </summary>
    public int[] GetInputIds(string text, bool isQuery)
    {
        ArgumentNullException.ThrowIfNull(text);
        string prompt = isQuery ? Model.QueryPrompt : Model.DocumentPrompt;
        return Tokenizer.Encode(prompt.Length == 0 ? text : prompt + text, _maxLength);
    }

    /// <summary>
    /// The token id windows the model sees for document <paramref name="text"/>: one window (equal to
    /// <see cref="GetInputIds(string, bool)"/>) with <see cref="LongTextMode.Truncate"/> or a text that fits,
    /// else the overlapping windows of <see cref="LongTextMode.Chunk"/>. The document prompt, if any, is
    /// tokenized with the text and so appears in the first window only.
    /// </summary>
    public int[][] GetDocumentWindows(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string full = Model.DocumentPrompt.Length == 0 ? text : Model.DocumentPrompt + text;
        return _longText == LongTextMode.Chunk ? Tokenizer.EncodeWindows(full, _maxLength, _chunkStride) : [Tokenizer.Encode(full, _maxLength)];
    }

    /// <summary>The vector's entries as (word piece, weight), heaviest first.</summary>
    public IReadOnlyList<(string Token, float Weight)> Decode(SparseVector vector, int? topK = null) => vector.Decode(Vocabulary, topK);

    /// <summary>Frees the ONNX Runtime session; encoding afterwards throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _disposed = true;
        _session.Dispose();
    }

    private SparseVector[] Encode(IReadOnlyList<string> texts, string prompt, bool chunk)
    {
        // A disposed InferenceSession holds a null native handle, which ONNX Runtime would dereference.
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(texts);
        if (!chunk)
        {
            var ids = new int[texts.Count][];
            for (int i = 0; i < ids.Length; i++)
            {
                string text = texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts));
                ids[i] = Tokenizer.Encode(prompt.Length == 0 ? text : prompt + text, _maxLength);
            }
            var vectors = EncodeIds(ids);
            for (int i = 0; i < vectors.Length; i++)
            {
                vectors[i] = Finish(vectors[i]);
            }
            return vectors;
        }

        // Every window of every text goes into the same length-sorted batches; a text's windows are consecutive.
        var windows = new List<int[]>(texts.Count);
        var firstWindow = new int[texts.Count + 1];
        for (int i = 0; i < texts.Count; i++)
        {
            string text = texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts));
            firstWindow[i] = windows.Count;
            windows.AddRange(Tokenizer.EncodeWindows(prompt.Length == 0 ? text : prompt + text, _maxLength, _chunkStride));
        }
        firstWindow[texts.Count] = windows.Count;
        var windowVectors = EncodeIds([.. windows]);
        var result = new SparseVector[texts.Count];
        var scratch = new float[Vocabulary.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Finish(WindowMerge.Max(windowVectors.AsSpan(firstWindow[i], firstWindow[i + 1] - firstWindow[i]), scratch));
        }
        return result;
    }

    // Encodes token id sequences (each framed by [CLS]/[SEP]) into pooled vectors, before top-k and normalization.
    internal SparseVector[] EncodeIds(int[][] ids)
    {
        // Sorting by length keeps padding (and wasted compute) small inside each batch.
        var order = new int[ids.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) => ids[a].Length != ids[b].Length ? ids[a].Length.CompareTo(ids[b].Length) : a.CompareTo(b));

        var result = new SparseVector[ids.Length];
        for (int start = 0; start < order.Length; start += _batchSize)
        {
            RunBatch(order.AsSpan(start, Math.Min(_batchSize, order.Length - start)), ids, result);
        }
        return result;
    }

    private void RunBatch(ReadOnlySpan<int> rows, int[][] ids, SparseVector[] result)
    {
        int batch = rows.Length;
        int seq = 0;
        foreach (int r in rows)
        {
            seq = Math.Max(seq, ids[r].Length);
        }
        var inputIds = new long[batch * seq];
        var mask = new long[batch * seq];
        for (int b = 0; b < batch; b++)
        {
            var row = ids[rows[b]];
            for (int t = 0; t < row.Length; t++)
            {
                inputIds[b * seq + t] = row[t];
                mask[b * seq + t] = 1;
            }
        }
        long[] shape = [batch, seq];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = _hasTokenTypes ? OrtValue.CreateTensorValueFromMemory(new long[batch * seq], shape) : null;
        OrtValue[] inputs = _hasTokenTypes ? [idsValue, maskValue, typesValue!] : [idsValue, maskValue];
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, _inputNames, inputs, [_outputName]);
        var data = outputs[0].GetTensorDataAsSpan<float>();
        int vocab = Vocabulary.Count;
        if (_outputIsPooled)
        {
            if (data.Length != batch * vocab)
            {
                throw new SpladeModelException($"The model's output '{_outputName}' has {data.Length} values for {batch} texts; expected {batch} x {vocab}.", Model.OnnxPath);
            }
            for (int b = 0; b < batch; b++)
            {
                result[rows[b]] = SparseVector.FromDense(data.Slice(b * vocab, vocab));
            }
        }
        else
        {
            if (data.Length != batch * seq * vocab)
            {
                throw new SpladeModelException($"The model's output '{_outputName}' has {data.Length} values for {batch} x {seq} tokens; expected {batch} x {seq} x {vocab}.", Model.OnnxPath);
            }
            var dense = new float[vocab];
            for (int b = 0; b < batch; b++)
            {
                ManagedPooling.PoolRow(data.Slice(b * seq * vocab, seq * vocab), mask.AsSpan(b * seq, seq), Model.PoolingStrategy, Model.Activation, dense);
                result[rows[b]] = SparseVector.FromDense(dense);
            }
        }
    }

    private static int ChunkStrideFor(SpladeEncoderOptions options, int maxLength)
    {
        if (options.LongText != LongTextMode.Chunk)
        {
            return 0;
        }
        int window = maxLength - 2;
        if (window < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), maxLength, $"SpladeEncoderOptions.LongText is Chunk but the maximum sequence length {maxLength} leaves no room for a word piece between [CLS] and [SEP]; chunking needs at least 3.");
        }
        int stride = options.ChunkStride ?? Math.Max(1, window / 2);
        if (stride > window)
        {
            throw new ArgumentOutOfRangeException(nameof(options), stride,
                $"SpladeEncoderOptions.ChunkStride {stride} is larger than the window of {window} word pieces (maximum sequence length {maxLength} - 2): pieces between windows would never be encoded.");
        }
        return stride;
    }

    private SparseVector Finish(SparseVector vector)
    {
        if (_maxActiveDims is int k)
        {
            vector = vector.TopK(k);
        }
        return Model.SimilarityFunction == SimilarityFunction.Cosine ? vector.Normalize() : vector;
    }

    /// <summary>
    /// Reads the model file, computes the model id, checks the outputs against the vocabulary and appends pooling
    /// when asked. A large model reaches ONNX Runtime as a file (the original, or the rewritten one in a temporary
    /// file) so that no managed copy of it outlives this method.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PreparedModel PrepareModel(SpladeModelConfiguration model, Vocabulary vocabulary, SpladeEncoderOptions options)
    {
        byte[]? bytes;
        try
        {
            bytes = File.ReadAllBytes(model.OnnxPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpladeModelException($"Cannot read the ONNX model: {e.Message}", model.OnnxPath, e);
        }
        string modelId = ComputeModelId(bytes, vocabulary, model, options);
        var graph = OnnxGraphInfo.Read(bytes, model.OnnxPath);
        long size = bytes.LongLength;
        if (size >= LoadMemory.TemporaryFileThreshold)
        {
            // A large model reaches ONNX Runtime as a file: its bytes are garbage once parsed, before the rewrite.
            bytes = null;
            LoadMemory.Release(size);
        }
        string? modelOutput = graph.PooledOutput ?? graph.LogitsOutput ?? throw new SpladeModelException(
            $"The model has no usable output: expected 'logits' [batch, sequence, vocab] or a pooled [batch, vocab] output, found {string.Join(", ", graph.Outputs.Select(o => $"'{o.Name}' (rank {o.Rank})"))}.",
            model.OnnxPath);
        if (graph.VocabularySize(modelOutput) is long v && v != vocabulary.Count)
        {
            throw new SpladeModelException(
                $"The vocabulary has {vocabulary.Count} entries ({vocabulary.Source}) but the model's output '{modelOutput}' has {v}: the tokenizer files do not belong to this model.",
                model.OnnxPath);
        }
        if (graph.PooledOutput is not null || !PoolingPlan.PoolInGraph(options.Pooling, graph.Proto, modelOutput))
        {
            // Unchanged: a large model is loaded by ONNX Runtime from its own file.
            return new PreparedModel(modelId, modelOutput, graph.PooledOutput is not null, 0, size, bytes, bytes is null ? model.OnnxPath : null, false);
        }
        PoolingGraph.AppendPoolingInPlace(graph.Proto, modelOutput, "attention_mask", model.PoolingStrategy, model.Activation, model.OnnxPath,
            out int slices, PooledOutputName, options.VocabularySliceColumns);
        // A large rewritten model goes to ONNX Runtime through a temporary file rather than a second managed copy.
        string? rewrittenFile = LoadMemory.TryWriteTemporary(graph.Proto, size);
        return new PreparedModel(modelId, PooledOutputName, true, slices, size,
            rewrittenFile is null ? Google.Protobuf.MessageExtensions.ToByteArray(graph.Proto) : null, rewrittenFile, rewrittenFile is not null);
    }

    /// <summary>What <see cref="PrepareModel"/> found: the model as bytes (small models) or as a file for ONNX Runtime.</summary>
    private sealed record PreparedModel(string ModelId, string OutputName, bool Pooled, int Slices, long Size, byte[]? Bytes, string? File, bool FileIsTemporary);

    private static InferenceSession CreateSession(byte[] bytes, string path, SpladeEncoderOptions options) =>
        CreateSession(sessionOptions => new InferenceSession(bytes, sessionOptions), path, options);

    private static InferenceSession CreateSession(string file, string path, SpladeEncoderOptions options) =>
        CreateSession(sessionOptions => new InferenceSession(file, sessionOptions), path, options);

    private static InferenceSession CreateSession(Func<SessionOptions, InferenceSession> create, string path, SpladeEncoderOptions options)
    {
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.IntraOpNumThreads,
            InterOpNumThreads = 1,
        };
        if (!options.PrepackWeights)
        {
            sessionOptions.AddSessionConfigEntry("session.disable_prepacking", "1");
        }
        ExecutionProviders.Configure(sessionOptions, options.Device, path);
        try
        {
            return create(sessionOptions);
        }
        catch (OnnxRuntimeException e) when (options.Device.Kind == SpladeDeviceKind.Cuda)
        {
            throw new SpladeModelException(ExecutionProviders.SessionFailureMessage(options.Device, e.Message), path, e);
        }
        catch (OnnxRuntimeException e)
        {
            throw new SpladeModelException($"ONNX Runtime cannot load the model: {e.Message}", path, e);
        }
    }

    private static string ComputeModelId(byte[] onnx, Vocabulary vocabulary, SpladeModelConfiguration model, SpladeEncoderOptions options)
    {
        // Everything that changes the vectors: weights, vocabulary, tokenizer and pooling settings, truncation, top-k.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(onnx);
        var text = new StringBuilder();
        for (int i = 0; i < vocabulary.Count; i++)
        {
            text.Append(vocabulary[i]).Append('\n');
        }
        text.Append(FormattableString.Invariant(
            $"{model.LowerCase}|{model.StripAccents}|{model.TokenizeChineseChars}|{options.MaxSequenceLength ?? model.MaxSequenceLength}|{model.PoolingStrategy}|{model.Activation}|{model.SimilarityFunction}|{model.QueryPrompt}|{model.DocumentPrompt}|{options.MaxActiveDims}"));
        hash.AppendData(Encoding.UTF8.GetBytes(text.ToString()));
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
