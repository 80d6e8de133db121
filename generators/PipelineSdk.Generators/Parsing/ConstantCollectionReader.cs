using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>Reads constant collections written in the pipeline body (lists, arrays, dictionaries, records and anonymous objects) as canonical JSON.</summary>
internal sealed class ConstantCollectionReader(PipelineParser parser) : PipelineParserJob(parser)
{
    /// <summary>
    /// A list, dictionary, record or anonymous object of constants written as a step argument: <c>runtimeValue.constant</c>.
    /// False when the argument is no such creation; true with a null model when it is one with a problem (reported).
    /// </summary>
    internal bool TryConstantCollectionArgument(IMethodSymbol step, IParameterSymbol parameter, IArgumentOperation argument, out ArgumentModel? model)
    {
        model = null;
        var value = ValueResolver.Unwrap(argument.Value);
        if (!IsCreation(value))
        {
            return false;
        }

        var type = TypeMapper.Map(parameter.Type, State.SemanticModel.Compilation);
        if (type is null || type.IsArtifact || type.KfpType is not ("LIST" or "STRUCT"))
        {
            // Records and classes pass between steps as artifacts, which only a step can produce.
            State.ReportArgument(step, parameter, argument, $"an object created in the pipeline body; a {parameter.Type.ToDisplayString()} passes between steps as an artifact, so produce it in a step");
            return true;
        }

        if (ConstantJson(argument.Value, out var problem) is not { } json)
        {
            State.ReportArgument(step, parameter, argument, problem!);
            return true;
        }

        model = ArgumentModel.Constant(parameter.Name, json);
        return true;
    }

    private static bool IsCreation(IOperation? operation) =>
        operation is IArrayCreationOperation or ICollectionExpressionOperation or IObjectCreationOperation or IAnonymousObjectCreationOperation;

