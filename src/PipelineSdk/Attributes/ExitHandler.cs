namespace PipelineSdk;

/// <summary>Helpers for a pipeline's <c>try</c>/<c>finally</c> exit handler.</summary>
public static class ExitHandler
{
    /// <summary>
    /// As the first statement of a pipeline's <c>try</c> block, names the guarded group as Vertex AI shows it (KFP's
    /// <c>dsl.ExitHandler(exit_task, name=...)</c>; the group's <c>taskInfo.name</c>). Its key stays <c>exit-handler-N</c>.
    /// Called as plain C#, it does nothing.
    /// </summary>
    /// <param name="displayName">Any text up to 128 characters, a constant.</param>
    public static void Name(string displayName)
    {
    }
}
