using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Splade.Bench.Encoder;

/// <summary>
/// Instruction throughput on one core of the inner steps of ONNX Runtime's (MLAS) AVX2 GEMM kernels, to explain
/// the int8/float32 ratio of <see cref="GemmInt8Benchmark"/>: the float kernel's <c>vfmadd231ps</c> (8
/// multiply-adds); the u8 x s8 kernel's cell without VNNI, <c>vpmaddubsw</c> + <c>vpmaddwd</c> (by ones) +
/// <c>vpaddd</c> (32 multiply-adds); the u8 x u8 kernel's cell, <c>vpmaddwd</c> + <c>vpaddd</c> on 16-bit values
/// (16); where the CPU has them, the VNNI cell <c>vpdpbusd</c> (32 per 256-bit step) and the AVX-512
/// <c>vfmadd231ps zmm</c> (16). Each runs as enough independent chains to hide latency, so the time is the issue
/// rate. Cycles are estimated from a chain of dependent <c>vpaddd</c> (1-cycle latency on most x86 cores), which
/// also catches turbo clocks; the ratios to the float FMA do not depend on that estimate.
/// </summary>
internal static class MultiplyAccumulateThroughput
{
    private const long Iterations = 20_000_000;

    public static void Run()
    {
        Console.WriteLine("## Multiply-accumulate throughput of the kernels' inner steps, one core (System.Runtime.Intrinsics)");
        Console.WriteLine();
        if (!Avx2.IsSupported || !Fma.IsSupported)
        {
            Console.WriteLine("AVX2 or FMA not supported: skipped.");
            return;
        }
        // Best of 5: the fastest run is the one least disturbed by other processes.
        double nsPerCycle = Best(() => Time(AddChain, 16));
        double ghz = 1 / nsPerCycle;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"clock estimate: {ghz:F2} GHz (dependent vpaddd chain, assuming 1 cycle each; a CPU with a longer vpaddd latency reads low, and then so do the per-cycle columns; 'vs float FMA' does not depend on it)"));
        Console.WriteLine();
        Console.WriteLine("| step | multiply-adds per step | steps per cycle | multiply-adds per cycle | vs float FMA |");
        Console.WriteLine("|---|---|---|---|---|");
        double fma = Row("vfmadd231ps ymm (float32 kernel)", 8, Best(() => Time(FmaChains, 12)), nsPerCycle, 0);
        Row("vpmaddubsw + vpmaddwd + vpaddd (u8 x s8, no VNNI)", 32, Best(() => Time(U8S8Chains, 8)), nsPerCycle, fma);
        Row("vpmaddwd + vpaddd (u8 x u8: 16-bit)", 16, Best(() => Time(U8U8Chains, 8)), nsPerCycle, fma);
        Row("vpmaddubsw alone", 32, Best(() => Time(MaddubsChains, 8)), nsPerCycle, fma);
        if (AvxVnni.IsSupported)
        {
            Row("vpdpbusd ymm (u8 x s8 with VNNI, int32 accumulation)", 32, Best(() => Time(VnniChains, 12)), nsPerCycle, fma);
        }
        if (Avx512F.IsSupported)
        {
            Row("vfmadd231ps zmm (AVX-512 float32 kernel)", 16, Best(() => Time(Fma512Chains, 12)), nsPerCycle, fma);
        }
        Console.WriteLine();
    }

    private static double Row(string label, int macs, double nsPerStep, double nsPerCycle, double fmaMacsPerCycle)
    {
        double stepsPerCycle = nsPerCycle / nsPerStep;
        double macsPerCycle = stepsPerCycle * macs;
        string ratio = fmaMacsPerCycle > 0 ? (macsPerCycle / fmaMacsPerCycle).ToString("F2", CultureInfo.InvariantCulture) + "x" : "1x";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {label} | {macs} | {stepsPerCycle:F2} | {macsPerCycle:F1} | {ratio} |"));
        return macsPerCycle;
    }

    private static double Best(Func<double> measure)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            best = Math.Min(best, measure());
        }
        return best;
    }

    // Nanoseconds per step: the kernel runs Iterations x stepsPerIteration steps.
    private static double Time(Func<long, long> kernel, int stepsPerIteration)
    {
        kernel(1000);
        var watch = Stopwatch.StartNew();
        long sink = kernel(Iterations);
        double ns = watch.Elapsed.TotalNanoseconds;
        GC.KeepAlive(sink);
        return ns / (Iterations * stepsPerIteration);
    }

    // 16 dependent 1-cycle adds per iteration: the loop takes 16 cycles per iteration whatever its overhead.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static long AddChain(long iterations)
    {
        var x = Vector256.Create(1);
        var one = Vector256.Create(1);
        for (long i = 0; i < iterations; i++)
        {
            x = Avx2.Add(x, one); x = Avx2.Add(x, one); x = Avx2.Add(x, one); x = Avx2.Add(x, one);
            x = Avx2.Add(x, one); x = Avx2.Add(x, one); x = Avx2.Add(x, one); x = Avx2.Add(x, one);
            x = Avx2.Add(x, one); x = Avx2.Add(x, one); x = Avx2.Add(x, one); x = Avx2.Add(x, one);
            x = Avx2.Add(x, one); x = Avx2.Add(x, one); x = Avx2.Add(x, one); x = Avx2.Add(x, one);
        }
        return x.GetElement(0);
    }

    // 12 independent chains (FMA latency ~5 cycles x 2 pipes needs 10); acc * 0.999 + 0.001 stays near 1, no denormals.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static long FmaChains(long iterations)
    {
        var b = Vector256.Create(0.999f);
        var c = Vector256.Create(0.001f);
        Vector256<float> a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b, a8 = b, a9 = b, a10 = b, a11 = b;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, b, c); a1 = Fma.MultiplyAdd(a1, b, c); a2 = Fma.MultiplyAdd(a2, b, c); a3 = Fma.MultiplyAdd(a3, b, c);
            a4 = Fma.MultiplyAdd(a4, b, c); a5 = Fma.MultiplyAdd(a5, b, c); a6 = Fma.MultiplyAdd(a6, b, c); a7 = Fma.MultiplyAdd(a7, b, c);
            a8 = Fma.MultiplyAdd(a8, b, c); a9 = Fma.MultiplyAdd(a9, b, c); a10 = Fma.MultiplyAdd(a10, b, c); a11 = Fma.MultiplyAdd(a11, b, c);
        }
        var sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return (long)sum.GetElement(0);
    }

    // The VNNI u8 x s8 cell: one vpdpbusd multiplies 32 byte pairs and adds each group of four into an int32 lane.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static long VnniChains(long iterations)
    {
        var x = Vector256.Create((byte)3);
        var y = Vector256.Create((sbyte)5);
        Vector256<int> a0 = Vector256<int>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, y); a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, y); a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, y);
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, y); a4 = AvxVnni.MultiplyWideningAndAdd(a4, x, y); a5 = AvxVnni.MultiplyWideningAndAdd(a5, x, y);
            a6 = AvxVnni.MultiplyWideningAndAdd(a6, x, y); a7 = AvxVnni.MultiplyWideningAndAdd(a7, x, y); a8 = AvxVnni.MultiplyWideningAndAdd(a8, x, y);
            a9 = AvxVnni.MultiplyWideningAndAdd(a9, x, y); a10 = AvxVnni.MultiplyWideningAndAdd(a10, x, y); a11 = AvxVnni.MultiplyWideningAndAdd(a11, x, y);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).GetElement(0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static long Fma512Chains(long iterations)
    {
        var b = Vector512.Create(0.999f);
        var c = Vector512.Create(0.001f);
        Vector512<float> a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b, a8 = b, a9 = b, a10 = b, a11 = b;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, b, c); a1 = Avx512F.FusedMultiplyAdd(a1, b, c); a2 = Avx512F.FusedMultiplyAdd(a2, b, c);
            a3 = Avx512F.FusedMultiplyAdd(a3, b, c); a4 = Avx512F.FusedMultiplyAdd(a4, b, c); a5 = Avx512F.FusedMultiplyAdd(a5, b, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, b, c); a7 = Avx512F.FusedMultiplyAdd(a7, b, c); a8 = Avx512F.FusedMultiplyAdd(a8, b, c);
            a9 = Avx512F.FusedMultiplyAdd(a9, b, c); a10 = Avx512F.FusedMultiplyAdd(a10, b, c); a11 = Avx512F.FusedMultiplyAdd(a11, b, c);
        }
        var sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return (long)sum.GetElement(0);
    }

    // MLAS's AVX2 u8 x s8 cell: bytes x signed bytes into saturating pairs (int16), pairs into int32 by a
    // multiply with ones, then accumulate. The accumulator feeds the next step's bytes so that nothing is
    // loop-invariant; 8 chains cover the ~9-cycle chain latency.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static long U8S8Chains(long iterations)
    {
        var b = Vector256.Create((sbyte)3);
        var ones = Vector256.Create((short)1);
        Vector256<int> a0 = Vector256.Create(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a0.AsByte(), b), ones));
            a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a1.AsByte(), b), ones));
            a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a2.AsByte(), b), ones));
            a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a3.AsByte(), b), ones));
            a4 = Avx2.Add(a4, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a4.AsByte(), b), ones));
            a5 = Avx2.Add(a5, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a5.AsByte(), b), ones));
            a6 = Avx2.Add(a6, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a6.AsByte(), b), ones));
            a7 = Avx2.Add(a7, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a7.AsByte(), b), ones));
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7).GetElement(0);
    }

    // MLAS's AVX2 u8 x u8 cell: both sides widened to 16 bits beforehand (outside the inner loop), one
    // vpmaddwd (16 multiply-adds into int32, no saturation) and an add.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static long U8U8Chains(long iterations)
    {
        var b = Vector256.Create((short)3);
        Vector256<int> a0 = Vector256.Create(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(a0.AsInt16(), b));
            a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(a1.AsInt16(), b));
            a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(a2.AsInt16(), b));
            a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(a3.AsInt16(), b));
            a4 = Avx2.Add(a4, Avx2.MultiplyAddAdjacent(a4.AsInt16(), b));
            a5 = Avx2.Add(a5, Avx2.MultiplyAddAdjacent(a5.AsInt16(), b));
            a6 = Avx2.Add(a6, Avx2.MultiplyAddAdjacent(a6.AsInt16(), b));
            a7 = Avx2.Add(a7, Avx2.MultiplyAddAdjacent(a7.AsInt16(), b));
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7).GetElement(0);
    }

    // vpmaddubsw on its own (its result fed back as bytes), to see which instruction sets the u8 x s8 rate.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static long MaddubsChains(long iterations)
    {
        var b = Vector256.Create((sbyte)3);
        Vector256<short> a0 = Vector256.Create((short)1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx2.MultiplyAddAdjacent(a0.AsByte(), b);
            a1 = Avx2.MultiplyAddAdjacent(a1.AsByte(), b);
            a2 = Avx2.MultiplyAddAdjacent(a2.AsByte(), b);
            a3 = Avx2.MultiplyAddAdjacent(a3.AsByte(), b);
            a4 = Avx2.MultiplyAddAdjacent(a4.AsByte(), b);
            a5 = Avx2.MultiplyAddAdjacent(a5.AsByte(), b);
            a6 = Avx2.MultiplyAddAdjacent(a6.AsByte(), b);
            a7 = Avx2.MultiplyAddAdjacent(a7.AsByte(), b);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7).GetElement(0);
    }
}
