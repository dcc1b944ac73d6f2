namespace Splade.Encoder;

/// <summary>The kind of device a <see cref="SpladeDevice"/> names.</summary>
public enum SpladeDeviceKind
{
    /// <summary>The CPU, through ONNX Runtime's default CPU execution provider.</summary>
    Cpu = 0,

    /// <summary>An NVIDIA GPU, through ONNX Runtime's CUDA execution provider (needs the package Splade.Encoder.Cuda).</summary>
    Cuda = 1,
}
