using PipelineSdk;

/// <summary>The pipeline of ZenML's "Serverless MLOps with Vertex AI" tutorial, in C#.</summary>
public static class QuickStart
{
    /// <summary>Returns an integer.</summary>
    [Step]
    public static int GetFirstNum() => 10;

    /// <summary>Gets a random integer between 0 and 10; never cached, so every run draws again.</summary>
    [Step(EnableCache = false)]
    public static int GetRandomInt() => Random.Shared.Next(0, 11);

    /// <summary>Subtracts <paramref name="randomNum"/> from <paramref name="firstNum"/>.</summary>
    [Step]
    public static int SubtractNumbers(int firstNum, int randomNum) => firstNum - randomNum;

    /// <summary>Links the steps: their outputs flow into <see cref="SubtractNumbers"/>.</summary>
    [Pipeline]
    public static void VertexExamplePipeline()
    {
        var firstNum = GetFirstNum();
        var randomNum = GetRandomInt();
        SubtractNumbers(firstNum, randomNum);
    }
}
