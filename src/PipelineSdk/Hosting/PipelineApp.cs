using System.CommandLine;
using PipelineSdk.Execution;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using Spectre.Console;

namespace PipelineSdk.Hosting;

/// <summary>
/// The entry point of a pipeline program: <c>return await PipelineApp.RunAsync(args);</c> in Program.cs.
/// With no command it runs the program's only pipeline; <c>run &lt;pipeline&gt;</c> picks one;
/// <c>--param name=value</c> sets parameters; <c>list</c> shows the pipelines.
/// </summary>
/// <remarks>
/// Exit codes: 0 the run completed, 1 it failed or was cancelled, 2 the command line was wrong; in step mode
/// also 3 for malformed executor input (see <see cref="StepMode"/>); 10 and up a problem of the machine
/// (see <see cref="EnvironmentProblem"/>).
/// </remarks>
public static class PipelineApp
{
    /// <summary>Exit code of a completed run.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a failed run, or of one cancelled by its caller's cancellation token.</summary>
    public const int RunFailed = 1;

    /// <summary>Exit code of a run stopped with Ctrl+C or SIGTERM (128 + SIGINT, as shells report it); it is recorded cancelled.</summary>
    public const int Interrupted = 130;

    /// <summary>Exit code of a command line that could not be used (unknown pipeline, bad parameter, ...).</summary>
    public const int UsageError = 2;

    /// <summary>Parses <paramref name="args"/>, does what they ask and returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default) =>
        StepCommandLine.TryRead(args) is { } step
            ? WithInterruptsAsync(token => step.RunAsync(Console.Out, Console.Error, token), Console.Error, cancellationToken)
            : RunAsync(args, TerminalOutput.Create(), Console.Error, cancellationToken);

    internal static Task<int> RunAsync(string[] args, IAnsiConsole console, TextWriter error, CancellationToken cancellationToken) =>
        WithInterruptsAsync(token => ParseAndInvokeAsync(args, console, error, token), error, cancellationToken);

    private static async Task<int> WithInterruptsAsync(Func<CancellationToken, Task<int>> invoke, TextWriter error, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var interrupts = Interrupts.Watch(stop, error);
        var exitCode = await invoke(stop.Token).ConfigureAwait(false);
        return interrupts.Received && exitCode != Success ? Interrupted : exitCode;
    }

