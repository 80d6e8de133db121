using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PipelineSdk.Tests.Shared.SpecExecution;

/// <summary>
/// Starts one container task as Kubeflow's launcher does: the executor's command and args with <c>{{$}}</c> (the
/// ExecutorInput), the inputs' and outputs' placeholders (<c>IfPresent</c> and <c>Concat</c> too) and the run's and task's
/// names filled in — a container step's command (not this program) runs on this machine as written — <c>/app</c> mapped to the image's app folder, Cloud
/// Storage mounted at <c>/gcs</c> (Vertex AI) or, for a <c>minio://</c> or <c>s3://</c> pipeline root (Kubeflow), the
/// launcher's <c>/minio</c> or <c>/s3</c> folders; output artifacts get <c>ROOT/JOB/TASK_ID/OUTPUT</c> URIs; afterwards the
/// output parameters are read from <c>executor_output.json</c> (else the output files) and the artifacts' metadata
/// from it too. Standard output and error are read at the same time, so a chatty step cannot block on a full pipe.
/// </summary>
internal sealed class ContainerTask(JsonObject spec, string jobName, string jobId, string pipelineRoot, TaskMachine machine)
{
    public async Task<(string State, string? Error, TaskValues Outputs, string Log)> RunAsync(string name, TaskRecord record, JsonObject component, TaskValues inputs, CancellationToken cancellationToken)
    {
        var container = spec["deploymentSpec"]!["executors"]![component["executorLabel"]!.GetValue<string>()]!["container"]!;
        var scheme = pipelineRoot[..(pipelineRoot.IndexOf("://", StringComparison.Ordinal) + 3)];
        var onVertex = scheme == "gs://";
        var bucketPath = pipelineRoot[scheme.Length..].TrimEnd('/');
        var taskFolder = $"{bucketPath}/{jobId}/{name}_{record.Id}";
        // Vertex mounts buckets at /gcs; Kubeflow's launcher copies artifacts to and from /minio/BUCKET/... and /s3/BUCKET/...
        var mountFolder = onVertex ? "" : scheme[..^3];
        var mountedTask = (onVertex ? "/gcs/" : $"/{mountFolder}/") + taskFolder;
        var localTask = Path.Combine(machine.GcsRoot, mountFolder, taskFolder);
        Directory.CreateDirectory(localTask);
        var outputParameters = component["outputDefinitions"]?["parameters"]?.AsObject() ?? [];
        var outputArtifacts = component["outputDefinitions"]?["artifacts"]?.AsObject() ?? [];
        var planned = outputArtifacts.ToDictionary(
            o => o.Key,
            o => new RuntimeArtifactValue($"{scheme}{taskFolder}/{o.Key}", o.Value!["artifactType"]?["schemaTitle"]?.GetValue<string>() ?? "system.Artifact", []));
        var executorInput = new JsonObject
        {
            ["inputs"] = new JsonObject
            {
                ["parameterValues"] = new JsonObject(inputs.Parameters.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))),
                ["artifacts"] = new JsonObject(inputs.Artifacts.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)ArtifactList(a.Key, a.Value)))),
            },
            ["outputs"] = new JsonObject
            {
                ["parameters"] = new JsonObject(outputParameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)new JsonObject { ["outputFile"] = $"{mountedTask}/outputs/{p.Key}" }))),
                ["artifacts"] = new JsonObject(planned.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)ArtifactList(a.Key, [a.Value])))),
                ["outputFile"] = $"{mountedTask}/executor_output.json",
            },
        };
        var placeholders = new Dictionary<string, string>
        {
            ["{{$.pipeline_job_resource_name}}"] = jobName,
            ["{{$.pipeline_job_name}}"] = jobId,
            ["{{$.pipeline_task_name}}"] = record.Name,
            ["{{$.pipeline_task_uuid}}"] = record.Id,
        };
        // The launcher's own placeholders ({{$}}, inputs and outputs, IfPresent, Concat) as Kubeflow's launcher resolves them;
        // artifact paths land in the folder that stands in for the bucket mount, and so do output files under it.
        var template = container["command"]!.AsArray().Concat(container["args"]?.AsArray() ?? [])
            .Select(a => placeholders.Aggregate(a!.GetValue<string>(), (text, p) => text.Replace(p.Key, p.Value, StringComparison.Ordinal))).ToList();
        var mountPrefix = onVertex ? "/gcs/" : $"/{mountFolder}/";
        // PipelineSdk's own steps take the whole ExecutorInput ({{$}}) only; the launcher's other placeholders are a container step's.
        var usesLauncherPlaceholders = template.Any(a => a.Contains("{{$.", StringComparison.Ordinal) || a.StartsWith("{\"IfPresent\"", StringComparison.Ordinal) || a.StartsWith("{\"Concat\"", StringComparison.Ordinal));
        var substituted = usesLauncherPlaceholders
            ? PipelineSdk.Execution.Launcher.Substitute(template, executorInput.ToJsonString(), machine.GcsRoot)
            : template.Select(a => a.Replace("{{$}}", executorInput.ToJsonString(), StringComparison.Ordinal)).ToList();
        var commandLine = substituted
            .Select(a => a.StartsWith("/app/", StringComparison.Ordinal) ? Path.Combine(machine.AppDirectory, a["/app/".Length..])
                : a.StartsWith(mountPrefix, StringComparison.Ordinal) ? Path.Combine(machine.GcsRoot, mountFolder, a[mountPrefix.Length..])
                : a).ToList();
        Directory.CreateDirectory(Path.Combine(localTask, "outputs"));
        var start = new ProcessStartInfo(commandLine[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in commandLine.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in container["env"]?.AsArray() ?? [])
        {
            start.Environment[variable!["name"]!.GetValue<string>()] = variable["value"]?.GetValue<string>() ?? "";
        }

        foreach (var (key, value) in machine.Environment)
        {
            start.Environment[key] = value;
        }

        start.Environment[onVertex ? PipelineSdk.Execution.GcsMount.RootVariable : PipelineSdk.Execution.GcsMount.KubeflowRootVariable] = machine.GcsRoot;
        using var process = Process.Start(start)!;
        using var kill = cancellationToken.Register(() => process.Kill(entireProcessTree: true));
        var (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(CancellationToken.None), process.StandardError.ReadToEndAsync(CancellationToken.None));
        await Task.WhenAll(stdout, stderr);
        await process.WaitForExitAsync(CancellationToken.None);
        var log = await stdout + await stderr;
        if (cancellationToken.IsCancellationRequested)
        {
            return ("CANCELLED", "The job was cancelled.", new TaskValues(), log);
        }

        if (process.ExitCode != 0)
        {
            var errorFile = Path.Combine(localTask, "executor_error.json");
            var message = File.Exists(errorFile) ? JsonNode.Parse(File.ReadAllText(errorFile))!["error"]!.GetValue<string>() : log;
            return ("FAILED", onVertex ? $"The replica workerpool0-0 exited with a non-zero status of {process.ExitCode}. Error: {message}" : $"main container exited with code {process.ExitCode}: {message}", new TaskValues(), log);
        }

        var outputFile = Path.Combine(localTask, "executor_output.json");
        var executorOutput = File.Exists(outputFile) ? JsonNode.Parse(File.ReadAllText(outputFile)) : null;
        var outputs = new TaskValues();
        foreach (var (output, definition) in outputParameters)
        {
            var file = Path.Combine(localTask, "outputs", output);
            if (executorOutput?["parameterValues"]?[output] is { } value)
            {
                outputs.Parameters[output] = value.DeepClone();
            }
            else if (File.Exists(file))
            {
                var text = File.ReadAllText(file);
                outputs.Parameters[output] = definition!["parameterType"]?.GetValue<string>() == "STRING" ? JsonValue.Create(text) : JsonNode.Parse(text);
            }
            else
            {
                return ("FAILED", $"The executor did not produce the output parameter {output}.", new TaskValues(), log);
            }
        }

        foreach (var (output, artifact) in planned)
        {
            var written = executorOutput?["artifacts"]?[output]?["artifacts"]?[0];
            var metadata = written?["metadata"] as JsonObject ?? artifact.Metadata;
            outputs.Artifacts[output] = [artifact with { Metadata = (JsonObject)metadata.DeepClone() }];
        }

        return ("SUCCEEDED", null, outputs, log);
    }

    private static JsonObject ArtifactList(string name, IEnumerable<RuntimeArtifactValue> artifacts) => new()
    {
        ["artifacts"] = new JsonArray([.. artifacts.Select(a => (JsonNode)new JsonObject
        {
            ["name"] = name,
            ["type"] = new JsonObject { ["schemaTitle"] = a.SchemaTitle },
            ["uri"] = a.Uri,
            ["metadata"] = a.Metadata.DeepClone(),
        })]),
    };
}
