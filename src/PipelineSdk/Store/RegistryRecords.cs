namespace PipelineSdk.Store;

/// <summary>Where a version of a model stands in its life: one version per stage, unless asked otherwise.</summary>
public enum ModelStage
{
    /// <summary>Registered, not promoted.</summary>
    None,

    /// <summary>Being tried before production.</summary>
    Staging,

    /// <summary>The version in use.</summary>
    Production,

    /// <summary>Retired: promoting another version to its stage moved it here.</summary>
    Archived,
}

/// <summary>A name that outputs carry (<c>[return: Artifact("churn-model")]</c>) and its newest version.</summary>
/// <param name="Name">The name.</param>
/// <param name="LatestVersion">The newest version number (versions count from 1).</param>
/// <param name="KfpType">The Kubeflow type of the newest version (<c>system.Model</c> for models).</param>
/// <param name="UpdatedAt">When the newest version was made.</param>
public sealed record ArtifactNameRecord(string Name, int LatestVersion, string KfpType, DateTimeOffset UpdatedAt);

/// <summary>One version of a named artifact: the artifact a run produced under that name.</summary>
/// <param name="Name">The artifact's name.</param>
/// <param name="Version">Its number, from 1, one more than the one before.</param>
/// <param name="Artifact">The stored artifact.</param>
/// <param name="RunId">The run whose step produced it.</param>
/// <param name="Stage">Its model stage.</param>
/// <param name="Tags">Its tags, in order.</param>
/// <param name="CreatedAt">When the producing step run finished.</param>
public sealed record ArtifactVersionRecord(string Name, int Version, ArtifactRecord Artifact, string RunId, ModelStage Stage, IReadOnlyList<string> Tags, DateTimeOffset CreatedAt);

/// <summary>One change of a model version's stage: a promotion, or the archiving it caused.</summary>
/// <param name="Name">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="From">Its stage before.</param>
/// <param name="To">Its stage after.</param>
/// <param name="ChangedBy">Who changed it: the operating system user, or the server token's name.</param>
/// <param name="ChangedAt">When.</param>
public sealed record StageChangeRecord(string Name, int Version, ModelStage From, ModelStage To, string ChangedBy, DateTimeOffset ChangedAt);
