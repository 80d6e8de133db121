using Microsoft.CodeAnalysis.Text;
using PipelineSdk.Generators.Tests.Infrastructure;

namespace PipelineSdk.Generators.Tests;

/// <summary>Each diagnostic on a minimal source that triggers it at the marked span, and a near miss that does not.</summary>
public class DiagnosticTests
{
    private const string Header = "using PipelineSdk;\n";

    private static IEnumerable<TestCaseData> Triggers()
    {
        yield return Case("PSDK0001", "public class C { [Step] public int [|A|]() => 1; }");
        yield return Case("PSDK0002", "public static class C { [Step] private static int [|A|]() => 1; }");
        yield return Case("PSDK0002", "public static class C { private static class Inner { [Step] public static int [|A|]() => 1; } }");
        yield return Case("PSDK0003", "public static class C { [Step] public static T A[|<T>|](T x) => x; }");
        yield return Case("PSDK0004", "public static class C { [Step] public static int A([|ref int x|]) => x; }");
        yield return Case("PSDK0004", "public static class C { [Step] public static void A([|out int x|]) => x = 1; }");
        yield return Case("PSDK0005", "public static class C { [Step] public static int A([|System.DateTime|] when) => 1; }");
        yield return Case("PSDK0005", "public static class C { [Step] public static [|System.Uri|] A() => new(\"http://127.0.0.1\"); }");
        yield return Case("PSDK0005", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P([|float|] x) => A(); }");
        yield return Case("PSDK0005", "public sealed record R(int X); public static class C { [Step] public static int A([|R|] r) => r.X; }");
        yield return Case("PSDK0005", "public static class C { [Step] public static [|System.Collections.Generic.List<PipelineSdk.Artifacts.Dataset>|] A() => new(); }");
        yield return Case("PSDK0005", "public static class C { [Step] public static int A([|System.Collections.Generic.Dictionary<string, byte[]>|] d) => 1; }");
        yield return Case("PSDK0005", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P([|PipelineSdk.Artifacts.Dataset|] data) => A(); }");
        yield return Case("PSDK0005", "public static class C { [Step] public static int A([|System.IO.MemoryStream|] s) => 1; }");
        yield return Case("PSDK0006", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { A(); [|System.Console.WriteLine(\"hi\")|]; } }");
        yield return Case("PSDK0006", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { A(); [|while (true) { }|] } }");
        yield return Case("PSDK0006", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { A(); [|lock (typeof(C)) { }|] } }");
        yield return Case("PSDK0006", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { try { A(); } [|catch { }|] } }");
        yield return Case("PSDK0006", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { try { A(); } [|finally { A(); A(); }|] } }");
        yield return Case("PSDK0006", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { foreach (var x in new[] { 1 }) { [|try { A(); } finally { A(); }|] } } }");
        yield return Case("PSDK0006", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { A(); [|foreach (var x in new[] { 1 }) { }|] } }");
        yield return Case("PSDK0006", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P(bool b) { A(); if (b) [|{ }|] } }");
        yield return Case("PSDK0006", "public static class C { [Step] public static int A(int x) => x; [Pipeline] public static void P() { var all = new System.Collections.Generic.List<int>(); foreach (var x in new[] { 1 }) { all.Add(A(x)); [|all.Add(A(x))|]; } } }");
        yield return Case("PSDK0006", "public static class C { [Step] public static int A(int x) => x; [Pipeline] public static void P() { var all = new System.Collections.Generic.List<int>(); [|all.Add(A(1))|]; } }");
        yield return Case("PSDK0006", "public static class C { [Step] public static int A(int x) => x; [Pipeline] public static void P() { A(1); var [|all = new System.Collections.Generic.List<int>()|]; } }");
        yield return Case("PSDK0007", "public static class C { [Step] public static void N(TaskFinalStatus s) { } [Pipeline] public static void P() { N([|TaskFinalStatus.Current|]); } }");
        yield return Case("PSDK0007", "public static class C { [Step] public static int A(int x) => x; [Step] public static int S(System.Collections.Generic.List<int> xs) => 0; [Pipeline] public static void P() { var all = new System.Collections.Generic.List<int>(); S([|all|]); foreach (var x in new[] { 1 }) { all.Add(A(x)); } } }");
        yield return Case("PSDK0016", "public static class C { [Step] public static string A() => \"\"; [Step] public static int B() => 1; [Pipeline] public static void P() { var a = A(); if (a != [|null|]) { B(); } } }");
        yield return Case("PSDK0007", "public static class C { [Step] public static int A(int x) => x; [Step] public static int S(System.Collections.Generic.List<int> xs) => 0; [Pipeline] public static void P() { var all = new System.Collections.Generic.List<int>(); foreach (var x in new[] { 1 }) { all.Add(A(x)); S([|all|]); } } }");
        yield return Case("PSDK0007", "public static class C { [Step] public static int A() => 1; [Step] public static int B(int x) => x; [Pipeline] public static void P() { var a = A(); B([|a + 1|]); } }");
        yield return Case("PSDK0007", "public static class C { [Step] public static int A() => 1; [Step] public static string B(string x) => x; [Pipeline] public static void P() { var a = A(); B([|$\"{a}\"|]); } }");
        yield return Case("PSDK0007", "public static class C { [Step] public static string A() => \"\"; [Step] public static int B(int x) => x; [Pipeline] public static void P() { var a = A(); B([|a.Length|]); } }");
        yield return Case("PSDK0008", "public class C { [Step] public static int A() => 1; [Pipeline] public void [|P|]() => A(); }");
        yield return Case("PSDK0008", "public static class C { [Step] public static int A() => 1; [Pipeline] public static [|System.DateTime|] P() { A(); return default; } }");
        yield return Case("PSDK0009", "public static class C { [Step] public static int A() => 1; [[|Pipeline(Name = \"Not_Valid\")|]] public static void P() => A(); }");
        yield return Case("PSDK0009", "public static class C { [[|Step(Name = \"UPPER\")|]] public static int A() => 1; }");
        yield return Case("PSDK0009", "public static class C { [Step] public static int A() => 1; [[|Pipeline(Experiment = \"Churn Model\")|]] public static void P() => A(); }");
        yield return Case("PSDK0010", "public static class C { [Pipeline] public static void [|P|]() { } }");
        yield return Case("PSDK0011", "public static class C { [Step] public static int A() => 1; [Step] public static long B(long x) => x; [Pipeline] public static void P() { var a = A(); B([|a|]); } }");
        yield return Case("PSDK0012", "namespace N1 { public static class C { [Step] public static int A() => 1; [Pipeline] public static void [|Train|]() => A(); } } namespace N2 { public static class D { [Pipeline] public static void [|Train|]() => N1.C.A(); } }");
        yield return Case("PSDK0013", "public static class C { [Step(Name = \"load\")] public static int A() => 1; [Step(Name = \"load\")] public static int B() => 2; [Pipeline] public static void P() { A(); [|B()|]; } }");
        yield return Case("PSDK0013", "public static class C { [Step] public static int Load() => 1; [Step] public static int Load2() => 2; [Pipeline] public static void P() { Load(); Load(); [|Load2()|]; } }");
        yield return Case("PSDK0013", "public static class C { [Step] public static int A() => 1; [Pipeline(Name = \"p\")] public static void [|Result|]() => A(); }");
        yield return Case("PSDK0013", "namespace N { public static class C { [Step] public static int A() => 1; [Pipeline(Name = \"one\")] public static void [|Train|]() => A(); } public static class D { [Pipeline(Name = \"two\")] public static void [|Train|]() => C.A(); } }");
        yield return Case("PSDK0013", "namespace N { public static class Pipelines { } public static class C { [Step] public static int A() => 1; [Pipeline] public static void [|P|]() => A(); } }");
        yield return Case("PSDK0014", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { var a = A(); [|System.Console.WriteLine(a)|]; } }");
        yield return Case("PSDK0014", "public static class C { [Step] public static int A() => 1; [Step] public static int B(int x) => x; [Pipeline] public static void P() { var a = A(); var b = [|a + 1|]; B(b); } }");
        yield return Case("PSDK0014", "public static class C { [Step] public static int A(int x) => x; [Pipeline] public static void P(int n) { A(n); [|n++|]; } }");
        yield return Case("PSDK0015", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { var n = A(); foreach (var x in [|n|]) { } } }");
        yield return Case("PSDK0015", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { var a = A(); foreach (var x in [|new[] { a, 2 }|]) { A(); } } }");
        yield return Case("PSDK0015", "public static class C { [Step] public static int A(int x) => x; [Pipeline] public static void P(int[] xs) { foreach (var x in xs.WithParallelism([|0|])) { A(x); } } }");
        yield return Case("PSDK0015", "public static class C { [Step] public static int A(int x) => x; [Pipeline] public static void P(double[] xs) { foreach ([|int|] x in xs) { A(x); } } }");
        yield return Case("PSDK0016", "public static class C { [Step] public static int A() => 1; public static bool Check(int x) => x > 1; [Pipeline] public static void P() { var a = A(); if ([|Check(a)|]) { } } }");
        yield return Case("PSDK0016", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { var a = A(); if ([|a + 1|] > 3) { } } }");
        yield return Case("PSDK0016", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { var a = A(); if (a > 3) { } else if ([|true|]) { } } }");
        yield return Case("PSDK0017", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { A(); [|Q()|]; } [Pipeline] public static void Q() { A(); [|P()|]; } }");
        yield return Case("PSDK0017", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { A(); [|P()|]; } }");
        yield return Case("PSDK0018", "public static class C { [Step, Pipeline] public static int [|A|]() => 1; }");
        yield return Case("PSDK0019", "public static class C { [Step] public static int A() => 1; [[|Pipeline(Name = \"" + new string('a', 64) + "\")|]] public static void P() => A(); }");
        yield return Case("PSDK0020", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { var [|a|] = A(); } }");
        yield return Case("PSDK0020", "public static class C { [Step] public static (int Train, int Test) S() => (1, 2); [Step] public static int B(int x) => x; [Pipeline] public static void P() { var (train, [|test|]) = S(); B(train); } }");
        yield return Case("PSDK0021", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P(int [|unused|]) => A(); }");
        yield return Case("PSDK0022", "public static class C { [Step, Retry([|-1|])] public static int A() => 1; }");
        yield return Case("PSDK0022", "public static class C { [Step, Retry(3, [|BackoffSeconds = -5|])] public static int A() => 1; }");
        yield return Case("PSDK0022", "public static class C { [Step, Retry(3, [|BackoffFactor = 0.5|])] public static int A() => 1; }");
        yield return Case("PSDK0022", "public static class C { [Step, Retry(3, [|MaxBackoffSeconds = 7200|])] public static int A() => 1; }");
        yield return Case("PSDK0022", "public static class C { [Step, Retry([|maxRetries: -2|])] public static int A() => 1; }");
        yield return Case("PSDK0023", "public static class C { [Step, Resources([|Cpu = \"2 cores\"|])] public static int A() => 1; }");
        yield return Case("PSDK0023", "public static class C { [Step, Resources([|Cpu = \"0\"|])] public static int A() => 1; }");
        yield return Case("PSDK0023", "public static class C { [Step, Resources([|Memory = \"8GB\"|])] public static int A() => 1; }");
        yield return Case("PSDK0023", "public static class C { [Step, Resources([|MemoryRequest = \"1.5G\"|])] public static int A() => 1; }");
        yield return Case("PSDK0023", "public static class C { [Step, Resources(Cpu = \"1\", [|CpuRequest = \"1500m\"|])] public static int A() => 1; }");
        yield return Case("PSDK0023", "public static class C { [Step, Resources(Memory = \"1G\", [|MemoryRequest = \"1Gi\"|])] public static int A() => 1; }");
        yield return Case("PSDK0023", "public static class C { [Step, Resources([|AcceleratorCount = 2|])] public static int A() => 1; }");
        yield return Case("PSDK0023", "public static class C { [Step, Resources(Accelerator = \"NVIDIA_L4\", [|AcceleratorCount = 0|])] public static int A() => 1; }");
        yield return Case("PSDK0023", "public static class C { [Step, Resources([|Accelerator = \" \"|])] public static int A() => 1; }");
        yield return Case("PSDK0024", "public static class C { [Step, Resources([|Accelerator = \"NVIDIA_TESLA_T5\"|])] public static int A() => 1; [Pipeline] public static void P() => A(); }");
        yield return Case("PSDK0024", "public static class C { [Step, Resources([|Accelerator = \"nvidia.com/gpu\"|])] public static int A() => 1; [Pipeline] public static void P() => A(); }");
        yield return Case("PSDK0025", "public static class C { [Step, Env([|\"1ST\"|], \"x\")] public static int A() => 1; }");
        yield return Case("PSDK0025", "public static class C { [Step, Env([|\"MY-VAR\"|], \"x\")] public static int A() => 1; }");
        yield return Case("PSDK0025", "public static class C { [Step, Env(\"MODE\", \"a\"), Env([|\"MODE\"|], \"b\")] public static int A() => 1; }");
        yield return Case("PSDK0025", "public static class C { [Step, Env(\"MODE\", [|null!|])] public static int A() => 1; }");
        yield return Case("PSDK0026", "public static class C { [Step([|Image = \"\"|])] public static int A() => 1; }");
        yield return Case("PSDK0026", "public static class C { [Step([|Image = \"gcr.io/p/app: latest\"|])] public static int A() => 1; }");
        yield return Case("PSDK0027", "public static class C { [Step([|DisplayName = \"  \"|])] public static int A() => 1; }");
        yield return Case("PSDK0027", "public static class C { [Step([|DisplayName = \"" + new string('x', 129) + "\"|])] public static int A() => 1; }");
        yield return Case("PSDK0027", "public static class C { [Step([|DisplayName = \"two\\nlines\"|])] public static int A() => 1; }");
        yield return Case("PSDK0028", "public static class C { [Step] public static int A() => 1; [Pipeline, [|Retry(2)|]] public static void P() => A(); }");
        yield return Case("PSDK0028", "public static class C { [[|Env(\"A\", \"b\")|], [|Resources(Cpu = \"1\")|]] public static int Helper() => 1; }");
        yield return Case("PSDK0029", "namespace Microsoft.ML { public interface IDataView { } } public static class C { [Step] public static [|Microsoft.ML.IDataView|] A() => null!; }");
        yield return Case("PSDK0009", "public static class C { [Step] [return: [|Artifact(\"Churn_Model\")|]] public static int A() => 1; }");
        yield return Case("PSDK0009", "public static class C { [Step] public static int A([[|FromModel(\"\")|]] PipelineSdk.Artifacts.Model? m = null) => 1; }");
        yield return Case("PSDK0052", "public static class C { [Step] [return: [|Artifact(\"m\")|]] public static (int A, int B) A() => (1, 2); }");
        yield return Case("PSDK0052", "public static class C { [Step, [|Artifact(\"m\", Output = \"C\")|]] public static (int A, int B) A() => (1, 2); }");
        yield return Case("PSDK0052", "public static class C { [Step, [|Artifact(\"m\")|]] public static void A() { } }");
        yield return Case("PSDK0052", "public static class C { [Step, Artifact(\"m\", Output = \"A\"), [|Artifact(\"n\", Output = \"A\")|]] public static (int A, int B) A() => (1, 2); }");
        yield return Case("PSDK0052", "public static class C { [Step] public static int A([[|FromArtifact(\"m\")|]] PipelineSdk.Artifacts.Model m) => 1; }");
        yield return Case("PSDK0052", "public static class C { [Step] public static int A([[|FromModel(\"m\", Stage = \"live\")|]] PipelineSdk.Artifacts.Model? m = null) => 1; }");
        yield return Case("PSDK0052", "public static class C { [Step] [return: [|Artifact(\"m\", Stage = \"archived\")|]] public static PipelineSdk.Artifacts.Model A() => new(); }");
    }

    private static IEnumerable<TestCaseData> NearMisses()
    {
        yield return Miss("PSDK0001", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() => A(); }");
        yield return Miss("PSDK0052", "public static class C { [Step] [return: Artifact(\"m\", Stage = \"production\")] public static PipelineSdk.Artifacts.Model A() => new(); [Pipeline] public static void P() => A(); }");
        yield return Miss("PSDK0002", "public static class C { [Step] internal static int A() => 1; [Pipeline] internal static void P() => A(); }");
        yield return Miss("PSDK0003", "public static class C { [Step] public static int A(int x) => x; [Pipeline] public static void P() => A(1); }");
        yield return Miss("PSDK0004", "public static class C { [Step] public static int A(int x) => x; [Pipeline] public static void P(int x) => A(x); }");
        yield return Miss("PSDK0005", "public static class C { [Step] public static System.Collections.Generic.List<long> A(System.Collections.Generic.Dictionary<string, double> d) => new(); [Pipeline] public static void P(System.Collections.Generic.Dictionary<string, double> d) => A(d); }");
        yield return Miss("PSDK0005", """
            public sealed record R(int X);
            [System.Text.Json.Serialization.JsonSerializable(typeof(R))] internal partial class J : System.Text.Json.Serialization.JsonSerializerContext;
            public static class C
            {
                [Step] public static (R Record, byte[] Bytes, System.IO.Stream Stream, System.IO.FileInfo File, System.IO.DirectoryInfo Folder) A() => throw null!;
                [Step] public static (PipelineSdk.Artifacts.Dataset D, PipelineSdk.Artifacts.Model M, PipelineSdk.Artifacts.Metrics Me, PipelineSdk.Artifacts.ClassificationMetrics Cm, PipelineSdk.Artifacts.Html H, PipelineSdk.Artifacts.Markdown Md, PipelineSdk.Artifacts.Artifact Ar) B(R r, byte[] b, System.IO.Stream s, System.IO.FileInfo f, System.IO.DirectoryInfo d) => throw null!;
                [Step] public static int Count(System.Collections.Generic.IReadOnlyList<PipelineSdk.Artifacts.Model> models, PipelineSdk.Artifacts.Dataset[] sets) => models.Count + sets.Length;
                [Pipeline] public static void P() { var (r, b, s, f, d) = A(); B(r, b, s, f, d); }
            }
            """);
        yield return Miss("PSDK0006", "public static class C { [Step] public static int A() => 1; [Step] public static int B(int x) => x; [Pipeline] public static void P() { var a = A(); ; B(a); return; } }");
        yield return Miss("PSDK0007", "public static class C { [Step] public static int A() => 1; [Step] public static int B(int x, string s) => x; [Pipeline] public static void P(string s) { var a = A(); B(a, s); B(-1, \"k\" + \"v\"); } }");
        yield return Miss("PSDK0008", "public static class C { [Step] public static int A() => 1; [Step] public static async System.Threading.Tasks.Task<int> B(int x) { await System.Threading.Tasks.Task.Yield(); return x; } [Pipeline] public static async System.Threading.Tasks.Task P() { await B(A()); } }");
        yield return Miss("PSDK0009", "public static class C { [Step(Name = \"load-data-2\")] public static int A() => 1; [Pipeline(Name = \"my-pipeline-1\")] public static void P() => A(); }");
        yield return Miss("PSDK0009", "public static class C { [Step] public static int A() => 1; [Pipeline(Experiment = \"churn-2\")] public static void P() => A(); }");
        yield return Miss("PSDK0010", "public static class C { [Step] public static void A() { } [Pipeline] public static void P() { A(); } }");
        yield return Miss("PSDK0011", "public static class C { [Step] public static long A() => 1; [Step] public static long B(long x) => x; [Pipeline] public static void P() { var a = A(); B(a); B(5); } }");
        yield return Miss("PSDK0012", "namespace N1 { public static class C { [Step] public static int A() => 1; [Pipeline] public static void Train() => A(); } } namespace N2 { public static class D { [Pipeline(Name = \"train-2\")] public static void Train() => N1.C.A(); } }");
        yield return Miss("PSDK0013", "public static class C { [Step(Name = \"load\")] public static int A() => 1; [Step(Name = \"load-b\")] public static int B() => 2; [Pipeline] public static void Results() { A(); A(); B(); } }");
        yield return Miss("PSDK0013", "namespace N { public static class Pipeline { } public static class C { [Step] public static int A() => 1; [Pipeline(Name = \"one\")] public static void Train() => A(); } } namespace M { public static class D { [Pipeline(Name = \"two\")] public static void Train() => N.C.A(); } }");
        yield return Miss("PSDK0013", "public static class C { [Step] public static int B(int parameters, int options, int cancellationToken) => parameters; [Pipeline] public static void @event(int parameters, int options, int cancellationToken) => B(parameters, options, cancellationToken); }");
        yield return Miss("PSDK0014", "public static class C { [Step] public static int A() => 1; [Step] public static int B(int x) => x; [Pipeline] public static void P() { var a = A(); var same = a; B(same); } }");
        yield return Miss("PSDK0015", "public static class C { [Step] public static System.Collections.Generic.List<int> A() => new(); [Step] public static int B(int x) => x; [Step] public static void N(string n) { } [Pipeline] public static void P(string[] names) { var items = A(); foreach (var x in items) { B(x); } foreach (var name in names.WithParallelism(2)) { N(name); } foreach (var k in new[] { 1, 2 }) { B(k); } } }");
        yield return Miss("PSDK0016", "public static class C { [Step] public static int A() => 1; [Step] public static string S() => \"\"; [Step] public static int B(int x) => x; [Pipeline] public static void P(bool flag) { var a = A(); var s = S(); if (a > 3 && !(s == \"x\") || flag) { B(a); } else if (a <= 2.5) { B(2); } else { B(3); } } }");
        yield return Miss("PSDK0017", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() { A(); Q(); } [Pipeline] public static void Q() => A(); }");
        yield return Miss("PSDK0006", "public static class C { [Step] public static int A(int x) => x; [Step] public static int S(System.Collections.Generic.List<int> xs) => 0; [Step] public static void N(TaskFinalStatus s) { } [Pipeline] public static int P() { var all = new System.Collections.Generic.List<int>(); foreach (var x in new[] { 1, 2 }) { all.Add(A(x)); } try { S(all); } finally { N(TaskFinalStatus.Current); } return S(all); } }");
        yield return Miss("PSDK0018", "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P() => A(); }");
        yield return Miss("PSDK0019", "public static class C { [Step] public static int A() => 1; [Pipeline(Name = \"" + new string('a', 63) + "\")] public static void P() => A(); }");
        yield return Miss("PSDK0020", "public static class C { [Step] public static (int Train, int Test) S() => (1, 2); [Step] public static int B(int x) => x; [Pipeline] public static void P() { S(); var (train, _) = S(); B(train); } }");
        yield return Miss("PSDK0021", "public static class C { [Step] public static int B(int x) => x; [Pipeline] public static void P(int used) => B(used); }");
        yield return Miss("PSDK0022", "public static class C { [Step, Retry(0, BackoffSeconds = 0, BackoffFactor = 1, MaxBackoffSeconds = 3600)] public static int A() => 1; [Pipeline] public static void P() => A(); }");
        yield return Miss("PSDK0023", "public static class C { [Step, Resources(Cpu = \"1.5\", CpuRequest = \"1500m\", Memory = \"1Gi\", MemoryRequest = \"1G\", Accelerator = \"NVIDIA_L4\")] public static int A() => 1; [Pipeline] public static void P() => A(); }");
        yield return Miss("PSDK0024", "public static class C { [Step, Resources(Accelerator = \"TPU_V3\", AcceleratorCount = 8)] public static int A() => 1; [Step, Resources(Accelerator = \"NVIDIA_H100_80GB\")] public static int B() => 1; [Pipeline] public static void P() { A(); B(); } }");
        yield return Miss("PSDK0025", "public static class C { [Step, Env(\"_x1\", \"\"), Env(\"X1\", \"$(_x1)\")] public static int A() => 1; [Pipeline] public static void P() => A(); }");
        yield return Miss("PSDK0026", "public static class C { [Step(Image = \"127.0.0.1:5000/team/app@sha256:0123\")] public static int A() => 1; [Pipeline] public static void P() => A(); }");
        yield return Miss("PSDK0027", "public static class C { [Step(DisplayName = \"Train the model (GPU) — 2nd try\")] public static int A() => 1; [Pipeline] public static void P() => A(); }");
        yield return Miss("PSDK0050", "public static class C { [Step, Artifact(\"a\", Output = \"A\", Tags = new[] { \"t\" }), Artifact(\"b\", Output = \"B\")] public static (int A, int B) A() => (1, 2); [Step] public static int U(int a, [FromModel(\"a\", Stage = \"staging\")] PipelineSdk.Artifacts.Model? m = null, [FromArtifact(\"b\", Version = \"3\")] PipelineSdk.Artifacts.Model? n = null) => a; [Pipeline] public static void P() { var (a, _) = A(); U(a); } }");
        yield return Miss("PSDK0028", "public static class C { [Step, Retry(2), Env(\"A\", \"b\"), Resources(Cpu = \"1\")] public static int A() => 1; [Pipeline(EnableCache = false)] public static void P() => A(); }");
    }

    [TestCaseSource(nameof(Triggers))]
    public void Is_reported_at_the_marked_span(string id, string markedSource)
    {
        var (source, spans) = Markup.Parse(Header + markedSource);

        var (result, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source));

        var reported = diagnostics.Where(d => d.Id == id).ToList();
        Assert.That(reported.Select(d => d.Location.SourceSpan), Is.EquivalentTo(spans), () => "Reported: " + string.Join("\n", diagnostics));
        Assert.That(reported.All(d => d.Severity == d.Descriptor.DefaultSeverity), Is.True);
        Assert.That(reported.All(d => d.Location.IsInSource), Is.True);
        Assert.That(reported.All(d => d.Descriptor.HelpLinkUri.EndsWith($"docs/diagnostics/{id}.md", StringComparison.Ordinal)), Is.True);
        Assert.That(File.Exists(Path.Combine(GeneratorHarness.RepoRoot, "docs", "diagnostics", id + ".md")), Is.True, $"docs/diagnostics/{id}.md is missing");
        // A pipeline with errors gets no spec and no runner.
        if (reported.Any(d => d.GetMessage().Contains("Pipeline", StringComparison.Ordinal)))
        {
            Assert.That(result.GeneratedSources.Where(s => s.SourceText.ToString().Contains("static void P", StringComparison.Ordinal)), Is.Empty);
        }
    }

    [TestCaseSource(nameof(NearMisses))]
    public void Is_not_reported_for_a_near_miss(string id, string source)
    {
        var (result, output, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(Header + source));

        Assert.That(diagnostics.Where(d => d.Id.StartsWith("PSDK", StringComparison.Ordinal)), Is.Empty, id);
        Assert.That(result.GeneratedSources, Is.Not.Empty);
        GeneratorHarness.EmitClean(output);
    }

    /// <summary>
    /// The analyzers report every check of one pipeline or step, the generator only the checks across pipelines;
    /// together they report each problem once.
    /// </summary>
    [TestCaseSource(nameof(Triggers))]
    public void Generator_and_analyzers_together_report_each_problem_once(string id, string markedSource)
    {
        var (source, _) = Markup.Parse(Header + markedSource);

        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Compile(source));
        var fromAnalyzers = GeneratorHarness.AnalyzerDiagnostics(output);

        var all = result.Diagnostics.Concat(fromAnalyzers).Where(d => d.Id.StartsWith("PSDK", StringComparison.Ordinal)).ToList();
        var repeated = all.GroupBy(d => (d.Id, d.Location.SourceSpan)).Where(g => g.Count() > 1).Select(g => g.First());
        Assert.That(repeated, Is.Empty, () => string.Join("\n", all));
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.All.AnyOf(GeneratorOwnedIds), "the generator reports only checks across pipelines");
        Assert.That(fromAnalyzers.Select(d => d.Id), Has.None.AnyOf("PSDK0012", "PSDK0017"), "checks across pipelines are the generator's");
    }

