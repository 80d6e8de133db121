using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Kubeflow.Orchestration;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using Spectre.Console;

namespace PipelineSdk.Cli.Commands;

/// <summary>
/// <c>pipelines schedule create|list|pause|resume|delete</c>: cron schedules on the active Vertex stack, recorded in the store so
/// that every member of a team connected to one server sees them.
/// </summary>
internal static class ScheduleCommands
{
    public static Command Create(Cli cli)
    {
        var command = new Command("schedule", "Runs pipelines on a cron schedule with Vertex AI, or as recurring runs on Kubeflow Pipelines (create only), by the active stack's orchestrator.");
        command.Add(CreateSchedule(cli));
        command.Add(List(cli));
        command.Add(Verb(cli, "pause", "Pauses a schedule.", (s, id, t) => s.PauseAsync(id, t), "Paused"));
        command.Add(Verb(cli, "resume", "Resumes a paused schedule.", (s, id, t) => s.ResumeAsync(id, t), "Resumed"));
        command.Add(Verb(cli, "delete", "Deletes a schedule (runs it made are kept).", (s, id, t) => s.DeleteAsync(id, t), "Deleted"));
        return command;
    }

    private static Command CreateSchedule(Cli cli)
    {
        var name = new Argument<string>("name") { Description = "The schedule's display name." };
        var spec = new Option<string>("--spec") { Description = "The pipeline's spec, as the build writes it: bin/<config>/net10.0/pipelines/<pipeline>.json.", Required = true };
        var cron = new Option<string>("--cron") { Description = "Five cron fields, optionally after TZ=Zone, e.g. \"TZ=Europe/Berlin 0 6 * * 1\".", Required = true };
        var image = new Option<string?>("--image") { Description = $"The program's image in the stack's registry (default: ${ProgramImageSource.ImageVariable})." };
        var parameters = new Option<string[]>("--param", "-p") { Description = "A pipeline parameter, name=value (repeatable); the rest take their defaults.", Arity = ArgumentArity.ZeroOrMore };
        var concurrent = new Option<int>("--max-concurrent-runs") { Description = "How many runs may overlap.", DefaultValueFactory = _ => 1 };
        var command = new Command("create", "Creates a schedule that runs a pipeline's spec on a cron.") { name, spec, cron, image, parameters, concurrent };
        command.SetAction(cli.Handle(async (result, token) =>
        {
            var specJson = File.Exists(result.GetValue(spec)) ? File.ReadAllText(result.GetValue(spec)!) : throw new CliException($"no spec at {result.GetValue(spec)}; build the program and pass bin/<config>/net10.0/pipelines/<pipeline>.json");
            var imageReference = result.GetValue(image) ?? Environment.GetEnvironmentVariable(ProgramImageSource.ImageVariable)
                ?? throw new CliException($"give --image: the program's image in the stack's container registry (a Vertex run of the program prints and publishes it)");
            var values = ParseParameters(specJson, result.GetValue(parameters) ?? []);
            var directory = StoreLocation.Resolve();
            Stack stack;
            using (var store = MetadataStore.Open(directory))
            {
                stack = StackSelection.Resolve(store, null).Stack;
            }

            if (stack.Orchestrator.Flavor == KubeflowOrchestrator.Flavor)
            {
                var recurring = await KubeflowSchedules.OpenAsync(stack, directory, cli.Error, token).ConfigureAwait(false);
                var record = await recurring.CreateAsync(result.GetValue(name)!, specJson, imageReference, result.GetValue(cron)!, values, result.GetValue(concurrent), cli.Out, token).ConfigureAwait(false);
                cli.Line($"Created recurring run {record.Id} ('{record.DisplayName}', {record.Cron}) on Kubeflow Pipelines: {record.RemoteUrl}");
                return Cli.Success;
            }

            var schedules = await Open(token, cli.Error).ConfigureAwait(false);
            var created = await schedules.CreateAsync(result.GetValue(name)!, specJson, imageReference, result.GetValue(cron)!, values, result.GetValue(concurrent), token).ConfigureAwait(false);
            cli.Line($"Created schedule {created.Name} ('{created.DisplayName}', {created.Cron}).");
            return Cli.Success;
        }));
        return command;
    }

