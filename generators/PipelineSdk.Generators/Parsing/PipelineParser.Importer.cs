using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// <c>Importer.Import&lt;T&gt;(uri, reimport, metadata)</c>: an importer task (KFP's <c>dsl.importer</c>), parsed as a call of a
/// step with one input <c>uri</c> and one output <c>artifact</c>, so it is wired, ordered and named like any step call.
/// </summary>
internal sealed partial class PipelineParser
{
    private const string ImporterType = "PipelineSdk.Importer";
    private const string ImporterMethod = "PipelineSdk.Importer.Import";

    /// <summary>How many importers the body has so far: each is a component of its own.</summary>
    private int _importers;

    private static bool IsImporter(IMethodSymbol method) => method.Name == "Import" && method.ContainingType?.ToDisplayString() == ImporterType;

    /// <summary>The name of the single output of the call at <paramref name="call"/>: <c>Output</c> for a step, <c>artifact</c> for an importer.</summary>
    private string SingleOutputOf(int call) => _calls[call].Step is { ReturnShape: ReturnShape.Single, Outputs.Count: 1 } step ? step.Outputs[0].Name : StepParser.SingleOutputName;

    private int ParseImporter(InvocationExpressionSyntax invocation, IInvocationOperation operation, int guards)
    {
        var method = operation.TargetMethod;
        _stepCallsSeen++;
        var problems = _diagnostics.Count;
        var artifactType = method.TypeArguments.Length == 1 ? method.TypeArguments[0] : null;
        if (artifactType is null || artifactType.TypeKind == TypeKind.Error)
        {
            _unresolved = true;
            return -1;
        }

        var type = TypeMapper.IsArtifactKind(artifactType) ? TypeMapper.Map(artifactType, _model.Compilation) : null;
        if (type is null)
        {
            var typeArgument = (invocation.Expression as MemberAccessExpressionSyntax)?.Name as GenericNameSyntax ?? invocation.Expression as GenericNameSyntax;
            Report(DiagnosticCatalog.InvalidImporter, (typeArgument?.TypeArgumentList.Arguments.FirstOrDefault() ?? (SyntaxNode)invocation).GetLocation(), _name,
                $"imports a '{artifactType.ToDisplayString()}', which Kubeflow cannot import; import an Artifact, Dataset, Model, Metrics, ClassificationMetrics, Html or Markdown");
        }

        IArgumentOperation? Argument(int ordinal) => operation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == ordinal);
        var uriArgument = Argument(0);
        var reimportArgument = Argument(1);
        var metadataArgument = Argument(2);
        if (uriArgument is null || reimportArgument is null || metadataArgument is null)
        {
            _unresolved = true;
            return -1;
        }

        var uri = ParseArgument(method, uriArgument.Parameter!, uriArgument);
        if (uri is { Source: ArgumentSource.Constant, ConstantJson: var uriJson } && (uriJson is null or "null" || uriJson.Trim('"').Trim().Length == 0))
        {
            Report(DiagnosticCatalog.InvalidImporter, uriArgument.Syntax.GetLocation(), _name, "is given an empty URI; give a gs:// URI, a file:// URI or a path");
        }

        var reimport = false;
        if (reimportArgument.ArgumentKind != ArgumentKind.DefaultValue)
        {
            if (reimportArgument.Value.ConstantValue is { HasValue: true, Value: bool constant })
            {
                reimport = constant;
            }
            else
            {
                Report(DiagnosticCatalog.InvalidImporter, reimportArgument.Syntax.GetLocation(), _name,
                    "is given a reimport that is not a constant; write true or false, which the spec fixes when the pipeline compiles");
            }
        }

        var metadataJson = "{}";
        if (metadataArgument.ArgumentKind != ArgumentKind.DefaultValue && metadataArgument.Value.ConstantValue is not { HasValue: true, Value: null })
        {
            var json = ConstantJson(metadataArgument.Value, out var problem);
            if (json is null || !json.StartsWith("{", System.StringComparison.Ordinal))
            {
                Report(DiagnosticCatalog.InvalidImporter, metadataArgument.Syntax.GetLocation(), _name,
                    $"is given metadata that is not a dictionary of constants ({problem ?? "a value decided at run time"}); write it out, like new Dictionary<string, object> {{ [\"source\"] = \"crm\" }}");
            }
            else
            {
                metadataJson = json;
            }
        }

        if (uri is null || type is null || _diagnostics.Count > problems)
        {
            return -1;
        }

        var text = TypeMapper.Map(_model.Compilation.GetSpecialType(SpecialType.System_String), _model.Compilation)!;
        var step = new StepModel(
            ImporterMethod, "global::" + ImporterType, "Import", "importer",
            new[] { new StepParameterModel("uri", text, IsCancellationToken: false) }.ToEquatableArray(),
            new[] { new PortModel("artifact", type) }.ToEquatableArray(),
            ReturnShape.Single, AsyncShape.None, type.TypeSyntax, EnableCache: null,
            EquatableArray<CodePartModel>.Empty, "", StepSettingsModel.None)
        {
            Importer = new ImporterModel(_importers++, uri.Source == ArgumentSource.Constant ? uri.ConstantJson : null, reimport, metadataJson),
        };
        _calls.Add(new CallModel(step, new[] { uri }.ToEquatableArray(), _scope, guards, null));
        _callSyntax.Add(invocation);
        return _calls.Count - 1;
    }
}