    private static readonly string[] GeneratorOwnedIds = ["PSDK0006", "PSDK0012", "PSDK0013", "PSDK0017"];

    [Test]
    public void Warnings_and_infos_can_be_suppressed_with_pragma()
    {
        const string Pipeline = """
            public static class C
            {
                [Step] public static int A() => 1;
            #pragma warning disable PSDK0021, PSDK0020
                [Pipeline] public static void P(int unused) { var output = A(); }
            #pragma warning restore PSDK0021, PSDK0020
                [Pipeline] public static void Q(int unused) { var output = A(); }
            }
            """;

        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(Header + Pipeline));

        var lineOfQ = Pipeline.Split('\n').ToList().FindIndex(l => l.Contains("void Q", StringComparison.Ordinal)) + 1;
        Assert.That(diagnostics.Where(d => d.Id is "PSDK0020" or "PSDK0021").Select(d => (d.Id, d.Location.GetLineSpan().StartLinePosition.Line)),
            Is.EquivalentTo(new[] { ("PSDK0021", lineOfQ), ("PSDK0020", lineOfQ) }));
    }

    [Test]
    public void An_unsupported_record_is_told_exactly_which_attribute_makes_it_an_artifact()
    {
        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(Header +
            "namespace Shop.Models { public sealed record Order(int Id); } public static class C { [Step] public static int A(Shop.Models.Order order) => order.Id; [Step] public static Shop.Models.Order? B() => null; }"));

        Assert.That(diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)), Is.EquivalentTo(new[]
        {
            "Parameter 'order' of 'C.A(Order)' has type 'Shop.Models.Order', which cannot pass between steps; to pass it as a JSON artifact, add [JsonSerializable(typeof(Shop.Models.Order))] to a partial class deriving from System.Text.Json.Serialization.JsonSerializerContext in this project, or register a materializer for it with [assembly: PipelineSdkMaterializer(typeof(...))]",
            "The result of 'C.B()' has type 'Shop.Models.Order?', which cannot pass between steps; to pass it as a JSON artifact, add [JsonSerializable(typeof(Shop.Models.Order))] to a partial class deriving from System.Text.Json.Serialization.JsonSerializerContext in this project, or register a materializer for it with [assembly: PipelineSdkMaterializer(typeof(...))]",
        }), () => string.Join("\n", diagnostics));
    }

    [Test]
    public void A_materializer_registered_in_a_referenced_library_makes_its_type_an_artifact()
    {
        var library = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("VectorsLib",
            [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("""
                [assembly: PipelineSdk.PipelineSdkMaterializer(typeof(Vectors.VectorMaterializer), SchemaTitle = "system.Model")]
                namespace Vectors;
                public sealed class Vector { public double[] Values { get; init; } = []; }
                public sealed class VectorMaterializer : PipelineSdk.Values.ArtifactMaterializer<Vector>
                {
                    public override void Write(Vector value, string path) => System.IO.File.WriteAllText(path, string.Join(" ", value.Values));
                    public override Vector Read(string path) => new();
                }
                internal sealed class Hidden { }
                """, GeneratorHarness.ParseOptions)],
            GeneratorHarness.Compile("").References,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
        var reference = Microsoft.CodeAnalysis.MetadataReference.CreateFromImage(GeneratorHarness.EmitClean(library));
        var app = GeneratorHarness.Compile(Header + """
            public static class C
            {
                [Step] public static Vectors.Vector Embed(string text) => new();
                [Step] public static int Size(Vectors.Vector vector) => vector.Values.Length;
                [Pipeline] public static void P() => Size(Embed("hi"));
            }
            """).AddReferences(reference);

        var (result, output, diagnostics) = GeneratorHarness.RunAll(app);

        Assert.That(diagnostics, Is.Empty, () => string.Join("\n", diagnostics));
        GeneratorHarness.EmitClean(output);
        var generated = string.Concat(result.GeneratedSources.Select(s => s.SourceText.ToString()));
        Assert.That(generated, Does.Contain("global::PipelineSdk.Values.ArtifactCodecs.Materialized<global::Vectors.Vector>(new global::Vectors.VectorMaterializer(), \"Vector\", \"system.Model\")"));
    }

    [Test]
    public void An_MLNet_type_without_the_package_names_the_package_and_the_command_at_the_type()
    {
        var source = Header + """
            public static class C
            {
                [Step] public static Microsoft.ML.IDataView Load(int rows) => null!;
                [Step] public static int Count(System.Collections.Generic.List<Microsoft.ML.ITransformer> models) => models.Count;
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source).AddReferences(GeneratorHarness.MlNetReferences));

        Assert.That(diagnostics.Select(d => (d.Id, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), Text: d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length))), Is.EquivalentTo(new[]
        {
            ("PSDK0029", "The result of 'C.Load(int)' has type 'Microsoft.ML.IDataView': IDataView needs the PipelineSdk.MLNet package: dotnet add package PipelineSdk.MLNet", "Microsoft.ML.IDataView"),
            ("PSDK0029", "Parameter 'models' of 'C.Count(List<ITransformer>)' has type 'System.Collections.Generic.List<Microsoft.ML.ITransformer>': ITransformer needs the PipelineSdk.MLNet package: dotnet add package PipelineSdk.MLNet", "System.Collections.Generic.List<Microsoft.ML.ITransformer>"),
        }), () => string.Join("\n", diagnostics));

        var withPackage = GeneratorHarness.Compile(source).AddReferences([.. GeneratorHarness.MlNetReferences, Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(typeof(PipelineSdk.MLNet.Models.ModelSchemas).Assembly.Location)]);
        Assert.That(GeneratorHarness.RunAll(withPackage).Diagnostics, Is.Empty, "with the package referenced, its materializers make both types artifacts");
    }

    [Test]
    public void An_output_only_type_is_refused_as_a_step_input_and_accepted_as_an_output()
    {
        var source = Header + """
            public static class C
            {
                [Step] public static Microsoft.ML.Data.RegressionMetrics Evaluate(int rows) => null!;
                [Step] public static double Read(Microsoft.ML.Data.RegressionMetrics metrics) => metrics.RSquared;
            }
            """;
        var app = GeneratorHarness.Compile(source).AddReferences([.. GeneratorHarness.MlNetReferences, Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(typeof(PipelineSdk.MLNet.Models.ModelSchemas).Assembly.Location)]);

        var (_, _, diagnostics) = GeneratorHarness.RunAll(app);

        Assert.That(diagnostics.Select(d => (d.Id, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture))), Is.EqualTo(new[]
        {
            ("PSDK0005", "Parameter 'metrics' of 'C.Read(RegressionMetrics)' has type 'Microsoft.ML.Data.RegressionMetrics', which cannot pass between steps; its materializer stores it for Kubeflow and Vertex AI but cannot read it back, so it is a step output only; return the value a later step needs as another output of the producing step (e.g. a double)"),
        }), () => string.Join("\n", diagnostics));
    }

    [Test]
    public void Lists_of_artifacts_map_to_artifact_list_inputs_of_the_element_schema()
    {
        var compilation = GeneratorHarness.Compile(Header + "public static class C { public static void M(System.Collections.Generic.IReadOnlyList<PipelineSdk.Artifacts.Model> models, PipelineSdk.Artifacts.Dataset[] sets, System.Collections.Generic.List<byte[]> blobs) { } }");
        var parameters = compilation.GetTypeByMetadataName("C")!.GetMembers("M").OfType<Microsoft.CodeAnalysis.IMethodSymbol>().Single().Parameters;

        var types = parameters.Select(p => PipelineSdk.Generators.Parsing.TypeMapper.Map(p.Type, compilation)!).ToList();

        Assert.That(types.Select(t => (t.KfpType, t.IsArtifact, t.IsArtifactList)), Is.EqualTo(new[]
        {
            ("system.Model", true, true), ("system.Dataset", true, true), ("system.Artifact", true, true),
        }));
        Assert.That(PipelineSdk.Generators.Emitting.CodecEmitter.CSharp(types[0].Codec), Is.EqualTo("global::PipelineSdk.Values.ArtifactCodecs.List<global::PipelineSdk.Artifacts.Model>(global::PipelineSdk.Values.ArtifactCodecs.Kind<global::PipelineSdk.Artifacts.Model>())"));
        Assert.That(PipelineSdk.Generators.Emitting.CodecEmitter.CSharp(types[1].Codec), Does.StartWith("global::PipelineSdk.Values.ArtifactCodecs.Array<global::PipelineSdk.Artifacts.Dataset>("));
    }

    [Test]
    public void A_rejected_local_is_reported_once_where_it_is_declared_not_again_where_it_is_used()
    {
        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(Header +
            "public static class C { [Step] public static int A() => 1; [Step] public static int B(int x) => x; [Pipeline] public static void P() { var a = A(); var b = a * 2; var c = 5; B(b); B(c); } }"));

        Assert.That(diagnostics.Select(d => d.Id), Is.EquivalentTo(new[] { "PSDK0014", "PSDK0006" }), () => string.Join("\n", diagnostics));
    }

    [Test]
    public void A_partial_pipeline_is_read_once_from_its_implementing_half()
    {
        var (result, output, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(Header + """
            public static partial class C
            {
                [Step] public static int A() => 1;
                [Pipeline] public static partial void P(int n);
                public static partial void P(int n) => B(n);
                [Step] public static int B(int x) => x;
                public static partial void Q();
                [Pipeline] public static partial void Q() { A(); }
            }
            """));

        Assert.That(diagnostics, Is.Empty);
        Assert.That(GeneratorHarness.PipelineSources(result), Has.Count.EqualTo(2));
        GeneratorHarness.EmitClean(output);
    }

    [Test]
    public void Warnings_and_infos_do_not_stop_generation()
    {
        var (result, output, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(Header +
            "public static class C { [Step] public static int A() => 1; [Pipeline] public static void P(int unused) { var output = A(); } }"));

        Assert.That(diagnostics.Select(d => d.Id), Is.EquivalentTo(new[] { "PSDK0020", "PSDK0021" }));
        Assert.That(GeneratorHarness.PipelineSources(result), Has.Count.EqualTo(1));
        GeneratorHarness.EmitClean(output);
    }

    [Test]
    public void A_broken_pipeline_does_not_stop_the_others_from_generating()
    {
        var (result, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(Header + """
            public static class C
            {
                [Step] public static int A() => 1;
                [Pipeline] public static void Broken() { while (true) { } }
                [Pipeline] public static void Fine() => A();
            }
            """));

        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "PSDK0006" }));
        Assert.That(result.GeneratedSources.Select(s => s.HintName), Has.One.Contains("C.Fine"));
        Assert.That(result.GeneratedSources.Select(s => s.HintName), Has.None.Contains("C.Broken"));
    }

    private static TestCaseData Case(string id, string source) => new TestCaseData(id, source).SetName($"{id} {Name(source)}");

    private static TestCaseData Miss(string id, string source) =>
        new TestCaseData(id, source).SetName($"{id} near miss {source.Sum(c => (int)c) % 1000}");

    private static string Name(string source)
    {
        var start = source.IndexOf("[|", StringComparison.Ordinal) + 2;
        var end = source.IndexOf("|]", StringComparison.Ordinal);
        return source[start..end].Replace(".", "·", StringComparison.Ordinal);
    }
}

/// <summary>Sources with <c>[|…|]</c> marking the spans where a diagnostic is expected.</summary>
internal static class Markup
{
    public static (string Source, List<TextSpan> Spans) Parse(string marked)
    {
        var spans = new List<TextSpan>();
        var source = new System.Text.StringBuilder();
        var i = 0;
        while (i < marked.Length)
        {
            var open = marked.IndexOf("[|", i, StringComparison.Ordinal);
            if (open < 0)
            {
                source.Append(marked, i, marked.Length - i);
                break;
            }

            source.Append(marked, i, open - i);
            var close = marked.IndexOf("|]", open, StringComparison.Ordinal);
            var start = source.Length;
            source.Append(marked, open + 2, close - open - 2);
            spans.Add(TextSpan.FromBounds(start, source.Length));
            i = close + 2;
        }

        return (source.ToString(), spans);
    }
}
