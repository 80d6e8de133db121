using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>Reads the settings written on a step call (<c>.WithRetry(3)</c>, <c>.WithEnv(...)</c>, <c>.After(...)</c>, ...) and applies them to the call.</summary>
internal sealed class CallSettingsParser(PipelineParser parser) : PipelineParserJob(parser)
{
    private const string CallSettingsType = "PipelineSdk.CallSettings";
    private const string StepCallType = "PipelineSdk.StepCall";

    internal static bool IsCallSetting(IMethodSymbol method) => method.ContainingType?.ToDisplayString() == CallSettingsType;

    internal static bool IsStepCallOf(IMethodSymbol method) => method.Name == "Of" && method.ContainingType?.ToDisplayString() == StepCallType;

    /// <summary>Whether <paramref name="call"/> is a call of a step or pipeline, possibly with settings chained on it.</summary>
    internal static bool IsTaskCall(IInvocationOperation call)
    {
        while (IsCallSetting(call.TargetMethod))
        {
            if (call.Arguments.Length == 0 || ValueResolver.Unwrap(call.Arguments[0].Value) is not IInvocationOperation receiver)
            {
                return false;
            }

            call = receiver;
        }

        return StepParser.IsStep(call.TargetMethod) || PipelineParser.IsPipeline(call.TargetMethod) || IsStepCallOf(call.TargetMethod) || ImporterParser.IsImporter(call.TargetMethod);
    }

    /// <summary>
    /// Parses a call with settings chained on it, or a <c>StepCall.Of</c>; returns the call's index, or -1 when it is not
    /// a usable step call (reported).
    /// </summary>
    internal int ParseConfiguredCall(IInvocationOperation operation)
    {
        var chain = new List<IInvocationOperation>();
        var current = operation;
        while (IsCallSetting(current.TargetMethod))
        {
            chain.Add(current);
            var receiver = current.Arguments.Length > 0 ? ValueResolver.Unwrap(current.Arguments[0].Value) : null;
            if (receiver is IInvalidOperation || receiver is null)
            {
                State.Unresolved = true;
                return -1;
            }

            if (receiver is not IInvocationOperation next)
            {
                ReportSetting(current, "the value it is chained on", $"{current.TargetMethod.Name} is chained on {ValueResolver.DescribeValue(receiver)}; chain it on the step call itself, like `Train(data).{current.TargetMethod.Name}(...)`");
                return -1;
            }

            current = next;
        }

        int index;
        if (IsStepCallOf(current.TargetMethod))
        {
            index = ParseStepCallOf(current);
        }
        else if (StepParser.IsStep(current.TargetMethod) || PipelineParser.IsPipeline(current.TargetMethod) || ImporterParser.IsImporter(current.TargetMethod))
        {
            index = Body.ParseCall((InvocationExpressionSyntax)current.Syntax);
        }
        else
        {
            var setting = chain[chain.Count - 1];
            ReportSetting(setting, "the value it is chained on", $"{setting.TargetMethod.Name} is chained on a call to '{current.TargetMethod.Name}', which is not a [Step] or [Pipeline] method; chain it on a step call");
            return -1;
        }

        if (index < 0)
        {
            return -1;
        }

        for (var i = chain.Count - 1; i >= 0; i--)
        {
            if (!ApplySetting(index, chain[i]))
            {
                return -1;
            }
        }

        return index;
    }

    /// <summary><c>StepCall.Of(() =&gt; Notify(x))</c>: the one step call in the lambda.</summary>
    private int ParseStepCallOf(IInvocationOperation of)
    {
        var lambda = of.Arguments.Length == 1 ? of.Arguments[0].Value.Syntax as LambdaExpressionSyntax : null;
        var body = lambda?.ExpressionBody ?? (lambda?.Block is { Statements.Count: 1 } block && block.Statements[0] is ExpressionStatementSyntax statement ? statement.Expression : null);
        if (BodyWalker.Unawait(body) is InvocationExpressionSyntax invocation
            && State.SemanticModel.GetOperation(invocation, State.CancellationToken) is IInvocationOperation call
            && (StepParser.IsStep(call.TargetMethod) || PipelineParser.IsPipeline(call.TargetMethod)))
        {
            return Body.ParseCall(invocation);
        }

        State.Report(DiagnosticCatalog.InvalidCallSetting, of.Syntax.GetLocation(), "StepCall.Of", "a lambda", "its argument must be a lambda whose body is one step call, like `StepCall.Of(() => Notify(channel))`");
        return -1;
    }

