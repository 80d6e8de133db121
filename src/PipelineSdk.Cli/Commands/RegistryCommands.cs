using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PipelineSdk.Store;
using Spectre.Console;

namespace PipelineSdk.Cli.Commands;

/// <summary><c>pipelines artifacts versions|tag</c> and <c>pipelines model list|versions|promote</c>: named artifacts and the model registry.</summary>
internal static class RegistryCommands
{
    private const string ModelType = "system.Model";

    /// <summary>The commands on named artifacts, added to <c>pipelines artifacts</c>.</summary>
    public static IEnumerable<Command> ArtifactCommands(Cli cli) => [Versions(cli, "versions", "Lists the versions of a named artifact, newest first.", models: false), Tag(cli)];

    /// <summary><c>pipelines model</c>.</summary>
    public static Command Create(Cli cli)
    {
        var command = new Command("model", "Lists models (named artifacts of type Model) and their versions, and promotes versions between stages.");
        command.Add(List(cli));
        command.Add(Versions(cli, "versions", "Lists a model's versions with their stages, and who changed them when.", models: true));
        command.Add(Promote(cli));
        return command;
    }

    private static Command List(Cli cli)
    {
        var output = Cli.OutputOption();
        var command = new Command("list", "Lists models: their newest version and the versions in staging and production.") { output };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStoreForReading();
            var models = store.ListArtifactNames().Where(n => n.KfpType == ModelType)
                .Select(n => (n.Name, n.LatestVersion, n.UpdatedAt, Versions: store.ListArtifactVersions(n.Name))).ToList();
            string Stage(IReadOnlyList<ArtifactVersionRecord> versions, ModelStage stage) =>
                versions.FirstOrDefault(v => v.Stage == stage)?.Version.ToString(CultureInfo.InvariantCulture) ?? "-";
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (var model in models)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", model.Name);
                        w.WriteNumber("latestVersion", model.LatestVersion);
                        WriteStageVersion(w, "production", model.Versions, ModelStage.Production);
                        WriteStageVersion(w, "staging", model.Versions, ModelStage.Staging);
                        w.WriteString("updatedAt", model.UpdatedAt);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return;
            }

