using PipelineSdk.Stacks;
using PipelineSdk.Store;
using PipelineSdk.Store.Remote;

namespace PipelineSdk.Execution;

/// <summary>
/// How a step that runs where no orchestrator of ours watches it (a Vertex AI task's container) records itself while it runs:
/// the orchestrator gives the container the server's URL and the Secret Manager resource that holds the API token (never the
/// token), and the step's command line the run and task names, which the launcher substitutes. Step mode reads them here.
/// </summary>
public static class LiveRecording
{
    /// <summary>Environment variable with the URL of the server the steps record to.</summary>
    public const string ServerUrlVariable = ServerConnection.UrlVariable;

    /// <summary>Environment variable with the API token itself (CI and local use; a container gets <see cref="TokenSecretVariable"/>).</summary>
    public const string TokenVariable = ServerConnection.TokenVariable;

    /// <summary>Environment variable with the resource name of the secret version that holds the token, <c>projects/P/secrets/S/versions/V</c>.</summary>
    public const string TokenSecretVariable = "PIPELINES_SERVER_TOKEN_SECRET";

    /// <summary>Environment variable with the stack the run was submitted on (for the run record of a scheduled run).</summary>
    public const string StackVariable = "PIPELINES_RUN_STACK";

    /// <summary>Environment variable with the orchestrator flavor that submitted the run.</summary>
    public const string OrchestratorVariable = "PIPELINES_RUN_ORCHESTRATOR";

    /// <summary>
    /// Environment variable with the image of the step's container: a part of the cache key the step records, because the
    /// orchestrator's own cache is keyed by it (see <see cref="Caching.CacheKey"/>).
    /// </summary>
    public const string ImageVariable = "PIPELINES_STEP_IMAGE";

    /// <summary>The Kubeflow placeholder for the run's resource name (on Vertex AI <c>projects/…/pipelineJobs/JOB_ID</c>).</summary>
    public const string RunPlaceholder = "{{$.pipeline_job_resource_name}}";

    /// <summary>The Kubeflow placeholder for the task's name (<c>taskInfo.name</c>).</summary>
    public const string TaskPlaceholder = "{{$.pipeline_task_name}}";

    private static Func<string, CancellationToken, Task<string>>? s_tokenReader;

    /// <summary>
    /// Registers how to read the token from a secret's resource name (PipelineSdk.Gcp registers Secret Manager). The reader
    /// returns the secret's text, or throws <see cref="StackException"/> saying why it could not.
    /// </summary>
    public static void RegisterTokenReader(Func<string, CancellationToken, Task<string>> reader) => s_tokenReader = reader;

    /// <summary>The Kubeflow placeholder for the task's id (on Vertex AI its execution's id), which tells a loop's iterations apart.</summary>
    public const string TaskIdPlaceholder = "{{$.pipeline_task_uuid}}";

    /// <summary>The step's command-line arguments that name its run and task, as the launcher fills them in.</summary>
    public static IReadOnlyList<string> StepArguments { get; } = ["--run", RunPlaceholder, "--task", TaskPlaceholder, "--task-id", TaskIdPlaceholder];

    /// <summary>
    /// The run id in a run's resource name: its last path segment (a Vertex AI job id), or null when the launcher left the
    /// placeholder as it was (a launcher that does not know it) or gave nothing.
    /// </summary>
    public static string? RunIdOf(string? runResourceName)
    {
        if (string.IsNullOrWhiteSpace(runResourceName) || runResourceName.Contains("{{", StringComparison.Ordinal))
        {
            return null;
        }

        return runResourceName.TrimEnd('/').Split('/')[^1];
    }

    /// <summary>
    /// Opens the store this step records to: the server of <see cref="ServerUrlVariable"/> with the token read from
    /// <see cref="TokenSecretVariable"/> (or given in <see cref="TokenVariable"/>), else the store the environment names
    /// (<c>PIPELINES_HOME</c>, or the nearest <c>.pipelines</c> folder).
    /// </summary>
    /// <exception cref="StackException">The token cannot be read or the store cannot be opened; the message says why.</exception>
    public static async Task<MetadataStore> OpenStoreAsync(CancellationToken cancellationToken)
    {
        var directory = StoreLocation.Resolve();
        if (Environment.GetEnvironmentVariable(ServerUrlVariable) is not { Length: > 0 } url)
        {
            return MetadataStore.Open(directory);
        }

        var token = Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } given ? given : await ReadTokenAsync(cancellationToken).ConfigureAwait(false);
        return OpenServer(directory, url, token);
    }

    private static async Task<string> ReadTokenAsync(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(TokenSecretVariable) is not { Length: > 0 } secret)
        {
            throw new StackException($"{ServerUrlVariable} is set but neither {TokenSecretVariable} nor {TokenVariable} is");
        }

        var reader = s_tokenReader
            ?? throw new StackException($"the token secret {secret} cannot be read: this program does not reference PipelineSdk.Gcp");
        var token = (await reader(secret, cancellationToken).ConfigureAwait(false)).Trim();
        return token.Length > 0 ? token : throw new StackException($"the token secret {secret} is empty");
    }

    // Straight to the server with the token read here: it never goes into this process's environment, where the step's
    // own child processes would inherit it.
    private static ServerStore OpenServer(string directory, string url, string token) =>
        new(directory, new ServerConnection(ServerConnection.CheckUrl(url), token));
}
