using PipelineSdk.Store;

namespace PipelineSdk.Artifacts;

/// <summary>Something <see cref="ArtifactCollector"/> removed (or would remove, in a dry run), and why.</summary>
/// <param name="Path">The file or folder.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Reason">Why nothing needs it.</param>
public sealed record CollectedPath(string Path, long Bytes, string Reason);

/// <summary>
/// Removes local artifact content that no record references: temporaries of writes that never finished, outputs of runs
/// killed before they recorded them, folders of runs no longer in the store, and the scratch folders of local-process runs
/// that ended. Runs still running are left alone.
/// </summary>
public static class ArtifactCollector
{
    /// <summary>The local-process orchestrator's scratch folders in the store folder (per run: executor outputs, the stand-in bucket).</summary>
    public static IReadOnlyList<string> ScratchRoots(string storeDirectory) =>
        [Path.Combine(storeDirectory, "executions"), Path.Combine(storeDirectory, "gcs", "local-pipeline-root")];

    /// <summary>Collects under <paramref name="artifactRoot"/> and the scratch folders of <paramref name="storeDirectory"/>.</summary>
    public static IReadOnlyList<CollectedPath> Collect(MetadataStore store, string artifactRoot, string storeDirectory, bool dryRun)
    {
        var collected = new List<CollectedPath>();
        foreach (var runFolder in RunFolders(artifactRoot))
        {
            var runId = Path.GetFileName(runFolder);
            var run = store.GetRun(runId);
            if (run is null)
            {
                Remove(runFolder, $"no run {runId} in the store", dryRun, collected);
            }
            else if (run.Status != RunStatus.Running)
            {
                CollectUnreferenced(runFolder, ReferencedFiles(store, runId), run, dryRun, collected);
            }
        }

        foreach (var runFolder in ScratchRoots(storeDirectory).SelectMany(RunFolders))
        {
            if (store.GetRun(Path.GetFileName(runFolder)) is not { Status: RunStatus.Running })
            {
                Remove(runFolder, "scratch of a local-process run that ended", dryRun, collected);
            }
        }

        return collected;
    }

    /// <summary>
    /// Removes what a run found crashed left on this machine and never recorded: unfinished writes, finished but unrecorded
    /// outputs, its local-process scratch. Nothing will record into it any more (a resumed run gets a new id). Safe to repeat,
    /// and to run in two commands at once.
    /// </summary>
    public static IReadOnlyList<CollectedPath> CollectCrashedRun(MetadataStore store, string artifactRoot, string storeDirectory, RunRecord run)
    {
        var collected = new List<CollectedPath>();
        var runFolder = Path.Combine(artifactRoot, run.Id);
        if (Directory.Exists(runFolder))
        {
            CollectUnreferenced(runFolder, ReferencedFiles(store, run.Id), run, dryRun: false, collected);
        }

        foreach (var scratch in ScratchRoots(storeDirectory).Select(root => Path.Combine(root, run.Id)).Where(Directory.Exists))
        {
            Remove(scratch, "scratch of a local-process run that crashed", dryRun: false, collected);
        }

        return collected;
    }

    private static HashSet<string> ReferencedFiles(MetadataStore store, string runId) =>
        store.GetStepRuns(runId)
            .SelectMany(s => store.GetOutputs(s.Id).Values)
            .Where(a => a.Uri.StartsWith("file:", StringComparison.Ordinal))
            .Select(a => Path.GetFullPath(LocalArtifactStore.LocalPath(a.Uri)))
            .ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<string> RunFolders(string root) => Directory.Exists(root) ? Directory.GetDirectories(root) : [];

    private static void CollectUnreferenced(string folder, HashSet<string> referenced, RunRecord run, bool dryRun, List<CollectedPath> collected)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList())
        {
            var path = Path.GetFullPath(entry);
            if (referenced.Contains(path))
            {
                continue;
            }

            if (Path.GetFileName(path).Contains(LocalArtifactStore.PartialMarker, StringComparison.Ordinal))
            {
                Remove(path, "an unfinished write", dryRun, collected);
            }
            else if (Directory.Exists(path) && referenced.Any(r => r.StartsWith(path + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                // A task's folder (task keys of loops and called pipelines nest): what it holds is judged one by one.
                CollectUnreferenced(path, referenced, run, dryRun, collected);
            }
            else
            {
                Remove(path, $"not recorded by run {run.Id} ({run.Status.ToString().ToLowerInvariant()})", dryRun, collected);
            }
        }
    }

    private static void Remove(string path, string reason, bool dryRun, List<CollectedPath> collected)
    {
        try
        {
            collected.Add(new CollectedPath(path, ArtifactFiles.Exists(path) ? ArtifactFiles.Size(path) : 0, reason));
            if (!dryRun)
            {
                LocalArtifactStore.Delete(path);
            }
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            // Another command cleaning up the same crashed run removed it first.
        }
    }
}
