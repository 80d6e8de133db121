using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace PipelineSdk.CodeFixes.Tests;

/// <summary>
/// Runs an analyzer and a code fix with Microsoft.CodeAnalysis.CSharp.CodeFix.Testing: the diagnostics marked in the
/// source must be exactly those reported, and applying the fix must give exactly the fixed source.
/// </summary>
internal static class Verifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    // The runtime's own reference assemblies and PipelineSdk, so the tests need no package download.
    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Select(path => MetadataReference.CreateFromFile(path)),
        MetadataReference.CreateFromFile(typeof(StepAttribute).Assembly.Location),
    ];

    public static Task VerifyAsync(string source, string fixedSource, int codeActionIndex = 0, string? equivalenceKey = null, params (string Path, string Source)[] otherFiles) =>
        Create(source, fixedSource, codeActionIndex, equivalenceKey, otherFiles, null).RunAsync();

    public static Task VerifyAsync((string Path, string Source, string Fixed)[] files, string equivalenceKey) =>
        Create(null, null, 0, equivalenceKey, [], files).RunAsync();

    /// <summary>Checks that the marked diagnostics are reported and that this fix offers nothing for them.</summary>
    public static Task VerifyNoFixAsync(string source) => Create(source, source, 0, null, [], null).RunAsync();

    private static CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier> Create(
        string? source, string? fixedSource, int index, string? equivalenceKey, (string Path, string Source)[] otherFiles, (string Path, string Source, string Fixed)[]? files)
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
            CodeActionIndex = index,
            CodeActionEquivalenceKey = equivalenceKey,
        };
        if (source is not null)
        {
            test.TestState.Sources.Add(("Pipeline.cs", source));
            test.FixedState.Sources.Add(("Pipeline.cs", fixedSource!));
        }

        foreach (var (path, text) in otherFiles)
        {
            test.TestState.Sources.Add((path, text));
            test.FixedState.Sources.Add((path, text));
        }

        foreach (var (path, text, fixedText) in files ?? [])
        {
            test.TestState.Sources.Add((path, text));
            test.FixedState.Sources.Add((path, fixedText));
        }

        test.TestState.AdditionalReferences.AddRange(References);
        test.FixedState.AdditionalReferences.AddRange(References);
        return test;
    }
}