    private static async Task<int> ParseAndInvokeAsync(string[] args, IAnsiConsole console, TextWriter error, CancellationToken cancellationToken)
    {
        var root = new RootCommand("Runs this program's pipelines on the active stack.");
        var runOptions = new RunCommandOptions();
        runOptions.AddTo(root);
        root.SetAction((result, token) => RunPipelineAsync(result, runOptions, pipelineName: null, console, error, token));

        var pipelineArgument = new Argument<string>("pipeline") { Description = "The pipeline's name (e.g. vertex-example-pipeline) or method name." };
        var run = new Command("run", "Runs one pipeline.") { pipelineArgument };
        var runCommandOptions = new RunCommandOptions();
        runCommandOptions.AddTo(run);
        run.SetAction((result, token) => RunPipelineAsync(result, runCommandOptions, result.GetValue(pipelineArgument), console, error, token));
        root.Add(run);

        var runIdArgument = new Argument<string>("run") { Description = "The id of a crashed, failed or cancelled run (see `pipelines runs list`)." };
        var resume = new Command("resume", "Runs a run's pipeline again with its parameters; the steps it completed come from the cache.") { runIdArgument };
        var resumeOptions = new RunCommandOptions();
        resumeOptions.AddTo(resume);
        resume.SetAction((result, token) => ResumeAsync(result, resumeOptions, result.GetValue(runIdArgument)!, console, error, token));
        root.Add(resume);

        var list = new Command("list", "Lists the pipelines in this program and their parameters.");
        list.SetAction(_ => ListPipelines(console));
        root.Add(list);

        root.Add(StepCommand(console, error));

        var parsed = root.Parse(args);
        if (CommandLineErrors.FirstError(parsed) is { } parseError)
        {
            return Fail(error, parseError);
        }

        // Interrupts are ours (above): System.CommandLine would end the process two seconds after Ctrl+C, mid-clean-up.
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = console.Profile.Out.Writer, Error = error, ProcessTerminationTimeout = null }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ResumeAsync(ParseResult result, RunCommandOptions options, string runId, IAnsiConsole console, TextWriter error, CancellationToken cancellationToken)
    {
        Dictionary<string, object?> parameters;
        string pipelineName;
        try
        {
            using var store = MetadataStore.Open(StoreLocation.Resolve());
            var earlier = store.GetRun(runId) ?? throw new FormatException($"no run '{runId}' in the store at {store.Location}; see `pipelines runs list`");
            if (earlier.Status is RunStatus.Completed or RunStatus.Running)
            {
                throw new FormatException($"run '{runId}' is {earlier.Status.ToString().ToLowerInvariant()}; only a crashed, failed or cancelled run is resumed");
            }

            var pipeline = PipelineRegistry.Find(earlier.Pipeline) ?? throw new FormatException($"run '{runId}' ran pipeline '{earlier.Pipeline}', which this program does not have");
            using var json = System.Text.Json.JsonDocument.Parse(earlier.ParametersJson);
            parameters = pipeline.Parameters
                .Where(p => json.RootElement.TryGetProperty(p.Name, out _))
                .ToDictionary(p => p.Name, p => p.Codec.FromBytes(System.Text.Encoding.UTF8.GetBytes(json.RootElement.GetProperty(p.Name).GetRawText())), StringComparer.Ordinal);
            pipelineName = pipeline.Name;
        }
        catch (FormatException e)
        {
            return Fail(error, e.Message);
        }
        catch (StackException e)
        {
            return Fail(error, e.Message);
        }

        console.Profile.Out.Writer.WriteLine($"Resuming run {runId}: pipeline {pipelineName} with its parameters; completed steps come from the cache.");
        return await RunPipelineAsync(result, options, pipelineName, console, error, cancellationToken, parameters).ConfigureAwait(false);
    }

