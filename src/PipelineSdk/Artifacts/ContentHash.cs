using System.Security.Cryptography;

namespace PipelineSdk.Artifacts;

/// <summary>SHA-256 content hashes as lower-case hex, the form stored for every artifact and cache key.</summary>
public static class ContentHash
{
    /// <summary>Hashes <paramref name="content"/>.</summary>
    public static string Of(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}

/// <summary>
/// A write-only stream that computes the <see cref="ContentHash"/> and size of what passes through it to an
/// inner stream, so content is hashed while it streams to where it is stored: a large chunk is written on another
/// thread while this one hashes it, so hashing costs little more than the write. Disposing it leaves the inner
/// stream open.
/// </summary>
/// <param name="inner">Where the bytes go.</param>
public sealed class HashingWriteStream(Stream inner) : Stream
{
    // Below this, handing the write to another thread costs more than hashing after it.
    private const int OverlapFrom = 128 * 1024;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>How many bytes have been written.</summary>
    public long BytesWritten { get; private set; }

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => BytesWritten;

    /// <inheritdoc />
    public override long Position { get => BytesWritten; set => throw new NotSupportedException(); }

    /// <summary>The SHA-256 of everything written so far, lower-case hex.</summary>
    public string GetHashHex() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count)
    {
        if (count < OverlapFrom)
        {
            Write(buffer.AsSpan(offset, count));
            return;
        }

        // The caller keeps its buffer until this returns, and both only read it.
        var writing = Task.Run(() => inner.Write(buffer, offset, count));
        try
        {
            _hash.AppendData(buffer, offset, count);
        }
        finally
        {
            writing.GetAwaiter().GetResult();
        }

        BytesWritten += count;
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        inner.Write(buffer);
        BytesWritten += buffer.Length;
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _hash.AppendData(buffer.Span);
        BytesWritten += buffer.Length;
        return inner.WriteAsync(buffer, cancellationToken);
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Flush() => inner.Flush();

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
