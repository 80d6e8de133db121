using System.Text.Json;

namespace PipelineSdk.Stacks;

/// <summary>A store of named secrets, each a set of key-value pairs.</summary>
public interface ISecretsManager
{
    /// <summary>Creates a secret; fails if it exists.</summary>
    /// <exception cref="StackException">A secret of that name exists.</exception>
    Task CreateAsync(string name, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken);

    /// <summary>Reads a secret, or null when there is none of that name.</summary>
    Task<IReadOnlyDictionary<string, string>?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>The names of all secrets, sorted.</summary>
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Deletes a secret; returns false when there was none.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}

/// <summary>The local secrets manager: one JSON file in the store folder, readable by its owner only.</summary>
public sealed class LocalSecretsManager(string storeDirectory) : ISecretsManager
{
    /// <summary>The file name in the store folder.</summary>
    public const string FileName = "secrets.json";

    /// <summary>The file holding the secrets.</summary>
    public string FilePath { get; } = Path.Combine(storeDirectory, FileName);

    /// <inheritdoc />
    public async Task CreateAsync(string name, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        using var held = await LockAsync(cancellationToken).ConfigureAwait(false);
        var all = Read();
        if (all.ContainsKey(name))
        {
            throw new StackException($"A secret named '{name}' exists; delete it first with `pipelines secret delete {name}`.");
        }

        all[name] = new Dictionary<string, string>(values, StringComparer.Ordinal);
        Write(all);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string>?> GetAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>?>(Read().GetValueOrDefault(name));

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. Read().Keys.Order(StringComparer.Ordinal)]);

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        using var held = await LockAsync(cancellationToken).ConfigureAwait(false);
        var all = Read();
        if (!all.Remove(name))
        {
            return false;
        }

        Write(all);
        return true;
    }

    /// <summary>
    /// Holds the store's lock file exclusively, so read-modify-write cycles of several processes (two
    /// `pipelines secret create` at once) never lose each other's secrets.
    /// </summary>
    private async Task<FileStream> LockAsync(CancellationToken cancellationToken)
    {
        var path = FilePath + ".lock";
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 200)
            {
                await Task.Delay(25, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Dictionary<string, Dictionary<string, string>> Read()
    {
        var all = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        if (!File.Exists(FilePath))
        {
            return all;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(FilePath));
            foreach (var secret in document.RootElement.EnumerateObject())
            {
                all[secret.Name] = secret.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new EnvironmentException(EnvironmentProblem.SecretsFileUnreadable,
                $"{FilePath} is not a secrets file ({Execution.StepMode.FirstLine(e.Message)}); restore it from a backup, or move it away and create the secrets again with `pipelines secret create`", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EnvironmentException(EnvironmentProblem.SecretsFileUnreadable,
                $"{FilePath} cannot be read ({Execution.StepMode.FirstLine(e.Message)}); make it readable by you (chmod 600) or set {Store.StoreLocation.HomeVariable} to your own store", e);
        }

        return all;
    }

    private void Write(Dictionary<string, Dictionary<string, string>> all)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            foreach (var (name, values) in all.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject(name);
                foreach (var (key, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        // Written to a new file created owner-only, then moved over the old one: never readable by others.
        var temporary = $"{FilePath}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temporary, options))
        {
            file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        }

        File.Move(temporary, FilePath, overwrite: true);
    }
}
