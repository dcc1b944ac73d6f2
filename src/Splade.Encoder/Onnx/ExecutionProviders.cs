using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Splade.Encoder.Onnx;

/// <summary>
/// Adds the execution provider of a <see cref="SpladeDevice"/> to session options. The CUDA provider is not in the
/// <c>Microsoft.ML.OnnxRuntime</c> package this library references (so CPU users do not download ~300 MB of CUDA
/// libraries): GPU users add the package <c>Splade.Encoder.Cuda</c>, which puts ONNX Runtime's GPU build in the
/// application's output instead. This class checks at load time that the provider really is there and, when it
/// cannot start, names what is missing.
/// </summary>
internal static class ExecutionProviders
{
    public const string CudaProvider = "CUDAExecutionProvider";

    /// <summary>The package that brings the GPU build of ONNX Runtime.</summary>
    public const string CudaPackage = "Splade.Encoder.Cuda";

    /// <summary>The AppContext switch that Splade.Encoder.Cuda's build file sets in the application's runtimeconfig.json.</summary>
    public const string CudaPackageSwitch = "Splade.Encoder.Cuda";

    /// <summary>
    /// The libraries ONNX Runtime 1.31's CUDA provider (Linux) needs, with what provides them: the first five are
    /// linked (the provider cannot load without them), the last two are opened when first used.
    /// </summary>
    internal static readonly (string Library, string ProvidedBy)[] CudaLibraries =
    [
        ("libcuda.so.1", "the NVIDIA driver"),
        ("libcudart.so.13", "CUDA 13 runtime"),
        ("libcublas.so.13", "CUDA 13 cuBLAS"),
        ("libcublasLt.so.13", "CUDA 13 cuBLAS"),
        ("libcurand.so.10", "CUDA 13 cuRAND"),
        ("libcudnn.so.9", "cuDNN 9"),
        ("libcufft.so.12", "CUDA 13 cuFFT"),
    ];

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

    /// <summary>Whether the application references Splade.Encoder.Cuda (its build file sets an AppContext switch).</summary>
    public static bool CudaPackageReferenced() => AppContext.TryGetSwitch(CudaPackageSwitch, out bool on) && on;

    /// <summary>The CUDA libraries of <see cref="CudaLibraries"/> that the process cannot load (Linux only; empty elsewhere).</summary>
    public static IReadOnlyList<(string Library, string ProvidedBy)> MissingCudaLibraries()
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }
        var missing = new List<(string, string)>();
        foreach (var (library, providedBy) in CudaLibraries)
        {
            if (NativeLibrary.TryLoad(library, out nint handle))
            {
                NativeLibrary.Free(handle);
            }
            else
            {
                missing.Add((library, providedBy));
            }
        }
        return missing;
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
            throw new SpladeModelException(NoCudaBuildMessage(device, SafeProviders(), CudaPackageReferenced(), RuntimeInformation.RuntimeIdentifier), modelPath);
        }
        try
        {
            options.AppendExecutionProvider_CUDA(device.DeviceId);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            throw new SpladeModelException(CannotStartMessage(device, e.Message, MissingCudaLibraries()), modelPath, e);
        }
    }

    /// <summary>The message when the session cannot be created on a CUDA device (no GPU with that ordinal, for example).</summary>
    public static string SessionFailureMessage(SpladeDevice device, string ortMessage) =>
        $"Device {device}: ONNX Runtime's {CudaProvider} cannot run the model ({ortMessage.Trim()}). Check that an NVIDIA GPU with ordinal " +
        $"{device.DeviceId} is visible to this process (nvidia-smi, CUDA_VISIBLE_DEVICES) and that its driver supports CUDA 13, or use the CPU (--device cpu).";

    /// <summary>The message when the loaded ONNX Runtime has no CUDA provider: the CPU build is loaded.</summary>
    internal static string NoCudaBuildMessage(SpladeDevice device, IEnumerable<string> providers, bool packageReferenced, string runtimeIdentifier)
    {
        string head = $"Device {device} needs ONNX Runtime's {CudaProvider}, which the loaded ONNX Runtime build does not have " +
                      $"(available: {string.Join(", ", providers)}). ";
        return packageReferenced
            ? head + $"The application references {CudaPackage}, but it supplies ONNX Runtime's GPU build for linux-x64 only and this " +
                     $"process runs on {runtimeIdentifier}, or the build set SpladeEncoderCudaKeepCpuOnnxRuntime=true. Use the CPU (--device cpu) here."
            : head + $"Splade.Encoder brings ONNX Runtime's CPU build only: add the NuGet package {CudaPackage} to the application " +
                     $"(dotnet add package {CudaPackage}; Linux x64 with CUDA 13, cuDNN 9 and an NVIDIA driver), or use the CPU (--device cpu).";
    }

    /// <summary>The message when the CUDA provider is there but cannot start; <paramref name="missing"/> from <see cref="MissingCudaLibraries"/>.</summary>
    internal static string CannotStartMessage(SpladeDevice device, string ortMessage, IReadOnlyList<(string Library, string ProvidedBy)> missing)
    {
        string head = $"Device {device}: ONNX Runtime's {CudaProvider} is installed ({CudaPackage}) but cannot start ({ortMessage.Trim()}). ";
        if (missing.Count > 0)
        {
            return head + "Not found on the library path: " +
                   string.Join(", ", missing.Select(m => $"{m.Library} ({m.ProvidedBy})")) +
                   ". Install the NVIDIA driver, CUDA 13 and cuDNN 9 (or add their lib folders to LD_LIBRARY_PATH), or use the CPU (--device cpu).";
        }
        return head + $"The CUDA 13 and cuDNN 9 libraries were found: check that an NVIDIA GPU with ordinal {device.DeviceId} is visible " +
               "(nvidia-smi, CUDA_VISIBLE_DEVICES), or use the CPU (--device cpu).";
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
