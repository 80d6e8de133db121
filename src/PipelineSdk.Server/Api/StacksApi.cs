using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Server.Security;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using PipelineSdk.Store.Remote;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>/api/v1/stacks</c>, <c>/api/v1/components/{type}</c> and <c>/api/v1/secret-references</c>: what a team runs on. Component
/// settings travel as written, so a <c>{{secret.name.key}}</c> stays a reference; secret values never reach the server.
/// </summary>
internal static class StacksApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var stacks = app.MapGroup("/api/v1/stacks");
        stacks.MapGet("/", (MetadataStore store) => TypedResults.Json(store.ListStacks().Select(StackBody.From).ToList(), RemoteJson.Default.ListStackBody));
        stacks.MapGet("/{name}", (string name, MetadataStore store) => TypedResults.Json(StackBody.From(store.GetStack(name)), RemoteJson.Default.StackBody));
        stacks.MapPost("/", async (HttpRequest request, MetadataStore store) =>
        {
            var body = await ApiErrors.Body(request, RemoteJson.Default.RegisterStackRequest).ConfigureAwait(false);
            var stack = store.RegisterStack(body.Name, body.Components.ToDictionary(c => Type(c.Key), c => c.Value));
            return TypedResults.Json(StackBody.From(stack), RemoteJson.Default.StackBody, statusCode: StatusCodes.Status201Created);
        });
        stacks.MapPatch("/{name}", async (string name, HttpRequest request, MetadataStore store) =>
        {
            var body = await ApiErrors.Body(request, RemoteJson.Default.UpdateStackRequest).ConfigureAwait(false);
            var stack = store.UpdateStack(name, body.Changes.ToDictionary(c => Type(c.Key), c => c.Value));
            return TypedResults.Json(StackBody.From(stack), RemoteJson.Default.StackBody);
        });
        stacks.MapDelete("/{name}", (string name, MetadataStore store) =>
        {
            Existing(store, name);
            store.DeleteStack(name);
            return TypedResults.NoContent();
        }).RequireRole(TokenRole.Admin, "deleting a stack");

        var components = app.MapGroup("/api/v1/components/{type}");
        components.MapGet("/", (string type, MetadataStore store) =>
            TypedResults.Json(store.ListComponents(Type(type)).Select(ComponentBody.From).ToList(), RemoteJson.Default.ListComponentBody));
        components.MapGet("/{name}", (string type, string name, MetadataStore store) =>
            TypedResults.Json(ComponentBody.From(store.GetComponent(Type(type), name)), RemoteJson.Default.ComponentBody));
        components.MapPost("/", async (string type, HttpRequest request, MetadataStore store) =>
        {
            var component = await Component(type, request).ConfigureAwait(false);
            store.RegisterComponent(component);
            return TypedResults.Json(ComponentBody.From(component), RemoteJson.Default.ComponentBody, statusCode: StatusCodes.Status201Created);
        });
        components.MapPut("/{name}", async (string type, string name, HttpRequest request, MetadataStore store) =>
        {
            var component = await Component(type, request).ConfigureAwait(false);
            if (component.Name != name)
            {
                throw new ApiException(StatusCodes.Status400BadRequest, $"the body names component '{component.Name}' but the path '{name}'");
            }

            ExistingComponent(store, component.Type, name);
            store.UpdateComponent(component);
            return TypedResults.Json(ComponentBody.From(component), RemoteJson.Default.ComponentBody);
        });
        components.MapDelete("/{name}", (string type, string name, MetadataStore store) =>
        {
            ExistingComponent(store, Type(type), name);
            store.DeleteComponent(Type(type), name);
            return TypedResults.NoContent();
        }).RequireRole(TokenRole.Admin, "deleting a component");

        app.MapGet("/api/v1/secret-references", (MetadataStore store) => TypedResults.Json(
            [.. ComponentTypeNames.All.SelectMany(type => store.ListComponents(type)).SelectMany(References)],
            RemoteJson.Default.ListSecretReferenceBody));
    }

    private static IEnumerable<SecretReferenceBody> References(Component component) =>
        component.Settings
            .Select(s => (Setting: s.Key, Reference: SecretReference.Parse(s.Value)))
            .Where(s => s.Reference is not null)
            .OrderBy(s => s.Setting, StringComparer.Ordinal)
            .Select(s => new SecretReferenceBody(s.Reference!.Value.Secret, s.Reference.Value.Key, component.Type.CommandName(), component.Name, s.Setting));

    private static async Task<Component> Component(string type, HttpRequest request)
    {
        var body = await ApiErrors.Body(request, RemoteJson.Default.ComponentBody).ConfigureAwait(false);
        if (body.Type != type)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"the body is a {body.Type} but the path says {type}");
        }

        return new Component(Type(type), body.Name, body.Flavor, body.Settings);
    }

    // An unknown stack or component is a 404 for every method, not only reads.
    private static void Existing(MetadataStore store, string name)
    {
        try
        {
            store.GetStack(name);
        }
        catch (StackException e)
        {
            throw new ApiException(StatusCodes.Status404NotFound, e.Message);
        }
    }

    private static void ExistingComponent(MetadataStore store, ComponentType type, string name)
    {
        try
        {
            store.GetComponent(type, name);
        }
        catch (StackException e)
        {
            throw new ApiException(StatusCodes.Status404NotFound, e.Message);
        }
    }

    private static ComponentType Type(string name) => ComponentTypeNames.Parse(name)
        ?? throw new ApiException(StatusCodes.Status404NotFound, $"no component type '{name}'; use one of {string.Join(", ", ComponentTypeNames.All.Select(t => t.CommandName()))}");
}
