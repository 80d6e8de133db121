using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PipelineSdk.Artifacts;
using PipelineSdk.Descriptors;
using PipelineSdk.Stacks;
using PipelineSdk.Values;

namespace PipelineSdk.Execution;

/// <summary>
/// Runs one step under the Kubeflow v2 executor contract — what every task's container does on Vertex AI
/// and every child process does under the <c>local-process</c> orchestrator: read the ExecutorInput,
/// deserialize the inputs, call the step, write the outputs and the ExecutorOutput, exit.
/// </summary>
/// <remarks>
/// Exit codes: 0 done; 1 the step failed (one line in <c>executor_error.json</c> beside the output file, the
/// exception in the log); 2 unknown pipeline or step; 3 malformed executor input (one line naming the field);
/// 15 the disk is full, 16 the output file cannot be written (one line naming the file; see <see cref="EnvironmentProblem"/>).
/// </remarks>
public static class StepMode
{
    /// <summary>The step ran and its outputs were written.</summary>
    public const int Succeeded = 0;

    /// <summary>The step threw, or its outputs could not be written.</summary>
    public const int StepFailed = 1;

    /// <summary>The program has no such pipeline or step.</summary>
    public const int UnknownStep = 2;

    /// <summary>The executor input broke the contract.</summary>
    public const int MalformedInput = 3;

    /// <summary>The option that carries the ExecutorInput JSON.</summary>
    public const string ExecutorInputOption = "--executor-input";

    /// <summary>The <see cref="ExecutorInputOption"/> value that means "read it from standard input" (so it never shows in a process list).</summary>
    public const string StandardInput = "-";

    /// <summary>The file written beside <c>outputs.outputFile</c> when the step fails.</summary>
    public const string ErrorFileName = "executor_error.json";

