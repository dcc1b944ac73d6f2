namespace IndexPubMed.Input;

/// <summary>
/// Splits a stream into lines of raw UTF-8 bytes without decoding them, so JSON lines can go
/// straight to <see cref="System.Text.Json.Utf8JsonReader"/>. Memory is one buffer as large as the
/// longest line, and a line longer than the limit (64 MiB by default) is read through and refused, so that one
/// endless line cannot exhaust memory.
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    /// <summary>The default longest line: far above a dense 30,522-term vector line (under 1 MB) or any real document.</summary>
    public const int DefaultMaxLineBytes = 64 << 20;

    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private int _scanned; // bytes after _start already known to hold no '\n'
    private bool _eof;
    private bool _atStart = true;

    public Utf8LineReader(Stream stream, int maxLineBytes = DefaultMaxLineBytes)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>
    /// Next line without its terminator ("\n" or "\r\n"); the memory is valid until the next call.
    /// </summary>
    /// <exception cref="FormatException">The next line is longer than the limit; it has been read through, and
    /// <see cref="LineNumber"/> is its number, so the caller can report it and read on.</exception>
    public bool TryReadLine(out ReadOnlyMemory<byte> line)
    {
        while (true)
        {
            int nl = Array.IndexOf(_buffer, (byte)'\n', _start + _scanned, _end - _start - _scanned);
            if (nl >= 0)
            {
                if (nl - _start > _maxLineBytes)
                {
                    SkipLongLine();
                }
                line = Take(nl, nl + 1);
                return true;
            }
            _scanned = _end - _start;
            if (_scanned > _maxLineBytes)
            {
                SkipLongLine();
            }
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

    // Discards the current over-long line up to and including its newline, then throws.
    private void SkipLongLine()
    {
        _atStart = false;
        while (true)
        {
            int nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (nl >= 0)
            {
                _start = nl + 1;
                break;
            }
            _start = _end = 0;
            int n = _stream.Read(_buffer, 0, _buffer.Length);
            if (n == 0)
            {
                _eof = true;
                break;
            }
            _end = n;
        }
        _scanned = 0;
        LineNumber++;
        throw new FormatException($"line longer than {_maxLineBytes:N0} bytes; skipped");
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
