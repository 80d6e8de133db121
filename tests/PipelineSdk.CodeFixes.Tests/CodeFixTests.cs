using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using PipelineSdk.Generators.Diagnostics.Analyzers;

namespace PipelineSdk.CodeFixes.Tests;

public class MakeStaticTests
{
    [Test]
    public Task An_instance_step_becomes_static() =>
        Verifier<StepAnalyzer, MakeStaticCodeFix>.VerifyAsync(
            """
            using PipelineSdk;

            public class C
            {
                [Step]
                public int {|PSDK0001:A|}() => 1;
            }
            """,
            """
            using PipelineSdk;

            public class C
            {
                [Step]
                public static int A() => 1;
            }
            """);

    [Test]
    public Task Static_goes_after_the_accessibility_and_before_other_modifiers() =>
        Verifier<StepAnalyzer, MakeStaticCodeFix>.VerifyAsync(
            """
            using System.Threading.Tasks;
            using PipelineSdk;

            public class C
            {
                [Step] internal async Task<int> {|PSDK0001:A|}() { await Task.Yield(); return 1; }
            }
            """,
            """
            using System.Threading.Tasks;
            using PipelineSdk;

            public class C
            {
                [Step] internal static async Task<int> A() { await Task.Yield(); return 1; }
            }
            """);

    [Test]
    public Task An_instance_pipeline_becomes_static() =>
        Verifier<PipelineAnalyzer, MakeStaticCodeFix>.VerifyAsync(
            """
            using PipelineSdk;

            public class C
            {
                [Step] public static int A() => 1;

                [Pipeline] public void {|PSDK0008:P|}() => A();
            }
            """,
            """
            using PipelineSdk;

            public class C
            {
                [Step] public static int A() => 1;

                [Pipeline] public static void P() => A();
            }
            """);

    [Test]
    public Task Nothing_is_offered_for_a_static_pipeline_with_another_signature_problem() =>
        Verifier<PipelineAnalyzer, MakeStaticCodeFix>.VerifyNoFixAsync(
            """
            using PipelineSdk;

            public static class C
            {
                [Step] public static int A() => 1;

                [Pipeline] public static {|PSDK0008:System.DateTime|} P() { A(); return default; }
            }
            """);
}

public class AddStepAttributeTests
{
    [Test]
    public Task A_called_helper_of_the_same_file_becomes_a_step() =>
        Verifier<PipelineAnalyzer, AddStepAttributeCodeFix>.VerifyAsync(
            """
            using PipelineSdk;

            public static class C
            {
                [Step] public static int A() => 1;

                /// <summary>Prints.</summary>
                public static void Print(int value) => System.Console.WriteLine(value);

                [Pipeline]
                public static void P()
                {
                    var a = A();
                    {|PSDK0014:Print(a)|};
                }
            }
            """,
            """
            using PipelineSdk;

            public static class C
            {
                [Step] public static int A() => 1;

                /// <summary>Prints.</summary>
                [Step]
                public static void Print(int value) => System.Console.WriteLine(value);

                [Pipeline]
                public static void P()
                {
                    var a = A();
                    Print(a);
                }
            }
            """);

    [Test]
    public Task A_helper_in_another_file_gets_the_attribute_there() =>
        Verifier<PipelineAnalyzer, AddStepAttributeCodeFix>.VerifyAsync(
            [
                ("Pipeline.cs",
                    """
                    using PipelineSdk;

                    public static class C
                    {
                        [Pipeline]
                        public static void P(int n) => Helpers.Train({|PSDK0007:Helpers.Load(n)|});
                    }
                    """,
                    """
                    using PipelineSdk;

                    public static class C
                    {
                        [Pipeline]
                        public static void P(int n) => Helpers.Train(Helpers.Load(n));
                    }
                    """),
                ("Helpers.cs",
                    """
                    using System;

                    public static class Helpers
                    {
                        [Obsolete("use Load2")]
                        public static int Load(int n) => n;

                        [PipelineSdk.Step] public static int Train(int rows) => rows;
                    }
                    """,
                    """
                    using System;

                    public static class Helpers
                    {
                        [Obsolete("use Load2")]
                        [PipelineSdk.Step]
                        public static int Load(int n) => n;

                        [PipelineSdk.Step] public static int Train(int rows) => rows;
                    }
                    """),
            ],
            nameof(AddStepAttributeCodeFix));

