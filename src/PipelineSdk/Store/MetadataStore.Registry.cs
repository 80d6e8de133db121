using System.Globalization;
using PipelineSdk.Stacks;

namespace PipelineSdk.Store;

// Named, versioned artifacts and the model registry: a version is made when a step run that produced a named output
// finishes (inside FinishStepRun's transaction, so concurrent runs get distinct numbers); a model is a named artifact whose
// versions carry stages.
public abstract partial class MetadataStore
{
    /// <summary>The selector of a named artifact's newest version.</summary>
    public const string LatestVersion = "latest";

    /// <summary>Lists the names outputs carry, by name.</summary>
    public abstract IReadOnlyList<ArtifactNameRecord> ListArtifactNames();

    /// <summary>Lists the versions of a named artifact, newest first (none when the name is unknown).</summary>
    public abstract IReadOnlyList<ArtifactVersionRecord> ListArtifactVersions(string name);

    /// <summary>Adds <paramref name="tag"/> to a version (a tag it has already is kept once); returns whether the version exists.</summary>
    public abstract bool TagArtifactVersion(string name, int version, string tag);

    /// <summary>
    /// Moves a model version to <paramref name="stage"/> in one transaction. Unless <paramref name="keepOthers"/>, the versions in
    /// that stage before move to <see cref="ModelStage.Archived"/> (staging and production hold one version each).
    /// </summary>
    /// <returns>The changes made, the promoted version last; none when it was in that stage already.</returns>
    /// <exception cref="StackException">There is no such model or version.</exception>
    public abstract IReadOnlyList<StageChangeRecord> SetModelStage(string name, int version, ModelStage stage, bool keepOthers, string changedBy, DateTimeOffset at);

    /// <summary>The stage changes of a model, oldest first.</summary>
    public abstract IReadOnlyList<StageChangeRecord> GetStageChanges(string name);

    /// <summary>
    /// Finds a version of a named artifact by <paramref name="selector"/>: <c>latest</c>, a version number, or a tag (the newest
    /// version with it); null when there is none.
    /// </summary>
    public ArtifactVersionRecord? FindArtifactVersion(string name, string selector)
    {
        var versions = ListArtifactVersions(name);
        return selector == LatestVersion ? versions.FirstOrDefault()
            : int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? versions.FirstOrDefault(v => v.Version == number)
            : versions.FirstOrDefault(v => v.Tags.Contains(selector, StringComparer.Ordinal));
    }

    /// <summary>The newest version of a model in <paramref name="stage"/>; null when none is.</summary>
    public ArtifactVersionRecord? FindModelVersion(string name, ModelStage stage) =>
        ListArtifactVersions(name).FirstOrDefault(v => v.Stage == stage);

    /// <summary>The operating system user, who a promotion by this process is recorded as.</summary>
    public static string CurrentUser => Environment.UserName;
}
