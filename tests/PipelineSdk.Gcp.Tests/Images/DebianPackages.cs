using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Gcp.Tests.Images;

/// <summary>
/// Installs the Debian packages a test needs when their programs are missing (CI starts from a fresh machine), or
/// fails with the exact command to run where it cannot.
/// </summary>
internal static class DebianPackages
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <param name="needs">Each program the tests run and the package that has it.</param>
    public static async Task EnsureAsync(params (string Program, string Package)[] needs)
    {
        await Gate.WaitAsync();
        try
        {
            var missing = needs.Where(n => Find(n.Program) is null).Select(n => n.Package).Distinct().ToList();
            if (missing.Count == 0)
            {
                return;
            }

            var packages = string.Join(' ', missing);
            var command = $"sudo apt-get update && sudo apt-get install -y --no-install-recommends {packages}";
            if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess || Find("apt-get") is null)
            {
                Assert.Fail($"{packages} must be installed for these tests; run: {command}");
            }

            // The docker-registry package's init script would start a registry on all interfaces with its packaged
            // config; policy-rc.d keeps packages from starting services (as it does in container images).
            const string policy = "/usr/sbin/policy-rc.d";
            var addedPolicy = !File.Exists(policy);
            if (addedPolicy && !OperatingSystem.IsWindows())
            {
                File.WriteAllText(policy, "#!/bin/sh\nexit 101\n");
                File.SetUnixFileMode(policy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            try
            {
                var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
                var update = await ProcessResult.RunAsync("apt-get", ["update", "-qq"], environment);
                var install = update.Exit != 0 ? update : await ProcessResult.RunAsync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", .. missing], environment);
                if (install.Exit != 0)
                {
                    Assert.Fail($"installing {packages} failed ({Tail(install.Output + install.Error)}); run: {command}");
                }
            }
            finally
            {
                if (addedPolicy)
                {
                    File.Delete(policy);
                }
            }

            foreach (var (program, package) in needs.Where(n => Find(n.Program) is null))
            {
                Assert.Fail($"{package} is installed but {program} is not on the PATH");
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The full path of a program on the PATH (or in the sbin folders apt puts tools in), or null.</summary>
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"])
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    private static string Tail(string text) => string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
}
