using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// Values written out in the body — lists, dictionaries, records and anonymous objects of constants — as the JSON the
/// KFP compiler writes for them (<c>runtimeValue.constant</c>, <c>items.raw</c>), list and dictionary defaults of
/// pipeline parameters (<c>[Default("...")]</c>), and the fields of loop items (<c>parameterExpressionSelector</c>).
/// </summary>
internal sealed partial class PipelineParser
{
    /// <summary>The item of a loop over constant records or anonymous objects: a JSON object the steps read field by field.</summary>
    private static readonly ValueTypeModel StructItem = new("global::System.Text.Json.JsonElement", "STRUCT", IsArtifact: false, new BuiltInCodec(IsArtifact: false, "Struct"));

    /// <summary>Loop variables whose items are constant records or anonymous objects (only their fields can be passed on).</summary>
    private readonly HashSet<ISymbol> _structItems = new(SymbolEqualityComparer.Default);

    /// <summary>How many calls of steps or pipelines the body has, usable or not (a block with one does call a step).</summary>
    private int _stepCallsSeen;

    /// <summary>
    /// A list, dictionary, record or anonymous object of constants written as a step argument: <c>runtimeValue.constant</c>.
    /// False when the argument is no such creation; true with a null model when it is one with a problem (reported).
    /// </summary>
    private bool TryConstantCollectionArgument(IMethodSymbol step, IParameterSymbol parameter, IArgumentOperation argument, out ArgumentModel? model)
    {
        model = null;
        var value = Unwrap(argument.Value);
        if (!IsCreation(value))
        {
            return false;
        }

        var type = TypeMapper.Map(parameter.Type, _model.Compilation);
        if (type is null || type.IsArtifact || type.KfpType is not ("LIST" or "STRUCT"))
        {
            // Records and classes pass between steps as artifacts, which only a step can produce.
            ReportArgument(step, parameter, argument, $"an object created in the pipeline body; a {parameter.Type.ToDisplayString()} passes between steps as an artifact, so produce it in a step");
            return true;
        }

        if (ConstantJson(argument.Value, out var problem) is not { } json)
        {
            ReportArgument(step, parameter, argument, problem!);
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
    private string? ConstantJson(IOperation operation, out string? problem)
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

        var value = Unwrap(operation);
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
                problem = value is null ? "an expression the pipeline graph cannot represent" : DescribeValue(value) + " inside a collection; write constants only";
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
        var mapped = creation.Type is null ? null : TypeMapper.Map(creation.Type, _model.Compilation);
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
    /// The type of a loop's item: its parameter type, or for a loop over constant records or anonymous objects a JSON
    /// object (STRUCT) whose fields the body passes on.
    /// </summary>
    private ValueTypeModel? LoopItemType(ILocalSymbol item, ArgumentModel? items)
    {
        var mapped = TypeMapper.Map(item.Type, _model.Compilation);
        if (items is { Source: ArgumentSource.Constant } && (item.Type.IsAnonymousType || mapped is null || mapped.IsArtifact)
            && item.Type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct })
        {
            _structItems.Add(item);
            return StructItem;
        }

        // `var` makes a loop variable nullable; an artifact codec's type argument must not be.
        return mapped is { IsArtifact: true } ? TypeMapper.Map(item.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated), _model.Compilation) : mapped;
    }

