using PipelineSdk;
using PipelineSdk.Artifacts;

/// <summary>
/// Container steps (commands in an image; here sh, which every machine has) between C# steps: a dataset and a number
/// from a command, an optional input left out and given, and a C# step that reads the commands' outputs.
/// </summary>
public static partial class ContainerStepPipelines
{
    [Step]
    public static string Greeting(string name) => $"hello {name}";

    [ContainerStep("alpine", "sh", "-c", "printf '%s\\n' \"$0\" > \"$1\" && printf '%s' \"${#0}\" > \"$2\"",
        Args = ["{{text}}", "{{Data.path}}", "{{Length.file}}"], RunsLocally = true)]
    public static partial (Dataset Data, int Length) Write(string text);

    [ContainerStep("alpine", "sh", "-c", "tr a-z A-Z < \"$0\" | tr -d '\\n' > \"$1\"; if [ -n \"$2\" ]; then printf '%s' \"$2\" >> \"$1\"; fi",
        Args = ["{{data.path}}", "{{Output.file}}", "{{#suffix}}", "{{suffix}}", "{{/suffix}}"], RunsLocally = true)]
    public static partial string Shout(Dataset data, string? suffix = null);

    [Step]
    public static string Describe(string plain, string suffixed, int length) => $"{plain} / {suffixed} ({length})";

    [Pipeline]
    public static void ContainerStepPipeline(string name = "world", string suffix = "!")
    {
        var (data, length) = Write(Greeting(name));
        Describe(Shout(data), Shout(data, suffix), length);
    }
}
