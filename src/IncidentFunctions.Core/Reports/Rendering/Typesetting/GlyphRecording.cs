using System.Buffers;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering.Typesetting;

/// <summary>One run in a <see cref="GlyphRecording"/>: where it is drawn (relative to what recorded it) and its slices.</summary>
/// <param name="X">The line's left edge; the run itself starts <paramref name="At"/> further right.</param>
internal readonly record struct RecordedRun(int Face, float Size, SKColor Color, float X, float Baseline, float At, int Chunk, int GlyphStart, int GlyphCount, int TextStart, int TextLength);

/// <summary>
/// Text laid out now and drawn later, kept as what a Skia text blob takes (glyphs, positions, clusters, UTF-8) in
/// chunks of plain arrays, with a small value per run. A report's table rows are laid out before any page is drawn
/// (every page says "page X of Y", and fonts are pruned to the glyphs laid out); kept as object graphs (lines, runs,
/// their arrays) they lived until drawing, and the collections in between copied them from one generation to the next.
/// A recording holds no object per run. Its chunks come from the shared array pool and go back to it with the
/// document, so the next document reuses them; each is below the large-object heap's threshold, and none is copied to
/// grow.
/// </summary>
internal sealed class GlyphRecording : IDisposable
{
    private const int ChunkGlyphs = 8_192;
    private const int ChunkTextBytes = 8_192;
    private const int RunsPerBlock = 1_024;
    private readonly List<Chunk> _chunks = [];
    private readonly List<RecordedRun[]> _runs = [];
    private readonly List<FontFace> _faces = [];
    private List<GlyphRun>? _observed;
    private int _chunk;

    public int RunCount { get; private set; }

    public ref readonly RecordedRun this[int index] => ref _runs[index / RunsPerBlock][index % RunsPerBlock];

    public FontFace Face(in RecordedRun run) => _faces[run.Face];

    public ReadOnlySpan<ushort> Glyphs(in RecordedRun run) => _chunks[run.Chunk].Glyphs.AsSpan(run.GlyphStart, run.GlyphCount);

    public ReadOnlySpan<SKPoint> Positions(in RecordedRun run) => _chunks[run.Chunk].Positions.AsSpan(run.GlyphStart, run.GlyphCount);

    public ReadOnlySpan<uint> Clusters(in RecordedRun run) => _chunks[run.Chunk].Clusters.AsSpan(run.GlyphStart, run.TextLength == 0 ? 0 : run.GlyphCount);

    public ReadOnlySpan<byte> Text(in RecordedRun run) => _chunks[run.Chunk].Text.AsSpan(run.TextStart, run.TextLength);

    /// <summary>The shaped run recorded at <paramref name="index"/>, kept only when <see cref="Add"/> was given it (a measuring tool's observer).</summary>
    public GlyphRun Observed(int index) => _observed?[index] ?? throw new InvalidOperationException("The recording kept no shaped runs.");

    /// <summary>Records <paramref name="run"/> as drawn with its line's left edge at <paramref name="x"/>.</summary>
    /// <param name="observed">Kept only for an observer, which is told of the shaped run when the recording is drawn.</param>
    public void Add(GlyphRun run, float size, SKColor color, float x, float baseline, GlyphRun? observed)
    {
        var target = new Target(this);
        var at = GlyphEmitter.Emit(ref target, run, size);
        if (target.Chunk < 0) return;
        var face = _faces.IndexOf(run.Face);
        if (face < 0)
        {
            face = _faces.Count;
            _faces.Add(run.Face);
        }

        if (RunCount == _runs.Count * RunsPerBlock) _runs.Add(ArrayPool<RecordedRun>.Shared.Rent(RunsPerBlock));
        _runs[RunCount / RunsPerBlock][RunCount % RunsPerBlock] = new RecordedRun(face, size, color, x, baseline, at, target.Chunk, target.GlyphStart, target.GlyphCount, target.TextStart, target.TextLength);
        RunCount++;
        if (observed is not null) (_observed ??= []).Add(observed);
    }

    /// <summary>Forgets every run, keeping the chunks for the next.</summary>
    public void Clear()
    {
        RunCount = 0;
        _chunk = 0;
        foreach (var chunk in _chunks) chunk.Reset();
        _observed?.Clear();
    }

