using System.CommandLine;
using Splade.Encoder;

namespace IndexPubMed.Commands;

/// <summary>
/// Encoder options shared by <c>encode</c> and <c>index</c>: how long documents are handled
/// (<c>--long-text truncate|chunk</c>, <c>--stride N</c>, and for <c>encode</c> <c>--max-length N</c>) and where the model
/// runs (<c>--device cpu|cuda[:N]</c>).
/// </summary>
internal sealed class EncodingOptions
{
    public Option<string> LongText { get; } = new("--long-text")
    {
        Description = "documents longer than the model's maximum length: truncate (default, as sentence-transformers) or chunk (overlapping windows merged by the maximum weight per term; queries are never chunked)",
        DefaultValueFactory = _ => "truncate",
    };

    public Option<int?> Stride { get; } = new("--stride")
    {
        Description = "with --long-text chunk: word pieces between the starts of two windows, 1 to max length - 2 (default: half the window, 255 for 512-token models)",
    };

    public Option<int?> MaxLength { get; } = new("--max-length")
    {
        Description = "maximum word pieces per text (window), counting [CLS] and [SEP] (default: the model's, usually 512)",
    };

    public Option<string> Device { get; } = new("--device")
    {
        Description = "where the model runs: cpu (default) or cuda[:N] (needs a build with -p:SpladeEncoderCuda=true, Linux x64, CUDA 13: see docs/PERFORMANCE.md, GPU)",
        DefaultValueFactory = _ => "cpu",
    };

    private bool _withMaxLength;

    public EncodingOptions()
    {
        LongText.AcceptOnlyFromAmong("truncate", "chunk");
    }

    /// <summary>
    /// Adds the options and a validator that reports inconsistent values as a usage error. <c>--max-length</c>
    /// only where asked: it is part of the model identity, so an index built with it could not be searched by
    /// <c>search</c>, which has no such option.
    /// </summary>
    public void AddTo(Command command, bool withMaxLength)
    {
        _withMaxLength = withMaxLength;
        command.Options.Add(LongText);
        command.Options.Add(Stride);
        if (withMaxLength)
        {
            command.Options.Add(MaxLength);
        }
        command.Options.Add(Device);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Stride) is int stride && result.GetValue(LongText) != "chunk")
            {
                result.AddError($"--stride {stride} needs --long-text chunk.");
            }
            if (result.GetValue(Stride) is < 1)
            {
                result.AddError($"--stride must be at least 1, not {result.GetValue(Stride)}.");
            }
            if (withMaxLength && result.GetValue(MaxLength) is < 2)
            {
                result.AddError($"--max-length must be at least 2, not {result.GetValue(MaxLength)}.");
            }
            if (!SpladeDevice.TryParse(result.GetValue(Device) ?? "cpu", out _))
            {
                result.AddError($"--device must be cpu, cuda or cuda:N, not '{result.GetValue(Device)}'.");
            }
        });
    }

    /// <summary>Sets the long-text and device settings of <paramref name="options"/> from the command line.</summary>
    public SpladeEncoderOptions Apply(ParseResult parse, SpladeEncoderOptions options)
    {
        if (parse.GetValue(LongText) == "chunk")
        {
            options.LongText = LongTextMode.Chunk;
            options.ChunkStride = parse.GetValue(Stride);
        }
        if (_withMaxLength)
        {
            options.MaxSequenceLength = parse.GetValue(MaxLength);
        }
        options.Device = SpladeDevice.Parse(parse.GetValue(Device) ?? "cpu");
        return options;
    }
}