            if (models.Count == 0)
            {
                cli.Line("No models yet: name a step's Model output with [return: Artifact(\"name\")] and run the pipeline.");
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("MODEL").AddColumn("LATEST").AddColumn("PRODUCTION").AddColumn("STAGING").AddColumn("UPDATED");
            foreach (var model in models)
            {
                table.AddRow(Markup.Escape(model.Name), model.LatestVersion.ToString(CultureInfo.InvariantCulture), Stage(model.Versions, ModelStage.Production),
                    Stage(model.Versions, ModelStage.Staging), model.UpdatedAt.ToString("u", CultureInfo.InvariantCulture));
            }

            cli.Console.Write(table);
        }));
        return command;
    }

    private static Command Versions(Cli cli, string name, string description, bool models)
    {
        var artifactName = new Argument<string>("name") { Description = models ? "The model's name." : "The name an output carries ([return: Artifact(\"name\")])." };
        var output = Cli.OutputOption();
        var command = new Command(name, description) { artifactName, output };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStoreForReading();
            var wanted = result.GetValue(artifactName)!;
            var versions = store.ListArtifactVersions(wanted);
            if (versions.Count == 0)
            {
                throw new CliException(models
                    ? $"there is no model '{wanted}'; `pipelines model list` shows the models"
                    : $"no artifact is named '{wanted}'; name a step output with [return: Artifact(\"{wanted}\")] and run its pipeline");
            }

            if (models)
            {
                RequireModel(wanted, versions);
            }

            var changes = models ? store.GetStageChanges(wanted) : [];
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w => WriteVersions(w, versions, changes, models));
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("VERSION").AddColumn("STAGE").AddColumn("TAGS").AddColumn("ARTIFACT").AddColumn("RUN").AddColumn("CREATED").AddColumn("METADATA");
            foreach (var version in versions)
            {
                table.AddRow(version.Version.ToString(CultureInfo.InvariantCulture), StageText(version.Stage), Markup.Escape(version.Tags.Count == 0 ? "-" : string.Join(", ", version.Tags)),
                    $"#{version.Artifact.Id} {Markup.Escape(version.Artifact.KfpType)}", Markup.Escape(version.RunId), version.CreatedAt.ToString("u", CultureInfo.InvariantCulture),
                    Markup.Escape(version.Artifact.MetadataJson == "{}" ? "-" : Abbreviate(version.Artifact.MetadataJson)));
            }

            cli.Console.Write(table);
            foreach (var change in changes)
            {
                cli.Line($"{change.ChangedAt.ToString("u", CultureInfo.InvariantCulture)}  version {change.Version}: {StageText(change.From)} -> {StageText(change.To)} by {change.ChangedBy}");
            }
        }));
        return command;
    }

    private static Command Tag(Cli cli)
    {
        var artifactName = new Argument<string>("name") { Description = "The artifact's name." };
        var version = new Argument<int>("version") { Description = "The version number." };
        var tag = new Argument<string>("tag") { Description = "The tag; loading by it (version: \"TAG\") picks the newest version that has it." };
        var command = new Command("tag", "Tags a version of a named artifact.") { artifactName, version, tag };
        command.SetAction(cli.Handle(result =>
        {
            var name = result.GetValue(artifactName)!;
            var text = result.GetValue(tag)!.Trim();
            if (text.Length == 0 || text == MetadataStore.LatestVersion || text.All(char.IsAsciiDigit))
            {
                throw new CliException($"'{text}' cannot be a tag: it must be non-empty, not '{MetadataStore.LatestVersion}' and not a number (those select versions)");
            }

            using var store = Cli.OpenStore();
            if (!store.TagArtifactVersion(name, result.GetValue(version), text))
            {
                throw new CliException(store.ListArtifactVersions(name).Count == 0
                    ? $"no artifact is named '{name}'"
                    : $"artifact '{name}' has no version {result.GetValue(version)}; `pipelines artifacts versions {name}` lists them");
            }

            cli.Line($"Tagged {name} version {result.GetValue(version)} '{text}'.");
        }));
        return command;
    }

    private static Command Promote(Cli cli)
    {
        var modelName = new Argument<string>("name") { Description = "The model's name." };
        var version = new Argument<int>("version") { Description = "The version to promote." };
        var stage = new Option<string>("--stage") { Description = "none, staging, production or archived.", Required = true };
        var keepOthers = new Option<bool>("--keep-others") { Description = "Leave the versions already in that stage there (default: they move to archived)." };
        var command = new Command("promote", "Moves a model version to a stage; the version there before moves to archived.") { modelName, version, stage, keepOthers };
        command.SetAction(cli.Handle(result =>
        {
            var name = result.GetValue(modelName)!;
            var target = ModelRegistry.ParseStage(result.GetValue(stage)!);
            using var store = Cli.OpenStore();
            var versions = store.ListArtifactVersions(name);
            if (versions.Count == 0)
            {
                throw new CliException($"there is no model '{name}'; `pipelines model list` shows the models");
            }

            RequireModel(name, versions);
            var changes = store.SetModelStage(name, result.GetValue(version), target, result.GetValue(keepOthers), MetadataStore.CurrentUser, DateTimeOffset.UtcNow);
            if (changes.Count == 0)
            {
                cli.Line($"{name} version {result.GetValue(version)} is in {StageText(target)} already.");
                return;
            }

            foreach (var change in changes)
            {
                cli.Line($"{name} version {change.Version}: {StageText(change.From)} -> {StageText(change.To)}");
            }
        }));
        return command;
    }

    private static void RequireModel(string name, IReadOnlyList<ArtifactVersionRecord> versions)
    {
        if (versions[0].Artifact.KfpType != ModelType)
        {
            throw new CliException($"'{name}' is a named {versions[0].Artifact.KfpType} artifact, not a model; `pipelines artifacts versions {name}` lists its versions");
        }
    }

    private static void WriteVersions(Utf8JsonWriter w, IReadOnlyList<ArtifactVersionRecord> versions, IReadOnlyList<StageChangeRecord> changes, bool models)
    {
        w.WriteStartObject();
        w.WriteString("name", versions[0].Name);
        w.WriteStartArray("versions");
        foreach (var version in versions)
        {
            w.WriteStartObject();
            w.WriteNumber("version", version.Version);
            w.WriteString("stage", StageText(version.Stage));
            w.WriteStartArray("tags");
            foreach (var tag in version.Tags)
            {
                w.WriteStringValue(tag);
            }

            w.WriteEndArray();
            w.WriteString("run", version.RunId);
            w.WriteString("createdAt", version.CreatedAt);
            w.WritePropertyName("artifact");
            Commands.ArtifactCommands.WriteArtifact(w, version.Artifact);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (models)
        {
            w.WriteStartArray("stageChanges");
            foreach (var change in changes)
            {
                w.WriteStartObject();
                w.WriteNumber("version", change.Version);
                w.WriteString("from", StageText(change.From));
                w.WriteString("to", StageText(change.To));
                w.WriteString("by", change.ChangedBy);
                w.WriteString("at", change.ChangedAt);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteStageVersion(Utf8JsonWriter w, string property, IReadOnlyList<ArtifactVersionRecord> versions, ModelStage stage)
    {
        if (versions.FirstOrDefault(v => v.Stage == stage) is { } held)
        {
            w.WriteNumber(property, held.Version);
        }
        else
        {
            w.WriteNull(property);
        }
    }

    private static string StageText(ModelStage stage) => stage.ToString().ToLowerInvariant();

    private static string Abbreviate(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