    /// <summary>Applies one chained setting to the call at <paramref name="index"/>; false when it is invalid (reported).</summary>
    private bool ApplySetting(int index, IInvocationOperation setting)
    {
        var call = State.Calls[index];
        var step = call.Step;
        var settings = step.Settings;
        var name = setting.TargetMethod.Name;
        var problems = State.Diagnostics.Count;
        if (call.Pipeline is not null && name is not ("WithCaching" or "WithDisplayName" or "After"))
        {
            ReportSetting(setting, null, $"a called pipeline takes only WithCaching, WithDisplayName and After; its tasks keep their own settings, so set {name} on the calls inside '{step.MethodName}'");
            return false;
        }

        if (step.Importer is not null && name is not ("WithCaching" or "WithDisplayName" or "After"))
        {
            ReportSetting(setting, null, $"an importer takes only WithCaching, WithDisplayName and After; no container runs for it, so {name} has nothing to act on");
            return false;
        }

        switch (name)
        {
            case "WithCaching" when Constant(setting, "enabled") is bool enabled:
                State.Calls[index] = call.Pipeline is { } inner && !enabled
                    ? call with { Step = step with { EnableCache = false }, Pipeline = WithoutCaching(inner) }
                    : call with { Step = step with { EnableCache = enabled } };
                break;
            case "WithDisplayName" when Constant(setting, "displayName") is string displayName:
                if (SettingsParser.ValidateDisplayName(displayName, problem => ReportSetting(setting, "displayName", "the display name " + problem)) is { } valid)
                {
                    State.Calls[index] = call with { Step = step with { SettingsOverridden = true, Settings = settings with { DisplayName = valid } } };
                }

                break;
            case "WithTimeout" when Constant(setting, "timeout") is string timeout:
                if (SettingsParser.ValidateTimeout(timeout, problem => ReportSetting(setting, "timeout", "the timeout " + problem)) is { } seconds)
                {
                    State.Calls[index] = call with { Step = step with { SettingsOverridden = true, Settings = settings with { TimeoutSeconds = seconds } } };
                }

                break;
            case "WithImage" when Constant(setting, "image") is string image:
                if (SettingsParser.ValidateImage(image, problem => ReportSetting(setting, "image", $"the image {problem}; write an image reference such as \"us-docker.pkg.dev/project/repo/app:tag\"")) is { } validImage)
                {
                    State.Calls[index] = call with { Step = step with { SettingsOverridden = true, Settings = settings with { Image = validImage } } };
                }

                break;
            case "WithRetry" when Constant(setting, "maxRetries") is int retries && Constant(setting, "backoffSeconds") is int backoff
                && Constant(setting, "backoffFactor") is double factor && Constant(setting, "maxBackoffSeconds") is int max:
                var retry = SettingsParser.ValidateRetry(retries, backoff, factor, max, (argument, problem) => ReportSetting(setting, CamelCase(argument), problem));
                State.Calls[index] = call with { Step = step with { SettingsOverridden = true, Settings = settings with { Retry = retry } } };
                break;
            case "WithEnv" when Constant(setting, "name") is var variable && Constant(setting, "value") is var value && (variable is string or null) && (value is string or null):
                var environment = settings.Environment.ToList();
                if (SettingsParser.ValidateEnv(variable as string, value as string, State.CallEnvironment.TryGetValue(index, out var set) ? set : new List<EnvVarModel>(), "WithEnv(\"{0}\", ...)", (argument, problem) => ReportSetting(setting, argument, problem)) is { } env)
                {
                    (State.CallEnvironment.TryGetValue(index, out var earlier) ? earlier : State.CallEnvironment[index] = new List<EnvVarModel>()).Add(env);
                    environment.RemoveAll(e => e.Name == env.Name); // The call's value wins over the step's [Env].
                    environment.Add(env);
                    State.Calls[index] = call with { Step = step with { SettingsOverridden = true, Settings = settings with { Environment = environment.ToEquatableArray() } } };
                }

                break;
            case "WithResources":
                var settingInputs = new List<ArgumentModel>();
                var quantities = new[] { "cpu", "memory", "cpuRequest", "memoryRequest", "accelerator", "acceleratorCount" }.Select(p => ResourceQuantity(setting, p, settingInputs)).ToList();
                if (quantities.Any(q => q is NotConstant))
                {
                    break;
                }

                int? count = null;
                var countPlaceholder = quantities[5] is string placeholder && ResourceQuantities.IsPlaceholder(placeholder) ? placeholder : null;
                if (countPlaceholder is not null && quantities[4] is null)
                {
                    ReportSetting(setting, "acceleratorCount", "acceleratorCount is set but accelerator is not; name the accelerator type too, e.g. accelerator: \"NVIDIA_TESLA_T4\"");
                    break;
                }

                if (countPlaceholder is null && quantities[5] is string countText)
                {
                    if (!int.TryParse(countText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                    {
                        ReportSetting(setting, "acceleratorCount", $"acceleratorCount \"{countText}\" is not a whole number; write the number of accelerators, like \"1\"");
                        break;
                    }

                    count = parsed;
                }

                var resources = SettingsParser.ValidateResources(
                    quantities[0] as string, quantities[1] as string, quantities[2] as string, quantities[3] as string, quantities[4] as string, count, quantities[4] is not null, step.MethodName,
                    (argument, problem) => ReportSetting(setting, CamelCase(argument), problem),
                    (argument, warning) => State.Report(warning.Descriptor, ArgumentOf(setting, CamelCase(argument)), warning.Arguments));
                if (quantities.Take(5).All(q => q is null))
                {
                    ReportSetting(setting, null, "it sets nothing; name at least one of cpu, memory, cpuRequest, memoryRequest or accelerator");
                    break;
                }

                State.Calls[index] = call with
                {
                    Step = step with { SettingsOverridden = true, Settings = settings with { Resources = resources with { AcceleratorCountPlaceholder = countPlaceholder } } },
                    SettingInputs = call.SettingInputs.Concat(settingInputs).Distinct().ToEquatableArray(),
                };
                break;
            case "After":
                if (AfterCalls(setting) is { } after)
                {
                    State.Calls[index] = call with { After = call.After.Concat(after).Distinct().ToEquatableArray() };
                }

                break;
        }

        return !State.Diagnostics.Skip(problems).Any(d => DiagnosticCatalog.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
    }

    /// <summary>The calls whose outputs (or <c>StepCall</c>s) are passed to <c>After</c>; null when one is not such a value (reported).</summary>
    private List<int>? AfterCalls(IInvocationOperation setting)
    {
        var values = setting.Arguments.Skip(1).SelectMany(a => a.Value is IArrayCreationOperation { Initializer: { } initializer } && a.ArgumentKind == ArgumentKind.ParamArray
            ? initializer.ElementValues.AsEnumerable()
            : new[] { a.Value }).ToList();
        if (values.Count == 0)
        {
            ReportSetting(setting, null, "After names no task; pass the locals of the calls this one must wait for");
            return null;
        }

        var calls = new List<int>();
        foreach (var value in values)
        {
            var unwrapped = ValueResolver.Unwrap(value)!;
            var producer = unwrapped switch
            {
                ILocalReferenceOperation local when State.Locals.TryGetValue(local.Local, out var binding) => binding.Call,
                IFieldReferenceOperation { Instance: ILocalReferenceOperation tuple } when State.Locals.TryGetValue(tuple.Local, out var tupleBinding) => tupleBinding.Call,
                ILocalReferenceOperation rejected when State.RejectedLocals.Contains(rejected.Local) => -2,
                IInvalidOperation => -2,
                _ => -1,
            };
            if (producer == -2)
            {
                return null;
            }

            if (producer < 0)
            {
                State.Report(DiagnosticCatalog.InvalidCallSetting, value.Syntax.GetLocation(), "After", CalledName(setting),
                    $"{DescribeSettingValue(unwrapped)} is not an earlier task; pass a local that holds a step output, or a StepCall.Of(...) for a step that returns nothing");
                return null;
            }

            calls.Add(producer);
        }

        return calls;
    }

    /// <summary>A called pipeline with caching off for every task in it, called pipelines included.</summary>
    private static PipelineModel WithoutCaching(PipelineModel pipeline) => pipeline with
    {
        EnableCache = false,
        Calls = pipeline.Calls.Select(c => c with { Step = c.Step with { EnableCache = false }, Pipeline = c.Pipeline is null ? null : WithoutCaching(c.Pipeline) }).ToEquatableArray(),
    };

    /// <summary>Marks a setting's argument that is not a constant.</summary>
    private sealed class NotConstant
    {
        public static readonly NotConstant Value = new();
    }

    /// <summary>The constant value of a setting's argument (its default when not written); reports and returns <see cref="NotConstant"/> otherwise.</summary>
    private object? Constant(IInvocationOperation setting, string parameter, bool allowNull = false)
    {
        var argument = setting.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter);
        if (argument is null)
        {
            return NotConstant.Value;
        }

        if (argument.ArgumentKind == ArgumentKind.DefaultValue)
        {
            return argument.Parameter!.HasExplicitDefaultValue ? argument.Parameter.ExplicitDefaultValue : null;
        }

        var value = ValueResolver.Unwrap(argument.Value)!;
        if (value.ConstantValue.HasValue && (value.ConstantValue.Value is not null || allowNull))
        {
            // A converted constant (`WithRetry(3, backoffFactor: 2)`) has the parameter's type.
            return argument.Value.ConstantValue.HasValue ? argument.Value.ConstantValue.Value : value.ConstantValue.Value;
        }

        if (value is IInvalidOperation)
        {
            State.Unresolved = true;
            return NotConstant.Value;
        }

        ReportSetting(setting, parameter, $"{parameter} is {DescribeSettingValue(value)}; settings are fixed when the pipeline is compiled, so write a constant");
        return NotConstant.Value;
    }

    /// <summary>
    /// A resource quantity: a constant, or a string pipeline parameter, which becomes a <c>pipelinechannel--</c> input of
    /// the task and a placeholder Vertex AI fills in when the task starts (KFP's pipeline_with_string_machine_fields_pipeline_input).
    /// </summary>
    private object? ResourceQuantity(IInvocationOperation setting, string parameter, List<ArgumentModel> settingInputs)
    {
        var argument = setting.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter);
        if (argument is not null && argument.ArgumentKind != ArgumentKind.DefaultValue
            && ValueResolver.Unwrap(argument.Value) is IParameterReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol, State.Pipeline))
        {
            if (reference.Parameter.Type.SpecialType != SpecialType.System_String)
            {
                ReportSetting(setting, parameter, $"{parameter} is the pipeline parameter '{reference.Parameter.Name}' of type '{reference.Parameter.Type.ToDisplayString()}'; a quantity from a pipeline parameter must be a string, as Kubeflow reads it");
                return NotConstant.Value;
            }

            var channel = "pipelinechannel--" + reference.Parameter.Name;
            settingInputs.Add(ArgumentModel.Parameter(channel, reference.Parameter.Name));
            return "{{$.inputs.parameters['" + channel + "']}}";
        }

        return Constant(setting, parameter, allowNull: true);
    }