    private static Command List(Cli cli)
    {
        var output = Cli.OutputOption();
        var command = new Command("list", "Lists the schedules recorded in the store (the team's, when connected to a server), brought up to date from Vertex AI when the active stack runs on it.") { output };
        command.SetAction(cli.Handle(async (result, token) =>
        {
            using var store = Cli.OpenStoreForReading();
            var listing = new ScheduleListing(store.ListSchedules(), new Dictionary<string, DateTimeOffset>());
            if (StackSelection.Resolve(store, null).Stack.Orchestrator.Flavor == VertexOrchestrator.Flavor)
            {
                try
                {
                    listing = await (await Open(token, cli.Error).ConfigureAwait(false)).RefreshRecordsAsync(token).ConfigureAwait(false);
                }
                catch (StackException e)
                {
                    cli.Error.WriteLine($"note: Vertex AI could not be asked for the schedules' states ({e.Message}); they show as last recorded");
                }
            }

            var (schedules, nextRuns) = (listing.Records, listing.NextRuns);
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (var schedule in schedules)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", schedule.Id);
                        w.WriteString("displayName", schedule.DisplayName);
                        w.WriteString("pipeline", schedule.Pipeline);
                        w.WriteString("cron", schedule.Cron);
                        w.WriteString("state", schedule.State);
                        w.WriteString("stack", schedule.Stack);
                        w.WriteString("orchestrator", schedule.Orchestrator);
                        w.WritePropertyName("parameters");
                        w.WriteRawValue(schedule.ParametersJson);
                        w.WriteString("createdAt", schedule.CreatedAt);
                        if (nextRuns.TryGetValue(schedule.Id, out var next))
                        {
                            w.WriteString("nextRunTime", next);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return Cli.Success;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("ID").AddColumn("NAME").AddColumn("PIPELINE").AddColumn("CRON").AddColumn("STATE").AddColumn("STACK").AddColumn("NEXT RUN");
            foreach (var schedule in schedules)
            {
                table.AddRow(Markup.Escape(schedule.Id), Markup.Escape(schedule.DisplayName), Markup.Escape(schedule.Pipeline), Markup.Escape(schedule.Cron),
                    schedule.State, Markup.Escape(schedule.Stack ?? "-"), (nextRuns.TryGetValue(schedule.Id, out var next) ? next.ToString("u", CultureInfo.InvariantCulture) : "-"));
            }

            cli.Console.Write(table);
            return Cli.Success;
        }));
        return command;
    }

    private static Command Verb(Cli cli, string verb, string description, Func<VertexSchedules, string, CancellationToken, Task> action, string done)
    {
        var id = new Argument<string>("id") { Description = "The schedule's id (see `pipelines schedule list`)." };
        var command = new Command(verb, description) { id };
        command.SetAction(cli.Handle(async (result, token) =>
        {
            await action(await Open(token, cli.Error).ConfigureAwait(false), result.GetValue(id)!, token).ConfigureAwait(false);
            cli.Line($"{done} schedule {result.GetValue(id)}.");
            return Cli.Success;
        }));
        return command;
    }

    private static async Task<VertexSchedules> Open(CancellationToken token, TextWriter? warnings = null)
    {
        var directory = StoreLocation.Resolve();
        Stack stack;
        using (var store = MetadataStore.Open(directory))
        {
            stack = StackSelection.Resolve(store, null).Stack;
        }

        return await VertexSchedules.OpenAsync(stack, directory, cancellationToken: token, warnings: warnings).ConfigureAwait(false);
    }

    /// <summary>Parses name=value pairs with the types of the spec's root input definitions.</summary>
    private static Dictionary<string, JsonElement> ParseParameters(string specJson, string[] assignments)
    {
        using var spec = JsonDocument.Parse(specJson);
        var definitions = spec.RootElement.GetProperty("root").TryGetProperty("inputDefinitions", out var inputs) && inputs.TryGetProperty("parameters", out var p)
            ? p.EnumerateObject().ToDictionary(d => d.Name, d => d.Value.Clone())
            : [];
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"--param {assignment}: write it as --param name=value");
            }

            var (name, text) = (assignment[..equals], assignment[(equals + 1)..]);
            if (!definitions.TryGetValue(name, out var definition))
            {
                throw new CliException($"--param {assignment}: the pipeline has no parameter '{name}' (its parameters: {(definitions.Count == 0 ? "none" : string.Join(", ", definitions.Keys))})");
            }

            values[name] = Parse(name, text, definition.GetProperty("parameterType").GetString()!);
        }

        foreach (var (name, definition) in definitions.Where(d => !values.ContainsKey(d.Key)))
        {
            values[name] = definition.TryGetProperty("defaultValue", out var defaultValue)
                ? defaultValue
                : throw new CliException($"the pipeline needs --param {name}=VALUE");
        }

        return values;
    }

    private static JsonElement Parse(string name, string text, string type)
    {
        try
        {
            using var document = JsonDocument.Parse(type == "STRING" ? JsonSerializer.Serialize(text, CliJson.Default.String) : text);
            var value = document.RootElement;
            var fits = type switch
            {
                "NUMBER_INTEGER" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
                "NUMBER_DOUBLE" => value.ValueKind == JsonValueKind.Number,
                "BOOLEAN" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                "LIST" => value.ValueKind == JsonValueKind.Array,
                "STRUCT" => value.ValueKind == JsonValueKind.Object,
                _ => true,
            };
            return fits ? value.Clone() : throw new CliException($"--param {name}={text}: not a {type} value");
        }
        catch (JsonException)
        {
            throw new CliException($"--param {name}={text}: not a {type} value");
        }
    }
}

/// <summary>Source-generated JSON for the few values the CLI serializes.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class CliJson : System.Text.Json.Serialization.JsonSerializerContext;
