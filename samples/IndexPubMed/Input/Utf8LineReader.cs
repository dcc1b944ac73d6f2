namespace IndexPubMed.Input;

/// <summary>
/// Splits a stream into lines of raw UTF-8 bytes without decoding them, so JSON lines can go
/// straight to <see cref="System.Text.Json.Utf8JsonReader"/>. Memory is one buffer as large as the
/// longest line.
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private int _scanned; // bytes after _start already known to hold no '\n'
    private bool _eof;
    private bool _atStart = true;

    public Utf8LineReader(Stream stream) => _stream = stream;

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>
    /// Next line without its terminator ("\n" or "\r\n"); the memory is valid until the next call.
    /// </summary>
    public bool TryReadLine(out ReadOnlyMemory<byte> line)
    {
        while (true)
        {
            int nl = Array.IndexOf(_buffer, (byte)'\n', _start + _scanned, _end - _start - _scanned);
            if (nl >= 0)
            {
                line = Take(nl, nl + 1);
                return true;
            }
            _scanned = _end - _start;
            if (_eof)
            {
                if (_start < _end)
                {
                    line = Take(_end, _end);
                    return true;
                }
                line = default;
                return false;
            }
            Fill();
        }
    }

    private ReadOnlyMemory<byte> Take(int lineEnd, int next)
    {
        int begin = _start;
        if (_atStart)
        {
            _atStart = false;
            if (lineEnd - begin >= 3 && _buffer[begin] == 0xEF && _buffer[begin + 1] == 0xBB && _buffer[begin + 2] == 0xBF)
            {
                begin += 3;
            }
        }
        int end = lineEnd > begin && _buffer[lineEnd - 1] == (byte)'\r' ? lineEnd - 1 : lineEnd;
        _start = next;
        _scanned = 0;
        LineNumber++;
        return new ReadOnlyMemory<byte>(_buffer, begin, end - begin);
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0)
        {
            _eof = true;
        }
        _end += n;
    }

    public void Dispose() => _stream.Dispose();
}
