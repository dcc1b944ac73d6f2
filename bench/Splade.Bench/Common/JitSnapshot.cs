using System.Globalization;
using System.Runtime;

namespace Splade.Bench.Common;

/// <summary>
/// Methods JIT-compiled by this process so far and the time spent compiling them
/// (<see cref="JitInfo"/>): the difference of two snapshots says how much of a phase was compilation.
/// </summary>
internal readonly record struct JitSnapshot(long Methods, TimeSpan Time)
{
    public static JitSnapshot Now() => new(JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime());

    public static JitSnapshot operator -(JitSnapshot a, JitSnapshot b) => new(a.Methods - b.Methods, a.Time - b.Time);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Methods} methods in {Time.TotalMilliseconds:F0} ms");
}
