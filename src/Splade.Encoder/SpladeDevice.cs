using System.Globalization;

namespace Splade.Encoder;

/// <summary>
/// Where <see cref="SpladeEncoder"/> runs the model: <see cref="Cpu"/> (default) or a CUDA GPU,
/// written <c>cpu</c>, <c>cuda</c> (GPU 0) or <c>cuda:N</c>.
/// </summary>
public readonly record struct SpladeDevice
{
    private SpladeDevice(SpladeDeviceKind kind, int deviceId)
    {
        Kind = kind;
        DeviceId = deviceId;
    }

    /// <summary>The CPU.</summary>
    public static SpladeDevice Cpu => default;

    /// <summary>CPU or CUDA.</summary>
    public SpladeDeviceKind Kind { get; }

    /// <summary>The CUDA device ordinal (0 for the CPU).</summary>
    public int DeviceId { get; }

    /// <summary>
    /// The CUDA GPU with ordinal <paramref name="deviceId"/>. An encoder on it needs the package <c>Splade.Encoder.Cuda</c>
    /// in the application (ONNX Runtime's GPU build); without it, or without a usable GPU, creating the encoder throws
    /// <see cref="SpladeModelException"/> naming what is missing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="deviceId"/> is negative.</exception>
    public static SpladeDevice Cuda(int deviceId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceId);
        return new SpladeDevice(SpladeDeviceKind.Cuda, deviceId);
    }

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The text is none of these; the message quotes it.</exception>
    public static SpladeDevice Parse(string text) =>
        TryParse(text, out var device) ? device : throw new ArgumentException($"'{text}' is not a device: use cpu, cuda or cuda:N.", nameof(text));

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (case-insensitive); false for anything else.</summary>
    public static bool TryParse(string? text, out SpladeDevice device)
    {
        device = Cpu;
        var t = text?.Trim() ?? "";
        if (t.Equals("cpu", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (t.Equals("cuda", StringComparison.OrdinalIgnoreCase))
        {
            device = Cuda();
            return true;
        }
        if (t.StartsWith("cuda:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(t.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            device = Cuda(id);
            return true;
        }
        return false;
    }

    /// <summary><c>cpu</c> or <c>cuda:N</c>.</summary>
    public override string ToString() => Kind == SpladeDeviceKind.Cuda ? string.Create(CultureInfo.InvariantCulture, $"cuda:{DeviceId}") : "cpu";
}
