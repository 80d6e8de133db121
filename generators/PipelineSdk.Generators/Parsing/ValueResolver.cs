using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>Resolves where a step input gets its value: a step output, a pipeline parameter, a loop item or its field, a collected list, a final status or a constant; and says why a value cannot be used.</summary>
internal sealed class ValueResolver(PipelineParser parser) : PipelineParserJob(parser)
{
    internal ArgumentModel? ParseArgument(IMethodSymbol step, IParameterSymbol parameter, IArgumentOperation argument)
    {
        var value = argument.Value;
        if (argument.ArgumentKind == ArgumentKind.DefaultValue || value.ConstantValue.HasValue)
        {
            var constant = argument.ArgumentKind == ArgumentKind.DefaultValue && !value.ConstantValue.HasValue ? parameter.ExplicitDefaultValue : value.ConstantValue.Value;
            var json = JsonLiteral.From(constant);
            if (json is null)
            {
                State.ReportArgument(step, parameter, argument, "a constant with no JSON form");
                return null;
            }

            return ArgumentModel.Constant(parameter.Name, json);
        }

        if (TrySpecialArgument(step, parameter, argument, out var special) || Constants.TryConstantCollectionArgument(step, parameter, argument, out special))
        {
            return special;
        }

        if (value is IConversionOperation { IsImplicit: true } conversion)
        {
            if (!conversion.Conversion.IsIdentity)
            {
                State.Report(DiagnosticCatalog.ArgumentTypeMismatch, argument.Syntax.GetLocation(), step.Name, parameter.Name,
                    conversion.Operand.Type?.ToDisplayString() ?? "?", parameter.Type.ToDisplayString());
                return null;
            }

            value = conversion.Operand;
        }

        if (value is IAwaitOperation awaited)
        {
            value = awaited.Operation;
        }

        switch (value)
        {
            case ILocalReferenceOperation local when State.Locals.TryGetValue(local.Local, out var binding):
                var producer = State.Calls[binding.Call].Step;
                if (binding.OutputName is null && producer.ReturnShape == ReturnShape.Tuple)
                {
                    State.ReportArgument(step, parameter, argument, $"the whole result of '{producer.MethodName}'; pass one of its elements, like {local.Local.Name}.{producer.Outputs[0].Name}");
                    return null;
                }

                if (binding.OutputName is null && producer.ReturnShape == ReturnShape.None)
                {
                    State.ReportArgument(step, parameter, argument, $"the result of '{producer.MethodName}', which returns nothing");
                    return null;
                }

                return ArgumentModel.TaskOutput(parameter.Name, binding.Call, binding.OutputName ?? State.SingleOutputOf(binding.Call));
            case IPropertyReferenceOperation or ILocalReferenceOperation when TryLoopItemField(step, parameter, argument, value, out var field):
                return field;
            // A tuple element, a pipeline parameter or a loop item: the same sources as anywhere else in the body.
            case IFieldReferenceOperation or IParameterReferenceOperation or ILocalReferenceOperation when ValueOf(value, parameter.Name) is { } source:
                return source;
            case IInvocationOperation nested when value.Syntax is InvocationExpressionSyntax nestedSyntax && CallSettingsParser.IsTaskCall(nested):
                var nestedCall = Body.ParseCall(nestedSyntax);
                if (nestedCall < 0)
                {
                    return null;
                }

                var nestedStep = State.Calls[nestedCall].Step;
                if (nestedStep.ReturnShape != ReturnShape.Single)
                {
                    State.ReportArgument(step, parameter, argument, $"the result of '{nestedStep.MethodName}', which is not a single value; keep it in a local and pass one element");
                    return null;
                }

                return ArgumentModel.TaskOutput(parameter.Name, nestedCall, State.SingleOutputOf(nestedCall));
            case IInvalidOperation:
                State.Unresolved = true;
                return null;
            case var rejected when MentionsRejected(rejected):
                return null;
            default:
                State.ReportArgument(step, parameter, argument, DescribeValue(value));
                return null;
        }
    }

