using PipelineSdk.Artifacts;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using PipelineSdk.Values;

namespace PipelineSdk;

/// <summary>
/// Loads versions of named artifacts (outputs marked <c>[return: Artifact("name")]</c>) into plain code: from the store this
/// folder uses (the embedded store, or a team's server after <c>pipelines connect</c>), or inside a step from its run's store.
/// </summary>
public static class ArtifactRegistry
{
    /// <summary>
    /// Loads a version of <paramref name="name"/>: <c>latest</c>, a version number (<c>"3"</c>) or a tag (the newest version
    /// with it).
    /// </summary>
    /// <param name="name">The artifact's name.</param>
    /// <param name="version">Which version.</param>
    /// <param name="store">The store to read; by default the one this folder (or, inside a step, its run) uses.</param>
    /// <exception cref="StackException">There is no such name or version, or its content cannot be read here.</exception>
    public static T Load<T>(string name, string version = MetadataStore.LatestVersion, MetadataStore? store = null)
        where T : Artifact, new() =>
        (T)Load(name, version, ArtifactCodecs.Kind<T>(), store)!;

    /// <summary>Loads a version of <paramref name="name"/> with <paramref name="codec"/> (a materialized or JSON type).</summary>
    /// <exception cref="StackException">There is no such name or version, or its content cannot be read here.</exception>
    public static object? Load(string name, string version, ValueCodec codec, MetadataStore? store = null) =>
        RegistryStore.Use(store, used => RegistryStore.Read(used, Find(used, name, version).Artifact, codec));

    /// <summary>Lists the versions of <paramref name="name"/>, newest first.</summary>
    public static IReadOnlyList<ArtifactVersionRecord> Versions(string name, MetadataStore? store = null) => RegistryStore.Use(store, used => used.ListArtifactVersions(name));

    internal static ArtifactVersionRecord Find(MetadataStore store, string name, string version) =>
        store.FindArtifactVersion(name, version)
        ?? throw new StackException(store.ListArtifactVersions(name).Count == 0
            ? $"no artifact is named '{name}'; `pipelines artifacts versions NAME` needs a name an output carries"
            : $"artifact '{name}' has no version '{version}'; `pipelines artifacts versions {name}` lists them");
}
