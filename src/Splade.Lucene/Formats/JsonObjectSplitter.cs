using System.Buffers;

namespace Splade.Lucene.Formats;

/// <summary>
/// Cuts a byte stream into top-level JSON objects, whatever their layout: one per line (JSON Lines), spread
/// over many lines (pretty-printed), or the elements of a top-level array, as Anserini's JSON collections
/// are read. It only finds where each object starts and ends (strings, escapes and nesting); the caller
/// parses the object. A damaged object never swallows the ones after it: an object still open when a line
/// starts with <c>{</c> in its first column, or with a line break inside a string, is reported as
/// incomplete, and scanning resumes at the next line that starts with <c>{</c>.
/// </summary>
internal sealed class JsonObjectSplitter
{
    private readonly Stream _stream;
    private readonly int _maxObjectBytes;
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly ArrayBufferWriter<byte> _object = new(1 << 12);
    private int _position;
    private int _length;
    private bool _eof;
    private long _line = 1;
    private bool _lineStart = true;
    private bool _firstByte = true;
    private bool _sawNonBlank;
    private bool _resync;
    private int _peeked;

    public JsonObjectSplitter(Stream stream, int maxObjectBytes)
    {
        _stream = stream;
        _maxObjectBytes = maxObjectBytes;
    }

    /// <summary>The next object (<paramref name="json"/> valid until the next call) or problem; false at the end.</summary>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public bool Next(out ReadOnlyMemory<byte> json, out long line, out string? error)
    {
        json = default;
        error = null;
        line = 0;
        while (true)
        {
            if (!TryPeek(out byte b))
            {
                return false;
            }
            if (_firstByte)
            {
                _firstByte = false;
                if (b == 0xEF)
                {
                    // A UTF-8 byte order mark.
                    SkipBom();
                    continue;
                }
            }
            bool lineStart = FirstNonBlankOfLine(b);
            Advance(b);
            if (_resync && !(b == (byte)'{' && lineStart))
            {
                continue;
            }
            _resync = false;
            switch (b)
            {
                case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'[' or (byte)']' or (byte)',':
                    continue;
                case (byte)'{':
                    line = _line;
                    var outcome = ReadObject(out error);
                    if (outcome == Outcome.Complete)
                    {
                        json = _object.WrittenMemory;
                        return true;
                    }
                    // Incomplete or too large: report it and resume at the next line starting with '{'.
                    _resync = outcome == Outcome.Abandoned;
                    return true;
                default:
                    line = _line;
                    error = $"expected a JSON object, found '{(char)b}'";
                    SkipLine();
                    return true;
            }
        }
    }

    /// <summary>
    /// The fast path for JSON Lines: when the next object starts in column 1, the line it starts (without its line
    /// break) if the whole line fits the buffer; nothing is consumed. A caller that parses the line as exactly one
    /// object, with nothing but blanks after it, calls <see cref="SkipPeekedLine"/>, and has what <see cref="Next"/>
    /// would have returned (<see cref="Next"/> cuts a valid object at its closing brace and skips the blanks that
    /// follow). Otherwise it calls <see cref="Next"/>, which reads the same bytes the careful way.
    /// </summary>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public bool TryPeekLine(out ReadOnlySpan<byte> json, out long line)
    {
        json = default;
        line = _line;
        if (!_lineStart || _resync || !TryPeek(out byte b) || b != (byte)'{')
        {
            return false;
        }
        while (true)
        {
            int end = _buffer.AsSpan(_position, _length - _position).IndexOf((byte)'\n');
            if (end >= 0)
            {
                _peeked = end + 1;
                json = _buffer.AsSpan(_position, end);
                return true;
            }
            if (_eof)
            {
                _peeked = _length - _position;
                json = _buffer.AsSpan(_position, _peeked);
                return true;
            }
            if (_position == 0 && _length == _buffer.Length)
            {
                // A line longer than the buffer: Next copies it as it reads.
                return false;
            }
            // Move the partial line to the front of the buffer and read on.
            _buffer.AsSpan(_position, _length - _position).CopyTo(_buffer);
            _length -= _position;
            _position = 0;
            int n = _stream.Read(_buffer, _length, _buffer.Length - _length);
            if (n == 0)
            {
                _eof = true;
            }
            _length += n;
        }
    }

    /// <summary>Consumes the line returned by the last <see cref="TryPeekLine"/> and its line break.</summary>
    public void SkipPeekedLine()
    {
        bool lineBreak = _position + _peeked <= _length && _peeked > 0 && _buffer[_position + _peeked - 1] == (byte)'\n';
        _position += _peeked;
        _peeked = 0;
        _firstByte = false;
        if (lineBreak)
        {
            _line++;
            _lineStart = true;
            _sawNonBlank = false;
        }
        else
        {
            // The last line of the file, without a line break: nothing follows.
            _lineStart = false;
            _sawNonBlank = true;
        }
    }

