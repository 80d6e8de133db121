using System.CommandLine;
using System.Text.Json;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using Spectre.Console;

namespace PipelineSdk.Cli.Commands;

/// <summary>A mistake on the command line or in the store; printed as one line, exit code 2.</summary>
internal sealed class CliException(string message) : Exception(message);

/// <summary>What every command needs: where output goes and how to open the store.</summary>
internal sealed class Cli(IAnsiConsole console, TextWriter error)
{
    public const int Success = 0;
    public const int UserError = 2;

    public IAnsiConsole Console { get; } = console;

    public TextWriter Error { get; } = error;

    public TextWriter Out => Console.Profile.Out.Writer;

    /// <summary><c>--output table|json</c>, on every listing and show.</summary>
    public static Option<string> OutputOption() =>
        new Option<string>("--output") { Description = "table (default) or json.", DefaultValueFactory = _ => "table" }.AcceptOnlyFromAmong("table", "json");

    public static bool Json(ParseResult result, Option<string> output) => result.GetValue(output) == "json";

    /// <summary>Opens the store the runtime would use from the current folder, and marks runs whose process died as crashed.</summary>
    public static MetadataStore OpenStore()
    {
        var store = MetadataStore.Open(StoreLocation.Resolve());
        NoteCrashed(store);
        return store;
    }

    /// <summary>Opens that store for a command that only reads it, so it works on a read-only store too.</summary>
    public static MetadataStore OpenStoreForReading()
    {
        var store = MetadataStore.OpenForReading(StoreLocation.Resolve());
        // Listings show runs as they are: a killed run is marked crashed here too (a store this tool may only read is left as it is).
        NoteCrashed(store);
        return store;
    }

    private static void NoteCrashed(MetadataStore store)
    {
        foreach (var crashed in CrashRecovery.Sweep(store))
        {
            System.Console.Error.WriteLine(CrashRecovery.Note(crashed));
        }
    }

    /// <summary>The runs as they are now: those that ended on a remote orchestrator nobody followed are recorded as ended.</summary>
    public IReadOnlyList<RunRecord> Reconcile(MetadataStore store, IReadOnlyList<RunRecord> runs) =>
        RemoteRunReconciliation.ReconcileAsync(store, runs, Error, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Runs a command body, turning user mistakes into one-line errors and exit code 2, and problems of the
    /// machine into one line and their <see cref="EnvironmentProblem"/> exit code.
    /// </summary>
    public Func<ParseResult, CancellationToken, Task<int>> Handle(Func<ParseResult, CancellationToken, Task<int>> body) => async (result, token) =>
    {
        try
        {
            return await body(result, token).ConfigureAwait(false);
        }
        catch (EnvironmentException e)
        {
            Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (StoreProblems.FromSqlite(e, Path.Combine(StoreLocation.Resolve(), MetadataStore.DatabaseFileName)) is { } problem)
        {
            Error.WriteLine($"error: {problem.Message}");
            return problem.ExitCode;
        }
        catch (IOException e) when (EnvironmentException.FromFileError(e, StoreLocation.Resolve(), "free some space or make it writable") is { } problem)
        {
            Error.WriteLine($"error: {problem.Message}");
            return problem.ExitCode;
        }
        catch (Exception e) when (e is CliException or StackException or IOException or UnauthorizedAccessException or HttpRequestException)
        {
            Error.WriteLine($"error: {e.Message}");
            return UserError;
        }
        catch (System.Text.Json.JsonException e)
        {
            Error.WriteLine($"error: a file is not the JSON expected ({e.Message.Split('\n')[0]})");
            return UserError;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            Error.WriteLine($"error: the store's database cannot be used ({e.Message.Split('\n')[0]})");
            return UserError;
        }
    };

    public Func<ParseResult, CancellationToken, Task<int>> Handle(Action<ParseResult> body) =>
        Handle((result, _) =>
        {
            body(result);
            return Task.FromResult(Success);
        });

    /// <summary>Writes one JSON document to standard output.</summary>
    public void WriteJson(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>A plain line that never wraps (ids and paths stay copyable).</summary>
    public void Line(string text) => Out.WriteLine(text);
}
