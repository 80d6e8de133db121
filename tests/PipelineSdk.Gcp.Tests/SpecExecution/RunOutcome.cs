using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PipelineSdk.Artifacts;
using PipelineSdk.Execution;
using PipelineSdk.Tests.Shared.SpecExecution;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Gcp.Tests.SpecExecution;

/// <summary>What one step did in a run: "ran", "failed", "not triggered" or "not run", and each output as a comparable text.</summary>
internal sealed record StepOutcome(string State, IReadOnlyDictionary<string, string> Outputs);

/// <summary>
/// The outcome of one run of a pipeline — each step's state and outputs — however it was run: in-process or as
/// local processes (read back from the store), or from its spec alone (<see cref="SpecRun"/>). Parameter values are
/// compared as canonical JSON; artifacts by content hash and metadata. What names the run itself (its id, the
/// URIs of where it put things) is replaced by placeholders first, since it differs by design.
/// </summary>
internal sealed partial class RunOutcome(string how, IReadOnlyDictionary<string, StepOutcome> steps)
{
    public string How => how;

    public IReadOnlyDictionary<string, StepOutcome> Steps => steps;

    /// <summary>Runs <paramref name="pipeline"/> of <paramref name="program"/> with the default (in-process) or the local-process orchestrator, caching off.</summary>
    public static async Task<RunOutcome> LocalAsync(PipelineProgram program, string pipeline, IReadOnlyList<string> parameters, bool asProcesses, string scratch)
    {
        var home = Path.Combine(scratch, asProcesses ? "local-process" : "in-process");
        Directory.CreateDirectory(home);
        string[] args = ["run", pipeline, "--no-cache", .. parameters.SelectMany(p => new[] { "--param", p }), .. asProcesses ? new[] { "--orchestrator", "local-process" } : []];
        var result = await ProcessResult.RunAsync("dotnet", [program.Dll, .. args], new Dictionary<string, string>
        {
            [StoreLocation.HomeVariable] = home,
            ["PIPELINES_STACK"] = "",
            ["HOME"] = scratch,
        });
        using var store = MetadataStore.Open(home);
        var run = store.ListRuns().SingleOrDefault()
            ?? throw new AssertionException($"{program.Name} {string.Join(' ', args)} recorded no run (exit {result.Exit}):\n{result.Output}\n{result.Error}");
        var outcome = new Dictionary<string, StepOutcome>(StringComparer.Ordinal);
        foreach (var step in store.GetStepRuns(run.Id))
        {
            var outputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, artifact) in store.GetOutputs(step.Id))
            {
                var path = LocalArtifactStore.LocalPath(artifact.Uri);
                outputs[name] = IsParameter(artifact.KfpType)
                    ? Value(JsonNode.Parse(File.ReadAllText(path)), [run.Id])
                    : Artifact(path, artifact.MetadataJson, [run.Id]);
            }

