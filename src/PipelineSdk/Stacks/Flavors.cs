using System.Text.RegularExpressions;

namespace PipelineSdk.Stacks;

/// <summary>The kind of value a setting holds.</summary>
public enum SettingKind
{
    /// <summary>Text.</summary>
    String,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary><c>key=value</c> pairs separated by commas.</summary>
    Map,
}

/// <summary>One setting of a flavor: its name (as typed after <c>--</c>), kind, whether it is required, default and check.</summary>
/// <param name="Name">The setting's name, e.g. <c>workload_service_account</c>.</param>
/// <param name="Kind">The kind of value.</param>
/// <param name="Required">Whether registering needs it.</param>
/// <param name="Default">The value used when it is not given.</param>
/// <param name="Description">What it is, for <c>--help</c>.</param>
/// <param name="Check">Returns why a value is wrong, or null when it is fine.</param>
public sealed record SettingDefinition(string Name, SettingKind Kind, bool Required, string? Default, string Description, Func<string, string?>? Check = null)
{
    /// <summary>Why <paramref name="value"/> is not acceptable, or null. A <c>{{secret.name.key}}</c> reference is always accepted: it resolves at run time.</summary>
    public string? Validate(string value)
    {
        if (SecretReference.IsReference(value))
        {
            return null;
        }

        return Kind switch
        {
            SettingKind.Boolean when value is not ("true" or "false") => "must be true or false",
            SettingKind.Map when Flavors.ParseMap(value) is null => "must be key=value pairs separated by commas",
            _ => Check?.Invoke(value),
        };
    }
}

/// <summary>A flavor of a component type: what it is and the settings it takes.</summary>
/// <param name="Type">The component type.</param>
/// <param name="Name">The flavor's name, e.g. <c>vertex</c>.</param>
/// <param name="Description">What it does.</param>
/// <param name="Settings">Its settings.</param>
public sealed record FlavorDefinition(ComponentType Type, string Name, string Description, IReadOnlyList<SettingDefinition> Settings)
{
    /// <summary>Checks a full set of settings for this flavor; returns every problem as a one-line message.</summary>
    public IReadOnlyList<string> Validate(IReadOnlyDictionary<string, string> settings)
    {
        var problems = new List<string>();
        foreach (var name in settings.Keys.Where(name => Settings.All(s => s.Name != name)))
        {
            problems.Add($"the {Name} {Type.CommandName()} has no setting '{name}'; its settings are {Describe()}");
        }

        foreach (var setting in Settings)
        {
            if (settings.TryGetValue(setting.Name, out var value))
            {
                if (setting.Validate(value) is { } problem)
                {
                    problems.Add($"--{setting.Name}={value}: {problem}");
                }
            }
            else if (setting.Required)
            {
                problems.Add($"the {Name} {Type.CommandName()} needs --{setting.Name} ({setting.Description})");
            }
        }

        return problems;
    }

    private string Describe() => Settings.Count == 0 ? "none" : string.Join(", ", Settings.Select(s => "--" + s.Name));
}

/// <summary>
/// The flavors this version knows, and those extension packages add with <see cref="Register"/>. Registering a component of
/// any of them needs no credentials; using a cloud one does.
/// </summary>
public static partial class Flavors
{
    private static readonly List<FlavorDefinition> Added = [];

    /// <summary>Every flavor of every component type: the built-in ones, then those registered by extensions.</summary>
    public static IReadOnlyList<FlavorDefinition> All
    {
        get
        {
            lock (Added)
            {
                return [.. BuiltIn, .. Added];
            }
        }
    }

    /// <summary>
    /// Adds a flavor from an extension package (a third-party orchestrator, say), so components of it can be registered,
    /// validated and listed; registering the same type and name again replaces it. Built-in flavors cannot be replaced.
    /// </summary>
    /// <exception cref="ArgumentException">A built-in flavor has that type and name.</exception>
    public static void Register(FlavorDefinition flavor)
    {
        ArgumentNullException.ThrowIfNull(flavor);
        if (BuiltIn.Any(f => f.Type == flavor.Type && f.Name == flavor.Name))
        {
            throw new ArgumentException($"the {flavor.Name} {flavor.Type.CommandName()} flavor is built in", nameof(flavor));
        }

        lock (Added)
        {
            Added.RemoveAll(f => f.Type == flavor.Type && f.Name == flavor.Name);
            Added.Add(flavor);
        }
    }

