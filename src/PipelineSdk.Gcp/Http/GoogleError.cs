using System.Text.Json;

namespace PipelineSdk.Gcp.Http;

/// <summary>Reads the message out of Google's JSON error shape.</summary>
internal static class GoogleError
{
    public static async Task<string> MessageAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        try
        {
            using var body = JsonDocument.Parse(text);
            return body.RootElement.GetProperty("error").GetProperty("message").GetString() ?? text;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return text.Length > 200 ? text[..200] : text;
        }
    }
}