    /// <summary>
    /// A field of a loop item as a step argument — <c>row.A</c> of a record or anonymous item, <c>row["a"]</c> of a
    /// dictionary item — or the whole item of a record loop (an error: only fields can be passed). False when the value
    /// is neither.
    /// </summary>
    private bool TryLoopItemField(IMethodSymbol step, IParameterSymbol parameter, IArgumentOperation argument, IOperation value, out ArgumentModel? model)
    {
        model = null;
        if (value is ILocalReferenceOperation whole && _structItems.Contains(whole.Local))
        {
            var first = whole.Local.Type.GetMembers().OfType<IPropertySymbol>().FirstOrDefault(p => !p.IsStatic && !p.IsIndexer && p.Name != "EqualityContract");
            ReportArgument(step, parameter, argument, $"the whole item '{whole.Local.Name}' of a loop over objects written in the body; pass its fields, like {whole.Local.Name}.{first?.Name ?? "Field"}");
            return true;
        }

        if (value is not IPropertyReferenceOperation { Instance: ILocalReferenceOperation owner } property || !_loopItems.TryGetValue(owner.Local, out var loop))
        {
            return false;
        }

        string? field = null;
        if (_structItems.Contains(owner.Local) && !property.Property.IsIndexer)
        {
            field = property.Property.Name;
        }
        else if (property.Property.IsIndexer && _scopes[loop].Loop?.ItemType.KfpType == "STRUCT")
        {
            if (property.Arguments.Length != 1 || property.Arguments[0].Value.ConstantValue is not { HasValue: true, Value: string key })
            {
                ReportArgument(step, parameter, argument, $"a field of the loop item '{owner.Local.Name}' with a key that is not a constant string");
                return true;
            }

            field = key;
        }

        if (field is null)
        {
            return false;
        }

        // The item's JSON holds only what the body wrote, so a field one item leaves unset has no value at run time.
        if (_scopes[loop].Loop?.Items is { Source: ArgumentSource.Constant, ConstantJson: { } itemsJson }
            && ItemsMissingKey(itemsJson, field) is { } missing)
        {
            ReportArgument(step, parameter, argument, $"the field '{field}' of the loop item '{owner.Local.Name}', which item {missing + 1} of the list does not set; set {field} in every item");
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

    /// <summary>
    /// The default of a list or dictionary parameter from <c>[Default("json")]</c>, checked against the type and written
    /// canonically; or the error for a list or dictionary parameter whose C# default is null without one. Null when
    /// neither applies (the C# default, if any, is the default); a result with a null default when an error was reported.
    /// </summary>
    private (string? Json, bool Handled)? CollectionDefault(IParameterSymbol parameter, ParameterSyntax syntax, ValueTypeModel type)
    {
        var attribute = parameter.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeReader.Default);
        var isCollection = type.KfpType is "LIST" or "STRUCT";
        if (attribute is null)
        {
            if (isCollection && parameter.HasExplicitDefaultValue && parameter.ExplicitDefaultValue is null)
            {
                Report(DiagnosticCatalog.PipelineSignature, (syntax.Default?.Value ?? (SyntaxNode)syntax).GetLocation(), _name,
                    $"gives the {(type.KfpType == "LIST" ? "list" : "dictionary")} parameter '{parameter.Name}' the default null, which a Kubeflow parameter cannot have; give the default as JSON with [Default(\"{(type.KfpType == "LIST" ? "[]" : "{}")}\")] or remove '= null' to make it required");
                return (null, true);
            }

            return null;
        }

        var where = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation() ?? syntax.GetLocation();
        if (!isCollection)
        {
            Report(DiagnosticCatalog.PipelineSignature, where, _name, $"gives the parameter '{parameter.Name}' a [Default], which is for list and dictionary parameters; write the default in the signature (`= ...`)");
            return (null, true);
        }

        if (parameter.HasExplicitDefaultValue && parameter.ExplicitDefaultValue is not null)
        {
            Report(DiagnosticCatalog.PipelineSignature, where, _name, $"gives the parameter '{parameter.Name}' both a [Default] and a C# default; keep [Default] and `= null`");
            return (null, true);
        }

        var text = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        string? problem = null;
        var json = text is null ? null : ConstantJsonReader.Read(text, parameter.Type, out problem);
        if (json is null)
        {
            Report(DiagnosticCatalog.PipelineSignature, where, _name, $"has a [Default] for '{parameter.Name}' that is not a {parameter.Type.ToDisplayString()} in JSON ({(text is null ? "no JSON given" : problem)})");
            return (null, true);
        }

        return (json, true);
    }

    /// <summary>Whether the operation reads a local whose value was already reported as unusable (its uses say nothing more).</summary>
    private bool MentionsRejected(IOperation? operation) =>
        operation is not null && operation.DescendantsAndSelf().Any(o => o is ILocalReferenceOperation local && _rejectedLocals.Contains(local.Local));

    /// <summary>The locals of a deconstruction whose call was unusable: their uses say nothing more.</summary>
    private void RejectDeconstructed(ExpressionSyntax left)
    {
        foreach (var designation in left.DescendantNodesAndSelf().OfType<SingleVariableDesignationSyntax>())
        {
            if (_model.GetDeclaredSymbol(designation, _cancellationToken) is { } local)
            {
                _rejectedLocals.Add(local);
            }
        }
    }
}