    private static readonly IReadOnlyList<FlavorDefinition> BuiltIn =
    [
        new(ComponentType.Orchestrator, "local", "Runs every step in the program's own process.", []),
        new(ComponentType.Orchestrator, "local-process", "Runs each step as a child process under the Kubeflow executor contract, as Vertex AI runs its containers.", []),
        new(ComponentType.Orchestrator, "vertex", "Submits the pipeline to Vertex AI Pipelines and follows the run.",
        [
            new("project", SettingKind.String, true, null, "the Google Cloud project id", ProjectId),
            new("location", SettingKind.String, true, null, "the Vertex AI region, e.g. europe-west1", Region),
            new("workload_service_account", SettingKind.String, false, null, "the service account the steps run as", ServiceAccount),
            new("network", SettingKind.String, false, null, "the VPC network to peer with, projects/NUMBER/global/networks/NAME", null),
            new("encryption_key", SettingKind.String, false, null, "a Cloud KMS key for the job, projects/P/locations/L/keyRings/R/cryptoKeys/K", KmsKey),
            new("labels", SettingKind.Map, false, null, "labels for the job, key=value,...", null),
            new("synchronous", SettingKind.Boolean, false, "true", "whether to wait for the run to finish", null),
            new("failure_policy", SettingKind.String, false, "slow", "fast: stop scheduling tasks after a failure; slow: let running branches finish", v => v is "fast" or "slow" ? null : "must be fast or slow"),
            new("server_token_secret", SettingKind.String, false, null, "when connected to a server: the Secret Manager secret version holding the API token the steps record with, projects/P/secrets/S/versions/latest", SecretVersion),
        ]),
        new(ComponentType.Orchestrator, "kubeflow", "Submits the pipeline to a Kubeflow Pipelines 2.x installation (on-prem, GKE, Kind) and follows the run.",
        [
            new("host", SettingKind.String, true, null, "the Kubeflow Pipelines API endpoint, e.g. http://localhost:8080 after kubectl port-forward, or the Istio ingress", HttpUrl),
            new("namespace", SettingKind.String, false, null, "the Kubernetes namespace (profile) of a multi-user installation", KubernetesName),
            new("experiment", SettingKind.String, false, "Default", "the experiment the runs are filed under, created when missing", null),
            new("service_account", SettingKind.String, false, null, "the Kubernetes service account the steps run as", KubernetesName),
            new("image_pull_secrets", SettingKind.String, false, null, "Kubernetes secrets to pull the image with, name,name", v => v.Split(',').All(n => KubernetesName(n.Trim()) is null) ? null : "must be secret names separated by commas"),
            new("synchronous", SettingKind.Boolean, false, "true", "whether to wait for the run to finish", null),
            new("token", SettingKind.String, false, null, "a bearer token for the API, as a {{secret.name.key}} reference (never the token itself)", _ => "must be a {{secret.name.key}} reference: keep the token in the stack's secrets manager (`pipelines secret create NAME --KEY=TOKEN`)"),
            new("token_file", SettingKind.String, false, null, "a file holding a bearer token, e.g. a service account token, read at each run", v => Path.IsPathRooted(v) ? null : "must be an absolute path"),
            new("cookie", SettingKind.String, false, null, "a session cookie for an installation behind Dex/OIDC (authservice_session=...), as a {{secret.name.key}} reference", _ => "must be a {{secret.name.key}} reference: keep the cookie in the stack's secrets manager"),
            new("verify_tls", SettingKind.Boolean, false, "true", "whether to check the endpoint's TLS certificate (turn off only for a test installation)", null),
            new("ui_url", SettingKind.String, false, null, "the Kubeflow Pipelines UI, for run links (default: host)", HttpUrl),
        ]),
        new(ComponentType.ArtifactStore, "local", "Files in the store folder (or the given folder).",
        [
            new("path", SettingKind.String, false, null, "the folder for artifacts (default: artifacts/ in the store folder)", v => Path.IsPathRooted(v) ? null : "must be an absolute path"),
        ]),
        new(ComponentType.ArtifactStore, "gcp", "A Cloud Storage bucket.",
        [
            new("path", SettingKind.String, true, null, "the bucket and optional prefix, gs://bucket/prefix", GcsPath),
        ]),
        new(ComponentType.ArtifactStore, "s3", "An S3-compatible bucket: MinIO (which Kubeflow installs), Amazon S3 or another.",
        [
            new("path", SettingKind.String, true, null, "the bucket and optional prefix, minio://mlpipeline/v2/artifacts or s3://bucket/prefix", S3Path),
        ]),
        new(ComponentType.ContainerRegistry, "default", "Any OCI registry.",
        [
            new("uri", SettingKind.String, true, null, "the registry and repository prefix, e.g. registry.example.com:5000/team", RegistryUri),
        ]),
        new(ComponentType.ContainerRegistry, "gcp", "Google Container Registry or Artifact Registry.",
        [
            new("uri", SettingKind.String, true, null, "e.g. eu.gcr.io/my-project/pipelines or europe-west1-docker.pkg.dev/my-project/repo", GoogleRegistryUri),
        ]),
        new(ComponentType.SecretsManager, "local", "A file in the store folder that only you can read.", []),
        new(ComponentType.SecretsManager, "gcp", "Google Secret Manager.",
        [
            new("project_id", SettingKind.String, true, null, "the Google Cloud project id", ProjectId),
        ]),
    ];

