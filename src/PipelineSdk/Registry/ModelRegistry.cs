using PipelineSdk.Artifacts;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk;

/// <summary>
/// The model registry: a model is a named artifact whose versions have a stage (<see cref="ModelStage"/>). Promote a version
/// from the command line (<c>pipelines model promote</c>) or from a step (the deploy-if-better pattern); inside a step the
/// promotion is recorded in the store the step's run records to, with who (the operating system user, or on a team's server
/// the token's name) and when.
/// </summary>
public static class ModelRegistry
{
    /// <summary>
    /// Moves version <paramref name="version"/> of <paramref name="name"/> to <paramref name="stage"/>. The version in that stage
    /// before (staging and production hold one) moves to <see cref="ModelStage.Archived"/>, unless <paramref name="keepOthers"/>.
    /// </summary>
    /// <returns>The changes made, the promoted version last.</returns>
    /// <exception cref="StackException">There is no such model or version.</exception>
    public static IReadOnlyList<StageChangeRecord> Promote(string name, int version, ModelStage stage, bool keepOthers = false, MetadataStore? store = null) =>
        RegistryStore.Use(store, used => used.SetModelStage(name, version, stage, keepOthers, MetadataStore.CurrentUser, DateTimeOffset.UtcNow));

    /// <summary>
    /// Promotes the version of <paramref name="name"/> that <paramref name="model"/> is (a step's input read from a named output):
    /// the version with its URI, else the newest with its content.
    /// </summary>
    /// <returns>The version promoted.</returns>
    /// <exception cref="StackException">No version of <paramref name="name"/> is that model.</exception>
    public static int Promote(string name, Artifact model, ModelStage stage, bool keepOthers = false, MetadataStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return RegistryStore.Use(store, used =>
        {
            var versions = used.ListArtifactVersions(name);
            var version = versions.FirstOrDefault(v => v.Artifact.Uri == model.Uri)
                ?? (ArtifactFiles.Exists(model.Path) ? versions.FirstOrDefault(v => v.Artifact.ContentHash == ArtifactFiles.Hash(model.Path)) : null)
                ?? throw new StackException($"the model at {model.Uri ?? model.Path} is no version of '{name}'; name the output that made it [return: Artifact(\"{name}\")]");
            used.SetModelStage(name, version.Version, stage, keepOthers, MetadataStore.CurrentUser, DateTimeOffset.UtcNow);
            return version.Version;
        });
    }

    /// <summary>
    /// Promotes the version of <paramref name="name"/> that <paramref name="selector"/> picks: <c>latest</c>, a number or a tag
    /// (for a step whose input is not an <see cref="Artifact"/>, e.g. an ML.NET model, promoting the version its pipeline just made).
    /// </summary>
    /// <returns>The version promoted.</returns>
    /// <exception cref="StackException">There is no such model or version.</exception>
    public static int Promote(string name, string selector, ModelStage stage, bool keepOthers = false, MetadataStore? store = null) =>
        RegistryStore.Use(store, used =>
        {
            var version = ArtifactRegistry.Find(used, name, selector).Version;
            used.SetModelStage(name, version, stage, keepOthers, MetadataStore.CurrentUser, DateTimeOffset.UtcNow);
            return version;
        });

    /// <summary>Loads the version of model <paramref name="name"/> in <paramref name="stage"/>; null when none is.</summary>
    /// <param name="name">The model.</param>
    /// <param name="stage">The stage.</param>
    /// <param name="store">The store to read; by default the one this folder (or, inside a step, its run) uses.</param>
    /// <exception cref="StackException">Its content cannot be read here.</exception>
    public static T? Load<T>(string name, ModelStage stage = ModelStage.Production, MetadataStore? store = null)
        where T : Artifact, new() =>
        RegistryStore.Use(store, used => used.FindModelVersion(name, stage) is { } version ? (T?)RegistryStore.Read(used, version.Artifact, Values.ArtifactCodecs.Kind<T>()) : null);

    /// <summary>Reads a stage's name as written on the command line or in <c>[FromModel(Stage = ...)]</c>.</summary>
    /// <exception cref="StackException">It is not <c>none</c>, <c>staging</c>, <c>production</c> or <c>archived</c>.</exception>
    public static ModelStage ParseStage(string text) =>
        Enum.TryParse<ModelStage>(text, ignoreCase: true, out var stage) && Enum.IsDefined(stage) && !text.Any(char.IsDigit)
            ? stage
            : throw new StackException($"'{text}' is not a stage; use none, staging, production or archived");
}