    /// <summary>Runs step <paramref name="stepName"/> of <paramref name="pipelineName"/> with <paramref name="executorInputJson"/>.</summary>
    public static Task<int> RunAsync(string pipelineName, string stepName, string executorInputJson, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(pipelineName, stepName, executorInputJson, null, null, null, output, error, cancellationToken);

    /// <summary>
    /// Runs step <paramref name="stepName"/> of <paramref name="pipelineName"/> with <paramref name="executorInputJson"/>; when
    /// <paramref name="runResourceName"/> and <paramref name="taskName"/> are given (the launcher's substitutions of
    /// <see cref="LiveRecording.StepArguments"/>), also records the step to the store as it runs (see <see cref="LiveRecording"/>);
    /// <paramref name="taskId"/> tells apart the iterations of a loop.
    /// </summary>
    public static async Task<int> RunAsync(string pipelineName, string stepName, string executorInputJson, string? runResourceName, string? taskName, string? taskId, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ParentWatch.StartIfAsked(error);
        var pipeline = PipelineRegistry.Find(pipelineName);
        var step = pipeline?.Tasks.Select(t => t.Step).FirstOrDefault(s => s.Name == stepName);
        if (pipeline is null || step is null)
        {
            var known = pipeline is null
                ? $"its pipelines are {string.Join(", ", PipelineRegistry.All.Select(p => p.Name))}"
                : $"its steps are {string.Join(", ", pipeline.Tasks.Select(t => t.Step.Name).Distinct())}";
            error.WriteLine($"error: this program has no {(pipeline is null ? $"pipeline '{pipelineName}'" : $"step '{stepName}' in pipeline '{pipelineName}'")}; {known}. Was the image built from another version of the program?");
            return UnknownStep;
        }

        using var recorder = await StepRecorder.StartAsync(pipeline, step, runResourceName, taskName, taskId, error, cancellationToken).ConfigureAwait(false);
        using var log = recorder is null ? null : new StepLog();
        if (log is not null)
        {
            output = log.Tee(output);
            error = log.Tee(error);
        }

        return await RunStepAsync(pipeline, step, executorInputJson, output, error, recorder, log, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> RunStepAsync(PipelineDescriptor pipeline, StepDescriptor step, string executorInputJson, TextWriter output, TextWriter error, StepRecorder? recorder, StepLog? log, CancellationToken cancellationToken)
    {
        ExecutorInput input;
        try
        {
            input = ExecutorInput.Parse(executorInputJson);
        }
        catch (MalformedExecutorInputException e)
        {
            error.WriteLine($"error: {e.Message}");
            recorder?.Failed(e.Message, null, null, log);
            return MalformedInput;
        }

        object?[] arguments;
        try
        {
            arguments = await ReadInputsAsync(step, input, cancellationToken).ConfigureAwait(false);
            CheckOutputs(step, input);
            recorder?.InputsRead(input, arguments);
        }
        catch (MalformedExecutorInputException e)
        {
            error.WriteLine($"error: {e.Message}");
            recorder?.Failed(e.Message, input, null, log);
            return MalformedInput;
        }
        catch (StackException e)
        {
            // The input is fine but this environment cannot reach it (credentials, permissions): the step fails.
            error.WriteLine($"error: {e.Message}");
            WriteError(input, pipeline.Name, step.Name, e.Message);
            recorder?.Failed(e.Message, input, null, log);
            return StepFailed;
        }

        var clock = Stopwatch.StartNew();
        var metadata = new LoggedMetadata();
        object?[] results;
        try
        {
            results = await InvokeAsync(step, arguments, recorder, metadata, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A timeout is the step's limit, not a bug in it: one line, no stack trace.
            var timedOut = e is StepTimedOutException;
            if (timedOut)
            {
                error.WriteLine($"error: {e.Message}");
            }
            else
            {
                error.WriteLine($"Step '{step.Name}' ({step.MethodName}) failed:");
                error.WriteLine(e.ToString());
            }

            var message = timedOut ? e.Message : $"{e.GetType().Name}: {FirstLine(e.Message)}";
            WriteError(input, pipeline.Name, step.Name, message);
            try
            {
                WriteMetadata(input, metadata);
            }
            catch (EnvironmentException)
            {
                // The output folder cannot be written: the one-line error above is what there is to say.
            }

            recorder?.Failed(message, input, arguments, log, metadata);
            return StepFailed;
        }
        finally
        {
            StepArtifacts.DisposeInputs(arguments);
        }

        try
        {
            await WriteOutputsAsync(step, input, results, metadata, cancellationToken).ConfigureAwait(false);
            WriteMetadata(input, metadata);
        }
        catch (EnvironmentException e)
        {
            error.WriteLine($"error: {e.Message}");
            WriteError(input, pipeline.Name, step.Name, e.Message);
            recorder?.Failed(e.Message, input, arguments, log);
            return e.ExitCode;
        }
        catch (Exception e)
        {
            error.WriteLine($"Step '{step.Name}' ({step.MethodName}) ran, but its outputs could not be written:");
            error.WriteLine(e.ToString());
            var message = $"{e.GetType().Name}: {FirstLine(e.Message)}";
            WriteError(input, pipeline.Name, step.Name, message);
            recorder?.Failed(message, input, arguments, log);
            return StepFailed;
        }

        output.WriteLine($"Step '{step.Name}' of pipeline '{pipeline.Name}' completed in {clock.Elapsed.TotalMilliseconds:0} ms.");
        recorder?.Completed(input, arguments, results, log, metadata);
        return Succeeded;
    }

    /// <summary>Calls the step with a <see cref="StepContext"/> of its own, so what it logs lands in <paramref name="metadata"/>.</summary>
    private static async Task<object?[]> InvokeAsync(StepDescriptor step, object?[] arguments, StepRecorder? recorder, LoggedMetadata metadata, CancellationToken cancellationToken)
    {
        // A step recorded live knows its run from the launcher; a local-process step from its orchestrator's environment.
        StepContext.Enter(recorder?.RunId ?? NullIfEmpty(Environment.GetEnvironmentVariable(StepContext.RunIdVariable)),
            recorder?.TaskKey ?? NullIfEmpty(Environment.GetEnvironmentVariable(StepContext.TaskKeyVariable)), step, metadata);
        return await StepTimeout.InvokeAsync(step, arguments, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes what the step logged for its run and step run beside the ExecutorOutput, where the orchestrator that started
    /// this process reads it (the ExecutorOutput itself keeps to Kubeflow's fields: its artifacts carry their metadata).
    /// </summary>
    private static void WriteMetadata(ExecutorInput input, LoggedMetadata metadata)
    {
        if (metadata.IsEmpty)
        {
            return;
        }

        var directory = Path.GetDirectoryName(GcsMount.MapPath(input.OutputFile))!;
        WriteOutputFile(Path.Combine(directory, LoggedMetadata.FileName), metadata.ToJson());
    }

    private static async Task<object?[]> ReadInputsAsync(StepDescriptor step, ExecutorInput input, CancellationToken cancellationToken)
    {
        var arguments = new object?[step.Inputs.Count];
        for (var i = 0; i < step.Inputs.Count; i++)
        {
            var port = step.Inputs[i];
            if (port.Codec is ParameterCodec parameter)
            {
                var field = $"inputs.parameterValues.{port.Name}";
                if (!input.ParameterValues.TryGetValue(port.Name, out var value))
                {
                    throw new MalformedExecutorInputException(field, $"missing (step '{step.Name}' takes {port.Codec.TypeName} '{port.Name}')");
                }

                try
                {
                    arguments[i] = parameter.ReadJson(value);
                }
                catch (FormatException e)
                {
                    throw new MalformedExecutorInputException(field, e.Message);
                }
            }
            else
            {
                var field = $"inputs.artifacts.{port.Name}";
                if (!input.InputArtifactLists.TryGetValue(port.Name, out var artifacts))
                {
                    throw new MalformedExecutorInputException(field, $"missing (step '{step.Name}' takes {port.Codec.TypeName} '{port.Name}')");
                }

                arguments[i] = await StepArtifacts.ReadAsync((ArtifactCodec)port.Codec, field, artifacts, cancellationToken).ConfigureAwait(false);
            }
        }

        return arguments;
    }

    private static void CheckOutputs(StepDescriptor step, ExecutorInput input)
    {
        foreach (var port in step.Outputs.Where(p => p.Codec.Kind == ValueKind.Artifact))
        {
            if (!input.OutputArtifacts.ContainsKey(port.Name))
            {
                throw new MalformedExecutorInputException($"outputs.artifacts.{port.Name}", $"missing (step '{step.Name}' produces {port.Codec.TypeName} '{port.Name}')");
            }
        }
    }

    private static async Task WriteOutputsAsync(StepDescriptor step, ExecutorInput input, object?[] results, LoggedMetadata metadata, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("parameterValues");
            for (var i = 0; i < step.Outputs.Count; i++)
            {
                if (step.Outputs[i].Codec is ParameterCodec parameter)
                {
                    writer.WritePropertyName(step.Outputs[i].Name);
                    parameter.WriteJson(results[i], writer);
                    if (input.OutputParameterFiles.TryGetValue(step.Outputs[i].Name, out var file))
                    {
                        WriteOutputFile(GcsMount.MapPath(file), ParameterText(parameter, results[i]));
                    }
                }
            }

            writer.WriteEndObject();
            writer.WriteStartObject("artifacts");
            for (var i = 0; i < step.Outputs.Count; i++)
            {
                var port = step.Outputs[i];
                if (port.Codec.Kind != ValueKind.Artifact)
                {
                    continue;
                }

                var artifact = input.OutputArtifacts[port.Name];
                var metadataJson = metadata.MergeInto(port.Name, await StepArtifacts.WriteAsync((ArtifactCodec)port.Codec, results[i], artifact, cancellationToken).ConfigureAwait(false));

                writer.WriteStartObject(port.Name);
                writer.WriteStartArray("artifacts");
                writer.WriteStartObject();
                if (artifact.Name is not null)
                {
                    writer.WriteString("name", artifact.Name);
                }

                writer.WriteString("uri", artifact.Uri);
                writer.WritePropertyName("metadata");
                writer.WriteRawValue(metadataJson);
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        WriteOutputFile(GcsMount.MapPath(input.OutputFile), Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>The text form Kubeflow's launcher reads back from an output parameter file: strings bare, the rest as JSON.</summary>
    private static string ParameterText(ParameterCodec codec, object? value) =>
        codec.KfpType == "STRING" && value is string text ? text : Encoding.UTF8.GetString(codec.ToBytes(value));

    private static void WriteError(ExecutorInput input, string pipeline, string step, string message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteString("pipeline", pipeline);
            writer.WriteString("step", step);
            writer.WriteNumber("exitCode", StepFailed);
            writer.WriteEndObject();
        }

        // Best effort: when the output folder itself cannot be written, the one-line error on stderr is all there is.
        try
        {
            var directory = Path.GetDirectoryName(GcsMount.MapPath(input.OutputFile))!;
            WriteFile(Path.Combine(directory, ErrorFileName), Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Writes a file the executor input names; a path that cannot be written is an <see cref="EnvironmentProblem"/>, not a step failure.</summary>
    private static void WriteOutputFile(string path, string content)
    {
        const string fix = "check outputs.outputFile in the executor input and that its folder can be created and written";
        try
        {
            WriteFile(path, content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw EnvironmentException.FromFileError(e, path, fix, EnvironmentProblem.OutputNotWritable)
                ?? new EnvironmentException(EnvironmentProblem.OutputNotWritable, $"{path} cannot be written ({FirstLine(e.Message)}); {fix}", e);
        }
    }

    private static void WriteFile(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    internal static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
