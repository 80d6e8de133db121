using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// Reads a step's settings attributes (<c>[Retry]</c>, <c>[Resources]</c>, <c>[Env]</c>, <c>[Step(DisplayName, Image)]</c>)
/// into a <see cref="StepSettingsModel"/>, reporting each invalid value at the argument that sets it.
/// </summary>
internal static class SettingsParser
{
    /// <summary>Kubeflow caps a retry backoff at one hour.</summary>
    public const int MaxBackoffSeconds = 3600;

    /// <summary>Vertex AI display names hold at most 128 characters.</summary>
    public const int MaxDisplayNameLength = 128;

    /// <summary>The accelerator types Vertex AI's MachineSpec accepts (as of 2026).</summary>
    public static readonly string[] VertexAccelerators =
    {
        "NVIDIA_TESLA_K80", "NVIDIA_TESLA_P4", "NVIDIA_TESLA_P100", "NVIDIA_TESLA_T4", "NVIDIA_TESLA_V100", "NVIDIA_TESLA_A100",
        "NVIDIA_A100_80GB", "NVIDIA_L4", "NVIDIA_H100_80GB", "NVIDIA_H100_MEGA_80GB", "NVIDIA_H200_141GB", "NVIDIA_B200",
        "NVIDIA_GB200", "NVIDIA_RTX_PRO_6000", "TPU_V2", "TPU_V3", "TPU_V4_POD", "TPU_V5_LITEPOD",
    };

    // The patterns the KFP SDK accepts in set_cpu_limit/set_memory_limit.
    private static readonly Regex CpuPattern = new(@"^([0-9]*[.])?[0-9]+m?$", RegexOptions.CultureInvariant);
    private static readonly Regex MemoryPattern = new(@"^[0-9]+(E|Ei|P|Pi|T|Ti|G|Gi|M|Mi|K|Ki)?$", RegexOptions.CultureInvariant);
    private static readonly Regex EnvNamePattern = new(@"^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);

    /// <summary>The settings of <paramref name="method"/>; problems are added to <paramref name="diagnostics"/>.</summary>
    public static StepSettingsModel Parse(IMethodSymbol method, MethodDeclarationSyntax declaration, string name, List<DiagnosticInfo> diagnostics)
    {
        RetryModel? retry = null;
        ResourcesModel? resources = null;
        var environment = new List<EnvVarModel>();
        string? displayName = null;
        string? image = null;
        int? timeout = null;
        foreach (var attribute in method.GetAttributes())
        {
            switch (attribute.AttributeClass?.ToDisplayString())
            {
                case AttributeReader.Retry:
                    retry = ParseRetry(attribute, declaration, name, diagnostics);
                    break;
                case AttributeReader.Resources:
                    resources = ParseResources(attribute, declaration, name, diagnostics);
                    break;
                case AttributeReader.Env:
                    if (ParseEnv(attribute, declaration, name, environment, diagnostics) is { } variable)
                    {
                        environment.Add(variable);
                    }

                    break;
                case AttributeReader.Step:
                    displayName = ParseDisplayName(attribute, declaration, name, diagnostics);
                    image = ParseImage(attribute, declaration, name, diagnostics);
                    timeout = Named(attribute, "Timeout") is not string text ? null
                        : ValidateTimeout(text, problem => diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidTimeout, ArgumentLocation(attribute, declaration, "Timeout"), name, problem)));
                    break;
                case AttributeReader.ContainerStep:
                    // Its image is the container's own (ContainerStepParser); the display name is a setting like any step's.
                    displayName = ParseDisplayName(attribute, declaration, name, diagnostics);
                    break;
            }
        }

