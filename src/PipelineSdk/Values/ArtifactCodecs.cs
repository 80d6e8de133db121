using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PipelineSdk.Artifacts;

namespace PipelineSdk.Values;

/// <summary>
/// The codecs for artifacts. Generated code picks one per artifact-typed step input and output, e.g.
/// <c>ArtifactCodecs.Json(MyJson.Default.Forecast)</c> for a record covered by a <c>JsonSerializerContext</c>.
/// </summary>
public static class ArtifactCodecs
{
    private const string Generic = "system.Artifact";

    /// <summary><c>byte[]</c>: the bytes as one file (<c>system.Artifact</c>).</summary>
    public static ArtifactCodec Bytes { get; } = new BytesCodec();

    /// <summary>
    /// <see cref="System.IO.Stream"/>: one file (<c>system.Artifact</c>). A returned stream is copied from its
    /// position and disposed; an input stream is the stored file opened for reading, disposed after the step.
    /// </summary>
    public static ArtifactCodec Stream { get; } = new StreamCodec();

    /// <summary><see cref="FileInfo"/>: the file is copied into the artifact; an input is the stored file (<c>system.Artifact</c>).</summary>
    public static ArtifactCodec File { get; } = new FileCodec();

    /// <summary><see cref="DirectoryInfo"/>: the folder is copied into the artifact; an input is the stored folder (<c>system.Artifact</c>).</summary>
    public static ArtifactCodec Directory { get; } = new DirectoryCodec();

    /// <summary>A record or class as JSON through System.Text.Json source generation (no reflection; <c>system.Artifact</c>).</summary>
    /// <param name="typeInfo">The type's metadata from a <c>JsonSerializerContext</c>, e.g. <c>MyJson.Default.Forecast</c>.</param>
    public static ArtifactCodec Json<T>(JsonTypeInfo<T> typeInfo) => new JsonCodec<T>(typeInfo);

    /// <summary>
    /// A record or class as JSON through the source-generated metadata of <paramref name="context"/> (no reflection;
    /// <c>system.Artifact</c>). Generated code passes the <c>JsonSerializerContext</c> that lists <typeparamref name="T"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The context has no metadata for <typeparamref name="T"/>.</exception>
    public static ArtifactCodec Json<T>(JsonSerializerContext context) =>
        context.GetTypeInfo(typeof(T)) is JsonTypeInfo<T> typeInfo
            ? new JsonCodec<T>(typeInfo)
            : throw new InvalidOperationException($"{context.GetType().Name} has no JSON metadata for {typeof(T).Name}; add [JsonSerializable(typeof({typeof(T).Name}))] to it");

    /// <summary>One of the Kubeflow artifact classes (<see cref="Artifact"/>, <see cref="Dataset"/>, <see cref="Metrics"/>, …) with its schema title.</summary>
    public static ArtifactCodec Kind<T>()
        where T : Artifact, new() => new KindCodec<T>();

    /// <summary>A type stored by a materializer registered with <see cref="PipelineSdkMaterializerAttribute"/>.</summary>
    /// <param name="materializer">Writes and reads the values.</param>
    /// <param name="typeName">The C# type as written in code, for messages.</param>
    /// <param name="schemaTitle">The Kubeflow schema title, e.g. <c>system.Model</c>.</param>
    public static ArtifactCodec Materialized<T>(ArtifactMaterializer<T> materializer, string typeName, string schemaTitle) =>
        new MaterializedCodec<T>(materializer, typeName, schemaTitle);

    /// <summary>A list of artifacts as a step input (<c>isArtifactList</c>); reads produce a <see cref="List{T}"/>.</summary>
    public static ArtifactCodec List<T>(ArtifactCodec element) => new ListCodec<T>(element, asArray: false);

    /// <summary>An array of artifacts as a step input (<c>isArtifactList</c>).</summary>
    public static ArtifactCodec Array<T>(ArtifactCodec element) => new ListCodec<T>(element, asArray: true);

    private static T NotNull<T>(object? value, string typeName) =>
        value is T typed ? typed : throw new FormatException($"a {typeName} output is null; an artifact needs a value");

    /// <summary>A codec whose content is always one file.</summary>
    private abstract class SingleFileCodec(string typeName) : ArtifactCodec
    {
        public override string TypeName => typeName;
        public override string KfpType => Generic;

        internal override bool IsSingleFile => true;

        public sealed override JsonObject? Write(object? value, string path)
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
            WriteFile(value, file);
            return null;
        }

        internal override void WriteStream(object? value, System.IO.Stream destination) => WriteFile(value, destination);

        public override object? Read(ArtifactContent content)
        {
            using var file = new FileStream(content.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
            return ReadFile(file);
        }

        protected abstract void WriteFile(object? value, System.IO.Stream file);

        protected abstract object? ReadFile(System.IO.Stream file);
    }

    private sealed class BytesCodec() : SingleFileCodec("byte[]")
    {
        protected override void WriteFile(object? value, System.IO.Stream file) => file.Write(NotNull<byte[]>(value, TypeName));

        protected override object? ReadFile(System.IO.Stream file)
        {
            using var buffer = new MemoryStream();
            file.CopyTo(buffer);
            return buffer.ToArray();
        }
    }

