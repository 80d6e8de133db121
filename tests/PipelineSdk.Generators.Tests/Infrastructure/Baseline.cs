namespace PipelineSdk.Generators.Tests.Infrastructure;

/// <summary>
/// Approved files: each test's expected outputs live under Baselines/&lt;scenario&gt;/. Set
/// PIPELINESDK_APPROVE=1 to rewrite them from the current output, then review the diff in git.
/// </summary>
internal static class Baseline
{
    private static bool Approving => Environment.GetEnvironmentVariable("PIPELINESDK_APPROVE") == "1";

    /// <summary>Checks that <paramref name="files"/> (name → content) are exactly the approved files of <paramref name="scenario"/>.</summary>
    public static void Verify(string scenario, IReadOnlyDictionary<string, string> files)
    {
        var directory = Path.Combine(GeneratorHarness.BaselineDirectory, scenario);
        if (Approving)
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.CreateDirectory(directory);
            foreach (var (name, content) in files)
            {
                File.WriteAllText(Path.Combine(directory, name), content);
            }
        }

        Assert.That(Directory.Exists(directory), Is.True, $"No approved files for '{scenario}'; run the tests with PIPELINESDK_APPROVE=1 and review {directory}.");
        var approved = Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.That(files.Keys.Order(StringComparer.Ordinal).ToList(), Is.EqualTo(approved), $"The generated files of '{scenario}' differ from the approved set; re-approve with PIPELINESDK_APPROVE=1 if intended.");
        foreach (var (name, content) in files)
        {
            var expected = File.ReadAllText(Path.Combine(directory, name));
            Assert.That(Normalize(content), Is.EqualTo(Normalize(expected)), $"{scenario}/{name} differs from the approved file; re-approve with PIPELINESDK_APPROVE=1 if intended.");
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}
