using System.Collections.Concurrent;
using System.Diagnostics;
using PipelineSdk.Execution;
using PipelineSdk.Descriptors;

namespace PipelineSdk.Orchestration;

/// <summary>
/// Runs each task as a child process exactly as Vertex AI runs its container: the executor's command and
/// args from the spec, placeholders substituted as Kubeflow's launcher does, the container's <c>/app</c>
/// mapped to this program's folder, and a folder of the store standing in for the <c>gs://</c> pipeline
/// root. Each step's standard output and error are kept as its log.
/// </summary>
internal sealed class ProcessTaskExecutor(string storeDirectory, Stacks.SecretMask? mask = null) : ITaskExecutor
{
    /// <summary>The bucket name output artifacts get under the local stand-in for Cloud Storage.</summary>
    public const string LocalPipelineRoot = "gs://local-pipeline-root";

    private readonly ConcurrentDictionary<PipelineDescriptor, IReadOnlyDictionary<string, ContainerSpec>> _containers = new();

    public string Flavor => OrchestratorFlavors.LocalProcess;

    private string GcsMountRoot => Path.Combine(storeDirectory, "gcs");

    public async Task<(object?[] Outputs, string? LogPath)> ExecuteAsync(TaskExecution execution, CancellationToken cancellationToken)
    {
        // The child process reads its inputs by URI: input streams the orchestrator opened are not needed here.
        StepArtifacts.DisposeInputs(execution.Inputs);
        var task = execution.Task;
        var key = execution.TaskKey;
        var container = _containers.GetOrAdd(execution.Pipeline, p => Launcher.ReadExecutors(p.SpecJson))["exec-" + task.Step.Name];
        var outputDirectory = Path.Combine(storeDirectory, "executions", execution.RunId, key);
        var logPath = Path.Combine(storeDirectory, "logs", execution.RunId, key + ".log");
        Directory.CreateDirectory(outputDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);

        string ArtifactUri(string output) => $"{LocalPipelineRoot}/{execution.RunId}/{key}/{output}";
        var executorInput = Launcher.BuildExecutorInput(task.Step, execution.Inputs, execution.InputArtifacts, outputDirectory, ArtifactUri);
        // A container step's own command needs its image; on this machine its LocalCommand stands in for it.
        var containerStep = task.Step.Settings.Container;
        // The executor input (resolved settings, paths) goes through standard input, never the command line `ps` shows.
        var (template, passOnStandardInput) = containerStep is null
            ? ExecutorInputOnStandardInput([.. container.Command.Concat(container.Arguments)])
            : ([.. LocalCommandOf(task.Step, containerStep), .. container.Arguments], false);
        var commandLine = Launcher.Substitute(template, executorInput, GcsMountRoot).Select(MapContainerPath).ToList();
        if (commandLine.Count == 0)
        {
            throw new StepProcessFailedException($"the spec gives task '{key}' no command", logPath);
        }

        if (containerStep is not null)
        {
            Launcher.CreateOutputFolders(executorInput, GcsMountRoot);
        }

        // A retry must not read the error or the metadata an earlier attempt left behind.
        File.Delete(Path.Combine(outputDirectory, StepMode.ErrorFileName));
        var metadataFile = Path.Combine(outputDirectory, LoggedMetadata.FileName);
        File.Delete(metadataFile);
        execution.Metadata.Clear();
        var workingDirectory = containerStep is null ? outputDirectory : Environment.CurrentDirectory;
        var (exitCode, lastLine) = await RunAsync(commandLine, passOnStandardInput ? executorInput : null, container.Environment, execution, workingDirectory, logPath, cancellationToken).ConfigureAwait(false);
        ReadMetadata(metadataFile, execution.Metadata, logPath);
        if (exitCode != StepMode.Succeeded)
        {
            var errorFile = Path.Combine(outputDirectory, StepMode.ErrorFileName);
            var message = containerStep is not null ? $"'{commandLine[0]}' exited with code {exitCode}{(lastLine is null ? "" : ": " + lastLine)}"
                : File.Exists(errorFile) ? ReadError(errorFile)
                : $"the step process exited with code {exitCode}";
            message = mask is null ? message : mask.Apply(message);
            throw new StepProcessFailedException($"{message} (log: {logPath})", logPath);
        }

        try
        {
            return (Launcher.CollectOutputs(task.Step, outputDirectory, output => GcsMount.LocalPath(ArtifactUri(output), GcsMountRoot)), logPath);
        }
        catch (FormatException e)
        {
            throw new StepProcessFailedException($"{e.Message} (log: {logPath})", logPath);
        }
    }

    /// <summary>Removes the run's executor outputs and its stand-in bucket folder; what steps wrote was copied into the artifact store.</summary>
    public void RunEnded(string runId)
    {
        foreach (var scratch in Artifacts.ArtifactCollector.ScratchRoots(storeDirectory).Select(root => Path.Combine(root, runId)).Where(Directory.Exists))
        {
            try
            {
                Artifacts.LocalArtifactStore.Delete(scratch);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The run is recorded; `pipelines artifacts gc` removes what is left.
            }
        }
    }

