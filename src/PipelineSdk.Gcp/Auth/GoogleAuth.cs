using Google.Apis.Auth.OAuth2;
using PipelineSdk.Stacks;

namespace PipelineSdk.Gcp.Auth;

/// <summary>
/// Access tokens from Application Default Credentials: <c>GOOGLE_APPLICATION_CREDENTIALS</c>, gcloud's
/// application-default login, or the metadata server — with the cloud-platform scope.
/// </summary>
public sealed class GoogleAuth
{
    /// <summary>The OAuth scope every Google Cloud API accepts.</summary>
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    private readonly Lazy<Task<ITokenAccess>> _credential;

    /// <summary>Uses Application Default Credentials, found on first use (registering components needs none).</summary>
    public GoogleAuth()
        : this(LoadDefaultAsync)
    {
    }

    /// <summary>Uses the given credential source.</summary>
    public GoogleAuth(Func<Task<ITokenAccess>> credential) => _credential = new Lazy<Task<ITokenAccess>>(credential);

    /// <summary>A bearer token for a request.</summary>
    /// <exception cref="StackException">No credentials could be found or they were refused; the message says what to do.</exception>
    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        try
        {
            var credential = await _credential.Value.ConfigureAwait(false);
            return await credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or Google.Apis.Auth.OAuth2.Responses.TokenResponseException or HttpRequestException or IOException)
        {
            throw new StackException($"no usable Google credentials ({FirstLine(e.Message)}); run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file");
        }
    }

    private static async Task<ITokenAccess> LoadDefaultAsync() =>
        (await GoogleCredential.GetApplicationDefaultAsync().ConfigureAwait(false)).CreateScoped(CloudPlatformScope);

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