    private static async Task<int> RunPipelineAsync(ParseResult result, RunCommandOptions options, string? pipelineName, IAnsiConsole console, TextWriter error, CancellationToken cancellationToken, Dictionary<string, object?>? resumedParameters = null)
    {
        var pipelines = PipelineRegistry.All;
        PipelineDescriptor? pipeline;
        if (pipelineName is null)
        {
            if (pipelines.Count != 1)
            {
                return Fail(error, pipelines.Count == 0
                    ? "this program has no [Pipeline] methods; mark a static method with [Pipeline] and call steps from it"
                    : $"this program has {pipelines.Count} pipelines ({string.Join(", ", pipelines.Select(p => p.Name))}); choose one with `run <pipeline>`");
            }

            pipeline = pipelines[0];
        }
        else if ((pipeline = PipelineRegistry.Find(pipelineName)) is null)
        {
            return Fail(error, $"no pipeline named '{pipelineName}'; this program has {(pipelines.Count == 0 ? "none" : string.Join(", ", pipelines.Select(p => p.Name)))}");
        }

        Dictionary<string, object?> parameters;
        try
        {
            parameters = resumedParameters ?? ParseParameters(pipeline, result.GetValue(options.Parameters) ?? []);
        }
        catch (FormatException e)
        {
            return Fail(error, e.Message);
        }

        var maxParallelism = result.GetValue(options.MaxParallelism);
        if (maxParallelism is < 1)
        {
            return Fail(error, $"--max-parallelism must be at least 1, got {maxParallelism}");
        }

        var experiment = result.GetValue(options.Experiment);
        if (experiment is not null && Experiments.Problem(experiment) is { } badExperiment)
        {
            return Fail(error, $"--experiment '{experiment}' {badExperiment}");
        }

        PipelineRunResult run;
        var json = result.GetValue(options.Output) == "json";
        var view = RunView.Create(console, json);
        try
        {
            var runOptions = new RunOptions
            {
                EnableCache = result.GetValue(options.NoCache) ? false : null,
                MaxParallelism = maxParallelism,
                Orchestrator = result.GetValue(options.Orchestrator),
                Stack = result.GetValue(options.Stack),
                Experiment = experiment,
                Output = view.Notes,
                Progress = view.Progress,
                FollowLogs = result.GetValue(options.FollowLogs),
            };
            if (result.GetValue(options.DryRun))
            {
                RunPlanView.Write(console, await PipelineRunner.PlanAsync(pipeline, parameters, runOptions with { Output = null, Progress = null }, cancellationToken).ConfigureAwait(false), json);
                return Success;
            }

            run = await view.WatchAsync(() => PipelineRunner.RunAsync(pipeline, parameters, runOptions, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or StackException)
        {
            return Fail(error, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("Cancelled.");
            return RunFailed;
        }
        catch (Exception e) when (EnvironmentProblemOf(e) is { } problem)
        {
            error.WriteLine($"error: {problem.Message}");
            return problem.ExitCode;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            return Fail(error, $"the store's database cannot be used ({StepMode.FirstLine(e.Message)}); check {StoreLocation.HomeVariable} or the .pipelines folder");
        }

        view.WriteResult(pipeline, run);
        // A remote run submitted without waiting (synchronous=false) has not failed.
        return run.Status is RunStatus.Completed or RunStatus.Running ? Success : RunFailed;
    }

    /// <summary>The problem of the machine behind <paramref name="error"/> (the store, the disk), or null.</summary>
    private static EnvironmentException? EnvironmentProblemOf(Exception error) => error switch
    {
        EnvironmentException known => known,
        Microsoft.Data.Sqlite.SqliteException sqlite => StoreProblems.FromSqlite(sqlite, Path.Combine(StoreLocation.Resolve(), MetadataStore.DatabaseFileName)),
        IOException or UnauthorizedAccessException => EnvironmentException.FromFileError(error, StoreLocation.Resolve(), $"make it writable or set {StoreLocation.HomeVariable} to a writable folder"),
        _ => null,
    };

    private static Dictionary<string, object?> ParseParameters(PipelineDescriptor pipeline, string[] assignments)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"--param {assignment}: write it as --param name=value");
            }

            var name = assignment[..equals];
            var text = assignment[(equals + 1)..];
            if (values.ContainsKey(name))
            {
                throw new FormatException($"--param {name} is given twice; give each parameter once");
            }

            var parameter = pipeline.Parameters.FirstOrDefault(p => p.Name == name) ?? throw new FormatException(
                $"--param {assignment}: pipeline '{pipeline.Name}' has no parameter '{name}' (its parameters: {(pipeline.Parameters.Count == 0 ? "none" : string.Join(", ", pipeline.Parameters.Select(p => p.Name)))})");
            try
            {
                values[name] = parameter.Codec.ParseText(text);
            }
            catch (FormatException e)
            {
                throw new FormatException($"--param {assignment}: {e.Message} ({name} is {parameter.Codec.TypeName})");
            }
        }

