using System.CommandLine;
using PipelineSdk.Artifacts;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using Spectre.Console;

namespace PipelineSdk.Cli.Commands;

/// <summary><c>pipelines artifacts show|export|gc</c> (and <c>versions|tag</c>, see <see cref="RegistryCommands"/>).</summary>
internal static class ArtifactCommands
{
    private const int PreviewBytes = 120;

    public static Command Create(Cli cli)
    {
        var command = new Command("artifacts", "Inspects and exports stored artifacts, and lists and tags the versions of named ones.");
        command.Add(Show(cli));
        command.Add(Export(cli));
        command.Add(CollectGarbage(cli));
        foreach (var registry in RegistryCommands.ArtifactCommands(cli))
        {
            command.Add(registry);
        }

        return command;
    }

    private static Command CollectGarbage(Cli cli)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be removed, remove nothing." };
        var output = Cli.OutputOption();
        var command = new Command("gc", "Removes local artifact content no record references: unfinished writes, outputs of killed runs, folders of deleted runs, scratch of ended local-process runs.") { dryRun, output };
        command.SetAction(cli.Handle(result =>
        {
            var directory = StoreLocation.Resolve();
            using var store = Cli.OpenStore();
            var artifactStore = StackSelection.Resolve(store, null).Stack.ArtifactStore;
            if (artifactStore.Flavor != "local")
            {
                throw new CliException($"the active stack's artifact store '{artifactStore.Name}' is {artifactStore.Flavor}; gc cleans local artifact stores (use the bucket's lifecycle rules for Cloud Storage)");
            }

            var root = artifactStore.Settings.GetValueOrDefault("path") ?? LocalArtifactStore.DefaultRoot(directory);
            var collected = ArtifactCollector.Collect(store, root, directory, result.GetValue(dryRun));
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (var item in collected)
                    {
                        w.WriteStartObject();
                        w.WriteString("path", item.Path);
                        w.WriteNumber("bytes", item.Bytes);
                        w.WriteString("reason", item.Reason);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return;
            }

            foreach (var item in collected)
            {
                cli.Line($"{(result.GetValue(dryRun) ? "would remove" : "removed")} {item.Path} ({item.Bytes} bytes): {item.Reason}");
            }

            cli.Line(collected.Count == 0
                ? "Nothing to remove: every artifact file is recorded."
                : $"{(result.GetValue(dryRun) ? "Would remove" : "Removed")} {collected.Count} item(s), {collected.Sum(i => i.Bytes)} bytes.");
        }));
        return command;
    }

    private static Command Show(Cli cli)
    {
        var id = new Argument<long>("id") { Description = "The artifact id (shown as #id by `pipelines runs show`)." };
        var output = Cli.OutputOption();
        var command = new Command("show", "Shows an artifact: type, size, hash, where it lives, who produced and who consumed it.") { id, output };
        command.SetAction(cli.Handle(async (result, cancellationToken) =>
        {
            using var store = Cli.OpenStoreForReading();
            var artifact = Get(store, result.GetValue(id));
            var producer = store.GetStepRun(artifact.ProducerStepRunId)!;
            var consumers = store.GetConsumers(artifact.Id);
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartObject();
                    w.WritePropertyName("artifact");
                    WriteArtifact(w, artifact);
                    w.WriteStartObject("producer");
                    w.WriteString("run", producer.RunId);
                    w.WriteString("task", producer.TaskKey);
                    w.WriteEndObject();
                    w.WriteStartArray("consumers");
                    foreach (var consumer in consumers)
                    {
                        w.WriteStartObject();
                        w.WriteString("run", consumer.RunId);
                        w.WriteString("task", consumer.TaskKey);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return Cli.Success;
            }

            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("Artifact", $"#{artifact.Id} {Markup.Escape(artifact.OutputName)}");
            grid.AddRow("Type", $"{Markup.Escape(artifact.ValueType)} ({artifact.KfpType})");
            grid.AddRow("Size", $"{artifact.Size} bytes");
            grid.AddRow("SHA-256", artifact.ContentHash);
            grid.AddRow("URI", Markup.Escape(artifact.Uri));
            if (artifact.MetadataJson != "{}")
            {
                grid.AddRow("Metadata", Markup.Escape(artifact.MetadataJson));
            }

            grid.AddRow("Produced by", Markup.Escape($"{producer.TaskKey} in run {producer.RunId}"));
            grid.AddRow("Consumed by", Markup.Escape(consumers.Count == 0 ? "-" : string.Join(", ", consumers.Select(c => $"{c.TaskKey} in run {c.RunId}"))));
            grid.AddRow("Value", Markup.Escape(await PreviewAsync(artifact, cancellationToken)));
            cli.Console.Write(grid);
            return Cli.Success;
        }));
        return command;
    }

    private static Command Export(Cli cli)
    {
        var id = new Argument<long>("id") { Description = "The artifact id." };
        var path = new Argument<string>("path") { Description = "Where to write its content." };
        var force = new Option<bool>("--force") { Description = "Overwrites an existing file." };
        var command = new Command("export", "Copies an artifact's content to a file (from Cloud Storage too, checking its CRC32C).") { id, path, force };
        command.SetAction(cli.Handle(async (result, cancellationToken) =>
        {
            using var store = Cli.OpenStoreForReading();
            var artifact = Get(store, result.GetValue(id));
            var target = Path.GetFullPath(result.GetValue(path)!);
            if ((File.Exists(target) || Directory.Exists(target)) && !result.GetValue(force))
            {
                throw new CliException($"{target} exists; pass --force to overwrite it");
            }

            if (LocalFolder(artifact) is { } folder)
            {
                // A folder artifact (a model directory, a DirectoryInfo output) is copied as a folder.
                if (Directory.Exists(target))
                {
                    Directory.Delete(target, recursive: true);
                }

                File.Delete(target);
                ArtifactFiles.Copy(folder, target);
                cli.Line($"Exported artifact #{artifact.Id} (a folder, {artifact.Size} bytes) to {target}.");
                return Cli.Success;
            }

            // Into a file beside the target first, so content that arrives corrupt never takes the target's place.
            var partial = target + ".partial";
            try
            {
                await using (var content = await OpenAsync(artifact, cancellationToken).ConfigureAwait(false))
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
                {
                    await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                }

                File.Move(partial, target, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }

            cli.Line($"Exported artifact #{artifact.Id} ({artifact.Size} bytes) to {target}.");
            return Cli.Success;
        }));
        return command;
    }

    /// <summary>The start of an artifact's content, for tables.</summary>
    internal static string Preview(ArtifactRecord artifact) =>
        // The tool has no synchronization context, so waiting here cannot deadlock.
        PreviewAsync(artifact, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The start of an artifact's content, for tables; where it cannot be read, its URI.</summary>
    internal static async Task<string> PreviewAsync(ArtifactRecord artifact, CancellationToken cancellationToken)
    {
        if (LocalFolder(artifact) is { } folder)
        {
            var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
            return $"a folder of {files.Count} file{(files.Count == 1 ? "" : "s")}: {string.Join(", ", files.Take(5))}{(files.Count > 5 ? ", …" : "")}";
        }

        try
        {
            await using var content = await OpenAsync(artifact, cancellationToken).ConfigureAwait(false);
            var buffer = new byte[PreviewBytes];
            var read = await content.ReadAtLeastAsync(buffer, PreviewBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read >= 4 && buffer.AsSpan(0, 4).SequenceEqual("PAR1"u8))
            {
                return await ParquetPreview.HeadAsync(artifact, OpenAsync, cancellationToken).ConfigureAwait(false);
            }

            if (buffer.AsSpan(0, read).Contains((byte)0))
            {
                return $"({artifact.Size} bytes of binary content)";
            }

            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, read);
            return read < artifact.Size ? text + "…" : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CliException or StackException)
        {
            return $"<{artifact.Uri}>";
        }
    }

    internal static void WriteArtifact(System.Text.Json.Utf8JsonWriter w, ArtifactRecord artifact)
    {
        w.WriteStartObject();
        w.WriteNumber("id", artifact.Id);
        w.WriteString("output", artifact.OutputName);
        w.WriteString("type", artifact.ValueType);
        w.WriteString("kfpType", artifact.KfpType);
        w.WriteNumber("size", artifact.Size);
        w.WriteString("sha256", artifact.ContentHash);
        w.WriteString("uri", artifact.Uri);
        w.WritePropertyName("metadata");
        w.WriteRawValue(artifact.MetadataJson);
        w.WriteEndObject();
    }

    private static ArtifactRecord Get(MetadataStore store, long id) =>
        store.GetArtifact(id) ?? throw new CliException($"no artifact #{id} (artifact ids are shown by `pipelines runs show RUN`)");

    /// <summary>
    /// Opens an artifact's content where its URI says: a file, a <c>gs://</c> object under the Cloud Storage mount,
    /// or through the Cloud Storage client (see <see cref="ArtifactUris"/>).
    /// </summary>
    /// <summary>The folder holding an artifact's content, when it is a folder reachable as a file path.</summary>
    private static string? LocalFolder(ArtifactRecord artifact)
    {
        try
        {
            return ArtifactUris.FilePath(artifact.Uri) is { } path && Directory.Exists(path) ? path : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static async Task<Stream> OpenAsync(ArtifactRecord artifact, CancellationToken cancellationToken)
    {
        try
        {
            return await ArtifactUris.OpenReadAsync(artifact.Uri, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliException($"the content of artifact #{artifact.Id} is gone from {artifact.Uri}");
        }
        catch (FormatException e)
        {
            throw new CliException(e.Message);
        }
    }
}