    /// <summary>
    /// The first value in <paramref name="node"/> that exists only at run time — a local holding a step output, a
    /// pipeline parameter, or a step call — described for a message; null when there is none.
    /// </summary>
    internal string? RunTimeValueIn(SyntaxNode node)
    {
        foreach (var descendant in node.DescendantNodesAndSelf())
        {
            switch (descendant)
            {
                case IdentifierNameSyntax identifier:
                    var symbol = State.SemanticModel.GetSymbolInfo(identifier, State.CancellationToken).Symbol;
                    if (symbol is ILocalSymbol && State.Locals.TryGetValue(symbol, out var binding))
                    {
                        return $"'{identifier.Identifier.ValueText}', the output of step '{State.Calls[binding.Call].Step.MethodName}',";
                    }

                    if (symbol is IParameterSymbol parameter && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, State.Pipeline))
                    {
                        return $"the pipeline parameter '{parameter.Name}'";
                    }

                    if (symbol is ILocalSymbol item && State.LoopItems.ContainsKey(item))
                    {
                        return $"the loop item '{item.Name}'";
                    }

                    if (symbol is ILocalSymbol collector && State.Collectors.ContainsKey(collector))
                    {
                        return $"'{collector.Name}', which collects step outputs,";
                    }

                    break;
                case InvocationExpressionSyntax call when call != node:
                    if (State.SemanticModel.GetSymbolInfo(call, State.CancellationToken).Symbol is IMethodSymbol method && StepParser.IsStep(method))
                    {
                        return $"the output of step '{method.Name}'";
                    }

                    break;
            }
        }

