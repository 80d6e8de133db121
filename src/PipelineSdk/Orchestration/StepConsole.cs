namespace PipelineSdk.Orchestration;

/// <summary>
/// Where the lines a step running in this process writes to <see cref="Console.Out"/> belong: the in-process executor
/// sets it for the step's flow, so a program that routes the console (see <c>Hosting.RunView</c>) can prefix each line
/// by its task instead of letting it tear through a live display.
/// </summary>
internal static class StepConsole
{
    /// <summary>The current step's log, or null outside steps.</summary>
    public static AsyncLocal<Action<string>?> Log { get; } = new();
}
