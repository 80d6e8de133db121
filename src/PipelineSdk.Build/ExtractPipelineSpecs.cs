using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace PipelineSdk.Build;

/// <summary>
/// Writes <c>&lt;pipeline-name&gt;.json</c> for every <c>[assembly: PipelineSpec(name, json)]</c> in a compiled
/// assembly. It reads metadata only: no user code runs at build time. Files of pipelines that no longer
/// exist are removed, and unchanged files are left untouched so incremental builds stay quiet.
/// </summary>
public sealed class ExtractPipelineSpecs : Task
{
    /// <summary>The compiled assembly to read.</summary>
    [Required]
    public string AssemblyPath { get; set; } = "";

    /// <summary>The folder for the spec files (created when needed).</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>The spec files now in <see cref="OutputDirectory"/>.</summary>
    [Output]
    public ITaskItem[] SpecFiles { get; private set; } = Array.Empty<ITaskItem>();

    /// <inheritdoc />
    public override bool Execute()
    {
        IReadOnlyList<KeyValuePair<string, string>> specs;
        try
        {
            specs = PipelineSpecReader.ReadSpecs(AssemblyPath);
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or InvalidOperationException or UnauthorizedAccessException)
        {
            Log.LogError("PipelineSdk: could not read pipeline specs from {0}: {1}", AssemblyPath, e.Message);
            return false;
        }

        var written = new List<ITaskItem>();
        var keep = new HashSet<string>(StringComparer.Ordinal);
        if (specs.Count > 0)
        {
            Directory.CreateDirectory(OutputDirectory);
        }

        foreach (var spec in specs)
        {
            var path = Path.Combine(OutputDirectory, spec.Key + ".json");
            keep.Add(Path.GetFullPath(path));
            if (!File.Exists(path) || File.ReadAllText(path) != spec.Value)
            {
                File.WriteAllText(path, spec.Value, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            }

            written.Add(new TaskItem(path));
        }

        if (Directory.Exists(OutputDirectory))
        {
            foreach (var stale in Directory.GetFiles(OutputDirectory, "*.json").Where(f => !keep.Contains(Path.GetFullPath(f))))
            {
                File.Delete(stale);
            }
        }

        SpecFiles = written.ToArray();
        return true;
    }
}
