using System.CommandLine;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using Spectre.Console;

namespace PipelineSdk.Cli.Commands;

/// <summary><c>pipelines secret create|get|list|delete</c> on the active stack's secrets manager.</summary>
internal static class SecretCommands
{
    public static Command Create(Cli cli)
    {
        var command = new Command("secret", "Manages secrets in the active stack's secrets manager; settings reference them as {{secret.NAME.KEY}}.");
        command.Add(CreateSecret(cli));
        command.Add(Get(cli));
        command.Add(List(cli));
        command.Add(Delete(cli));
        return command;
    }

    private static Command CreateSecret(Cli cli)
    {
        var name = new Argument<string>("name") { Description = "The secret's name." };
        var command = new Command("create", "Creates a secret from --KEY=VALUE pairs, e.g. `pipelines secret create db --user=me --password=...`.") { name };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(cli.Handle(async (result, token) =>
        {
            var secretName = System.Text.RegularExpressions.Regex.IsMatch(result.GetValue(name)!, "^[A-Za-z0-9_-]{1,255}$")
                ? result.GetValue(name)!
                : throw new CliException($"'{result.GetValue(name)}' is not a valid secret name: use letters, digits, '_' and '-', so settings can reference it as {{{{secret.NAME.KEY}}}}");
            var values = Pairs(result.UnmatchedTokens);
            var (manager, stack) = Open();
            await manager.CreateAsync(secretName, values, token).ConfigureAwait(false);
            cli.Line($"Created secret '{secretName}' with {values.Count} key{(values.Count == 1 ? "" : "s")} ({string.Join(", ", values.Keys)}) in the secrets manager of stack '{stack}'.");
            return Cli.Success;
        }));
        return command;
    }

    private static Command Get(Cli cli)
    {
        var name = new Argument<string>("name") { Description = "The secret to read." };
        var output = Cli.OutputOption();
        var command = new Command("get", "Prints a secret's keys and values.") { name, output };
        command.SetAction(cli.Handle(async (result, token) =>
        {
            var (manager, stack) = Open();
            var secret = await manager.GetAsync(result.GetValue(name)!, token).ConfigureAwait(false)
                ?? throw new CliException($"no secret named '{result.GetValue(name)}' in the secrets manager of stack '{stack}' (see `pipelines secret list`)");
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartObject();
                    foreach (var (key, value) in secret)
                    {
                        w.WriteString(key, value);
                    }

                    w.WriteEndObject();
                });
            }
            else
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumn("KEY").AddColumn("VALUE");
                foreach (var (key, value) in secret)
                {
                    table.AddRow(Markup.Escape(key), Markup.Escape(value));
                }

                cli.Console.Write(table);
            }

            return Cli.Success;
        }));
        return command;
    }

    private static Command List(Cli cli)
    {
        var output = Cli.OutputOption();
        var command = new Command("list", "Lists the names of the secrets.") { output };
        command.SetAction(cli.Handle(async (result, token) =>
        {
            var (manager, _) = Open();
            var names = await manager.ListAsync(token).ConfigureAwait(false);
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (var secret in names)
                    {
                        w.WriteStringValue(secret);
                    }

                    w.WriteEndArray();
                });
            }
            else
            {
                foreach (var secret in names)
                {
                    cli.Line(secret);
                }
            }

            return Cli.Success;
        }));
        return command;
    }

    private static Command Delete(Cli cli)
    {
        var name = new Argument<string>("name") { Description = "The secret to delete." };
        var command = new Command("delete", "Deletes a secret.") { name };
        command.SetAction(cli.Handle(async (result, token) =>
        {
            var (manager, stack) = Open();
            if (!await manager.DeleteAsync(result.GetValue(name)!, token).ConfigureAwait(false))
            {
                throw new CliException($"no secret named '{result.GetValue(name)}' in the secrets manager of stack '{stack}'");
            }

            cli.Line($"Deleted secret '{result.GetValue(name)}'.");
            return Cli.Success;
        }));
        return command;
    }

    private static (ISecretsManager Manager, string Stack) Open()
    {
        var directory = StoreLocation.Resolve();
        using var store = MetadataStore.Open(directory);
        var (stack, _) = StackSelection.Resolve(store, null);
        var manager = StackComponents.CreateSecretsManager(stack, directory) ?? throw new CliException(
            $"stack '{stack.Name}' has no secrets manager; register one with `pipelines secrets-manager register NAME --flavor=local` and add it with `pipelines stack update {stack.Name} -x NAME`");
        return (manager, stack.Name);
    }

    private static Dictionary<string, string> Pairs(IReadOnlyList<string> tokens)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length < 3)
            {
                throw new CliException($"'{token}' is not a --KEY=VALUE pair");
            }

            var equals = token.IndexOf('=', StringComparison.Ordinal);
            var (key, value) = equals > 0
                ? (token[2..equals], token[(equals + 1)..])
                : (token[2..], i + 1 < tokens.Count ? tokens[++i] : throw new CliException($"{token} has no value; write {token}=VALUE"));
            if (!System.Text.RegularExpressions.Regex.IsMatch(key, "^[A-Za-z0-9_-]+$"))
            {
                throw new CliException($"'{key}' is not a valid key: use letters, digits, '_' and '-'");
            }

            values[key] = value;
        }

        return values.Count > 0 ? values : throw new CliException("a secret needs at least one --KEY=VALUE pair");
    }
}
