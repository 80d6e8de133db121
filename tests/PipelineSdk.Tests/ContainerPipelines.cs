using PipelineSdk.Artifacts;

namespace PipelineSdk.Tests;

/// <summary>Container steps whose commands run here too (sh is on every machine), a failing one and one that needs its image.</summary>
/// <remarks>Only container steps: the test assembly is no pipeline program, so local-process could not start C# steps.</remarks>
public static partial class ContainerPipelines
{
    /// <summary>Writes the text as a dataset and its length as an output parameter, and says so on standard output.</summary>
    [ContainerStep("alpine", "sh", "-c", "echo \"producing $0\"; printf '%s\\n' \"$0\" > \"$1\" && printf '%s' \"${#0}\" > \"$2\"",
        Args = ["{{text}}", "{{Data.path}}", "{{Length.file}}"], RunsLocally = true)]
    public static partial (Dataset Data, int Length) Produce(string text);

    /// <summary>The dataset in capitals, with the suffix when there is one (KFP's IfPresent).</summary>
    [ContainerStep("alpine", "sh", "-c", "tr a-z A-Z < \"$0\" | tr -d '\\n' > \"$1\"; if [ -n \"$2\" ]; then printf '%s' \"$2\" >> \"$1\"; fi",
        Args = ["{{data.path}}", "{{Output.file}}", "{{#suffix}}", "{{suffix}}", "{{/suffix}}"], RunsLocally = true)]
    public static partial string Shout(Dataset data, string? suffix = null);

    /// <summary>Repeats the text as often as the other step counted, as a C# step would, so a command takes a task's output.</summary>
    [ContainerStep("alpine", "sh", "-c", "for i in $(seq \"$1\"); do printf '%s' \"$0\"; done > \"$2\"",
        Args = ["{{shouted}}", "{{times}}", "{{Output.file}}"], RunsLocally = true)]
    public static partial string Repeat(string shouted, int times);

    [Pipeline]
    public static void ContainerPipeline(string text = "hello")
    {
        var (data, length) = Produce(text);
        var plain = Shout(data);
        var suffixed = Shout(data, "!");
        Repeat(plain, 2);
        Repeat(suffixed, length);
    }

    [ContainerStep("alpine", "sh", "-c", "echo 'working'; echo 'disk on fire' >&2; exit 3", RunsLocally = true)]
    public static partial void Burn();

    [Pipeline]
    public static void FailingContainerPipeline() => Burn();

    [ContainerStep("python:3.11", "python", "/scripts/train.py", Args = ["--epochs", "{{epochs}}"])]
    public static partial int TrainInImage(int epochs);

    [Pipeline]
    public static void ImageOnlyPipeline() => TrainInImage(3);
}
