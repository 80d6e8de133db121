using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Diagnostics;

/// <summary>
/// The checks that need every pipeline of the compilation at once, so no analyzer scoped to one symbol can make them:
/// duplicate pipeline names, generated classes that would collide, and recursive calls between pipelines.
/// The generator reports these; every other check is reported by the analyzers.
/// </summary>
internal static class CrossPipelineChecks
{
    /// <summary>The hint names of pipelines whose output must not be emitted because it would clash with another's.</summary>
    public static EquatableArray<string> Blocked(ImmutableArray<PipelineLink> links) =>
        DuplicateNames(links).SelectMany(g => g)
            .Concat(DuplicateRunners(links).SelectMany(g => g))
            .Concat(links.Where(l => l.ClashingUserType is not null))
            .Select(l => l.HintName)
            .Distinct()
            .OrderBy(h => h, System.StringComparer.Ordinal)
            .ToEquatableArray();

    public static IEnumerable<Diagnostic> Check(ImmutableArray<PipelineLink> links)
    {
        foreach (var group in DuplicateNames(links))
        {
            var methods = string.Join(" and ", group.Select(l => l.Display));
            foreach (var duplicate in group)
            {
                yield return Diagnostic.Create(DiagnosticCatalog.DuplicatePipelineName, duplicate.Identifier.ToLocation(), group.Key, methods);
            }
        }

        foreach (var group in DuplicateRunners(links))
        {
            var methods = string.Join(" and ", group.Select(l => l.Display));
            foreach (var duplicate in group)
            {
                yield return Diagnostic.Create(DiagnosticCatalog.NameCollision, duplicate.Identifier.ToLocation(),
                    $"Pipelines {methods} would both generate the runner class '{group.Key}'",
                    "rename one of the methods or move it to another namespace");
            }
        }

        foreach (var link in links.Where(l => l.ClashingUserType is not null))
        {
            yield return Diagnostic.Create(DiagnosticCatalog.NameCollision, link.Identifier.ToLocation(),
                $"The class 'Pipelines' generated for pipeline '{link.Display}' would clash with the type '{link.ClashingUserType}'",
                "rename that type or move the pipeline to another namespace");
        }

        // The halves of a partial method share a key; their calls are the method's calls.
        var callees = links.GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.SelectMany(l => l.Calls).Select(c => c.CalleeKey).Distinct().ToList());
        var displays = links.GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.First().Display);
        foreach (var link in links)
        {
            foreach (var call in link.Calls)
            {
                if (PathBack(call.CalleeKey, link.Key, callees) is { } path)
                {
                    var cycle = string.Join(" → ", new[] { link.Display }.Concat(path.Select(k => displays[k])));
                    yield return Diagnostic.Create(DiagnosticCatalog.RecursivePipeline, call.Location.ToLocation(), link.Display, call.CalleeDisplay, cycle);
                }
            }
        }
    }

    private static IEnumerable<IGrouping<string, PipelineLink>> DuplicateNames(ImmutableArray<PipelineLink> links) =>
        links.GroupBy(l => l.PipelineName).Where(g => g.Select(l => l.Key).Distinct().Count() > 1);

    private static IEnumerable<IGrouping<string, PipelineLink>> DuplicateRunners(ImmutableArray<PipelineLink> links) =>
        links.GroupBy(l => l.RunnerClass).Where(g => g.Select(l => l.Key).Distinct().Count() > 1);

    /// <summary>The keys on a shortest call path from <paramref name="from"/> back to <paramref name="target"/>, ending with it; null when there is none.</summary>
    private static List<string>? PathBack(string from, string target, Dictionary<string, List<string>> callees)
    {
        var previous = new Dictionary<string, string?> { [from] = null };
        var queue = new Queue<string>();
        queue.Enqueue(from);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            if (current == target)
            {
                var path = new List<string>();
                for (var k = current; k is not null; k = previous[k])
                {
                    path.Add(k);
                }

                path.Reverse();
                return path;
            }

            if (!callees.TryGetValue(current, out var nexts))
            {
                continue;
            }

            foreach (var next in nexts)
            {
                if (!previous.ContainsKey(next))
                {
                    previous[next] = current;
                    queue.Enqueue(next);
                }
            }
        }

        return null;
    }
}
