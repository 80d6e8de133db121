using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Diagnostics;

/// <summary>
/// Every diagnostic PipelineSdk reports. IDs are stable; each has a page at docs/diagnostics/PSDKnnnn.md and a
/// line in AnalyzerReleases.Unshipped.md.
/// </summary>
internal static class DiagnosticCatalog
{
    private const string Category = "PipelineSdk";
    private const string HelpBase = "https://github.com/PipelineSdk/PipelineSdk/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor StepMustBeStatic = Error(
        "PSDK0001", "A step must be a static method",
        "Step '{0}' is an instance method; make it static so the runtime can call it without an object");

    public static readonly DiagnosticDescriptor StepNotAccessible = Error(
        "PSDK0002", "A step must be accessible to generated code",
        "Step '{0}' is {1}; make it and its containing types internal or public so generated code can call it");

    public static readonly DiagnosticDescriptor StepIsGeneric = Error(
        "PSDK0003", "A step cannot be generic",
        "Step '{0}' is generic; a step's input and output types must be fixed, so write one step per concrete type");

    public static readonly DiagnosticDescriptor StepParameterByReference = Error(
        "PSDK0004", "Step parameters are passed by value",
        "Parameter '{1}' of step '{0}' is {2}; steps receive copies of their inputs and return outputs, so remove the modifier and return the value instead");

    public static readonly DiagnosticDescriptor UnsupportedValueType = Error(
        "PSDK0005", "This type cannot pass between steps",
        "{0} of '{1}' has type '{2}', which cannot pass between steps; {3}");

    public static readonly DiagnosticDescriptor UnsupportedPipelineStatement = Error(
        "PSDK0006", "A pipeline body describes a graph",
        "Pipeline '{0}' cannot contain {1}; a pipeline body may only call steps and keep their outputs in locals (`var x = Step(...);`)");

    public static readonly DiagnosticDescriptor UnsupportedArgument = Error(
        "PSDK0007", "A step argument must be a step output, a pipeline parameter or a constant",
        "Argument '{1}' of the call to '{0}' is {2}; pass a step output, a pipeline parameter or a constant, or compute the value in a step");

    public static readonly DiagnosticDescriptor PipelineSignature = Error(
        "PSDK0008", "A pipeline must be a static, accessible, non-generic method",
        "Pipeline '{0}' {1}");

    public static readonly DiagnosticDescriptor InvalidName = Error(
        "PSDK0009", "Name not accepted by Kubeflow and Vertex AI",
        "The {0} name '{1}' is not valid: {2}");

    public static readonly DiagnosticDescriptor PipelineHasNoSteps = Error(
        "PSDK0010", "A pipeline must call at least one step",
        "Pipeline '{0}' calls no steps; call a [Step] method from its body");

    public static readonly DiagnosticDescriptor ArgumentTypeMismatch = Error(
        "PSDK0011", "A step input must receive exactly its type",
        "Argument '{1}' of the call to '{0}' converts '{2}' to '{3}'; values between steps are not converted, so make the types match or convert in a step");

    public static readonly DiagnosticDescriptor DuplicatePipelineName = Error(
        "PSDK0012", "Two pipelines have the same name",
        "Pipeline name '{0}' is used by {1}; give one of them another name with [Pipeline(Name = \"...\")] or rename the method");

    public static readonly DiagnosticDescriptor NameCollision = Error(
        "PSDK0013", "Two names collide in the generated spec or code",
        "{0}; {1}");

    public static readonly DiagnosticDescriptor RunTimeValueInExpression = Error(
        "PSDK0014", "A step output or pipeline parameter is used in an ordinary expression",
        "Pipeline '{0}' uses {1} in {2}; the value exists only when the pipeline runs, so compute it in a step and pass that step's output");

    public static readonly DiagnosticDescriptor UnsupportedLoopSource = Error(
        "PSDK0015", "A foreach must loop over a list step output or a list pipeline parameter",
        "The foreach in pipeline '{0}' loops over {1}; loop over a list-typed step output or pipeline parameter so Kubeflow can fan the loop out");

    public static readonly DiagnosticDescriptor UnsupportedCondition = Error(
        "PSDK0016", "A condition must be expressible as a Kubeflow condition",
        "The condition in pipeline '{0}' contains {1}; a condition may only compare step outputs and pipeline parameters of type int, long, double, bool or string with each other or with constants, joined by &&, || and !");

    public static readonly DiagnosticDescriptor RecursivePipeline = Error(
        "PSDK0017", "Pipelines cannot call each other recursively",
        "Pipeline '{0}' calls '{1}', which leads back to '{0}' ({2}); a pipeline's graph cannot contain itself");

    public static readonly DiagnosticDescriptor StepAndPipeline = Error(
        "PSDK0018", "A method is either a step or a pipeline",
        "'{0}' is marked both [Step] and [Pipeline]; keep [Step] to run it as one task, or [Pipeline] to describe a graph of steps");

    public static readonly DiagnosticDescriptor NameTooLongForLabel = Warning(
        "PSDK0019", "Pipeline name too long for a Vertex AI label",
        "The pipeline name '{0}' has {1} characters; Vertex AI label values hold at most 63, so runs of this pipeline cannot be labelled with its name. Use a shorter [Pipeline(Name = \"...\")]");

    public static readonly DiagnosticDescriptor UnusedStepOutput = Info(
        "PSDK0020", "A step output is never used",
        "'{0}' holds the output of step '{1}' but no later step uses it; pass it to a step, or drop the local (the output stays in the run result)");

    public static readonly DiagnosticDescriptor UnusedPipelineParameter = Warning(
        "PSDK0021", "A pipeline parameter is never used",
        "Parameter '{0}' of pipeline '{1}' is not passed to any step; pass it to a step or remove it");

    public static readonly DiagnosticDescriptor InvalidRetry = Error(
        "PSDK0022", "Invalid retry setting",
        "[Retry] on step '{0}': {1}");

    public static readonly DiagnosticDescriptor InvalidResources = Error(
        "PSDK0023", "Invalid resource setting",
        "[Resources] on step '{0}': {1}");

    public static readonly DiagnosticDescriptor UnknownAccelerator = Warning(
        "PSDK0024", "Accelerator type unknown to Vertex AI",
        "Step '{0}' asks for accelerator '{1}', which is not a Vertex AI accelerator type ({2}); fix the name, or suppress this warning if the type is newer than PipelineSdk or the spec is not meant for Vertex AI");

    public static readonly DiagnosticDescriptor InvalidEnvironmentVariable = Error(
        "PSDK0025", "Invalid environment variable",
        "[Env] on step '{0}': {1}");

    public static readonly DiagnosticDescriptor InvalidImage = Error(
        "PSDK0026", "Invalid container image",
        "The image of step '{0}' {1}; write an image reference such as \"us-docker.pkg.dev/project/repo/app:tag\", or remove Image to use the program's own image");

    public static readonly DiagnosticDescriptor InvalidDisplayName = Error(
        "PSDK0027", "Invalid display name",
        "The display name of step '{0}' {1}");

    public static readonly DiagnosticDescriptor SettingOnNonStep = Error(
        "PSDK0028", "Step settings apply to steps only",
        "[{0}] on '{1}' has no effect: step settings apply to [Step] methods; {2}");

    public static readonly DiagnosticDescriptor IntegrationPackageMissing = Error(
        "PSDK0029", "This type needs a PipelineSdk integration package",
        "{0} of '{1}' has type '{2}': {3} needs the {4} package: dotnet add package {4}");

    public static readonly DiagnosticDescriptor InvalidCallSetting = Error(
        "PSDK0040", "Invalid setting on a step call",
        "{0} on the call to '{1}': {2}");

    public static readonly DiagnosticDescriptor InvalidExitHandlerName = Error(
        "PSDK0041", "Invalid exit handler name",
        "ExitHandler.Name in pipeline '{0}' {1}");

    public static readonly DiagnosticDescriptor InvalidTimeout = Error(
        "PSDK0043", "Invalid timeout",
        "The timeout of step '{0}' {1}");

    public static readonly DiagnosticDescriptor InvalidImporter = Error(
        "PSDK0042", "Invalid importer",
        "Importer.Import in pipeline '{0}' {1}");
    public static readonly DiagnosticDescriptor InvalidContainerStep = Error(
        "PSDK0050", "Invalid container step",
        "Container step '{0}' {1}");

    public static readonly DiagnosticDescriptor InvalidContainerPlaceholder = Error(
        "PSDK0051", "Invalid placeholder in a container step",
        "{0} of container step '{1}': {2}");

    public static readonly DiagnosticDescriptor InvalidNamedArtifact = Error(
        "PSDK0052", "Invalid named artifact or registry input",
        "{0} on step '{1}': {2}");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "PSDK0999", "PipelineSdk could not process this code",
        "PipelineSdk could not process '{0}' ({1}); this is a bug in PipelineSdk, please report it with the code that triggers it");

    private static readonly Dictionary<string, DiagnosticDescriptor> All = typeof(DiagnosticCatalog)
        .GetFields()
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToDictionary(d => d.Id);

    public static IEnumerable<DiagnosticDescriptor> Descriptors => All.Values;

    public static DiagnosticDescriptor ById(string id) => All[id];

    /// <summary>The diagnostic a cached model kept (<see cref="DiagnosticInfo"/>), to report.</summary>
    public static Diagnostic ToDiagnostic(this DiagnosticInfo info) =>
        Diagnostic.Create(ById(info.Id), Location.Create(info.Tree, info.Span), info.Arguments.Select(a => (object)a).ToArray());

    private static DiagnosticDescriptor Error(string id, string title, string message) => Create(id, title, message, DiagnosticSeverity.Error);

    private static DiagnosticDescriptor Warning(string id, string title, string message) => Create(id, title, message, DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Info(string id, string title, string message) => Create(id, title, message, DiagnosticSeverity.Info);

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");
}
