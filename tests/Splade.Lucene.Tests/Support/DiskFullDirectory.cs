using Lucene.Net.Store;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Splade.Lucene.Tests.Support;

/// <summary>
/// A directory that behaves like a disk with <see cref="FreeBytes"/> free: every byte written through
/// <see cref="CreateOutput"/> uses one, and the write that would go past zero throws
/// <see cref="IOException"/> "No space left on device", as a full disk does. Deleting a file does not free
/// space (the budget is about what is written), so a test can sweep failure points by the budget alone.
/// </summary>
internal sealed class DiskFullDirectory : FilterDirectory
{
    public DiskFullDirectory(LuceneDirectory inner, long freeBytes)
        : base(inner) => FreeBytes = freeBytes;

    public long FreeBytes { get; private set; }

    /// <summary>True once a write has failed.</summary>
    public bool Failed { get; private set; }

    public override IndexOutput CreateOutput(string name, IOContext context) => new LimitedOutput(this, m_input.CreateOutput(name, context));

    /// <summary>The inner directory belongs to the caller: disposing this wrapper leaves it open.</summary>
#pragma warning disable CA2215 // FilterDirectory.Dispose would dispose the inner directory, which the caller owns.
    protected override void Dispose(bool disposing)
    {
    }
#pragma warning restore CA2215

    private void Use(long bytes)
    {
        if (bytes > FreeBytes)
        {
            Failed = true;
            throw new IOException("No space left on device");
        }
        FreeBytes -= bytes;
    }

    private sealed class LimitedOutput : IndexOutput
    {
        private readonly DiskFullDirectory _owner;
        private readonly IndexOutput _inner;

        public LimitedOutput(DiskFullDirectory owner, IndexOutput inner)
        {
            _owner = owner;
            _inner = inner;
        }

        public override void WriteByte(byte b)
        {
            _owner.Use(1);
            _inner.WriteByte(b);
        }

        public override void WriteBytes(byte[] b, int offset, int length)
        {
            _owner.Use(length);
            _inner.WriteBytes(b, offset, length);
        }

        public override void Flush() => _inner.Flush();

        public override long Position => _inner.Position;

        public override long Checksum => _inner.Checksum;

        [Obsolete("Seek is obsolete in Lucene.NET")]
        public override void Seek(long pos) => _inner.Seek(pos);

        public override long Length => _inner.Length;

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }
        }
    }
}
