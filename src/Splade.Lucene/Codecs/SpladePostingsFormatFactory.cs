using System.Runtime.CompilerServices;
using Lucene.Net.Codecs;
using Lucene.Net.Util;

namespace Splade.Lucene.Codecs;

/// <summary>
/// Lucene's current postings format factory plus <see cref="SpladeImpactsPostingsFormat"/>: the
/// <c>PostingsFormat.ForName</c> lookup of segments written by <see cref="SpladeCodec"/>. Installed by this module's
/// initializer, which .NET runs when code of this assembly is first used (not when it is merely referenced), and by
/// <see cref="SpladeCodec.RegisterPostingsFormat"/>.
/// </summary>
internal sealed class SpladePostingsFormatFactory : IPostingsFormatFactory, IServiceListable
{
    private static readonly object Lock = new();
    private static readonly SpladeImpactsPostingsFormat Format = new();

    private readonly IPostingsFormatFactory _previous;

    private SpladePostingsFormatFactory(IPostingsFormatFactory previous) => _previous = previous;

    public ICollection<string> AvailableServices
    {
        get
        {
            var names = _previous is IServiceListable listable ? new List<string>(listable.AvailableServices) : [];
            if (!names.Contains(SpladeImpactsPostingsFormat.FormatName))
            {
                names.Add(SpladeImpactsPostingsFormat.FormatName);
            }
            return names;
        }
    }

    public PostingsFormat GetPostingsFormat(string name) =>
        string.Equals(name, SpladeImpactsPostingsFormat.FormatName, StringComparison.Ordinal) ? Format : _previous.GetPostingsFormat(name);

    // Registering a codec component so that readers find it is what module initializers are for (Java
    // Lucene uses its service loader); it only wraps the factory already installed.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void EnsureRegistered()
    {
        lock (Lock)
        {
            var current = PostingsFormat.GetPostingsFormatFactory();
            if (current is not SpladePostingsFormatFactory)
            {
                PostingsFormat.SetPostingsFormatFactory(new SpladePostingsFormatFactory(current));
            }
        }
    }
}