    /// <summary>
    /// The canonical JSON of a value written out in the body: a constant, or a list, dictionary, record or anonymous
    /// object of them (keys in source order, as KFP keeps a Python dict's); null and why when it is not all constants.
    /// </summary>
    internal string? ConstantJson(IOperation operation, out string? problem)
    {
        problem = null;
        if (operation.ConstantValue.HasValue)
        {
            var json = JsonLiteral.From(operation.ConstantValue.Value);
            if (json is null or "null")
            {
                problem = json is null ? "a constant with no JSON form (NaN, infinity or a char)" : "a collection holding null, which a Kubeflow parameter never is";
                return null;
            }

            return json;
        }

        var value = ValueResolver.Unwrap(operation);
        if (value is not null && value != operation && value.ConstantValue.HasValue)
        {
            // A constant boxed to object (a Dictionary<string, object> value) is that constant.
            return ConstantJson(value, out problem);
        }

        switch (value)
        {
            case IArrayCreationOperation { Initializer: { } initializer }:
                return ListJson(initializer.ElementValues, out problem);
            case IArrayCreationOperation:
                problem = "an array without elements written out (write them: `new[] { 1, 2 }`)";
                return null;
            case ICollectionExpressionOperation collection:
                if (collection.Elements.Any(e => e is ISpreadOperation))
                {
                    problem = "a collection expression with a spread (`..`); write the elements out";
                    return null;
                }

                return ListJson(collection.Elements, out problem);
            case IAnonymousObjectCreationOperation anonymous:
                return ObjectJson(anonymous.Initializers.Select(i => i is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation property } assignment
                    ? (property.Property.Name, assignment.Value) : ((string, IOperation)?)null), out problem);
            case IObjectCreationOperation creation:
                return CreationJson(creation, out problem);
            default:
                problem = value is null ? "an expression the pipeline graph cannot represent" : ValueResolver.DescribeValue(value) + " inside a collection; write constants only";
                return null;
        }
    }

    private string? ListJson(IEnumerable<IOperation> elements, out string? problem)
    {
        var items = new List<string>();
        foreach (var element in elements)
        {
            if (ConstantJson(element, out problem) is not { } json)
            {
                return null;
            }

            items.Add(json);
        }

        problem = null;
        return "[" + string.Join(",", items) + "]";
    }

    /// <summary>A JSON object from (key, value) pairs; a null pair is a part that is no key and value.</summary>
    private string? ObjectJson(IEnumerable<(string Key, IOperation Value)?> members, out string? problem)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var member in members)
        {
            if (member is not { } pair)
            {
                problem = "an initializer that is not a key or member with a constant value";
                return null;
            }

            if (ConstantJson(pair.Value, out problem) is not { } json)
            {
                return null;
            }

            // A later `["a"] = 2` replaces an earlier one, as it does in the dictionary.
            fields.RemoveAll(f => f.Key == pair.Key);
            fields.Add(new KeyValuePair<string, string>(pair.Key, json));
        }

        problem = null;
        return "{" + string.Join(",", fields.Select(f => JsonLiteral.Quote(f.Key) + ":" + f.Value)) + "}";
    }

    /// <summary><c>new List&lt;T&gt; { ... }</c>, <c>new Dictionary&lt;string, T&gt; { ["a"] = 1 }</c> or <c>new Row(1, "x") { B = 2 }</c>.</summary>
    private string? CreationJson(IObjectCreationOperation creation, out string? problem)
    {
        var mapped = creation.Type is null ? null : TypeMapper.Map(creation.Type, State.SemanticModel.Compilation);
        var initializers = creation.Initializer?.Initializers ?? ImmutableArrayOfNone;
        if (mapped is { IsArtifact: false, KfpType: "LIST" })
        {
            if (creation.Arguments.Length > 0)
            {
                problem = "a list built from constructor arguments; write its elements in an initializer (`new List<int> { 1, 2 }`)";
                return null;
            }

            return ListJson(initializers.Select(i => i is IInvocationOperation { Arguments.Length: 1 } add ? add.Arguments[0].Value : i), out problem);
        }

        // A Dictionary<string, object> (an importer's metadata) is a JSON object too, whatever its values' type.
        if (mapped is { IsArtifact: false, KfpType: "STRUCT" }
            || creation.Type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 2 } dictionary
                && dictionary.ConstructedFrom.ToDisplayString() == "System.Collections.Generic.Dictionary<TKey, TValue>"
                && dictionary.TypeArguments[0].SpecialType == SpecialType.System_String)
        {
            if (creation.Arguments.Length > 0)
            {
                problem = "a dictionary built from constructor arguments; write its entries in an initializer (`new Dictionary<string, int> { [\"a\"] = 1 }`)";
                return null;
            }

            return ObjectJson(initializers.Select(DictionaryEntry), out problem);
        }

        if (creation.Type is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } type || creation.Constructor is null)
        {
            problem = "an object of a type that is not a list, dictionary, record or class";
            return null;
        }

        // A record's or class's members by name: constructor parameters (a positional record's are its properties), then initializers.
        var members = new List<(string, IOperation)?>();
        foreach (var argument in creation.Arguments)
        {
            var parameter = argument.Parameter;
            var property = parameter is null ? null : type.GetMembers().FirstOrDefault(m => m is IPropertySymbol or IFieldSymbol && string.Equals(m.Name, parameter.Name, System.StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                problem = $"a '{type.Name}' whose constructor parameter '{parameter?.Name}' is no member of the same name, so its field name is unknown";
                return null;
            }

            members.Add((property.Name, argument.Value));
        }

        members.AddRange(initializers.Select(i => i is ISimpleAssignmentOperation { Target: IMemberReferenceOperation member } assignment
            ? (member.Member.Name, assignment.Value) : ((string, IOperation)?)null));
        return ObjectJson(members, out problem);
    }

    private static readonly System.Collections.Immutable.ImmutableArray<IOperation> ImmutableArrayOfNone = System.Collections.Immutable.ImmutableArray<IOperation>.Empty;

    /// <summary>One entry of a dictionary initializer: <c>["a"] = 1</c> or <c>{ "a", 1 }</c>, with a constant string key.</summary>
    private static (string Key, IOperation Value)? DictionaryEntry(IOperation initializer) => initializer switch
    {
        ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Arguments.Length: 1 } indexer } assignment
            when indexer.Arguments[0].Value.ConstantValue is { HasValue: true, Value: string key } => (key, assignment.Value),
        IInvocationOperation { Arguments.Length: 2 } add when add.Arguments[0].Value.ConstantValue is { HasValue: true, Value: string key } => (key, add.Arguments[1].Value),
        _ => null,
    };

    /// <summary>
    /// The default of a list or dictionary parameter from <c>[Default("json")]</c>, checked against the type and written
    /// canonically; or the error for a list or dictionary parameter whose C# default is null without one. Null when
    /// neither applies (the C# default, if any, is the default); a result with a null default when an error was reported.
    /// </summary>
    internal (string? Json, bool Handled)? CollectionDefault(IParameterSymbol parameter, ParameterSyntax syntax, ValueTypeModel type)
    {
        var attribute = parameter.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeReader.Default);
        var isCollection = type.KfpType is "LIST" or "STRUCT";
        if (attribute is null)
        {
            if (isCollection && parameter.HasExplicitDefaultValue && parameter.ExplicitDefaultValue is null)
            {
                State.Report(DiagnosticCatalog.PipelineSignature, (syntax.Default?.Value ?? (SyntaxNode)syntax).GetLocation(), State.Name,
                    $"gives the {(type.KfpType == "LIST" ? "list" : "dictionary")} parameter '{parameter.Name}' the default null, which a Kubeflow parameter cannot have; give the default as JSON with [Default(\"{(type.KfpType == "LIST" ? "[]" : "{}")}\")] or remove '= null' to make it required");
                return (null, true);
            }

            return null;
        }

        var where = attribute.ApplicationSyntaxReference?.GetSyntax(State.CancellationToken).GetLocation() ?? syntax.GetLocation();
        if (!isCollection)
        {
            State.Report(DiagnosticCatalog.PipelineSignature, where, State.Name, $"gives the parameter '{parameter.Name}' a [Default], which is for list and dictionary parameters; write the default in the signature (`= ...`)");
            return (null, true);
        }

        if (parameter.HasExplicitDefaultValue && parameter.ExplicitDefaultValue is not null)
        {
            State.Report(DiagnosticCatalog.PipelineSignature, where, State.Name, $"gives the parameter '{parameter.Name}' both a [Default] and a C# default; keep [Default] and `= null`");
            return (null, true);
        }

        var text = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        string? problem = null;
        var json = text is null ? null : ConstantJsonReader.Read(text, parameter.Type, out problem);
        if (json is null)
        {
            State.Report(DiagnosticCatalog.PipelineSignature, where, State.Name, $"has a [Default] for '{parameter.Name}' that is not a {parameter.Type.ToDisplayString()} in JSON ({(text is null ? "no JSON given" : problem)})");
            return (null, true);
        }

        return (json, true);
    }
}
