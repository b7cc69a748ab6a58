using System.Buffers;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>
/// A write-only, append-only stream for one PDF, in fixed chunks rented from the shared pool. A report's bytes used to
/// grow one array by doubling: a 10,000-incident report (5 MB) passed through arrays of 4 and 8 MB, and the pool kept
/// every smaller one, so the process held three times the document. In chunks it holds the document once, and its
/// bytes are copied out once, at their final size.
/// </summary>
internal sealed class PdfBuffer : Stream
{
    internal const int ChunkSize = 64 * 1024;

    private readonly List<byte[]> _chunks = [];
    private long _length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    /// <summary>Always the end: bytes are only appended.</summary>
    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <summary>A buffer holding the bytes <paramref name="written"/> holds; <paramref name="written"/> is left empty, its memory freed.</summary>
    public static PdfBuffer TakeFrom(SKDynamicMemoryWStream written)
    {
        var buffer = new PdfBuffer();
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            using var bytes = written.DetachAsStream();
            int n;
            while ((n = bytes.Read(chunk, ChunkSize)) > 0) buffer.Write(chunk.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer;
    }

    /// <summary>A copy of the bytes written at [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="count"/>), cut at the end.</summary>
    public byte[] Read(long offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var copy = new byte[(int)Math.Clamp(_length - offset, 0, count)];
        CopyOut(offset, copy);
        return copy;
    }

    public byte[] ToArray()
    {
        var all = GC.AllocateUninitializedArray<byte>(checked((int)_length));
        CopyOut(0, all);
        return all;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var (index, at) = ((int)(_length / ChunkSize), (int)(_length % ChunkSize));
            if (index == _chunks.Count) _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
            var n = Math.Min(ChunkSize - at, buffer.Length);
            buffer[..n].CopyTo(_chunks[index].AsSpan(at));
            buffer = buffer[n..];
            _length += n;
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var chunk in _chunks) ArrayPool<byte>.Shared.Return(chunk);
            _chunks.Clear();
            _length = 0;
        }

        base.Dispose(disposing);
    }

    private void CopyOut(long offset, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            var (index, at) = ((int)(offset / ChunkSize), (int)(offset % ChunkSize));
            var n = Math.Min(ChunkSize - at, destination.Length);
            _chunks[index].AsSpan(at, n).CopyTo(destination);
            destination = destination[n..];
            offset += n;
        }
    }
}