    private void ReportSetting(IInvocationOperation setting, string? parameter, string problem) =>
        State.Report(DiagnosticCatalog.InvalidCallSetting, parameter is null ? NameOf(setting) : ArgumentOf(setting, parameter), setting.TargetMethod.Name, CalledName(setting), problem);

    /// <summary>The argument that sets <paramref name="parameter"/>, else the setting's name.</summary>
    private static Location ArgumentOf(IInvocationOperation setting, string parameter) =>
        setting.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter && a.ArgumentKind != ArgumentKind.DefaultValue && a.Syntax is ArgumentSyntax)?.Syntax.GetLocation()
        ?? NameOf(setting);

    private static Location NameOf(IInvocationOperation setting) =>
        setting.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } ? member.Name.GetLocation() : setting.Syntax.GetLocation();

    /// <summary>The step or pipeline a chain of settings is on, for messages.</summary>
    private static string CalledName(IInvocationOperation setting)
    {
        var current = setting;
        while (IsCallSetting(current.TargetMethod) && current.Arguments.Length > 0 && ValueResolver.Unwrap(current.Arguments[0].Value) is IInvocationOperation receiver)
        {
            current = receiver;
        }

        if (IsStepCallOf(current.TargetMethod) && current.Arguments.Length == 1
            && current.Arguments[0].Value.Descendants().OfType<IInvocationOperation>().FirstOrDefault() is { } inner)
        {
            current = inner;
        }

        return current.TargetMethod.Name;
    }

    private string DescribeSettingValue(IOperation value) => value switch
    {
        IParameterReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol, State.Pipeline) => $"the pipeline parameter '{reference.Parameter.Name}'",
        ILocalReferenceOperation item when State.LoopItems.ContainsKey(item.Local) => $"the loop item '{item.Local.Name}'",
        ILocalReferenceOperation list when State.Collectors.ContainsKey(list.Local) => $"'{list.Local.Name}', which collects a loop's outputs,",
        ILocalReferenceOperation local => $"the local '{local.Local.Name}'",
        _ => ValueResolver.DescribeValue(value),
    };

    private static string CamelCase(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);
}
