using Microsoft.ML.OnnxRuntime;

namespace Splade.Encoder.Onnx;

/// <summary>
/// Adds the execution provider of a <see cref="SpladeDevice"/> to session options. The CUDA provider is
/// not in the <c>Microsoft.ML.OnnxRuntime</c> package this library references (so CPU users do not
/// download ~300 MB of CUDA libraries): GPU users reference <c>Microsoft.ML.OnnxRuntime.Gpu</c> instead in
/// their application, and this class checks at load time that the provider really is there.
/// </summary>
internal static class ExecutionProviders
{
    public const string CudaProvider = "CUDAExecutionProvider";

    /// <summary>Whether the loaded ONNX Runtime build has the CUDA provider (it may still find no GPU).</summary>
    public static bool CudaBuildAvailable()
    {
        try
        {
            return OrtEnv.Instance().GetAvailableProviders().Contains(CudaProvider, StringComparer.Ordinal);
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }

    /// <exception cref="SpladeModelException">The device cannot be used; the message says why and what to install.</exception>
    public static void Configure(SessionOptions options, SpladeDevice device, string modelPath)
    {
        if (device.Kind != SpladeDeviceKind.Cuda)
        {
            return;
        }
        if (!CudaBuildAvailable())
        {
            throw new SpladeModelException(
                $"Device {device} needs ONNX Runtime's {CudaProvider}, which this ONNX Runtime build does not have " +
                $"(available: {string.Join(", ", SafeProviders())}). Reference the package Microsoft.ML.OnnxRuntime.Gpu 1.31.0 " +
                "instead of Microsoft.ML.OnnxRuntime in the application, with CUDA 12 and cuDNN 9 installed, or use the CPU (--device cpu).",
                modelPath);
        }
        try
        {
            options.AppendExecutionProvider_CUDA(device.DeviceId);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            throw new SpladeModelException(
                $"Device {device}: ONNX Runtime cannot start its {CudaProvider} ({e.Message}). Check that an NVIDIA GPU with ordinal {device.DeviceId} " +
                "is visible (nvidia-smi, CUDA_VISIBLE_DEVICES) and that CUDA 12 and cuDNN 9 libraries are on the library path, or use --device cpu.",
                modelPath, e);
        }
    }

    private static string[] SafeProviders()
    {
        try
        {
            return OrtEnv.Instance().GetAvailableProviders();
        }
        catch (OnnxRuntimeException)
        {
            return ["unknown"];
        }
    }
}
