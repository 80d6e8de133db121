using System.Reflection;

namespace PipelineSdk.Gcp.Tests.Images;

/// <summary>
/// A copy of an example program in a temporary folder, so tests can build, publish and edit it without touching
/// the repository's copy (which other test projects build at the same time). Its Directory.Build files import the
/// repository's, so it references PipelineSdk, the generator and the build targets exactly as the original does.
/// </summary>
internal sealed class ProgramCopy : IDisposable
{
    public static readonly string RepoRoot = typeof(ProgramCopy).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    private ProgramCopy(string directory, string name)
    {
        Directory = directory;
        ProjectPath = Path.Combine(directory, name + ".csproj");
    }

    public string Directory { get; }

    public string ProjectPath { get; }

    public static ProgramCopy Of(string example)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory($"psdk-image-{example.ToLowerInvariant()}-").FullName;
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(RepoRoot, "examples", example)).Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        }

        foreach (var imported in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(directory, imported), $"<Project><Import Project=\"{Path.Combine(RepoRoot, imported)}\" /></Project>\n");
        }

        File.Copy(Path.Combine(RepoRoot, "nuget.config"), Path.Combine(directory, "nuget.config"));
        return new ProgramCopy(directory, example);
    }

    /// <summary>Replaces text in one of the program's files (it must be there).</summary>
    public void Edit(string file, string from, string to)
    {
        var path = Path.Combine(Directory, file);
        var text = File.ReadAllText(path);
        Assert.That(text, Does.Contain(from));
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
