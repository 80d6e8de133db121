using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;

namespace PipelineSdk.Gcp.Tests.SpecExecution;

/// <summary>A pipeline program this solution builds (an example or a test app): its folder, entry assembly and generated specs.</summary>
internal sealed record PipelineProgram(string Name, string Directory)
{
    public static PipelineProgram QuickStart { get; } = Example("QuickStart");

    public static PipelineProgram LinearRegression { get; } = Example("LinearRegression");

    public static PipelineProgram TrainAndDeploy { get; } = Example("TrainAndDeploy");

    /// <summary>tests/PipelineSdk.Tests.ControlFlowApp: branches, loops, exit handlers and called pipelines.</summary>
    public static PipelineProgram ControlFlowApp { get; } = new("ControlFlowApp", Path.Combine(Metadata("TestsDirectory"), "PipelineSdk.Tests.ControlFlowApp", Metadata("OutputSubdirectory")));

    public static PipelineProgram Named(string name) =>
        new[] { QuickStart, LinearRegression, TrainAndDeploy, ControlFlowApp }.Single(p => p.Name == name);

    public string Dll => Path.Combine(Directory, Name + ".dll");

    /// <summary>The spec the generator wrote for <paramref name="pipeline"/>, as the orchestrators submit it.</summary>
    public JsonObject Spec(string pipeline) => JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, "pipelines", pipeline + ".json")))!.AsObject();

    /// <summary>
    /// <c>--param name=value</c> settings as the runtime config's parameterValues: typed by the spec's root input
    /// definitions, as the Vertex orchestrator sends them.
    /// </summary>
    public static JsonObject ParameterValues(JsonObject spec, IEnumerable<string> parameters)
    {
        var values = new JsonObject();
        var definitions = spec["root"]!["inputDefinitions"]?["parameters"]?.AsObject() ?? [];
        foreach (var assignment in parameters)
        {
            var (name, text) = (assignment[..assignment.IndexOf('=', StringComparison.Ordinal)], assignment[(assignment.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            values[name] = definitions[name]!["parameterType"]!.GetValue<string>() switch
            {
                "NUMBER_INTEGER" => JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture)),
                "NUMBER_DOUBLE" => JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture)),
                "BOOLEAN" => JsonValue.Create(bool.Parse(text)),
                "STRING" => JsonValue.Create(text),
                _ => JsonNode.Parse(text),
            };
        }

        return values;
    }

    private static PipelineProgram Example(string name) => new(name, Path.Combine(Metadata("ExamplesDirectory"), name, Metadata("OutputSubdirectory")));

    private static string Metadata(string key) =>
        typeof(PipelineProgram).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
