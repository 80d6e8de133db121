using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>Reads <c>Importer.Import&lt;T&gt;(uri, reimport, metadata)</c> calls, each a task of its own (KFP's <c>dsl.importer</c>).</summary>
internal sealed class ImporterParser(PipelineParser parser) : PipelineParserJob(parser)
{
    private const string ImporterType = "PipelineSdk.Importer";
    private const string ImporterMethod = "PipelineSdk.Importer.Import";

    internal static bool IsImporter(IMethodSymbol method) => method.Name == "Import" && method.ContainingType?.ToDisplayString() == ImporterType;

    internal int ParseImporter(InvocationExpressionSyntax invocation, IInvocationOperation operation, int guards)
    {
        var method = operation.TargetMethod;
        State.StepCallsSeen++;
        var problems = State.Diagnostics.Count;
        var artifactType = method.TypeArguments.Length == 1 ? method.TypeArguments[0] : null;
        if (artifactType is null || artifactType.TypeKind == TypeKind.Error)
        {
            State.Unresolved = true;
            return -1;
        }

        var type = TypeMapper.IsArtifactKind(artifactType) ? TypeMapper.Map(artifactType, State.SemanticModel.Compilation) : null;
        if (type is null)
        {
            var typeArgument = (invocation.Expression as MemberAccessExpressionSyntax)?.Name as GenericNameSyntax ?? invocation.Expression as GenericNameSyntax;
            State.Report(DiagnosticCatalog.InvalidImporter, (typeArgument?.TypeArgumentList.Arguments.FirstOrDefault() ?? (SyntaxNode)invocation).GetLocation(), State.Name,
                $"imports a '{artifactType.ToDisplayString()}', which Kubeflow cannot import; import an Artifact, Dataset, Model, Metrics, ClassificationMetrics, Html or Markdown");
        }

        IArgumentOperation? Argument(int ordinal) => operation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == ordinal);
        var uriArgument = Argument(0);
        var reimportArgument = Argument(1);
        var metadataArgument = Argument(2);
        if (uriArgument is null || reimportArgument is null || metadataArgument is null)
        {
            State.Unresolved = true;
            return -1;
        }

        var uri = Values.ParseArgument(method, uriArgument.Parameter!, uriArgument);
        if (uri is { Source: ArgumentSource.Constant, ConstantJson: var uriJson } && (uriJson is null or "null" || uriJson.Trim('"').Trim().Length == 0))
        {
            State.Report(DiagnosticCatalog.InvalidImporter, uriArgument.Syntax.GetLocation(), State.Name, "is given an empty URI; give a gs:// URI, a file:// URI or a path");
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
                State.Report(DiagnosticCatalog.InvalidImporter, reimportArgument.Syntax.GetLocation(), State.Name,
                    "is given a reimport that is not a constant; write true or false, which the spec fixes when the pipeline compiles");
            }
        }

        var metadataJson = "{}";
        if (metadataArgument.ArgumentKind != ArgumentKind.DefaultValue && metadataArgument.Value.ConstantValue is not { HasValue: true, Value: null })
        {
            var json = Constants.ConstantJson(metadataArgument.Value, out var problem);
            if (json is null || !json.StartsWith("{", System.StringComparison.Ordinal))
            {
                State.Report(DiagnosticCatalog.InvalidImporter, metadataArgument.Syntax.GetLocation(), State.Name,
                    $"is given metadata that is not a dictionary of constants ({problem ?? "a value decided at run time"}); write it out, like new Dictionary<string, object> {{ [\"source\"] = \"crm\" }}");
            }
            else
            {
                metadataJson = json;
            }
        }

        if (uri is null || type is null || State.Diagnostics.Count > problems)
        {
            return -1;
        }

        var text = TypeMapper.Map(State.SemanticModel.Compilation.GetSpecialType(SpecialType.System_String), State.SemanticModel.Compilation)!;
        var step = new StepModel(
            ImporterMethod, "global::" + ImporterType, "Import", "importer",
            new[] { new StepParameterModel("uri", text, IsCancellationToken: false) }.ToEquatableArray(),
            new[] { new PortModel("artifact", type) }.ToEquatableArray(),
            ReturnShape.Single, AsyncShape.None, type.TypeSyntax, EnableCache: null,
            EquatableArray<CodePartModel>.Empty, "", StepSettingsModel.None)
        {
            Importer = new ImporterModel(State.Importers++, uri.Source == ArgumentSource.Constant ? uri.ConstantJson : null, reimport, metadataJson),
        };
        State.Calls.Add(new CallModel(step, new[] { uri }.ToEquatableArray(), State.Scope, guards, null));
        State.CallSyntax.Add(invocation);
        return State.Calls.Count - 1;
    }
}
