using System.Text.Json;
using Microsoft.CodeAnalysis;
using PipelineSdk.Generators.Tests.Infrastructure;

namespace PipelineSdk.Generators.Tests;

/// <summary>Exit handler details as the KFP compiler writes them: the optional final-status input and a named group.</summary>
public class ExitHandlerDetailsTests
{
    private const string Named = """
        using PipelineSdk;
        public static class C
        {
            [Step] public static int Work(string message) => message.Length;
            [Step] public static void Notify(string channel, TaskFinalStatus status) { }
            [Pipeline]
            public static void P(string message = "hi")
            {
                try
                {
                    ExitHandler.Name("Train and deploy");
                    Work(message);
                }
                finally
                {
                    Notify("#ml", TaskFinalStatus.Current);
                }

                try
                {
                    Work("second");
                }
                finally
                {
                    Notify("#ops", TaskFinalStatus.Current);
                }
            }
        }
        """;

    [Test]
    public void The_final_status_input_is_optional_as_KFP_marks_it()
    {
        using var spec = Spec(Named);
        var status = spec.RootElement.GetProperty("components").GetProperty("comp-notify").GetProperty("inputDefinitions").GetProperty("parameters").GetProperty("status");

        Assert.That(status.GetProperty("parameterType").GetString(), Is.EqualTo("TASK_FINAL_STATUS"));
        Assert.That(status.GetProperty("isOptional").GetBoolean(), Is.True);
        var channel = spec.RootElement.GetProperty("components").GetProperty("comp-notify").GetProperty("inputDefinitions").GetProperty("parameters").GetProperty("channel");
        Assert.That(channel.TryGetProperty("isOptional", out _), Is.False, "other inputs stay required");
    }

    [Test]
    public void A_named_exit_handler_keeps_its_key_and_shows_its_name()
    {
        using var spec = Spec(Named);
        var tasks = spec.RootElement.GetProperty("root").GetProperty("dag").GetProperty("tasks");

        Assert.That(tasks.GetProperty("exit-handler-1").GetProperty("taskInfo").GetProperty("name").GetString(), Is.EqualTo("Train and deploy"));
        Assert.That(tasks.GetProperty("exit-handler-1").GetProperty("componentRef").GetProperty("name").GetString(), Is.EqualTo("comp-exit-handler-1"));
        Assert.That(tasks.GetProperty("exit-handler-2").GetProperty("taskInfo").GetProperty("name").GetString(), Is.EqualTo("exit-handler-2"));
        Assert.That(tasks.GetProperty("notify").GetProperty("dependentTasks")[0].GetString(), Is.EqualTo("exit-handler-1"));
    }

    [TestCase("Work(message); ExitHandler.Name(\"late\");", "ExitHandler.Name(\"late\")", "is not the first statement of a try block")]
    [TestCase("ExitHandler.Name(message); Work(message);", "message", "is not given a constant string")]
    [TestCase("ExitHandler.Name(\"\"); Work(message);", "\"\"", "is given a name that is empty")]
    public void Misuse_is_reported_where_it_is(string tryBody, string at, string message)
    {
        var source = $$"""
            using PipelineSdk;
            public static class C
            {
                [Step] public static int Work(string message) => message.Length;
                [Step] public static void Notify(TaskFinalStatus status) { }
                [Pipeline]
                public static void P(string message = "hi")
                {
                    try
                    {
                        {{tryBody}}
                    }
                    finally
                    {
                        Notify(TaskFinalStatus.Current);
                    }
                }
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source));

        var relevant = diagnostics.Where(d => d.Id != "PSDK0020").ToList();
        Assert.That(relevant.Select(d => d.Id), Is.EqualTo(new[] { "PSDK0041" }), string.Join("\n", relevant));
        Assert.That(relevant[0].GetMessage(), Does.Contain(message));
        Assert.That(relevant[0].Location.SourceTree!.GetText().ToString(relevant[0].Location.SourceSpan), Is.EqualTo(at));
    }

    private static JsonDocument Spec(string source) => CallSettingsTests.Spec(source, "p");
}