    /// <summary>
    /// Replaces <c>--executor-input {{$}}</c> (how PipelineSdk's step mode is started) with <c>--executor-input -</c>,
    /// which step mode reads from standard input; other commands keep the placeholder.
    /// </summary>
    private static (List<string> CommandLine, bool PassOnStandardInput) ExecutorInputOnStandardInput(IReadOnlyList<string> commandLine)
    {
        var result = commandLine.ToList();
        for (var i = 1; i < result.Count; i++)
        {
            if (result[i] == "{{$}}" && result[i - 1] == StepMode.ExecutorInputOption)
            {
                result[i] = StepMode.StandardInput;
                return (result, true);
            }
        }

        return (result, false);
    }

    /// <summary>The container step's <c>LocalCommand</c>; a step without one cannot run here, which is one line saying what to do.</summary>
    private static IReadOnlyList<string> LocalCommandOf(StepDescriptor step, ContainerCommand container) =>
        container.LocalCommand is { Count: > 0 } local ? local
        : throw new StepProcessFailedException(
            $"step '{step.Name}' runs the image {container.Image} and has no LocalCommand; run it on a Vertex AI or Kubeflow stack, or add LocalCommand = [...] to its [ContainerStep] to run it on this machine",
            logPath: null);

    private async Task<(int ExitCode, string? LastLine)> RunAsync(IReadOnlyList<string> commandLine, string? standardInput, IReadOnlyList<KeyValuePair<string, string>> environment, TaskExecution execution, string workingDirectory, string logPath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(commandLine[0] == "dotnet" ? DotnetHost() : commandLine[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var argument in commandLine.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment[GcsMount.RootVariable] = GcsMountRoot;
        start.Environment[StepContext.RunIdVariable] = execution.RunId;
        start.Environment[StepContext.TaskKeyVariable] = execution.TaskKey;
        // Registry calls in the step process read the versions pinned for this task and record to the run's store.
        start.Environment[RegistryInputs.PinsVariable] = RegistryInputs.ToJson(execution.RegistryPins);
        if (execution.Store is { } store)
        {
            start.Environment[RegistryStore.HomeVariable] = store.Directory;
        }

        start.Environment[ParentWatch.Variable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var attempt = execution.Attempt;
        // A retry appends to the log, so the failed attempts stay readable.
        await using var log = new StreamWriter(logPath, append: attempt > 1);
        if (attempt > 1)
        {
            await log.WriteLineAsync($"--- attempt {attempt} ---").ConfigureAwait(false);
        }

        var gate = new Lock();
        // What a failed command said last: its last error line, else its last output line.
        string? lastOutput = null;
        string? lastError = null;
        void Append(string? line, bool isError)
        {
            if (line is not null)
            {
                var shown = mask is null ? line : mask.Apply(line);
                lock (gate)
                {
                    log.WriteLine(shown);
                    if (!string.IsNullOrWhiteSpace(shown))
                    {
                        (isError ? ref lastError : ref lastOutput) = shown.Trim();
                    }
                }

                if (execution.FollowLogs)
                {
                    execution.LogLine?.Invoke(shown);
                }
            }
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => Append(e.Data, isError: true);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new StepProcessFailedException($"could not start '{start.FileName}': {e.Message}", logPath);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            try
            {
                await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The process ended without reading its input; its exit code and log say why.
            }
        }
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw;
        }

        // WaitForExitAsync returns once the streams are drained as well.
        lock (gate)
        {
            return (process.ExitCode, lastError ?? lastOutput);
        }
    }

    /// <summary>The container runs the program from <c>/app</c>; locally that is this program's own folder.</summary>
    private static string MapContainerPath(string part)
    {
        const string appPrefix = "/app/";
        return part.StartsWith(appPrefix, StringComparison.Ordinal) ? Path.Combine(AppContext.BaseDirectory, part[appPrefix.Length..]) : part;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";

    /// <summary>What the step process logged (it writes the file as it ends, also when the step failed).</summary>
    private static void ReadMetadata(string metadataFile, LoggedMetadata into, string logPath)
    {
        if (!File.Exists(metadataFile))
        {
            return;
        }

        try
        {
            into.Add(File.ReadAllText(metadataFile));
        }
        catch (FormatException e)
        {
            throw new StepProcessFailedException($"{e.Message} (log: {logPath})", logPath);
        }
    }

    private static string ReadError(string errorFile)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(errorFile));
            return document.RootElement.GetProperty("error").GetString() ?? "the step failed";
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or IOException)
        {
            return $"the step failed and wrote an unreadable {StepMode.ErrorFileName}";
        }
    }
}
