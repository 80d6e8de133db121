using System.Security.Cryptography;
using System.Text;

namespace PipelineSdk.Tests.Shared;

/// <summary>
/// Builds of the repository's projects that tests start (Native AOT and image publishes, packs, <c>dotnet run</c> of a
/// program copy) take turns across test projects. The test projects run side by side, and two builds at once would write
/// the same obj folders of the referenced projects whenever those are not up to date (a test project run on its own,
/// a pack's package files).
/// </summary>
internal static class RepositoryBuild
{
    private static readonly Lazy<string> DotnetWrapper = new(WriteDotnetWrapper);

    /// <summary>
    /// A <c>dotnet</c> to start instead of <c>dotnet</c> for such a build: it waits for the repository's build lock and
    /// holds it until dotnet exits. flock's <c>-o</c> keeps the lock out of the MSBuild nodes and compiler servers the
    /// build leaves running.
    /// </summary>
    public static string Dotnet => DotnetWrapper.Value;

    private static string WriteDotnetWrapper()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the build lock is a shell script around util-linux's flock");
        }

        var repository = FindRepositoryRoot();
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repository)))[..16];
        var folder = Path.Combine(Path.GetTempPath(), $"psdk-build-lock-{key}");
        Directory.CreateDirectory(folder);
        var wrapper = Path.Combine(folder, "dotnet");
        var script = $"#!/bin/sh\nexec flock -o '{Path.Combine(folder, "lock")}' dotnet \"$@\"\n";
        if (!File.Exists(wrapper) || File.ReadAllText(wrapper) != script)
        {
            // Written aside and moved into place: several test processes may write it at once.
            var aside = $"{wrapper}.{Environment.ProcessId}";
            File.WriteAllText(aside, script);
            File.SetUnixFileMode(aside, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.Move(aside, wrapper, overwrite: true);
        }

        return wrapper;
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "PipelineSdk.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no PipelineSdk.sln above {AppContext.BaseDirectory}: the tests run from the repository's build output");
    }
}