    private sealed class StreamCodec() : SingleFileCodec("Stream")
    {
        protected override void WriteFile(object? value, System.IO.Stream file)
        {
            using var content = NotNull<System.IO.Stream>(value, TypeName);
            // Large chunks: few writes, and each long enough for its hashing to overlap it (see HashingWriteStream).
            content.CopyTo(file, 1024 * 1024);
        }

        public override object? Read(ArtifactContent content) =>
            new FileStream(content.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);

        protected override object? ReadFile(System.IO.Stream file) => throw new NotSupportedException();
    }

    private sealed class JsonCodec<T>(JsonTypeInfo<T> typeInfo) : SingleFileCodec(typeInfo.Type.Name)
    {
        protected override void WriteFile(object? value, System.IO.Stream file)
        {
            using var writer = new Utf8JsonWriter(file);
            JsonSerializer.Serialize(writer, NotNull<T>(value, TypeName), typeInfo);
        }

        protected override object? ReadFile(System.IO.Stream file)
        {
            try
            {
                return JsonSerializer.Deserialize(file, typeInfo);
            }
            catch (JsonException e)
            {
                throw new FormatException($"stored content is not a JSON {TypeName} ({e.Message})", e);
            }
        }
    }

    private sealed class FileCodec : ArtifactCodec
    {
        public override string TypeName => "FileInfo";
        public override string KfpType => Generic;

        public override JsonObject? Write(object? value, string path)
        {
            var file = NotNull<FileInfo>(value, TypeName);
            if (!file.Exists)
            {
                throw new FormatException($"the returned FileInfo names {file.FullName}, where no file exists");
            }

            ArtifactFiles.Copy(file.FullName, path);
            return null;
        }

        public override object? Read(ArtifactContent content) =>
            System.IO.File.Exists(content.Path) ? new FileInfo(content.Path) : throw new FormatException($"{content.Uri} is not a file");
    }

    private sealed class DirectoryCodec : ArtifactCodec
    {
        public override string TypeName => "DirectoryInfo";
        public override string KfpType => Generic;

        public override JsonObject? Write(object? value, string path)
        {
            var directory = NotNull<DirectoryInfo>(value, TypeName);
            if (!directory.Exists)
            {
                throw new FormatException($"the returned DirectoryInfo names {directory.FullName}, where no folder exists");
            }

            ArtifactFiles.Copy(directory.FullName, path);
            return null;
        }

        public override object? Read(ArtifactContent content) =>
            System.IO.Directory.Exists(content.Path) ? new DirectoryInfo(content.Path) : throw new FormatException($"{content.Uri} is not a folder");
    }

    private sealed class KindCodec<T> : ArtifactCodec
        where T : Artifact, new()
    {
        private readonly string _schemaTitle = new T().SchemaTitle;

        public override string TypeName => typeof(T).Name;
        public override string KfpType => _schemaTitle;

        public override JsonObject? Write(object? value, string path)
        {
            var artifact = NotNull<T>(value, TypeName);
            if (ArtifactFiles.Exists(artifact.Path))
            {
                ArtifactFiles.Copy(artifact.Path, path);
                ArtifactFiles.DeleteScratch(artifact.Path);
            }
            else if (artifact.ContentIsMetadata)
            {
                System.IO.File.WriteAllText(path, artifact.Metadata.ToJsonString());
            }
            else
            {
                throw new FormatException($"the returned {TypeName} has no content: write a file or create a folder at its Path ({artifact.Path}), or create it with new {TypeName}(path) from an existing one");
            }

            return artifact.Metadata.DeepClone().AsObject();
        }

        public override object? Read(ArtifactContent content)
        {
            JsonObject metadata;
            try
            {
                metadata = JsonNode.Parse(content.MetadataJson) as JsonObject ?? [];
            }
            catch (JsonException e)
            {
                throw new FormatException($"the metadata of {content.Uri} is not a JSON object ({e.Message})", e);
            }

            var artifact = new T();
            artifact.Bind(content.Path, content.Uri, metadata);
            return artifact;
        }
    }

    private sealed class MaterializedCodec<T>(ArtifactMaterializer<T> materializer, string typeName, string schemaTitle) : ArtifactCodec
    {
        public override string TypeName => typeName;
        public override string KfpType => schemaTitle;

        public override JsonObject? Write(object? value, string path)
        {
            var typed = NotNull<T>(value, TypeName);
            materializer.Write(typed, path);
            if (!ArtifactFiles.Exists(path))
            {
                throw new FormatException($"{materializer.GetType().Name}.Write stored nothing at the path it was given; it must write a file or create a folder there");
            }

            return materializer.Metadata(typed, path);
        }

        public override object? Read(ArtifactContent content) => materializer.Read(content.Path);
    }

    private sealed class ListCodec<T>(ArtifactCodec element, bool asArray) : ArtifactCodec
    {
        public override string TypeName => asArray ? $"{element.TypeName}[]" : $"List<{element.TypeName}>";
        public override string KfpType => element.KfpType;
        public override bool IsList => true;

        public override JsonObject? Write(object? value, string path) =>
            throw new FormatException($"a {TypeName} is a list of artifacts; a step returns one artifact per output");

        public override object? Read(ArtifactContent content) => ReadList([content]);

        public override object? ReadList(IReadOnlyList<ArtifactContent> contents)
        {
            var items = new List<T>(contents.Count);
            foreach (var content in contents)
            {
                items.Add((T)element.Read(content)!);
            }

            return asArray ? items.ToArray() : items;
        }
    }
}
