using System.Net.Http.Headers;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;

namespace PipelineSdk.Gcp.Auth;

/// <summary>
/// Lets Google's client libraries authenticate through <see cref="GoogleAuth"/>: every request gets its
/// bearer token, so credentials are looked up on the first request and their errors are ours (one line).
/// </summary>
internal sealed class GoogleAuthCredential(GoogleAuth auth) : ICredential, IHttpExecuteInterceptor
{
    public void Initialize(ConfigurableHttpClient httpClient) => httpClient.MessageHandler.AddExecuteInterceptor(this);

    public Task<string> GetAccessTokenForRequestAsync(string? authUri = null, CancellationToken cancellationToken = default) =>
        auth.GetAccessTokenAsync(cancellationToken);

    public async Task InterceptAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await auth.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false));
}
