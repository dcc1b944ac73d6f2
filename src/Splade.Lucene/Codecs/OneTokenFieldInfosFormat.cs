using Lucene.Net.Codecs;
using Lucene.Net.Index;
using Lucene.Net.Store;

namespace Splade.Lucene.Codecs;

/// <summary>
/// Lucene 4.6's field infos format whose writer records the one-token fields whose postings
/// <see cref="SpladeCodec"/> wrote as frequencies (<see cref="OneTokenConversions"/>) as <c>DOCS_AND_FREQS</c> without
/// payloads, so that the segment's <c>.fnm</c> describes what its postings hold. Reading is Lucene's, unchanged: the
/// segment records the codec as <c>Lucene46</c>.
/// </summary>
internal sealed class OneTokenFieldInfosFormat : FieldInfosFormat
{
    private readonly FieldInfosFormat _inner;
    private readonly Writer _writer;

    public OneTokenFieldInfosFormat(FieldInfosFormat inner, OneTokenConversions conversions)
    {
        _inner = inner;
        _writer = new Writer(inner.FieldInfosWriter, conversions);
    }

    public override FieldInfosReader FieldInfosReader => _inner.FieldInfosReader;

    public override FieldInfosWriter FieldInfosWriter => _writer;

    private sealed class Writer : FieldInfosWriter
    {
        private readonly FieldInfosWriter _inner;
        private readonly OneTokenConversions _conversions;

        public Writer(FieldInfosWriter inner, OneTokenConversions conversions)
        {
            _inner = inner;
            _conversions = conversions;
        }

        public override void Write(global::Lucene.Net.Store.Directory directory, string segmentName, string segmentSuffix, FieldInfos infos, IOContext context)
        {
            var written = new List<FieldInfo>(infos.Count);
            bool changed = false;
            foreach (var info in infos)
            {
                var w = _conversions.Written(info);
                changed |= !ReferenceEquals(w, info);
                written.Add(w);
            }
            _inner.Write(directory, segmentName, segmentSuffix, changed ? new FieldInfos(written.ToArray()) : infos, context);
        }
    }
}
