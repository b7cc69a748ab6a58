using IncidentFunctions.Reports.Rendering;
using SkiaSharp;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class PdfBufferTests
{
    [Fact]
    public void ToArray_WritesAcrossChunkBoundaries_ReturnsEveryByteInOrder()
    {
        var expected = Pattern((PdfBuffer.ChunkSize * 3) + 17);
        using var buffer = new PdfBuffer();

        // Uneven pieces: some end exactly on a chunk edge, one spans two edges, single bytes in between.
        var at = 0;
        foreach (var size in new[] { 1, PdfBuffer.ChunkSize - 1, (PdfBuffer.ChunkSize * 2) + 5, 1 })
        {
            buffer.Write(expected, at, size);
            at += size;
        }

        while (at < expected.Length) buffer.WriteByte(expected[at++]);

        Assert.Equal(expected.Length, buffer.Length);
        Assert.Equal(expected.Length, buffer.Position);
        Assert.Equal(expected, buffer.ToArray());
    }

    [Fact]
    public void Read_RangeAcrossChunksAndPastTheEnd_ReturnsTheWrittenPartOnly()
    {
        var expected = Pattern(PdfBuffer.ChunkSize + 100);
        using var buffer = new PdfBuffer();
        buffer.Write(expected);

        Assert.Equal(expected.AsSpan(PdfBuffer.ChunkSize - 10, 20).ToArray(), buffer.Read(PdfBuffer.ChunkSize - 10, 20));
        Assert.Equal(expected.AsSpan(expected.Length - 30).ToArray(), buffer.Read(expected.Length - 30, 4096));
        Assert.Empty(buffer.Read(expected.Length + 5, 10));
    }

    [Fact]
    public void TakeFrom_NativeBytesOverSeveralChunks_HoldsThemInOrderAndEmptiesTheSource()
    {
        var expected = Pattern((PdfBuffer.ChunkSize * 2) + 333);
        using var written = new SKDynamicMemoryWStream();
        written.Write(expected, expected.Length);

        using var buffer = PdfBuffer.TakeFrom(written);

        Assert.Equal(expected, buffer.ToArray());
        Assert.Equal(0, written.BytesWritten);
        buffer.Write([1, 2, 3]);
        Assert.Equal(expected.Length + 3, buffer.Length);
    }

    [Fact]
    public void ToArray_NothingWritten_ReturnsEmpty()
    {
        using var buffer = new PdfBuffer();

        Assert.Empty(buffer.ToArray());
    }

    private static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)((i * 31) + (i >> 16));
        return bytes;
    }
}
