using PipelineSdk.Values;

namespace PipelineSdk.Benchmarks.Artifacts;

/// <summary>
/// A byte-stream artifact codec for the benchmark only: PipelineSdk has JSON parameter codecs but no byte-stream
/// artifact codec yet. Writing copies the value (a <see cref="Stream"/>) to the store's destination as it reads it;
/// reading consumes the stored bytes (to <see cref="Stream.Null"/>) and returns how many there were, because
/// <see cref="PipelineSdk.Artifacts.LocalArtifactStore.Read"/> closes the file before returning the value, so a
/// codec cannot hand the open stream on.
/// </summary>
public sealed class ByteStreamCodec : ValueCodec
{
    public static ByteStreamCodec Instance { get; } = new();

    public override string TypeName => "Stream";

    public override ValueKind Kind => ValueKind.Artifact;

    public override string KfpType => "system.Artifact";

    public override void WriteTo(object? value, Stream destination) => ((Stream)value!).CopyTo(destination);

    public override object? ReadFrom(Stream source)
    {
        var counter = new CountingSink();
        source.CopyTo(counter);
        return counter.Length;
    }

    public override object? ParseText(string text) => throw new FormatException("a byte stream cannot be typed as text");

    /// <summary>Discards what is written and counts it.</summary>
    private sealed class CountingSink : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
