using PipelineSdk;

namespace PipelineProject;

/// <summary>The steps and the pipeline that wires them. Steps are plain static methods you can test directly.</summary>
public static class Steps
{
    /// <summary>Returns an integer.</summary>
    [Step]
    public static int GetFirstNum() => 10;

    /// <summary>Draws a random integer between 0 and 10; never cached, so every run draws again.</summary>
    [Step(EnableCache = false)]
    public static int GetRandomInt() => Random.Shared.Next(0, 11);

    /// <summary>Subtracts <paramref name="randomNum"/> from <paramref name="firstNum"/>.</summary>
    [Step]
    public static int SubtractNumbers(int firstNum, int randomNum) => firstNum - randomNum;

    /// <summary>Step outputs flow into later steps through locals; the build writes its Kubeflow spec.</summary>
    [Pipeline]
    public static void MainPipeline()
    {
        var firstNum = GetFirstNum();
        var randomNum = GetRandomInt();
        SubtractNumbers(firstNum, randomNum);
    }
}