            outcome[step.TaskKey] = new StepOutcome(step.Status switch
            {
                StepStatus.Completed => "ran",
                StepStatus.Failed => "failed",
                StepStatus.NotTriggered => "not triggered",
                StepStatus.NotRun => "not run",
                var other => other.ToString(),
            }, outputs);
        }

        return new RunOutcome(asProcesses ? "local-process" : "in-process", outcome);
    }

    /// <summary>
    /// Runs <paramref name="pipeline"/> from its generated spec alone (after <paramref name="mutate"/>, if given), as the
    /// fake Vertex AI runs a submitted job, the program's folder as the image's /app.
    /// </summary>
    public static async Task<(RunOutcome Outcome, SpecRun Run)> FromSpecAsync(PipelineProgram program, string pipeline, IReadOnlyList<string> parameters, string scratch, Action<JsonObject>? mutate = null)
    {
        var spec = program.Spec(pipeline);
        mutate?.Invoke(spec);
        var jobId = $"{pipeline}-{Guid.NewGuid():N}"[..Math.Min(pipeline.Length + 9, 120)];
        var jobName = $"projects/my-project/locations/europe-west1/pipelineJobs/{jobId}";
        var gcs = Path.Combine(scratch, "gcs");
        var runtime = new JsonObject { ["gcsOutputDirectory"] = "gs://spec-bucket/root", ["parameterValues"] = PipelineProgram.ParameterValues(spec, parameters) };
        var machine = new TaskMachine(program.Directory, gcs, new Dictionary<string, string>
        {
            ["HOME"] = scratch,
            [StoreLocation.HomeVariable] = Path.Combine(scratch, "spec-run-steps"),
            ["PIPELINES_STACK"] = "",
        });
        var run = new SpecRun(spec, runtime, jobName, jobId, machine);
        var running = run.RunAsync(CancellationToken.None);
        if (await Task.WhenAny(running, Task.Delay(ProcessResult.HangLimit)) != running)
        {
            var stuck = run.Records.Where(r => r.State == "RUNNING").Select(r => r.StepKey ?? r.Name);
            throw new TimeoutException($"the spec run of {pipeline} hung for {ProcessResult.HangLimit.TotalMinutes} minutes; still running: {string.Join(", ", stuck)}");
        }

        await running;
        return (FromSpecRun(run, gcs, jobName, jobId), run);
    }

    /// <summary>The steps of a finished spec run, artifacts read from the folder that stands in for Cloud Storage.</summary>
    public static RunOutcome FromSpecRun(SpecRun run, string gcsRoot, string jobName, string jobId)
    {
        var outcome = new Dictionary<string, StepOutcome>(StringComparer.Ordinal);
        foreach (var step in run.Steps())
        {
            var outputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (step.State is "SUCCEEDED" or "SKIPPED")
            {
                foreach (var (name, value) in step.Outputs.Parameters)
                {
                    outputs[name] = Value(value, [jobName, jobId]);
                }

                foreach (var (name, artifacts) in step.Outputs.Artifacts)
                {
                    var artifact = artifacts.Single();
                    // An importer's artifact may be a local path the job was given; everything else is under the bucket folder.
                    var path = artifact.Uri.StartsWith("gs://", StringComparison.Ordinal) ? Path.Combine(gcsRoot, artifact.Uri["gs://".Length..]) : GcsMount.LocalPath(artifact.Uri);
                    outputs[name] = Artifact(path, artifact.Metadata.ToJsonString(), [jobName, jobId]);
                }
            }

            outcome[step.StepKey!] = new StepOutcome(step.State switch
            {
                "SUCCEEDED" => "ran",
                "SKIPPED" => "cached",
                "FAILED" => "failed",
                "NOT_TRIGGERED" => "not triggered",
                "CANCELLED" => "not run",
                var other => other,
            }, outputs);
        }

        return new RunOutcome("spec run", outcome);
    }

    /// <summary>
    /// Every difference between this outcome and <paramref name="other"/>, one line each naming the step and the values;
    /// <paramref name="volatileSteps"/> (steps that draw random numbers) are compared by state and output names only.
    /// </summary>
    public IReadOnlyList<string> Differences(RunOutcome other, IReadOnlyCollection<string>? volatileSteps = null)
    {
        var differences = new List<string>();
        foreach (var key in Steps.Keys.Union(other.Steps.Keys).Order(StringComparer.Ordinal))
        {
            if (!Steps.TryGetValue(key, out var mine) || !other.Steps.TryGetValue(key, out var theirs))
            {
                differences.Add($"step {key}: {(mine is null ? "absent" : mine.State)} {how}, {(other.Steps.TryGetValue(key, out var o) ? o.State : "absent")} {other.How}");
                continue;
            }

            if (mine.State != theirs.State)
            {
                differences.Add($"step {key}: {mine.State} {how}, {theirs.State} {other.How}");
            }

            foreach (var output in mine.Outputs.Keys.Union(theirs.Outputs.Keys).Order(StringComparer.Ordinal))
            {
                var (a, b) = (mine.Outputs.GetValueOrDefault(output, "(none)"), theirs.Outputs.GetValueOrDefault(output, "(none)"));
                var compared = volatileSteps?.Contains(key) == true ? (a == "(none)") != (b == "(none)") : a != b;
                if (compared)
                {
                    differences.Add($"step {key} output {output}: {a} {how}, {b} {other.How}");
                }
            }
        }

        return differences;
    }

    public override string ToString() => string.Join("\n", Steps.OrderBy(s => s.Key, StringComparer.Ordinal)
        .Select(s => $"{s.Key}: {s.Value.State} {string.Join(", ", s.Value.Outputs.Select(o => o.Key + "=" + (o.Value.Length > 120 ? o.Value[..120] + "…" : o.Value)))}"));

    private static bool IsParameter(string kfpType) =>
        kfpType is "NUMBER_INTEGER" or "NUMBER_DOUBLE" or "STRING" or "BOOLEAN" or "LIST" or "STRUCT" or "TASK_FINAL_STATUS";

    /// <summary>Canonical JSON: numbers as the shortest round-trip double, object keys sorted, run names replaced.</summary>
    private static string Value(JsonNode? value, IReadOnlyList<string> runNames) => Canonical(value, runNames);

    private static string Canonical(JsonNode? node, IReadOnlyList<string> runNames) => node switch
    {
        null => "null",
        JsonArray array => "[" + string.Join(",", array.Select(n => Canonical(n, runNames))) + "]",
        JsonObject obj => "{" + string.Join(",", obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => JsonSerializer.Serialize(p.Key) + ":" + Canonical(p.Value, runNames))) + "}",
        _ when node.GetValueKind() == JsonValueKind.Number => double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture),
        _ when node.GetValueKind() == JsonValueKind.String => JsonSerializer.Serialize(Anonymous(node.GetValue<string>(), runNames)),
        _ => node.ToJsonString(),
    };

    /// <summary>An artifact's content hash (text with run names and URIs replaced) and its metadata.</summary>
    private static string Artifact(string path, string metadataJson, IReadOnlyList<string> runNames)
    {
        string hash;
        if (File.Exists(path))
        {
            var bytes = File.ReadAllBytes(path);
            try
            {
                var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
                hash = ContentHash.Of(Encoding.UTF8.GetBytes(Anonymous(text, runNames)));
            }
            catch (DecoderFallbackException)
            {
                hash = ContentHash.Of(bytes);
            }
        }
        else
        {
            hash = Directory.Exists(path) ? ArtifactFiles.Hash(path) : "(missing)";
        }

        return $"sha256:{hash[..16]} metadata {Canonical(JsonNode.Parse(metadataJson), runNames)}";
    }

    [GeneratedRegex(@"[a-z][a-z0-9+.-]*://[^\s`'"")\]]+")]
    private static partial Regex UriPattern();

    private static string Anonymous(string text, IReadOnlyList<string> runNames) =>
        runNames.Aggregate(UriPattern().Replace(text, "<uri>"), (t, name) => t.Replace(name, "<run>", StringComparison.Ordinal));
}
