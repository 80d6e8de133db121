using System.Reflection;
using System.Xml.Linq;

namespace PipelineSdk.Tests.Shared;

/// <summary>
/// A copy of an example program in a temporary folder, so tests can build, publish and edit it without touching
/// the repository's copy (which other test projects build at the same time). Its Directory.Build files import the
/// repository's, so it references PipelineSdk, the generator and the build targets exactly as the original does.
/// The test project names the repository in an assembly attribute (<c>AssemblyMetadata("RepoRoot", ...)</c>).
/// </summary>
internal sealed class ProgramCopy : IDisposable
{
    public static string RepoRoot => typeof(ProgramCopy).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    private ProgramCopy(string directory, string name)
    {
        Directory = directory;
        ProjectPath = Path.Combine(directory, name + ".csproj");
    }

    public string Directory { get; }

    public string ProjectPath { get; }

    public static ProgramCopy Of(string example)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory($"psdk-program-{example.ToLowerInvariant()}-").FullName;
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

    /// <summary>
    /// Drops the program's references to PipelineSdk.Gcp and PipelineSdk.Kubeflow (and the Gcp build targets): the same
    /// pipeline on PipelineSdk alone, which a Native AOT publish compiles in a fraction of the time (Google's and
    /// Amazon's client libraries are compiled whole otherwise).
    /// </summary>
    public ProgramCopy WithoutCloudReferences()
    {
        var project = XDocument.Load(ProjectPath);
        var cloud = project.Descendants()
            .Where(e => e.Name.LocalName is "ProjectReference" or "Import")
            .Where(e => ((string?)e.Attribute("Include") ?? (string?)e.Attribute("Project") ?? "").Contains("PipelineSdk.Gcp", StringComparison.Ordinal)
                || ((string?)e.Attribute("Include") ?? "").Contains("PipelineSdk.Kubeflow", StringComparison.Ordinal))
            .ToList();
        Assert.That(cloud, Is.Not.Empty, $"{ProjectPath} references no cloud integration");
        cloud.ForEach(e => e.Remove());
        project.Save(ProjectPath);
        return this;
    }

    /// <summary>Adds the C# files of another program's folder (relative to the repository), except the ones named.</summary>
    public ProgramCopy WithSourcesOf(string folder, params string[] except)
    {
        var sources = System.IO.Directory.GetFiles(Path.Combine(RepoRoot, folder), "*.cs").Where(f => !except.Contains(Path.GetFileName(f))).ToList();
        Assert.That(sources, Is.Not.Empty, $"no C# files in {folder}");
        sources.ForEach(f => File.Copy(f, Path.Combine(Directory, Path.GetFileName(f))));
        return this;
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