    private enum Outcome
    {
        Complete,
        Abandoned,
        NextObjectStarts,
    }

    // The bytes that end a run of plain bytes inside an object: outside strings, quotes, nesting and line breaks;
    // inside strings, the closing quote, escapes and line breaks.
    private static readonly SearchValues<byte> Structural = SearchValues.Create("\"{}[]\n"u8);
    private static readonly SearchValues<byte> StringSpecial = SearchValues.Create("\"\\\n"u8);
    private static readonly SearchValues<byte> Blank = SearchValues.Create(" \t\r"u8);

    // The opening brace has been consumed. Runs of bytes that change no state (most of an object) are found with
    // a vectorized search and copied at once; every other byte goes through Step, one at a time, as before.
    private Outcome ReadObject(out string? error)
    {
        error = null;
        _object.Clear();
        _object.GetSpan(1)[0] = (byte)'{';
        _object.Advance(1);
        long start = _line;
        int depth = 1;
        bool inString = false, escape = false;
        while (TryPeek(out byte b))
        {
            if (!escape)
            {
                var available = _buffer.AsSpan(_position, _length - _position);
                int run = inString ? available.IndexOfAny(StringSpecial) : available.IndexOfAny(Structural);
                if (run < 0)
                {
                    run = available.Length;
                }
                if (run > 0)
                {
                    // Plain bytes: no line break among them, so the line stays and no line starts.
                    int room = _maxObjectBytes - _object.WrittenCount;
                    int take = Math.Min(run, room);
                    var plain = available[..take];
                    plain.CopyTo(_object.GetSpan(take));
                    _object.Advance(take);
                    _position += take;
                    if (take > 0)
                    {
                        _lineStart = false;
                        _sawNonBlank |= plain.IndexOfAnyExcept(Blank) >= 0;
                    }
                    if (take < run)
                    {
                        // The object is full and one more byte arrives: consumed, then the object is given up.
                        Advance(available[take]);
                        error = $"JSON object longer than {_maxObjectBytes:N0} bytes; skipped";
                        SkipToObjectStart();
                        return Outcome.NextObjectStarts;
                    }
                    continue;
                }
            }
            if (!inString && b == (byte)'{' && _lineStart)
            {
                // A new top-level object begins in column 1 while this one is still open: this one is cut short.
                error = $"incomplete JSON object (the object starting at line {_line} begins before it ends)";
                return Outcome.NextObjectStarts;
            }
            Advance(b);
            if (_object.WrittenCount >= _maxObjectBytes)
            {
                error = $"JSON object longer than {_maxObjectBytes:N0} bytes; skipped";
                SkipToObjectStart();
                return Outcome.NextObjectStarts;
            }
            _object.GetSpan(1)[0] = b;
            _object.Advance(1);
            if (inString)
            {
                if (escape)
                {
                    escape = false;
                }
                else if (b == (byte)'\\')
                {
                    escape = true;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }
                else if (b == (byte)'\n')
                {
                    error = $"incomplete JSON object (a string is not closed before line {_line})";
                    return Outcome.Abandoned;
                }
                continue;
            }
            switch (b)
            {
                case (byte)'"':
                    inString = true;
                    break;
                case (byte)'{' or (byte)'[':
                    depth++;
                    break;
                case (byte)'}' or (byte)']':
                    if (--depth == 0)
                    {
                        return Outcome.Complete;
                    }
                    break;
            }
        }
        error = $"incomplete JSON object at the end of the file (it starts at line {start})";
        return Outcome.Abandoned;
    }

    private void SkipToObjectStart()
    {
        while (TryPeek(out byte b) && !(b == (byte)'{' && _lineStart))
        {
            Advance(b);
        }
    }

    private void SkipLine()
    {
        while (TryPeek(out byte b))
        {
            Advance(b);
            if (b == (byte)'\n')
            {
                return;
            }
        }
    }

    private void SkipBom()
    {
        for (int i = 0; i < 3 && TryPeek(out byte b) && (b == 0xEF || b == 0xBB || b == 0xBF); i++)
        {
            _position++;
        }
    }

    private bool FirstNonBlankOfLine(byte b) => !_sawNonBlank && b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n');

    private void Advance(byte b)
    {
        _position++;
        if (b == (byte)'\n')
        {
            _line++;
            _lineStart = true;
            _sawNonBlank = false;
        }
        else
        {
            _lineStart = false;
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                _sawNonBlank = true;
            }
        }
    }

    private bool TryPeek(out byte b)
    {
        if (_position == _length)
        {
            if (_eof)
            {
                b = 0;
                return false;
            }
            _length = _stream.Read(_buffer, 0, _buffer.Length);
            _position = 0;
            if (_length == 0)
            {
                _eof = true;
                b = 0;
                return false;
            }
        }
        b = _buffer[_position];
        return true;
    }
}