    [Test]
    public Task Nothing_is_offered_for_a_method_of_another_assembly() =>
        Verifier<PipelineAnalyzer, AddStepAttributeCodeFix>.VerifyNoFixAsync(
            """
            using PipelineSdk;

            public static class C
            {
                [Step] public static int A() => 1;

                [Pipeline]
                public static void P()
                {
                    A();
                    {|PSDK0006:System.Console.WriteLine("done")|};
                }
            }
            """);
}

public class MoveToNewStepTests
{
    [Test]
    public Task An_argument_over_a_step_output_moves_into_a_step() =>
        Verifier<PipelineAnalyzer, MoveToNewStepCodeFix>.VerifyAsync(
            """
            using PipelineSdk;

            public static class C
            {
                [Step] public static int A() => 1;
                [Step] public static int B(int x) => x;

                [Pipeline]
                public static void P()
                {
                    var a = A();
                    B({|PSDK0007:a + 1|});
                }
            }
            """,
            """
            using PipelineSdk;

            public static class C
            {
                [Step] public static int A() => 1;
                [Step] public static int B(int x) => x;

                [Pipeline]
                public static void P()
                {
                    var a = A();
                    B(ComputeX(a));
                }

                [Step]
                public static int ComputeX(int a) => a + 1;
            }
            """);

    [Test]
    public Task A_local_computed_from_outputs_and_parameters_becomes_a_step_output() =>
        Verifier<PipelineAnalyzer, MoveToNewStepCodeFix>.VerifyAsync(
            """
            using PipelineSdk;

            internal static class C
            {
                [Step] public static (int Train, int Test) Split() => (8, 2);
                [Step] public static void Report(string text) { }

                [Pipeline]
                internal static void P(string prefix)
                {
                    var split = Split();
                    var text = {|PSDK0014:$"{prefix}: {split.Train}/{split.Test}"|};
                    Report(text);
                }
            }
            """,
            """
            using PipelineSdk;

            internal static class C
            {
                [Step] public static (int Train, int Test) Split() => (8, 2);
                [Step] public static void Report(string text) { }

                [Pipeline]
                internal static void P(string prefix)
                {
                    var split = Split();
                    var text = ComputeText(prefix, split.Train, split.Test);
                    Report(text);
                }

                [Step]
                internal static string ComputeText(string prefix, int train, int test) => $"{prefix}: {train}/{test}";
            }
            """);

    [Test]
    public Task A_statement_over_an_output_becomes_a_void_step_with_a_free_name() =>
        Verifier<PipelineAnalyzer, MoveToNewStepCodeFix>.VerifyAsync(
            """
            using PipelineSdk;

            public static class C
            {
                [Step] public static int A() => 1;

                public static void WriteLineStep() { }

                [Pipeline]
                public static void P()
                {
                    var a = A();
                    {|PSDK0014:System.Console.WriteLine(a)|};
                }
            }
            """,
            """
            using PipelineSdk;

            public static class C
            {
                [Step] public static int A() => 1;

                public static void WriteLineStep() { }

                [Pipeline]
                public static void P()
                {
                    var a = A();
                    WriteLineStep2(a);
                }

                [Step]
                public static void WriteLineStep2(int a) => System.Console.WriteLine(a);
            }
            """);

    [Test]
    public Task Nothing_is_offered_when_the_expression_calls_a_step() =>
        Verifier<PipelineAnalyzer, MoveToNewStepCodeFix>.VerifyNoFixAsync(
            """
            using PipelineSdk;

            public static class C
            {
                [Step] public static int A() => 1;
                [Step] public static int B(int x) => x;

                [Pipeline]
                public static void P() => B({|PSDK0007:A() + 1|});
            }
            """);
}

public class AddJsonSerializableTests
{
    // A context written by hand, so the test compiles without System.Text.Json's generator.
    private const string HandWrittenContext = """
        using System;
        using System.Text.Json;
        using System.Text.Json.Serialization;
        using System.Text.Json.Serialization.Metadata;

        namespace Shop;

        [JsonSerializable(typeof(int))]
        internal partial class ShopJson : JsonSerializerContext
        {
            public ShopJson() : base(null) { }
            protected override JsonSerializerOptions? GeneratedSerializerOptions => null;
            public override JsonTypeInfo? GetTypeInfo(Type type) => null;
        }
        """;

