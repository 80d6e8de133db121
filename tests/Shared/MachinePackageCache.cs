namespace PipelineSdk.Tests.Shared;

/// <summary>
/// The NuGet package folder of the machine running the tests. A build that gives a child a fresh <c>HOME</c> but builds
/// the repository's projects must keep it: restored into another folder, the repository's projects are restored and
/// rebuilt in place, under the test projects running beside it, and left pointing at a folder the test then deletes.
/// </summary>
internal static class MachinePackageCache
{
    /// <summary>
    /// <c>NUGET_PACKAGES</c> if set, else <c>~/.nuget/packages/</c>: spelled as NuGet spells its default, with the final
    /// slash, since restore compares the text and restores again for any other spelling.
    /// </summary>
    public static string Folder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages") + Path.DirectorySeparatorChar;
}