        return null;
    }

    internal string DescribeUse(ExpressionSyntax expression) => State.SemanticModel.GetOperation(expression, State.CancellationToken) switch
    {
        IInvocationOperation call => $"a call to '{call.TargetMethod.ContainingType?.Name}.{call.TargetMethod.Name}', which is not a [Step] method",
        IBinaryOperation or IUnaryOperation or IIncrementOrDecrementOperation or ICompoundAssignmentOperation => "arithmetic or logic",
        IInterpolatedStringOperation => "an interpolated string",
        IPropertyReferenceOperation or IFieldReferenceOperation => "a member access",
        IObjectCreationOperation or IArrayCreationOperation or ICollectionExpressionOperation => "a new object or collection",
        IConversionOperation => "a conversion",
        _ => "an expression that is not a step call",
    };

    /// <summary>The value type of a step output, pipeline parameter or single-value step call; otherwise null and why.</summary>
    internal ValueTypeModel? RunTimeValueType(IOperation operation, out string description)
    {
        switch (operation)
        {
            case ILocalReferenceOperation local when State.Locals.TryGetValue(local.Local, out var binding):
                var producer = State.Calls[binding.Call].Step;
                description = $"'{local.Local.Name}'";
                var port = binding.OutputName is null
                    ? (producer.ReturnShape == ReturnShape.Single ? producer.Outputs[0] : null)
                    : producer.Outputs.FirstOrDefault(o => o.Name == binding.OutputName);
                if (port is null)
                {
                    description = $"the whole result of '{producer.MethodName}', which is not a single value";
                }

                return port?.Type;
            case IFieldReferenceOperation { Field.CorrespondingTupleField: { } element, Instance: ILocalReferenceOperation tupleLocal }
                when State.Locals.TryGetValue(tupleLocal.Local, out var tupleBinding) && tupleBinding.OutputName is null:
                var outputs = State.Calls[tupleBinding.Call].Step.Outputs;
                var index = ((IFieldSymbol)element).TupleElementIndex();
                description = $"'{tupleLocal.Local.Name}.{element.Name}'";
                return outputs.FirstOrDefault(o => o.Name == element.Name)?.Type ?? (index < outputs.Count ? outputs[index].Type : null);
            case IParameterReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol, State.Pipeline):
                description = $"the pipeline parameter '{reference.Parameter.Name}'";
                return TypeMapper.Map(reference.Parameter.Type, State.SemanticModel.Compilation);
            case ILocalReferenceOperation oneOf when OneOfs.OneOfIndex(oneOf.Local) >= 0:
                description = $"'{oneOf.Local.Name}'";
                return State.OneOfModels[OneOfs.OneOfIndex(oneOf.Local)].Type;
            case ILocalReferenceOperation item when State.LoopItems.ContainsKey(item.Local):
                description = $"the loop item '{item.Local.Name}'";
                return TypeMapper.Map(item.Local.Type, State.SemanticModel.Compilation);
            case IInvocationOperation call when CallSettingsParser.IsTaskCall(call):
                description = $"the result of step '{call.TargetMethod.Name}'";
                var result = call.TargetMethod.ReturnType;
                if (result is INamedTypeSymbol { IsGenericType: true } task && task.ConstructedFrom.ToDisplayString() is "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>")
                {
                    result = task.TypeArguments[0];
                }

                return TypeMapper.Map(result, State.SemanticModel.Compilation);
            default:
                description = DescribeValue(operation);
                return null;
        }
    }

    /// <summary>Looks through parentheses, implicit conversions and <c>await</c>.</summary>
    internal static IOperation? Unwrap(IOperation? operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                case IConversionOperation { IsImplicit: true } conversion:
                    operation = conversion.Operand;
                    break;
                case IAwaitOperation awaited:
                    operation = awaited.Operation;
                    break;
                default:
                    return operation;
            }
        }
    }

    internal static string DescribeValue(IOperation value) => value switch
    {
        IBinaryOperation or IUnaryOperation or IIncrementOrDecrementOperation => "arithmetic or logic on values that exist only at run time",
        IInterpolatedStringOperation => "an interpolated string; values exist only at run time",
        IInvocationOperation call => $"a call to '{call.TargetMethod.Name}', which is not a step",
        IPropertyReferenceOperation or IFieldReferenceOperation => "a member access on a value that exists only at run time",
        ILocalReferenceOperation local => $"the local '{local.Local.Name}', which does not hold a step output",
        IObjectCreationOperation => "an object created in the pipeline body",
        _ => "an expression the pipeline graph cannot represent",
    };

    /// <summary>The item of a loop over constant records or anonymous objects: a JSON object the steps read field by field.</summary>
    private static readonly ValueTypeModel StructItem = new("global::System.Text.Json.JsonElement", "STRUCT", IsArtifact: false, new BuiltInCodec(IsArtifact: false, "Struct"));

    /// <summary>
    /// The type of a loop's item: its parameter type, or for a loop over constant records or anonymous objects a JSON
    /// object (STRUCT) whose fields the body passes on.
    /// </summary>
    internal ValueTypeModel? LoopItemType(ILocalSymbol item, ArgumentModel? items)
    {
        var mapped = TypeMapper.Map(item.Type, State.SemanticModel.Compilation);
        if (items is { Source: ArgumentSource.Constant } && (item.Type.IsAnonymousType || mapped is null || mapped.IsArtifact)
            && item.Type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct })
        {
            State.StructItems.Add(item);
            return StructItem;
        }

        // `var` makes a loop variable nullable; an artifact codec's type argument must not be.
        return mapped is { IsArtifact: true } ? TypeMapper.Map(item.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated), State.SemanticModel.Compilation) : mapped;
    }

    /// <summary>
    /// A field of a loop item as a step argument — <c>row.A</c> of a record or anonymous item, <c>row["a"]</c> of a
    /// dictionary item — or the whole item of a record loop (an error: only fields can be passed). False when the value
    /// is neither.
    /// </summary>
    private bool TryLoopItemField(IMethodSymbol step, IParameterSymbol parameter, IArgumentOperation argument, IOperation value, out ArgumentModel? model)
    {
        model = null;
        if (value is ILocalReferenceOperation whole && State.StructItems.Contains(whole.Local))
        {
            var first = whole.Local.Type.GetMembers().OfType<IPropertySymbol>().FirstOrDefault(p => !p.IsStatic && !p.IsIndexer && p.Name != "EqualityContract");
            State.ReportArgument(step, parameter, argument, $"the whole item '{whole.Local.Name}' of a loop over objects written in the body; pass its fields, like {whole.Local.Name}.{first?.Name ?? "Field"}");
            return true;
        }

        if (value is not IPropertyReferenceOperation { Instance: ILocalReferenceOperation owner } property || !State.LoopItems.TryGetValue(owner.Local, out var loop))
        {
            return false;
        }

        string? field = null;
        if (State.StructItems.Contains(owner.Local) && !property.Property.IsIndexer)
        {
            field = property.Property.Name;
        }
        else if (property.Property.IsIndexer && State.Scopes[loop].Loop?.ItemType.KfpType == "STRUCT")
        {
            if (property.Arguments.Length != 1 || property.Arguments[0].Value.ConstantValue is not { HasValue: true, Value: string key })
            {
                State.ReportArgument(step, parameter, argument, $"a field of the loop item '{owner.Local.Name}' with a key that is not a constant string");
                return true;
            }

            field = key;
        }

        if (field is null)
        {
            return false;
        }

        // The item's JSON holds only what the body wrote, so a field one item leaves unset has no value at run time.
        if (State.Scopes[loop].Loop?.Items is { Source: ArgumentSource.Constant, ConstantJson: { } itemsJson }
            && ItemsMissingKey(itemsJson, field) is { } missing)
        {
            State.ReportArgument(step, parameter, argument, $"the field '{field}' of the loop item '{owner.Local.Name}', which item {missing + 1} of the list does not set; set {field} in every item");
            return true;
        }

        model = ArgumentModel.LoopItem(parameter.Name, loop, field);
        return true;
    }

    /// <summary>
    /// The index of the first object in <paramref name="itemsJson"/> (a canonical JSON array of objects, as written by
    /// <see cref="ListJson"/>) without the top-level key <paramref name="key"/>; null when every object has it.
    /// </summary>
    private static int? ItemsMissingKey(string itemsJson, string key)
    {
        var quoted = JsonLiteral.Quote(key);
        var (depth, index, found, inString) = (0, -1, false, false);
        for (var i = 0; i < itemsJson.Length; i++)
        {
            var c = itemsJson[i];
            if (inString)
            {
                i += c == '\\' ? 1 : 0;
                inString = c != '"';
                continue;
            }

            switch (c)
            {
                case '"':
                    // A key of an item is a string that starts right after the item's '{' or a ',' at the item's depth.
                    if (depth == 2 && itemsJson[i - 1] is '{' or ',' && string.CompareOrdinal(itemsJson, i, quoted, 0, quoted.Length) == 0
                        && i + quoted.Length < itemsJson.Length && itemsJson[i + quoted.Length] == ':')
                    {
                        found = true;
                    }

                    inString = true;
                    break;
                case '{' or '[':
                    if (++depth == 2 && c == '{')
                    {
                        (index, found) = (index + 1, false);
                    }

                    break;
                case '}' or ']':
                    if (depth-- == 2 && c == '}' && !found)
                    {
                        return index;
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>Whether the operation reads a local whose value was already reported as unusable (its uses say nothing more).</summary>
    internal bool MentionsRejected(IOperation? operation) =>
        operation is not null && operation.DescendantsAndSelf().Any(o => o is ILocalReferenceOperation local && State.RejectedLocals.Contains(local.Local));

    /// <summary>A run-time value (step output, parameter, loop item) as an argument; null when it is none of them.</summary>
    internal ArgumentModel? ValueOf(IOperation operation, string name)
    {
        switch (Unwrap(operation))
        {
            case ILocalReferenceOperation local when State.Locals.TryGetValue(local.Local, out var binding):
                var producer = State.Calls[binding.Call].Step;
                return binding.OutputName is null && producer.ReturnShape != ReturnShape.Single
                    ? null
                    : ArgumentModel.TaskOutput(name, binding.Call, binding.OutputName ?? State.SingleOutputOf(binding.Call));
            case IFieldReferenceOperation { Field.CorrespondingTupleField: { } element, Instance: ILocalReferenceOperation tupleLocal }
                when State.Locals.TryGetValue(tupleLocal.Local, out var tupleBinding) && tupleBinding.OutputName is null:
                var outputs = State.Calls[tupleBinding.Call].Step.Outputs;
                var port = outputs.FirstOrDefault(o => o.Name == element.Name) ?? outputs[((IFieldSymbol)element).TupleElementIndex()];
                return ArgumentModel.TaskOutput(name, tupleBinding.Call, port.Name);
            case IParameterReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol, State.Pipeline):
                return ArgumentModel.Parameter(name, reference.Parameter.Name);
            case ILocalReferenceOperation item when State.LoopItems.TryGetValue(item.Local, out var loop):
                return ArgumentModel.LoopItem(name, loop, null);
            case ILocalReferenceOperation list when State.Collectors.TryGetValue(list.Local, out var collector) && collector.Call >= 0:
                return ArgumentModel.Collected(name, collector.Call, collector.Output);
            case ILocalReferenceOperation oneOf when OneOfs.OneOfIndex(oneOf.Local) is >= 0 and var oneOfIndex:
                return ArgumentModel.FromOneOf(name, oneOfIndex);
            case IInvocationOperation call when call.Syntax is InvocationExpressionSyntax callSyntax && CallSettingsParser.IsTaskCall(call):
                var index = Body.ParseCall(callSyntax);
                return index >= 0 && State.Calls[index].Step.ReturnShape == ReturnShape.Single
                    ? ArgumentModel.TaskOutput(name, index, State.SingleOutputOf(index))
                    : null;
            default:
                return null;
        }
    }

    /// <summary>Arguments with a meaning of their own: <c>TaskFinalStatus.Current</c> and lists that collect a loop's outputs.</summary>
    private bool TrySpecialArgument(IMethodSymbol step, IParameterSymbol parameter, IArgumentOperation argument, out ArgumentModel? model)
    {
        model = null;
        var value = Unwrap(argument.Value);
        if (value is IPropertyReferenceOperation { Property.Name: "Current" } property && property.Property.ContainingType?.ToDisplayString() == ControlFlowParser.TaskFinalStatusType)
        {
            if (State.FinalStatusScope < 0)
            {
                State.ReportArgument(step, parameter, argument, "TaskFinalStatus.Current outside a finally block; only the step a pipeline's finally block calls can read the final status of the try block");
            }
            else
            {
                model = ArgumentModel.FinalStatus(parameter.Name, State.FinalStatusScope);
            }

            return true;
        }

        if (value is not ILocalReferenceOperation local || !State.Collectors.TryGetValue(local.Local, out var collector))
        {
            return false;
        }

        if (collector.Call == -1)
        {
            State.ReportArgument(step, parameter, argument, $"'{local.Local.Name}' before a loop added anything to it; pass it to a step after the loop that fills it");
            collector.Call = ControlFlowParser.Rejected;
            return true;
        }

        if (collector.Call == ControlFlowParser.Rejected)
        {
            return true; // Already reported.
        }

        for (var scope = State.Scope; scope >= 0; scope = State.Scopes[scope].Parent)
        {
            if (scope == collector.Loop)
            {
                State.ReportArgument(step, parameter, argument, $"'{local.Local.Name}' inside the loop that fills it; pass it to a step after the loop");
                return true;
            }
        }

        var wanted = TypeMapper.Map(parameter.Type, State.SemanticModel.Compilation);
        var element = State.Calls[collector.Call].Step.Outputs.First(o => o.Name == collector.Output).Type;
        if (wanted is null || wanted.KfpType != collector.Type.KfpType || !wanted.TypeSyntax.Contains("<" + element.TypeSyntax + ">") && !wanted.TypeSyntax.StartsWith(element.TypeSyntax + "[", System.StringComparison.Ordinal))
        {
            State.Report(DiagnosticCatalog.ArgumentTypeMismatch, argument.Syntax.GetLocation(), step.Name, parameter.Name, local.Local.Type.ToDisplayString(), parameter.Type.ToDisplayString());
            return true;
        }

        model = ArgumentModel.Collected(parameter.Name, collector.Call, collector.Output);
        return true;
    }
}
