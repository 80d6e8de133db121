namespace PipelineSdk;

/// <summary>
/// Marks a <c>static partial</c> method without a body as a step that runs a container image's command instead of C#
/// code (KFP's <c>@dsl.container_component</c>). Its parameters are the step's inputs and its return value (or each
/// element of a named tuple) its outputs, typed as for <see cref="StepAttribute"/>; PipelineSdk writes the body.
/// <para>
/// <see cref="Command"/>, <see cref="Args"/> and <see cref="LocalCommand"/> may hold placeholders, checked when the
/// program compiles: <c>{{x}}</c> (the value of the input parameter <c>x</c>), <c>{{data.path}}</c> and
/// <c>{{data.uri}}</c> (an input or output artifact's local path or URI), <c>{{Output.file}}</c> (the file the command
/// writes an output parameter to). An element <c>{{#x}}</c> starts the elements used only when the optional input
/// <c>x</c> has a value, <c>{{^x}}</c> those used when it has none, and <c>{{/x}}</c> ends them (KFP's <c>IfPresent</c>).
/// </para>
/// </summary>
/// <example>
/// <code>
/// [ContainerStep("python:3.11", "python", "/scripts/train.py",
///     Args = ["--epochs", "{{epochs}}", "--data", "{{data.path}}", "--model", "{{Output.path}}"],
///     LocalCommand = ["python3", "scripts/train.py"])]
/// public static partial Model Train(int epochs, Dataset data);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ContainerStepAttribute : Attribute
{
    /// <summary>A step that runs <paramref name="command"/> in <paramref name="image"/>.</summary>
    /// <param name="image">The container image, e.g. <c>python:3.11</c> or <c>us-docker.pkg.dev/project/repo/trainer:1.4</c>.</param>
    /// <param name="command">The executable and its first arguments (the container's <c>command</c>).</param>
    public ContainerStepAttribute(string image, params string[] command)
    {
        Image = image;
        Command = command;
    }

    /// <summary>The container image.</summary>
    public string Image { get; }

    /// <summary>The executable and its first arguments, as the container's <c>command</c>.</summary>
    public string[] Command { get; }

    /// <summary>The arguments after the command (the container's <c>args</c>); used locally too.</summary>
    public string[] Args { get; set; } = [];

    /// <summary>
    /// The command that stands in for <see cref="Command"/> when the step runs on this machine (the <c>local</c> and
    /// <c>local-process</c> orchestrators), e.g. <c>["python3", "scripts/train.py"]</c>: it runs as a child process in the
    /// current folder, followed by <see cref="Args"/>. Without it the step runs only on Vertex AI or Kubeflow.
    /// </summary>
    public string[]? LocalCommand { get; set; }

    /// <summary>
    /// Whether <see cref="Command"/> itself runs on this machine as written (e.g. <c>sh</c>, or a tool installed on the
    /// PATH of every machine that runs the pipeline), as if it were also the <see cref="LocalCommand"/>.
    /// </summary>
    public bool RunsLocally { get; set; }

    /// <summary>Whether a run may reuse this step's recorded outputs; as <see cref="StepAttribute.EnableCache"/>.</summary>
    public bool EnableCache { get; set; } = true;

    /// <summary>The component name in the generated spec; as <see cref="StepAttribute.Name"/>.</summary>
    public string? Name { get; set; }

    /// <summary>The task's display name; as <see cref="StepAttribute.DisplayName"/>.</summary>
    public string? DisplayName { get; set; }
}
