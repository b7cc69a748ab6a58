using System.Buffers;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>
/// A write-only, append-only stream for one PDF, on buffers rented from the shared pool: a report's few hundred
/// kilobytes would otherwise be grown through a chain of large-object arrays per document (each growth a new array),
/// which the collector pays for in full collections. The document's bytes are copied out once, at their final size.
/// </summary>
internal sealed class PdfBuffer : Stream
{
    private byte[] _buffer;
    private int _length;

    public PdfBuffer(int initialCapacity = 256 * 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>Everything written so far (valid until the next write).</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

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

    public byte[] ToArray() => Written.ToArray();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_length + buffer.Length > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(checked(_length + buffer.Length), _buffer.Length * 2));
            Written.CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        buffer.CopyTo(_buffer.AsSpan(_length));
        _length += buffer.Length;
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
        if (disposing && _buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _length = 0;
        }

        base.Dispose(disposing);
    }
}