    /// <summary>Gives every chunk back to the pool; the recording is empty, and rents again if used.</summary>
    public void Dispose()
    {
        Clear();
        foreach (var chunk in _chunks) chunk.Return();
        _chunks.Clear();
        foreach (var block in _runs) ArrayPool<RecordedRun>.Shared.Return(block);
        _runs.Clear();
    }

    /// <summary>Room for a run in the current chunk, else the next (a run larger than a chunk gets a chunk of its own size); returns the chunk's index.</summary>
    private int Reserve(int glyphs, int textBytes, out GlyphRunBuffers buffers)
    {
        while (true)
        {
            if (_chunk == _chunks.Count) _chunks.Add(NewChunk(glyphs, textBytes));
            if (_chunks[_chunk].TryReserve(glyphs, textBytes, out buffers)) return _chunk;
            if (_chunks[_chunk].IsEmpty)
            {
                // Kept from before a Clear, and too small for this run.
                _chunks[_chunk].Return();
                _chunks[_chunk] = NewChunk(glyphs, textBytes);
            }
            else
            {
                _chunk++;
            }
        }
    }

    private static Chunk NewChunk(int glyphs, int textBytes) => new(Math.Max(glyphs, ChunkGlyphs), Math.Max(textBytes, ChunkTextBytes));

    /// <summary>Arrays for <see cref="ChunkGlyphs"/> glyphs from the pool; a run larger than that gets arrays of its own size, not pooled.</summary>
    private sealed class Chunk(int glyphs, int textBytes)
    {
        public ushort[] Glyphs { get; } = Rent<ushort>(glyphs, glyphs == ChunkGlyphs);

        public SKPoint[] Positions { get; } = Rent<SKPoint>(glyphs, glyphs == ChunkGlyphs);

        public uint[] Clusters { get; } = Rent<uint>(glyphs, glyphs == ChunkGlyphs);

        public byte[] Text { get; } = Rent<byte>(textBytes, textBytes == ChunkTextBytes);

        public int GlyphCount { get; private set; }

        public int TextCount { get; private set; }

        public bool IsEmpty => GlyphCount == 0 && TextCount == 0;

        public bool TryReserve(int glyphs, int textBytes, out GlyphRunBuffers buffers)
        {
            if (GlyphCount + glyphs > Glyphs.Length || TextCount + textBytes > Text.Length)
            {
                buffers = default;
                return false;
            }

            buffers = new GlyphRunBuffers(
                Glyphs.AsSpan(GlyphCount, glyphs),
                Positions.AsSpan(GlyphCount, glyphs),
                Clusters.AsSpan(GlyphCount, textBytes == 0 ? 0 : glyphs),
                Text.AsSpan(TextCount, textBytes));
            GlyphCount += glyphs;
            TextCount += textBytes;
            return true;
        }

        public void Reset() => (GlyphCount, TextCount) = (0, 0);

        public void Return()
        {
            if (Glyphs.Length == ChunkGlyphs)
            {
                ArrayPool<ushort>.Shared.Return(Glyphs);
                ArrayPool<SKPoint>.Shared.Return(Positions);
                ArrayPool<uint>.Shared.Return(Clusters);
            }

            if (Text.Length == ChunkTextBytes) ArrayPool<byte>.Shared.Return(Text);
        }

        // The pool's buckets are powers of two: a chunk-sized rent gets exactly that length.
        private static T[] Rent<T>(int length, bool pooled) => pooled ? ArrayPool<T>.Shared.Rent(length) : new T[length];
    }

    /// <summary>Reserves in the recording, and remembers where (a run reserves once).</summary>
    private struct Target(GlyphRecording recording) : IGlyphRunTarget
    {
        public int Chunk { get; private set; } = -1;

        public int GlyphStart { get; private set; }

        public int GlyphCount { get; private set; }

        public int TextStart { get; private set; }

        public int TextLength { get; private set; }

        public GlyphRunBuffers Allocate(int glyphs, int textBytes)
        {
            Chunk = recording.Reserve(glyphs, textBytes, out var buffers);
            var chunk = recording._chunks[Chunk];
            (GlyphStart, GlyphCount, TextStart, TextLength) = (chunk.GlyphCount - glyphs, glyphs, chunk.TextCount - textBytes, textBytes);
            return buffers;
        }
    }
}
