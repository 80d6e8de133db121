using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using PipelineSdk.Stacks;
using PipelineSdk.Store.Remote;

namespace PipelineSdk.Server.Api;

/// <summary>A request the API refuses, with the status code and the one line that says why.</summary>
internal sealed class ApiException(int status, string detail) : Exception(detail)
{
    public int Status { get; } = status;
}

/// <summary>
/// Turns every refusal into RFC 9457 problem details with a one-line <c>detail</c>: the client shows that line as its error.
/// A store's own refusal (no such stack, a name taken, invalid settings) is 404 for a read and 400 for a write.
/// </summary>
internal static class ApiErrors
{
    public static async Task Handle(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (Refusal(context, e) is { } refusal && !context.Response.HasStarted)
        {
            await Write(context, refusal.Status, refusal.Detail).ConfigureAwait(false);
        }
    }

    /// <summary>Writes problem details.</summary>
    public static Task Write(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var problem = new ApiProblem("about:blank", ReasonPhrase(status), status, detail);
        return context.Response.WriteAsync(JsonSerializer.Serialize(problem, RemoteJson.Default.ApiProblem));
    }

    /// <summary>Reads a JSON body; malformed JSON or a missing field is a 400 that names the problem.</summary>
    public static async Task<T> Body<T>(HttpRequest request, JsonTypeInfo<T> type)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, type, request.HttpContext.RequestAborted).ConfigureAwait(false)
                ?? throw new ApiException(StatusCodes.Status400BadRequest, $"the request body is null; send a JSON {Describe(type)}");
        }
        catch (JsonException e)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"the request body is not a valid JSON {Describe(type)} ({e.Message.Split('\n')[0]})");
        }
    }

    /// <summary>A 404 unless <paramref name="value"/> exists.</summary>
    public static T Found<T>(T? value, string what)
        where T : class => value ?? throw new ApiException(StatusCodes.Status404NotFound, $"no {what}");

    private static (int Status, string Detail)? Refusal(HttpContext context, Exception e) => e switch
    {
        ApiException api => (api.Status, api.Message),
        StackException stack => (HttpMethods.IsGet(context.Request.Method) ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, stack.Message),
        BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
            (StatusCodes.Status413PayloadTooLarge, $"the request body is larger than this server accepts ({context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize} bytes)"),
        BadHttpRequestException bad => (bad.StatusCode, bad.Message.Split('\n')[0]),
        _ => null,
    };

    private static string Describe<T>(JsonTypeInfo<T> type) => type.Kind == JsonTypeInfoKind.Object ? $"object ({typeof(T).Name.Replace("Request", "", StringComparison.Ordinal).Replace("Body", "", StringComparison.Ordinal)})" : "value";

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}
