namespace IncidentFunctions.Storage;

/// <summary>
/// A read-only, seekable copy of a response body held in chunks below the large object heap threshold. It derives from
/// <see cref="MemoryStream"/> because the Azure SDK treats only that type as buffered: <c>Response.Content</c> reads
/// it (through <see cref="ToArray"/>), and disposing a response leaves it readable. Every read member is overridden, so
/// the base class's own (empty) buffer is never seen.
/// </summary>
internal sealed class ChunkedMemoryStream : MemoryStream
{
    /// <summary>The largest chunk: below the 85,000-byte threshold at which arrays go to the large object heap.</summary>
    internal const int MaxChunkSize = 64 * 1024;

    /// <summary>The first chunk when the length is not known: small bodies (point reads, batch replies) stay small.</summary>
    internal const int FirstChunkSize = 4 * 1024;

    private readonly List<byte[]> _chunks;
    private readonly long _length;
    private long _position;
    private bool _closed;

    private ChunkedMemoryStream(List<byte[]> chunks, long length)
        : base([], writable: false)
    {
        _chunks = chunks;
        _length = length;
    }

    /// <summary>Reads <paramref name="source"/> to its end; <paramref name="declaredLength"/> (Content-Length) sizes the chunks when known.</summary>
    public static async Task<ChunkedMemoryStream> ReadFromAsync(Stream source, long? declaredLength, CancellationToken cancellationToken)
    {
        var chunks = new List<byte[]>();
        long length = 0;
        while (NextChunk(chunks.Count, length, declaredLength) is { } chunk)
        {
            var filled = await source.ReadAtLeastAsync(chunk, chunk.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (Add(chunks, chunk, filled, ref length)) break;
        }

        return new ChunkedMemoryStream(chunks, length);
    }

    /// <summary>Reads <paramref name="source"/> to its end, synchronously (the SDK's synchronous calls).</summary>
    public static ChunkedMemoryStream ReadFrom(Stream source, long? declaredLength)
    {
        var chunks = new List<byte[]>();
        long length = 0;
        while (NextChunk(chunks.Count, length, declaredLength) is { } chunk)
        {
            var filled = source.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false);
            if (Add(chunks, chunk, filled, ref length)) break;
        }

        return new ChunkedMemoryStream(chunks, length);
    }

    /// <summary>The next chunk to fill, or null once the declared length has been read.</summary>
    private static byte[]? NextChunk(int count, long length, long? declaredLength)
    {
        if (declaredLength is { } declared && length <= declared)
        {
            var remaining = declared - length;
            if (remaining == 0 && count > 0) return null;

            // One byte beyond what is declared: a short last chunk then says the body ended, and a body longer than
            // its header goes on into chunks of the other kind.
            return new byte[(int)Math.Min(remaining + 1, MaxChunkSize)];
        }

        return new byte[Math.Min(FirstChunkSize << Math.Min(count, 4), MaxChunkSize)];
    }

    /// <summary>Keeps a chunk read into; only the last may be partly filled. True at the end of the body.</summary>
    private static bool Add(List<byte[]> chunks, byte[] chunk, int filled, ref long length)
    {
        if (filled > 0) chunks.Add(chunk);
        length += filled;
        return filled < chunk.Length;
    }

    /// <summary>The chunk holding <paramref name="position"/> (before the end), the offset in it and the bytes from there to the chunk's end.</summary>
    private (byte[] Chunk, int At, int Available) Segment(long position)
    {
        long start = 0;
        foreach (var chunk in _chunks)
        {
            if (position < start + chunk.Length) return (chunk, (int)(position - start), (int)(Math.Min(start + chunk.Length, _length) - position));
            start += chunk.Length;
        }

        throw new InvalidOperationException("The position is beyond the buffered body.");
    }

    /// <summary>The longest chunk held (tests: it must stay off the large object heap).</summary>
    internal int LargestChunk => _chunks.Count == 0 ? 0 : _chunks.Max(c => c.Length);

    public override bool CanRead => !_closed;

    public override bool CanSeek => !_closed;

    public override bool CanWrite => false;

    public override long Length
    {
        get
        {
            ThrowIfClosed();
            return _length;
        }
    }

    public override long Position
    {
        get
        {
            ThrowIfClosed();
            return _position;
        }
        set
        {
            ThrowIfClosed();
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Capacity
    {
        get
        {
            ThrowIfClosed();
            return (int)Math.Min(_length, int.MaxValue);
        }
        set => throw new NotSupportedException("The buffered response is read-only.");
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        ThrowIfClosed();
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentException("Unknown seek origin.", nameof(origin)),
        };
        if (target < 0) throw new IOException("An attempt was made to move the position before the beginning of the stream.");
        return _position = target;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ThrowIfClosed();
        var copied = 0;
        while (copied < buffer.Length && _position < _length)
        {
            var (chunk, at, available) = Segment(_position);
            var n = Math.Min(available, buffer.Length - copied);
            chunk.AsSpan(at, n).CopyTo(buffer[copied..]);
            copied += n;
            _position += n;
        }

        return copied;
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return cancellationToken.IsCancellationRequested ? Task.FromCanceled<int>(cancellationToken) : Task.FromResult(Read(buffer.AsSpan(offset, count)));
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : new(Read(buffer.Span));

    public override void CopyTo(Stream destination, int bufferSize)
    {
        ValidateCopyToArguments(destination, bufferSize);
        ThrowIfClosed();
        while (_position < _length)
        {
            var (chunk, at, available) = Segment(_position);
            destination.Write(chunk, at, available);
            _position += available;
        }
    }

    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        ValidateCopyToArguments(destination, bufferSize);
        ThrowIfClosed();
        while (_position < _length)
        {
            var (chunk, at, available) = Segment(_position);
            await destination.WriteAsync(chunk.AsMemory(at, available), cancellationToken).ConfigureAwait(false);
            _position += available;
        }
    }

    /// <summary>The whole body, whatever the position (as <see cref="MemoryStream.WriteTo"/>).</summary>
    public override void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ThrowIfClosed();
        long start = 0;
        foreach (var chunk in _chunks)
        {
            stream.Write(chunk, 0, (int)Math.Min(chunk.Length, _length - start));
            start += chunk.Length;
        }
    }

    /// <summary>A copy of the whole body, as <c>Response.Content</c> asks for it.</summary>
    public override byte[] ToArray()
    {
        ThrowIfClosed();
        var result = GC.AllocateUninitializedArray<byte>(checked((int)_length));
        var at = 0;
        foreach (var chunk in _chunks)
        {
            var n = Math.Min(chunk.Length, result.Length - at);
            chunk.AsSpan(0, n).CopyTo(result.AsSpan(at));
            at += n;
        }

        return result;
    }

    /// <summary>There is no single buffer to expose.</summary>
    public override bool TryGetBuffer(out ArraySegment<byte> buffer)
    {
        buffer = default;
        return false;
    }

    public override byte[] GetBuffer() => throw new UnauthorizedAccessException("The buffered response is held in chunks; use ToArray.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The buffered response is read-only.");

    public override void Write(ReadOnlySpan<byte> buffer) => throw new NotSupportedException("The buffered response is read-only.");

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw new NotSupportedException("The buffered response is read-only.");

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => throw new NotSupportedException("The buffered response is read-only.");

    public override void WriteByte(byte value) => throw new NotSupportedException("The buffered response is read-only.");

    public override void SetLength(long value) => throw new NotSupportedException("The buffered response is read-only.");

    protected override void Dispose(bool disposing)
    {
        _closed = true;
        base.Dispose(disposing);
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_closed, this);
}
