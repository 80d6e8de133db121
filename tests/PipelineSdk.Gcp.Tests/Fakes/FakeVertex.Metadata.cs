using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace PipelineSdk.Gcp.Tests.Fakes;

// Vertex ML Metadata's contexts (projects.locations.metadataStores.contexts), as strict as the service where PipelineSdk uses
// it: the store is `default`; a context id matches [a-z0-9][a-z0-9-]{0,127}; a create needs schemaTitle (a system schema
// must be one Vertex knows) and refuses an existing id with 409; addContextChildren needs the parent and every child to exist
// in the same project and region, skips children already added, and refuses a cycle. A job's run context (system.PipelineRun)
// exists from the moment it runs and is named in its jobDetail, as Vertex AI does.
internal sealed partial class FakeVertex
{
    private static readonly HashSet<string> SystemSchemas = ["system.Experiment", "system.ExperimentRun", "system.PipelineRun", "system.Pipeline"];

    private readonly ConcurrentDictionary<string, JsonObject> _contexts = new();
    private readonly ConcurrentDictionary<string, List<string>> _children = new();

    /// <summary>The contexts added as children of <paramref name="contextName"/> (a full resource name), in the order added.</summary>
    public IReadOnlyList<string> ChildrenOf(string contextName)
    {
        var children = _children.GetValueOrDefault(contextName) ?? [];
        lock (children)
        {
            return [.. children];
        }
    }

    /// <summary>A context as stored, or null.</summary>
    public JsonObject? Context(string contextName) => _contexts.TryGetValue(contextName, out var found) ? (JsonObject)found.DeepClone() : null;

    /// <summary>Makes a context as someone else would have (e.g. one of another schema under a name an experiment wants).</summary>
    public void PutContext(string project, string location, string id, string schemaTitle)
    {
        var name = ContextName(project, location, "default", id);
        _contexts[name] = new JsonObject { ["name"] = name, ["displayName"] = id, ["schemaTitle"] = schemaTitle, ["schemaVersion"] = "0.0.1" };
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,127}$")]
    private static partial Regex ContextIdPattern();

    private void MapMetadata(WebApplication app)
    {
        const string contexts = "/v1/projects/{project}/locations/{location}/metadataStores/{store}/contexts";
        app.MapGet(contexts + "/{context}", GetContext);
        app.MapPost(contexts, CreateContext);
        app.MapPost(contexts + "/{contextAndVerb}", AddContextChildren);
    }

    /// <summary>Gives a job its run context, as Vertex AI does when the job starts.</summary>
    private void StartRunContext(Job job)
    {
        var parts = job.Name.Split('/');
        var name = $"projects/{parts[1]}/locations/{parts[3]}/metadataStores/default/contexts/{job.Id}";
        _contexts[name] = new JsonObject { ["name"] = name, ["displayName"] = job.Id, ["schemaTitle"] = "system.PipelineRun", ["schemaVersion"] = "0.0.1" };
        job.RunContext = name;
    }

    private IResult GetContext(string project, string location, string store, string context) =>
        _contexts.TryGetValue(ContextName(project, location, store, context), out var found)
            ? Results.Text(found.ToJsonString(), "application/json")
            : Error(404, "NOT_FOUND", $"Context {ContextName(project, location, store, context)} not found.");

    private async Task<IResult> CreateContext(HttpContext http, string project, string location, string store)
    {
        var id = http.Request.Query["contextId"].ToString();
        if (store != "default")
        {
            return Error(404, "NOT_FOUND", $"MetadataStore projects/{project}/locations/{location}/metadataStores/{store} not found.");
        }

        if (!ContextIdPattern().IsMatch(id))
        {
            return Error(400, "INVALID_ARGUMENT", $"Invalid context id: {id}");
        }

        var body = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
        if (body["schemaTitle"]?.GetValue<string>() is not { Length: > 0 } schema)
        {
            return Error(400, "INVALID_ARGUMENT", "schema_title is required.");
        }

        if (schema.StartsWith("system.", StringComparison.Ordinal) && !SystemSchemas.Contains(schema))
        {
            return Error(400, "INVALID_ARGUMENT", $"Unknown system schema: {schema}");
        }

        if (body["name"] is not null)
        {
            return Error(400, "INVALID_ARGUMENT", "name is output only; give the id as contextId.");
        }

        var name = ContextName(project, location, store, id);
        body["name"] = name;
        body["schemaVersion"] ??= "0.0.1";
        if (!_contexts.TryAdd(name, body))
        {
            return Error(409, "ALREADY_EXISTS", $"Context {name} already exists.");
        }

        return Results.Text(body.ToJsonString(), "application/json");
    }

    private async Task<IResult> AddContextChildren(HttpContext http, string project, string location, string store, string contextAndVerb)
    {
        const string verb = ":addContextChildren";
        if (!contextAndVerb.EndsWith(verb, StringComparison.Ordinal))
        {
            return Error(404, "NOT_FOUND", $"No method {contextAndVerb}.");
        }

        var parent = ContextName(project, location, store, contextAndVerb[..^verb.Length]);
        if (!_contexts.ContainsKey(parent))
        {
            return Error(404, "NOT_FOUND", $"Context {parent} not found.");
        }

        var body = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
        if (body.Any(p => p.Key != "childContexts") || body["childContexts"] is not JsonArray children || children.Count == 0)
        {
            return Error(400, "INVALID_ARGUMENT", "The body takes childContexts, a list of context resource names.");
        }

        var added = _children.GetOrAdd(parent, _ => []);
        foreach (var child in children.Select(c => c!.GetValue<string>()))
        {
            if (!_contexts.ContainsKey(child) || !child.StartsWith($"projects/{project}/locations/{location}/", StringComparison.Ordinal))
            {
                return Error(404, "NOT_FOUND", $"Context {child} not found.");
            }

            if (child == parent)
            {
                return Error(400, "INVALID_ARGUMENT", "Adding a context as its own child would create a cycle.");
            }

            lock (added)
            {
                if (!added.Contains(child))
                {
                    added.Add(child);
                }
            }
        }

        return Results.Text("{}", "application/json");
    }

    private static string ContextName(string project, string location, string store, string context) =>
        $"projects/{project}/locations/{location}/metadataStores/{store}/contexts/{context}";
}