    /// <summary>Finds a flavor; null when the type has no such flavor.</summary>
    public static FlavorDefinition? Find(ComponentType type, string flavor) =>
        All.FirstOrDefault(f => f.Type == type && f.Name == flavor);

    /// <summary>The flavors of one component type.</summary>
    public static IEnumerable<FlavorDefinition> Of(ComponentType type) => All.Where(f => f.Type == type);

    /// <summary>Parses <c>a=1,b=2</c>; null when malformed.</summary>
    public static Dictionary<string, string>? ParseMap(string text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text.Length == 0)
        {
            return map;
        }

        foreach (var pair in text.Split(','))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return null;
            }

            map[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }

        return map;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$")]
    private static partial Regex ProjectIdPattern();

    [GeneratedRegex("^[a-z]+-[a-z]+[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex("^gs://[a-z0-9][a-z0-9._-]{1,61}[a-z0-9](/.*)?$")]
    private static partial Regex GcsPattern();

    [GeneratedRegex("^(s3|minio)://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$")]
    private static partial Regex S3Pattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex KubernetesNamePattern();

    [GeneratedRegex("^[A-Za-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+$")]
    private static partial Regex RegistryPattern();

    [GeneratedRegex("^([a-z]+\\.)?gcr\\.io/[a-z][a-z0-9-]{4,28}[a-z0-9](/[a-z0-9._-]+)*$|^[a-z]+-[a-z]+[0-9]+-docker\\.pkg\\.dev/[a-z][a-z0-9-]{4,28}[a-z0-9]/[a-z0-9._-]+(/[a-z0-9._-]+)*$")]
    private static partial Regex GoogleRegistryPattern();

    [GeneratedRegex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$")]
    private static partial Regex KmsKeyPattern();

    [GeneratedRegex("^projects/[a-z0-9-]+/secrets/[A-Za-z0-9_-]{1,255}/versions/(latest|[0-9]+)$")]
    private static partial Regex SecretVersionPattern();

    private static string? ProjectId(string value) =>
        ProjectIdPattern().IsMatch(value) ? null : "must be a Google Cloud project id: 6 to 30 lower-case letters, digits or hyphens, starting with a letter";

    private static string? Region(string value) =>
        RegionPattern().IsMatch(value) ? null : "must be a region like europe-west1 or us-central1";

    private static string? ServiceAccount(string value) =>
        EmailPattern().IsMatch(value) ? null : "must be a service account email like runner@my-project.iam.gserviceaccount.com";

    private static string? GcsPath(string value) =>
        GcsPattern().IsMatch(value) ? null : "must be a Cloud Storage path like gs://my-bucket or gs://my-bucket/prefix";

    private static string? S3Path(string value) =>
        S3Pattern().IsMatch(value) ? null : "must be a bucket path like minio://mlpipeline/v2/artifacts or s3://my-bucket/prefix";

    private static string? KubernetesName(string value) =>
        KubernetesNamePattern().IsMatch(value) ? null : "must be a Kubernetes name: lower-case letters, digits and hyphens, at most 63";

    private static string? HttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? null : "must be an http:// or https:// URL";

    private static string? RegistryUri(string value) =>
        RegistryPattern().IsMatch(value) ? null : "must be a registry host with a repository path, like registry.example.com:5000/team";

    private static string? GoogleRegistryUri(string value) =>
        GoogleRegistryPattern().IsMatch(value) ? null : "must be a Google registry like eu.gcr.io/my-project/pipelines or europe-west1-docker.pkg.dev/my-project/repo";

    private static string? KmsKey(string value) =>
        KmsKeyPattern().IsMatch(value) ? null : "must be a key name like projects/P/locations/L/keyRings/R/cryptoKeys/K";

    private static string? SecretVersion(string value) =>
        SecretVersionPattern().IsMatch(value) ? null : "must be a Secret Manager secret version like projects/P/secrets/S/versions/latest";
}
