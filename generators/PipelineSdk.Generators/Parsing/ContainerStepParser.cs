using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// Reads a <c>[ContainerStep]</c>: its image, and its command, args and local command with PipelineSdk's placeholders
/// (<c>{{x}}</c>, <c>{{x.path}}</c>, <c>{{x.uri}}</c>, <c>{{x.file}}</c>, sections <c>{{#x}}</c> … <c>{{^x}}</c> … <c>{{/x}}</c>)
/// turned into Kubeflow's, checked against the step's inputs and outputs; each mistake is reported at the string that has it.
/// </summary>
internal static class ContainerStepParser
{
    private static readonly Regex PlaceholderPattern = new(@"^([A-Za-z_][A-Za-z0-9_]*)(?:\.(path|uri|file))?$", RegexOptions.CultureInvariant);
    private static readonly Regex SectionPattern = new(@"^\{\{([#^/])([A-Za-z_][A-Za-z0-9_]*)\}\}$", RegexOptions.CultureInvariant);

    public static bool IsContainerStep(IMethodSymbol method) =>
        AttributeReader.Has(method, AttributeReader.ContainerStep);

    /// <summary>The container of <paramref name="method"/>, or null when it has problems (each added to <paramref name="diagnostics"/>).</summary>
    public static ContainerModel? Parse(IMethodSymbol method, MethodDeclarationSyntax declaration, string name, IReadOnlyList<StepParameterModel> inputs, IReadOnlyList<PortModel> outputs, AsyncShape asyncShape, List<DiagnosticInfo> diagnostics)
    {
        var attribute = method.GetAttributes().First(a => a.AttributeClass?.ToDisplayString() == AttributeReader.ContainerStep);
        var errors = diagnostics.Count;
        void Declaration(Location location, string problem) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidContainerStep, location, name, problem));

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword) || declaration.Body is not null || declaration.ExpressionBody is not null)
        {
            Declaration(declaration.Identifier.GetLocation(), "must be declared 'static partial' without a body, like 'public static partial Model Train(int epochs);': PipelineSdk writes the body");
        }

        if (StepParser.HasStepAttribute(method))
        {
            Declaration(AttributeReader.AttributeLocation(method, declaration), "has both [Step] and [ContainerStep]; keep [ContainerStep], which takes EnableCache, Name and DisplayName too");
        }

        if (asyncShape != AsyncShape.None)
        {
            Declaration(declaration.ReturnType.GetLocation(), "returns a Task; its outputs are what its command writes, so declare their types without Task or ValueTask");
        }

        if (inputs.FirstOrDefault(p => p.IsCancellationToken) is { } token)
        {
            Declaration(declaration.ParameterList.Parameters.First(p => p.Identifier.ValueText == token.Name).GetLocation(), "takes a CancellationToken; its process is stopped when the run is cancelled, so remove the parameter");
        }

        if (inputs.FirstOrDefault(p => p.Type is { IsArtifactList: true }) is { } list)
        {
            Declaration(declaration.ParameterList.Parameters.First(p => p.Identifier.ValueText == list.Name).GetLocation(), $"takes the list of artifacts '{list.Name}', which a command line cannot name; take one artifact per input");
        }

        var image = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string : null;
        SettingsParser.ValidateImage(image ?? "", problem => Declaration(SettingsParser.ArgumentLocation(attribute, declaration, "image"), $"has an image that {problem}; write an image reference such as \"python:3.11\""));
        var command = attribute.ConstructorArguments.Length > 1 ? Strings(attribute.ConstructorArguments[1]) : new List<string?>();
        if (command.Count == 0)
        {
            Declaration(AttributeSyntaxOf(attribute, declaration)?.GetLocation() ?? declaration.Identifier.GetLocation(), "has no command; write the executable and its first arguments after the image, e.g. [ContainerStep(\"python:3.11\", \"python\", \"/app/train.py\")]");
        }

        var ports = new Ports(method, inputs, outputs);
        var syntax = AttributeSyntaxOf(attribute, declaration);
        var positional = syntax?.ArgumentList?.Arguments.Where(a => a.NameEquals is null && a.NameColon is null).Skip(1).Select(a => (SyntaxNode)a.Expression).ToList();
        var commandSyntax = positional is { Count: 1 } && command.Count != 1 ? Elements(positional[0]) : positional;
        var convertedCommand = Convert(command, commandSyntax, "command", ports, name, declaration, diagnostics);
        var args = Named(attribute, "Args") is { } argsValue ? Strings(argsValue) : new List<string?>();
        var convertedArgs = Convert(args, Elements(NamedSyntax(syntax, "Args")), "Args", ports, name, declaration, diagnostics);
        var local = Named(attribute, "LocalCommand") is { IsNull: false } localValue ? Strings(localValue) : null;
        if (local is { Count: 0 })
        {
            Declaration(NamedSyntax(syntax, "LocalCommand")?.Parent?.GetLocation() ?? declaration.Identifier.GetLocation(), "has an empty LocalCommand; write the command to run on this machine (e.g. [\"python3\", \"train.py\"]) or remove LocalCommand");
        }

        var convertedLocal = local is null ? new List<string>() : Convert(local, Elements(NamedSyntax(syntax, "LocalCommand")), "LocalCommand", ports, name, declaration, diagnostics);
        var runsLocally = Named(attribute, "RunsLocally") is { Value: true };
        if (runsLocally && local is not null)
        {
            Declaration(NamedSyntax(syntax, "RunsLocally")?.Parent?.GetLocation() ?? declaration.Identifier.GetLocation(), "has both RunsLocally and LocalCommand; keep LocalCommand to run another command on this machine, or RunsLocally to run the command as written");
        }
        else if (runsLocally)
        {
            convertedLocal = convertedCommand;
        }

        if (diagnostics.Count > errors)
        {
            return null;
        }

        return new ContainerModel(image!, convertedCommand.ToEquatableArray(), convertedArgs.ToEquatableArray(), convertedLocal.ToEquatableArray(), local is not null || runsLocally)
        {
            OptionalInputs = ports.Optional.ToEquatableArray(),
        };
    }

    /// <summary>The elements of one list, placeholders in Kubeflow's form and sections as <c>IfPresent</c> elements.</summary>
    private static List<string> Convert(List<string?> elements, IReadOnlyList<SyntaxNode>? syntax, string list, Ports ports, string step, MethodDeclarationSyntax declaration, List<DiagnosticInfo> diagnostics)
    {
        Location LocationOf(int index) =>
            syntax is not null && index < syntax.Count && syntax.Count == elements.Count ? syntax[index].GetLocation() : declaration.Identifier.GetLocation();
        void Report(int index, string problem) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidContainerPlaceholder, LocationOf(index), list, step, problem));

        var result = new List<string>();
        // Open sections: the input, whether the else part has begun, and the then and else elements so far.
        var open = new Stack<Section>();
        for (var i = 0; i < elements.Count; i++)
        {
            var element = elements[i];
            if (element is null)
            {
                Report(i, "has a null element; write a string");
                continue;
            }

            var target = open.Count == 0 ? result : open.Peek().Current;
            var section = SectionPattern.Match(element);
            if (!section.Success)
            {
                if (ConvertElement(element, ports, problem => Report(i, $"'{element}' {problem}")) is { } converted)
                {
                    target.Add(converted);
                }

                continue;
            }

            var input = section.Groups[2].Value;
            switch (section.Groups[1].Value)
            {
                case "#":
                    if (ports.OptionalProblem(input) is { } problem)
                    {
                        Report(i, $"'{element}' {problem}");
                    }

                    open.Push(new Section(input, i));
                    break;
                case "^":
                    if (open.Count == 0 || open.Peek().Input != input || open.Peek().InElse)
                    {
                        Report(i, $"'{element}' starts the part used when '{input}' has no value, but no '{{{{#{input}}}}}' before it is open; write '{{{{#{input}}}}}', the elements, then '{element}'");
                        break;
                    }

                    open.Peek().InElse = true;
                    break;
                default:
                    if (open.Count == 0 || open.Peek().Input != input)
                    {
                        Report(i, open.Count == 0
                            ? $"'{element}' closes a section that is not open; start it with '{{{{#{input}}}}}'"
                            : $"'{element}' closes '{input}' while '{{{{#{open.Peek().Input}}}}}' is open; close '{open.Peek().Input}' first");
                        break;
                    }

                    var done = open.Pop();
                    (open.Count == 0 ? result : open.Peek().Current).Add(done.ToIfPresent());
                    break;
            }
        }

        foreach (var unclosed in open)
        {
            Report(unclosed.Start, $"'{{{{#{unclosed.Input}}}}}' is never closed; end the section with '{{{{/{unclosed.Input}}}}}'");
        }

        return result;
    }

    /// <summary>One element with its placeholders replaced by Kubeflow's, or null (reported) when one is wrong.</summary>
    private static string? ConvertElement(string element, Ports ports, System.Action<string> report)
    {
        var text = new StringBuilder();
        var position = 0;
        while (true)
        {
            var start = element.IndexOf("{{", position, System.StringComparison.Ordinal);
            if (start < 0)
            {
                return text.Append(element, position, element.Length - position).ToString();
            }

            var end = element.IndexOf("}}", start + 2, System.StringComparison.Ordinal);
            if (end < 0)
            {
                report("opens a placeholder with '{{' and never closes it with '}}'");
                return null;
            }

            text.Append(element, position, start - position);
            var content = element.Substring(start + 2, end - start - 2);
            var match = PlaceholderPattern.Match(content);
            string? problem = null;
            var resolved = match.Success ? ports.Resolve(match.Groups[1].Value, match.Groups[2].Value, out problem) : null;
            if (resolved is null)
            {
                report(match.Success ? problem! : content.StartsWith("$", System.StringComparison.Ordinal)
                    ? $"uses Kubeflow's placeholder '{{{{{content}}}}}'; write {{{{x}}}}, {{{{x.path}}}}, {{{{x.uri}}}} or {{{{x.file}}}} with the name of an input or output, which PipelineSdk checks"
                    : $"has '{{{{{content}}}}}', which is not a placeholder; write {{{{x}}}} (an input's value), {{{{x.path}}}} or {{{{x.uri}}}} (an artifact) or {{{{x.file}}}} (an output parameter's file)");
                return null;
            }

            text.Append(resolved);
            position = end + 2;
        }
    }

    private static List<string?> Strings(TypedConstant constant) =>
        constant.Kind == TypedConstantKind.Array && !constant.IsNull ? constant.Values.Select(v => v.Value as string).ToList() : new List<string?>();

    private static TypedConstant? Named(AttributeData attribute, string property)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == property)
            {
                return argument.Value;
            }
        }

        return null;
    }

    private static AttributeSyntax? AttributeSyntaxOf(AttributeData attribute, MethodDeclarationSyntax declaration) =>
        attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax syntax && syntax.SyntaxTree == declaration.SyntaxTree ? syntax : null;

    private static ExpressionSyntax? NamedSyntax(AttributeSyntax? syntax, string property) =>
        syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == property)?.Expression;

    /// <summary>The element expressions of an array written in an attribute (<c>new[] { ... }</c>, <c>new string[] { ... }</c>, <c>[...]</c>).</summary>
    private static IReadOnlyList<SyntaxNode>? Elements(SyntaxNode? array) => array switch
    {
        ArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions.ToList(),
        ImplicitArrayCreationExpressionSyntax creation => creation.Initializer.Expressions.ToList(),
        CollectionExpressionSyntax collection => collection.Elements.Select(e => (SyntaxNode)e).ToList(),
        _ => null,
    };

    /// <summary>An open <c>{{#x}}</c> section.</summary>
    private sealed class Section(string input, int start)
    {
        public string Input { get; } = input;

        public int Start { get; } = start;

        public bool InElse { get; set; }

        public List<string> Then { get; } = new();

        public List<string> Else { get; } = new();

        public List<string> Current => InElse ? Else : Then;

        /// <summary>The section as Kubeflow's compiler writes an IfPresent placeholder (Python's JSON separators).</summary>
        public string ToIfPresent()
        {
            var json = new StringBuilder("{\"IfPresent\": {\"InputName\": ").Append(Quote(Input)).Append(", \"Then\": ").Append(List(Then));
            if (InElse)
            {
                json.Append(", \"Else\": ").Append(List(Else));
            }

            return json.Append("}}").ToString();
        }

        private static string List(List<string> items) => "[" + string.Join(", ", items.Select(Quote)) + "]";
    }

    /// <summary>A JSON string as Python's <c>json.dumps</c> writes it (what the KFP compiler uses): only quotes, backslashes and control characters escaped.</summary>
    private static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ when c < ' ' || c > '~' => builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }

    /// <summary>The step's inputs and outputs, by the names placeholders use.</summary>
    private sealed class Ports
    {
        private readonly Dictionary<string, ValueTypeModel> _inputs = new();
        private readonly Dictionary<string, ValueTypeModel> _outputs = new();
        private readonly Dictionary<string, OptionalInputModel> _optional = new();

        public Ports(IMethodSymbol method, IReadOnlyList<StepParameterModel> inputs, IReadOnlyList<PortModel> outputs)
        {
            foreach (var input in inputs.Where(p => p.Type is not null))
            {
                _inputs[input.Name] = input.Type!;
            }

            foreach (var output in outputs)
            {
                _outputs[output.Name] = output.Type;
            }

            foreach (var parameter in method.Parameters.Where(p => p.HasExplicitDefaultValue && _inputs.ContainsKey(p.Name) && !_inputs[p.Name].IsArtifact))
            {
                _optional[parameter.Name] = new OptionalInputModel(parameter.Name, parameter.ExplicitDefaultValue is null ? null : JsonLiteral.From(parameter.ExplicitDefaultValue));
            }
        }

        public IEnumerable<OptionalInputModel> Optional => _optional.Values.OrderBy(o => o.Name, System.StringComparer.Ordinal);

        /// <summary>Why <paramref name="name"/> cannot start a section, or null.</summary>
        public string? OptionalProblem(string name) =>
            _optional.ContainsKey(name) ? null
            : _inputs.TryGetValue(name, out var input) && input.IsArtifact ? $"makes elements depend on the artifact '{name}'; only parameters can be optional inputs of a container step"
            : _inputs.ContainsKey(name) ? $"makes elements depend on '{name}', which always has a value; give the parameter a default (e.g. '= null') to make it optional"
            : $"names no input of the step; {Names()}";

        /// <summary>Kubeflow's placeholder for <paramref name="name"/> with <paramref name="member"/> (empty, path, uri or file), or null with the problem.</summary>
        public string? Resolve(string name, string member, out string? problem)
        {
            problem = null;
            var isInput = _inputs.TryGetValue(name, out var input);
            var isOutput = _outputs.TryGetValue(name, out var output);
            if (isInput && isOutput && member is "path" or "uri")
            {
                problem = $"is ambiguous: '{name}' is both an input and an output; rename one";
                return null;
            }

            switch (member)
            {
                case "" when isInput && !input!.IsArtifact:
                    return $"{{{{$.inputs.parameters['{name}']}}}}";
                case "" when isInput:
                    problem = $"names the artifact input '{name}'; write {{{{{name}.path}}}} for its local path or {{{{{name}.uri}}}} for its URI";
                    return null;
                case "path" or "uri" when isInput && input!.IsArtifact:
                    return $"{{{{$.inputs.artifacts['{name}'].{member}}}}}";
                case "path" or "uri" when isOutput && output!.IsArtifact:
                    return $"{{{{$.outputs.artifacts['{name}'].{member}}}}}";
                case "file" when isOutput && !output!.IsArtifact:
                    return $"{{{{$.outputs.parameters['{name}'].output_file}}}}";
                case "path" or "uri" when isInput || isOutput:
                    problem = $"asks for the {member} of the parameter '{name}'; " + (isInput ? $"write {{{{{name}}}}} for its value" : $"write {{{{{name}.file}}}} for the file the command writes it to");
                    return null;
                case "file" when isOutput:
                    problem = $"asks for the file of the artifact output '{name}'; write {{{{{name}.path}}}} for where the command writes it";
                    return null;
                case "file" when isInput:
                    problem = $"asks for the file of the input '{name}'; .file is for output parameters; write {{{{{name}}}}} for an input's value";
                    return null;
                case "" when isOutput:
                    problem = $"names the output '{name}'; write {{{{{name}.{(output!.IsArtifact ? "path" : "file")}}}}} for where the command writes it";
                    return null;
                default:
                    problem = $"names no input or output of the step; {Names()}";
                    return null;
            }
        }

        private string Names()
        {
            string List(IEnumerable<string> names) => names.Any() ? string.Join(", ", names) : "none";
            return $"its inputs: {List(_inputs.Keys)}; its outputs: {List(_outputs.Keys)}";
        }
    }
}
