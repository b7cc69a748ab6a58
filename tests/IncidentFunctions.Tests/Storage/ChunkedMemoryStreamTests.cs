using IncidentFunctions.Storage;

namespace IncidentFunctions.Tests.Storage;

[Trait("Category", TestCategories.Unit)]
public sealed class ChunkedMemoryStreamTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>A network body: not seekable, and each read returns whatever it likes up to what was asked.</summary>
    private sealed class TrickleStream(byte[] data, int seed) : Stream
    {
        private readonly Random _random = new(seed);
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(buffer.Length, data.Length - _position), _random.Next(1, 20_000));
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return Read(buffer.Span);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    public static TheoryData<int, bool> Lengths()
    {
        var data = new TheoryData<int, bool>();
        foreach (var length in new[] { 0, 1, 4_095, 4_096, 4_097, 65_535, 65_536, 65_537, 300_001, 1_048_576 })
        {
            data.Add(length, true);
            data.Add(length, false);
        }

        return data;
    }

    private static byte[] Body(int length)
    {
        var body = new byte[length];
        new Random(length).NextBytes(body);
        return body;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public async Task ReadFromAsync_AnyLength_ReadsBackTheBodyThroughEveryReadMember(int length, bool declared)
    {
        var body = Body(length);

        using var stream = await ChunkedMemoryStream.ReadFromAsync(new TrickleStream(body, length), declared ? length : null, Ct);

        Assert.Equal(length, stream.Length);
        Assert.Equal(body, stream.ToArray());
        Assert.InRange(stream.LargestChunk, 0, 84_999);

        var read = new byte[length];
        var at = 0;
        var sizes = new Random(7);
        while (at < length) at += stream.Read(read, at, Math.Min(sizes.Next(1, 100_000), length - at));
        Assert.Equal(0, stream.Read(new byte[1], 0, 1));
        Assert.Equal(-1, stream.ReadByte());
        Assert.Equal(body, read);

        stream.Position = 0;
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        Assert.Equal(body, copy.ToArray());

        stream.Position = 0;
        var viaAsync = new byte[length];
        Assert.Equal(length, await stream.ReadAtLeastAsync(viaAsync, length, throwOnEndOfStream: false, Ct));
        Assert.Equal(body, viaAsync);

        var written = new MemoryStream();
        stream.WriteTo(written);
        Assert.Equal(body, written.ToArray());
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ReadFrom_Synchronous_ReadsTheSameBody(int length, bool declared)
    {
        var body = Body(length);

        using var stream = ChunkedMemoryStream.ReadFrom(new TrickleStream(body, length), declared ? length : null);

        Assert.Equal(body, stream.ToArray());
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        Assert.Equal(body, copy.ToArray());
    }

    [Fact]
    public async Task Seek_EveryOrigin_ReadsWhatAMemoryStreamReads()
    {
        var body = Body(200_000);
        using var chunked = await ChunkedMemoryStream.ReadFromAsync(new TrickleStream(body, 1), null, Ct);
        using var plain = new MemoryStream(body);

        foreach (var (offset, origin) in new (long, SeekOrigin)[] { (4_095, SeekOrigin.Begin), (70_000, SeekOrigin.Current), (-1, SeekOrigin.End), (-131_073, SeekOrigin.End), (10, SeekOrigin.Current), (5_000, SeekOrigin.End) })
        {
            Assert.Equal(plain.Seek(offset, origin), chunked.Seek(offset, origin));
            var expected = new byte[3_000];
            var actual = new byte[3_000];
            Assert.Equal(plain.Read(expected), chunked.Read(actual));
            Assert.Equal(expected, actual);
            Assert.Equal(plain.Position, chunked.Position);
        }

        Assert.Throws<IOException>(() => chunked.Seek(-1, SeekOrigin.Begin));
    }

    [Fact]
    public async Task BufferMembers_HeldInChunks_NeverExposeTheEmptyBaseBufferAndRefuseWrites()
    {
        using var stream = await ChunkedMemoryStream.ReadFromAsync(new TrickleStream(Body(10), 1), 10, Ct);

        // Azure.Core's Response.Content takes TryGetBuffer's segment when it is offered: an empty one would lose the body.
        Assert.False(stream.TryGetBuffer(out _));
        Assert.Throws<UnauthorizedAccessException>(() => stream.GetBuffer());
        Assert.False(stream.CanWrite);
        Assert.Throws<NotSupportedException>(() => stream.Write([1], 0, 1));
        Assert.Throws<NotSupportedException>(() => stream.WriteByte(1));
        Assert.Throws<NotSupportedException>(() => stream.SetLength(0));
        Assert.Equal(10, stream.Capacity);
    }

    [Fact]
    public async Task Read_AfterDispose_ThrowsObjectDisposed()
    {
        var stream = await ChunkedMemoryStream.ReadFromAsync(new TrickleStream(Body(10), 1), null, Ct);

        await stream.DisposeAsync();

        Assert.False(stream.CanRead);
        Assert.Throws<ObjectDisposedException>(() => stream.ReadByte());
        Assert.Throws<ObjectDisposedException>(() => stream.ToArray());
    }

    [Fact]
    public async Task ReadFromAsync_BodyShorterThanDeclared_KeepsWhatCame()
    {
        var body = Body(70_000);

        using var stream = await ChunkedMemoryStream.ReadFromAsync(new TrickleStream(body, 4), 200_000, Ct);

        Assert.Equal(70_000, stream.Length);
        Assert.Equal(body, stream.ToArray());
    }

    [Fact]
    public async Task ReadFromAsync_BodyLongerThanDeclared_ReadsItAll()
    {
        var body = Body(70_000);

        using var stream = await ChunkedMemoryStream.ReadFromAsync(new TrickleStream(body, 3), 1_000, Ct);

        Assert.Equal(body, stream.ToArray());
    }
}