        return values;
    }

    /// <summary>
    /// <c>step --pipeline P --step S --executor-input JSON [--run R --task T --task-id I]</c>: what each task's container runs (see <see cref="StepMode"/>).
    /// </summary>
    private static Command StepCommand(IAnsiConsole console, TextWriter error)
    {
        var pipeline = new Option<string>("--pipeline") { Description = "The pipeline's name in the spec.", Required = true };
        var step = new Option<string>("--step") { Description = "The step's component name in the spec.", Required = true };
        var input = new Option<string>(StepMode.ExecutorInputOption) { Description = "The Kubeflow ExecutorInput JSON ({{$}}), or - to read it from standard input.", Required = true };
        var run = new Option<string>("--run") { Description = "The run's resource name ({{$.pipeline_job_resource_name}}): record the step to the store as it runs." };
        var task = new Option<string>("--task") { Description = "The task's name ({{$.pipeline_task_name}}), with --run." };
        var taskId = new Option<string>("--task-id") { Description = "The task's id ({{$.pipeline_task_uuid}}), with --run: tells a loop's iterations apart." };
        var command = new Command("step", "Runs one step under the Kubeflow v2 executor contract (what each task's container runs).") { pipeline, step, input, run, task, taskId };
        command.SetAction((result, token) =>
            new StepCommandLine(result.GetRequiredValue(pipeline), result.GetRequiredValue(step), result.GetRequiredValue(input), result.GetValue(run), result.GetValue(task), result.GetValue(taskId))
                .RunAsync(console.Profile.Out.Writer, error, token));
        return command;
    }

    private static int ListPipelines(IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Pipeline").AddColumn("Method").AddColumn("Parameters").AddColumn("Steps");
        foreach (var pipeline in PipelineRegistry.All)
        {
            var parameters = string.Join(", ", pipeline.Parameters.Select(p => p.DefaultJson is null ? $"{p.Name}: {p.Codec.TypeName}" : $"{p.Name}: {p.Codec.TypeName} = {p.DefaultJson}"));
            table.AddRow(new Text(pipeline.Name), new Text(pipeline.MethodName), new Text(parameters), new Text(pipeline.Tasks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        console.Write(table);
        return Success;
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"error: {message}");
        return UsageError;
    }

    private sealed class RunCommandOptions
    {
        public Option<string[]> Parameters { get; } = new("--param", "-p")
        {
            Description = "Sets a pipeline parameter: --param name=value (repeatable).",
            Arity = ArgumentArity.ZeroOrMore,
        };

        public Option<bool> NoCache { get; } = new("--no-cache") { Description = "Runs every step, ignoring cached outputs." };

        public Option<int?> MaxParallelism { get; } = new("--max-parallelism") { Description = "How many steps may run at once (default: processor count)." };

        public Option<string?> Orchestrator { get; } = CreateOrchestratorOption();

        public Option<string> Output { get; } = new Option<string>("--output")
        {
            Description = "table (default): a live table in a terminal, timestamped lines when redirected or $CI is set, then a summary table; json: one JSON object per line.",
            DefaultValueFactory = _ => "table",
        }.AcceptOnlyFromAmong("table", "json");

        public Option<bool> DryRun { get; } = new("--dry-run") { Description = "Predicts which steps would come from the cache and why the others would run; runs and records nothing." };

        public Option<bool> FollowLogs { get; } = new("--follow-logs") { Description = "Prints each line a step writes, prefixed by its task (local-process: the step processes' output)." };

        public Option<string?> Stack { get; } = new("--stack") { Description = "The stack to run on (default: $PIPELINES_STACK, else the one `pipelines stack set` chose, else default)." };

        public Option<string?> Experiment { get; } = new("--experiment") { Description = "The experiment to record the run in (default: the pipeline's [Pipeline(Experiment = ...)], if any)." };

        public void AddTo(Command command)
        {
            command.Add(Stack);
            command.Add(Experiment);
            command.Add(Parameters);
            command.Add(NoCache);
            command.Add(MaxParallelism);
            command.Add(Orchestrator);
            command.Add(Output);
            command.Add(FollowLogs);
            command.Add(DryRun);
        }

        private static Option<string?> CreateOrchestratorOption()
        {
            var option = new Option<string?>("--orchestrator")
            {
                Description = "Overrides the stack's orchestrator. local: steps run in this process; local-process: each step runs as a child process under the Kubeflow executor contract, as on Vertex AI.",
            };
            option.AcceptOnlyFromAmong([.. OrchestratorFlavors.All]);
            return option;
        }
    }
}