    [Test]
    public Task A_record_is_listed_in_the_projects_existing_context() =>
        Verifier<StepAnalyzer, AddJsonSerializableCodeFix>.VerifyAsync(
        [
            ("Pipeline.cs", """
                using PipelineSdk;

                namespace Shop;

                public sealed record Order(int Id);

                public static class Steps
                {
                    [Step] public static int Total({|PSDK0005:Order|} order) => order.Id;
                }
                """, """
                using PipelineSdk;

                namespace Shop;

                public sealed record Order(int Id);

                public static class Steps
                {
                    [Step] public static int Total(Order order) => order.Id;
                }
                """),
            ("Json.cs", HandWrittenContext, HandWrittenContext.Replace(
                "[JsonSerializable(typeof(int))]\n", "[JsonSerializable(typeof(int))]\n[JsonSerializable(typeof(Order))]\n", StringComparison.Ordinal)),
        ], "AddJsonSerializableCodeFix.Existing");

    [Test]
    public async Task Without_a_context_a_new_file_declares_one_for_the_type_inside_a_tuple_result()
    {
        var test = new CSharpCodeFixTest<StepAnalyzer, AddJsonSerializableCodeFix, DefaultVerifier>
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
            CodeActionEquivalenceKey = "AddJsonSerializableCodeFix.New",
        };
        const string Source = """
            using PipelineSdk;

            namespace Shop.Models;

            public sealed class Basket { public int Items { get; set; } }

            public static class Steps
            {
                [Step] public static {|PSDK0005:(int Count, Basket Basket)|} Fill() => (1, new Basket());
            }
            """;
        test.TestState.Sources.Add(("Pipeline.cs", Source));
        test.FixedState.Sources.Add(("Pipeline.cs", Source.Replace("{|PSDK0005:(int Count, Basket Basket)|}", "(int Count, Basket Basket)", StringComparison.Ordinal)));
        test.FixedState.Sources.Add(("PipelineJsonContext.cs", """
            using System.Text.Json.Serialization;

            namespace Shop.Models;

            /// <summary>The records and classes that pass between steps as JSON artifacts (System.Text.Json source generation).</summary>
            [JsonSerializable(typeof(Basket))]
            internal partial class PipelineJsonContext : JsonSerializerContext;

            """));
        // System.Text.Json's generator, which implements the context, does not run in this test.
        test.FixedState.ExpectedDiagnostics.Add(DiagnosticResult.CompilerError("CS0534").WithSpan("PipelineJsonContext.cs", 7, 24, 7, 43).WithArguments("Shop.Models.PipelineJsonContext", "System.Text.Json.Serialization.JsonSerializerContext.GeneratedSerializerOptions.get"));
        test.FixedState.ExpectedDiagnostics.Add(DiagnosticResult.CompilerError("CS0534").WithSpan("PipelineJsonContext.cs", 7, 24, 7, 43).WithArguments("Shop.Models.PipelineJsonContext", "System.Text.Json.Serialization.JsonSerializerContext.GetTypeInfo(System.Type)"));
        test.FixedState.ExpectedDiagnostics.Add(DiagnosticResult.CompilerError("CS7036").WithSpan("PipelineJsonContext.cs", 7, 24, 7, 43).WithArguments("options", "System.Text.Json.Serialization.JsonSerializerContext.JsonSerializerContext(System.Text.Json.JsonSerializerOptions?)"));
        MetadataReference[] references =
        [
            .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
                .Select(path => MetadataReference.CreateFromFile(path)),
            MetadataReference.CreateFromFile(typeof(StepAttribute).Assembly.Location),
        ];
        test.TestState.AdditionalReferences.AddRange(references);
        test.FixedState.AdditionalReferences.AddRange(references);
        await test.RunAsync();
    }

    [Test]
    public Task A_type_of_another_assembly_gets_no_fix() =>
        Verifier<StepAnalyzer, AddJsonSerializableCodeFix>.VerifyNoFixAsync("""
            using PipelineSdk;

            public static class Steps
            {
                [Step] public static int Day({|PSDK0005:System.DateTime|} when) => when.Day;
            }
            """);
}