        return new StepSettingsModel(retry, resources, environment.ToEquatableArray(), displayName, image) { TimeoutSeconds = timeout };
    }

    private static readonly Regex DurationPattern = new(@"^(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$", RegexOptions.CultureInvariant);

    /// <summary>The longest timeout: a week, as Vertex AI's own limit on a pipeline job.</summary>
    public const int MaxTimeoutSeconds = 7 * 24 * 3600;

    /// <summary>A step timeout (<c>"90s"</c>, <c>"30m"</c>, <c>"2h"</c>, <c>"1h30m"</c>) in seconds; null (reported) when it is not one.</summary>
    public static int? ValidateTimeout(string text, System.Action<string> report)
    {
        var match = DurationPattern.Match(text);
        if (text.Length == 0 || !match.Success)
        {
            report($"\"{text}\" is not a duration; write hours, minutes and seconds like \"90s\", \"30m\", \"2h\" or \"1h30m\"");
            return null;
        }

        long seconds = 0;
        foreach (var (group, unit) in new[] { (1, 3600L), (2, 60L), (3, 1L) })
        {
            if (match.Groups[group].Success)
            {
                seconds += long.TryParse(match.Groups[group].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n * unit : long.MaxValue / 4;
            }
        }

        if (seconds <= 0 || seconds > MaxTimeoutSeconds)
        {
            report(seconds <= 0 ? $"\"{text}\" is no time at all; give the step at least one second" : $"\"{text}\" is longer than a week, the longest a step may run");
            return null;
        }

        return (int)seconds;
    }

    /// <summary>
    /// A diagnostic for each settings attribute on <paramref name="method"/>, which is not a step (a pipeline, or a plain
    /// method): such an attribute would do nothing, so it is an error rather than silently ignored.
    /// </summary>
    public static IEnumerable<DiagnosticInfo> MisplacedSettings(IMethodSymbol method, System.Threading.CancellationToken cancellationToken)
    {
        var isPipeline = PipelineParser.IsPipeline(method);
        foreach (var attribute in method.GetAttributes())
        {
            var name = attribute.AttributeClass?.ToDisplayString() switch
            {
                AttributeReader.Retry => "Retry",
                AttributeReader.Resources => "Resources",
                AttributeReader.Env => "Env",
                _ => null,
            };
            if (name is null || attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
            {
                continue;
            }

            var fix = isPipeline
                ? "a pipeline has no settings of its own, so put it on each step that needs it"
                : "mark the method [Step], or remove the attribute";
            yield return DiagnosticInfo.Create(DiagnosticCatalog.SettingOnNonStep, syntax.GetLocation(), name, method.Name, fix);
        }
    }

    private static RetryModel ParseRetry(AttributeData attribute, MethodDeclarationSyntax declaration, string name, List<DiagnosticInfo> diagnostics)
    {
        var retries = attribute.ConstructorArguments.FirstOrDefault().Value is int count ? count : 0;
        var backoff = Named(attribute, "BackoffSeconds") is int b ? b : 0;
        var factor = Named(attribute, "BackoffFactor") is double f ? f : 2.0;
        var max = Named(attribute, "MaxBackoffSeconds") is int m ? m : MaxBackoffSeconds;
        return ValidateRetry(retries, backoff, factor, max, (argument, problem) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidRetry, ArgumentLocation(attribute, declaration, argument), name, problem)));
    }

    /// <summary>A retry policy; each invalid value is reported with the name of the argument that sets it.</summary>
    public static RetryModel ValidateRetry(int retries, int backoff, double factor, int max, System.Action<string, string> report)
    {
        if (retries < 0)
        {
            report("maxRetries", $"the retry count {Format(retries)} is negative; use 0 (no retries) or more");
        }

        if (backoff < 0)
        {
            report("BackoffSeconds", $"BackoffSeconds is {Format(backoff)}; a wait cannot be negative, use 0 (retry at once) or more");
        }

        if (double.IsNaN(factor) || double.IsInfinity(factor) || factor < 1)
        {
            report("BackoffFactor", $"BackoffFactor is {Format(factor)}; use 1 (equal waits) or more, so no wait is shorter than the one before");
        }

        if (max < 0 || max > MaxBackoffSeconds)
        {
            report("MaxBackoffSeconds", $"MaxBackoffSeconds is {Format(max)}; use 0 to {Format(MaxBackoffSeconds)} (Kubeflow caps the backoff at one hour)");
        }

        return new RetryModel(retries, backoff, factor, max);
    }

    private static ResourcesModel ParseResources(AttributeData attribute, MethodDeclarationSyntax declaration, string name, List<DiagnosticInfo> diagnostics) =>
        ValidateResources(
            Named(attribute, "Cpu") as string, Named(attribute, "Memory") as string, Named(attribute, "CpuRequest") as string, Named(attribute, "MemoryRequest") as string,
            Named(attribute, "Accelerator") as string, Named(attribute, "AcceleratorCount") as int?, Named(attribute, "Accelerator") is not null, name,
            (argument, problem) => diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidResources, ArgumentLocation(attribute, declaration, argument), name, problem)),
            (argument, diagnostic) => diagnostics.Add(DiagnosticInfo.Create(diagnostic.Descriptor, ArgumentLocation(attribute, declaration, argument), diagnostic.Arguments)));

    /// <summary>
    /// Resources; each invalid value is reported with the name of the argument that sets it (<paramref name="report"/>), an
    /// unknown accelerator as a warning (<paramref name="warn"/>). A quantity that is a pipeline channel placeholder
    /// (<c>{{$.inputs.parameters[...]}}</c>) is taken as given: its value is known only when the task starts.
    /// </summary>
    public static ResourcesModel ValidateResources(
        string? cpuValue, string? memoryValue, string? cpuRequestValue, string? memoryRequestValue, string? accelerator, int? count, bool acceleratorWritten, string name,
        System.Action<string, string> report, System.Action<string, (DiagnosticDescriptor Descriptor, string[] Arguments)> warn)
    {
        void Report(string argument, string problem) => report(argument, problem);

        string? Cpu(string argument, string? value)
        {
            if (value is not null && !ResourceQuantities.IsPlaceholder(value) && (!CpuPattern.IsMatch(value) || !IsPositiveFinite(ResourceQuantities.Cores(value))))
            {
                Report(argument, $"{argument} \"{value}\" is not a CPU quantity; write a number of cores above 0 (\"2\", \"0.5\") or of millicores (\"500m\")");
                return null;
            }

            return value;
        }

        string? Memory(string argument, string? value)
        {
            if (value is not null && !ResourceQuantities.IsPlaceholder(value) && (!MemoryPattern.IsMatch(value) || !IsPositiveFinite(ResourceQuantities.Gigabytes(value))))
            {
                Report(argument, $"{argument} \"{value}\" is not a memory quantity; write a whole number above 0 with an optional unit (\"8G\", \"512Mi\"; E, P, T, G, M, K or Ei, Pi, Ti, Gi, Mi, Ki)");
                return null;
            }

            return value;
        }

        var cpu = Cpu("Cpu", cpuValue);
        var cpuRequest = Cpu("CpuRequest", cpuRequestValue);
        var memory = Memory("Memory", memoryValue);
        var memoryRequest = Memory("MemoryRequest", memoryRequestValue);
        if (cpu is not null && cpuRequest is not null && !ResourceQuantities.IsPlaceholder(cpu) && !ResourceQuantities.IsPlaceholder(cpuRequest) && ResourceQuantities.Cores(cpuRequest) > ResourceQuantities.Cores(cpu))
        {
            Report("CpuRequest", $"CpuRequest \"{cpuRequest}\" is more than the limit Cpu \"{cpu}\"; a request cannot exceed its limit");
        }

        if (memory is not null && memoryRequest is not null && !ResourceQuantities.IsPlaceholder(memory) && !ResourceQuantities.IsPlaceholder(memoryRequest) && ResourceQuantities.Gigabytes(memoryRequest) > ResourceQuantities.Gigabytes(memory))
        {
            Report("MemoryRequest", $"MemoryRequest \"{memoryRequest}\" is more than the limit Memory \"{memory}\"; a request cannot exceed its limit");
        }

        if (accelerator is not null && accelerator.Trim().Length == 0)
        {
            Report("Accelerator", "Accelerator is empty; name a type such as \"NVIDIA_TESLA_T4\", or remove it");
            accelerator = null;
        }
        else if (accelerator is not null && !ResourceQuantities.IsPlaceholder(accelerator) && !VertexAccelerators.Contains(accelerator))
        {
            warn("Accelerator", (DiagnosticCatalog.UnknownAccelerator, new[] { name, accelerator, AcceleratorHint(accelerator) }));
        }

        if (count is { } n && n < 1)
        {
            Report("AcceleratorCount", $"AcceleratorCount is {Format(n)}; use 1 or more, or remove the accelerator");
        }
        else if (count is not null && accelerator is null && !acceleratorWritten)
        {
            Report("AcceleratorCount", "AcceleratorCount is set but Accelerator is not; name the accelerator type too, e.g. Accelerator = \"NVIDIA_TESLA_T4\"");
        }

        return new ResourcesModel(cpu, memory, cpuRequest, memoryRequest, accelerator, accelerator is null ? 0 : count ?? 1);
    }

    private static EnvVarModel? ParseEnv(AttributeData attribute, MethodDeclarationSyntax declaration, string name, List<EnvVarModel> earlier, List<DiagnosticInfo> diagnostics) =>
        attribute.ConstructorArguments.Length != 2 ? null
            : ValidateEnv(attribute.ConstructorArguments[0].Value as string, attribute.ConstructorArguments[1].Value as string, earlier, "[Env(\"{0}\", ...)]", (argument, problem) =>
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidEnvironmentVariable, ArgumentLocation(attribute, declaration, argument), name, problem)));

    /// <summary>An environment variable, or null (reported) when its name or value is invalid or the name is set twice.</summary>
    /// <param name="keepOne">How to write one setting of the variable, with <c>{0}</c> for its name.</param>
    public static EnvVarModel? ValidateEnv(string? variable, string? value, IReadOnlyList<EnvVarModel> earlier, string keepOne, System.Action<string, string> report)
    {
        if (variable is null || !EnvNamePattern.IsMatch(variable))
        {
            report("name", $"\"{variable}\" is not a valid variable name; use letters, digits and underscores, not starting with a digit (e.g. \"LOG_LEVEL\")");
            return null;
        }

        if (earlier.Any(e => e.Name == variable))
        {
            report("name", $"'{variable}' is set twice; keep one {string.Format(CultureInfo.InvariantCulture, keepOne, variable)}");
            return null;
        }

        if (value is null)
        {
            report("value", $"the value of '{variable}' is null; use \"\" for an empty value");
            return null;
        }

        return new EnvVarModel(variable, value);
    }

    private static string? ParseDisplayName(AttributeData attribute, MethodDeclarationSyntax declaration, string name, List<DiagnosticInfo> diagnostics) =>
        Named(attribute, "DisplayName") is not string displayName ? null
            : ValidateDisplayName(displayName, problem => diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidDisplayName, ArgumentLocation(attribute, declaration, "DisplayName"), name, problem)));

    /// <summary>The display name, or null (reported) when Vertex AI cannot show it.</summary>
    public static string? ValidateDisplayName(string displayName, System.Action<string> report)
    {
        var problem = displayName.Trim().Length == 0 ? "is empty; write a name, or remove DisplayName to show the task key"
            : displayName.Length > MaxDisplayNameLength ? $"has {Format(displayName.Length)} characters; Vertex AI shows at most {Format(MaxDisplayNameLength)}, so shorten it"
            : displayName.Any(char.IsControl) ? "contains a control character (such as a line break); keep it to one line of text"
            : null;
        if (problem is not null)
        {
            report(problem);
            return null;
        }

        return displayName;
    }

    private static string? ParseImage(AttributeData attribute, MethodDeclarationSyntax declaration, string name, List<DiagnosticInfo> diagnostics) =>
        Named(attribute, "Image") is not string image ? null
            : ValidateImage(image, problem => diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidImage, ArgumentLocation(attribute, declaration, "Image"), name, problem)));

    /// <summary>The image, or null (reported) when it cannot be an image reference.</summary>
    public static string? ValidateImage(string image, System.Action<string> report)
    {
        var problem = image.Trim().Length == 0 ? "is empty"
            : image.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? $"is \"{image}\", which contains white space"
            : null;
        if (problem is not null)
        {
            report(problem);
            return null;
        }

        return image;
    }

    /// <summary>
    /// "did you mean X?" for the known types that have every part of the name (<c>A100</c>, <c>nvidia_l4</c>) or are
    /// one or two typos away (<c>NVIDIA_TESLA_T5</c>); otherwise a few examples.
    /// </summary>
    private static string AcceleratorHint(string accelerator)
    {
        var upper = accelerator.ToUpperInvariant();
        var parts = upper.Split(new[] { '_', '-', ' ', '.', '/' }, System.StringSplitOptions.RemoveEmptyEntries);
        var candidates = VertexAccelerators.Where(known => parts.Length > 0 && parts.All(part => known.Split('_').Contains(part))).ToList();
        if (candidates.Count == 0)
        {
            var distance = VertexAccelerators.Min(known => EditDistance(upper, known));
            candidates = distance <= 2 ? VertexAccelerators.Where(known => EditDistance(upper, known) == distance).ToList() : candidates;
        }

        return candidates.Count is > 0 and <= 3
            ? $"did you mean {string.Join(" or ", candidates)}?"
            : "e.g. NVIDIA_TESLA_T4, NVIDIA_L4, NVIDIA_H100_80GB or TPU_V5_LITEPOD";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = System.Math.Min(System.Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static object? Named(AttributeData attribute, string property)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == property)
            {
                return argument.Value.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// The argument that sets <paramref name="argument"/> (a named property, or a constructor parameter by name or
    /// position), else the whole attribute, else the method's name.
    /// </summary>
    public static Location ArgumentLocation(AttributeData attribute, MethodDeclarationSyntax declaration, string argument)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax() is not AttributeSyntax syntax || syntax.SyntaxTree != declaration.SyntaxTree)
        {
            return declaration.Identifier.GetLocation();
        }

        var arguments = syntax.ArgumentList?.Arguments ?? default;
        foreach (var candidate in arguments)
        {
            if (candidate.NameEquals?.Name.Identifier.ValueText == argument || candidate.NameColon?.Name.Identifier.ValueText == argument)
            {
                return candidate.GetLocation();
            }
        }

        var parameters = attribute.AttributeConstructor?.Parameters ?? default;
        var position = parameters.IsDefault ? -1 : parameters.Select(p => p.Name).ToList().IndexOf(argument);
        var positional = arguments.Where(a => a.NameEquals is null && a.NameColon is null).ToList();
        return position >= 0 && position < positional.Count ? positional[position].GetLocation() : syntax.GetLocation();
    }

    private static bool IsPositiveFinite(double value) => value > 0 && !double.IsInfinity(value);

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
