using PipelineSdk.Execution;

namespace PipelineSdk.Hosting;

/// <summary>
/// The <c>step</c> command line as launchers write it: <c>step</c>, then each option once as a separate name and value. Every
/// step process starts with one, so it is read here without building the whole command tree and the terminal console
/// (a third of a step process's start-up); any other shape, a mistake included, goes through the full parser and its errors.
/// </summary>
internal sealed record StepCommandLine(string Pipeline, string Step, string ExecutorInput, string? Run, string? Task, string? TaskId)
{
    /// <summary>The step command line in <paramref name="args"/>, or null when it is anything else or not in the plain shape.</summary>
    public static StepCommandLine? TryRead(string[] args)
    {
        if (args.Length == 0 || args[0] != "step" || args.Length % 2 == 0)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i += 2)
        {
            var (name, value) = (args[i], args[i + 1]);
            if (!IsOption(name) || !values.TryAdd(name, value) || IsOption(value))
            {
                return null;
            }
        }

        return values.TryGetValue("--pipeline", out var pipeline) && values.TryGetValue("--step", out var step) && values.TryGetValue(StepMode.ExecutorInputOption, out var input)
            ? new StepCommandLine(pipeline, step, input, values.GetValueOrDefault("--run"), values.GetValueOrDefault("--task"), values.GetValueOrDefault("--task-id"))
            : null;
    }

    /// <summary>Runs the step (see <see cref="StepMode"/>); <c>-</c> as the executor input reads it from standard input.</summary>
    public async Task<int> RunAsync(TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var json = ExecutorInput == StepMode.StandardInput ? await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false) : ExecutorInput;
        return await StepMode.RunAsync(Pipeline, Step, json, Run, Task, TaskId, output, error, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsOption(string arg) => arg is "--pipeline" or "--step" or StepMode.ExecutorInputOption or "--run" or "--task" or "--task-id";
}
