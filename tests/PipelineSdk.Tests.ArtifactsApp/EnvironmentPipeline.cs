using PipelineSdk;

/// <summary>A step whose result depends on an environment variable it declares: every orchestrator must compute the same one.</summary>
public static class EnvironmentPipeline
{
    [Step]
    [Env("GREETING_STYLE", "loud")]
    public static string Greet(string name) =>
        Environment.GetEnvironmentVariable("GREETING_STYLE") == "loud" ? name.ToUpperInvariant() + "!" : name;

    [Step]
    public static string Sign(string greeting) =>
        greeting + (Environment.GetEnvironmentVariable("GREETING_STYLE") is null ? " (plain)" : " (leaked)");

    [Pipeline]
    public static void GreetingPipeline(string name = "ada")
    {
        var greeting = Greet(name);
        Sign(greeting);
    }
}
