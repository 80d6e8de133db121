using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PipelineSdk.Kubeflow.Api;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Kubeflow.Orchestration;

/// <summary>
/// Recurring runs on Kubeflow Pipelines for <c>pipelines schedule create</c> on a stack with a kubeflow orchestrator: the
/// pipeline version is created (or reused) as for a run, the recurring run is filed under the orchestrator's experiment,
/// and the schedule is recorded in the store with its UI link.
/// </summary>
public sealed partial class KubeflowSchedules
{
    private readonly KubeflowSubmission _submission;
    private readonly Stack _stack;
    private readonly string _storeDirectory;
    private readonly string _pipelineRoot;

    private KubeflowSchedules(KubeflowSubmission submission, Stack stack, string storeDirectory, string pipelineRoot)
    {
        _submission = submission;
        _stack = stack;
        _storeDirectory = storeDirectory;
        _pipelineRoot = pipelineRoot;
    }

    /// <summary>Opens the recurring runs of <paramref name="stack"/>'s kubeflow orchestrator (settings' secret references resolved).</summary>
    /// <exception cref="StackException">The stack does not run on Kubeflow Pipelines.</exception>
    public static async Task<KubeflowSchedules> OpenAsync(Stack stack, string storeDirectory, TextWriter warnings, CancellationToken cancellationToken = default)
    {
        var orchestrator = stack.Orchestrator;
        if (orchestrator.Flavor != KubeflowOrchestrator.Flavor)
        {
            throw new StackException($"stack '{stack.Name}' runs on the {orchestrator.Flavor} orchestrator, not kubeflow");
        }

        var secrets = StackComponents.CreateSecretsManager(stack, storeDirectory);
        var settings = await SecretReference.ResolveAsync(orchestrator.Settings, secrets, cancellationToken).ConfigureAwait(false);
        string Setting(string name) => settings.GetValueOrDefault(name) ?? orchestrator.Definition.Settings.First(s => s.Name == name).Default ?? "";
        var pipelineRoot = await StackComponents.ResolvedSettingAsync(stack.ArtifactStore, "path", secrets, cancellationToken).ConfigureAwait(false);
        return new KubeflowSchedules(KubeflowSubmission.Open(Setting, warnings), stack, storeDirectory, pipelineRoot);
    }

    /// <summary>
    /// Kubeflow's cron for a five-field expression: its scheduler wants six fields, seconds first, and has no time zone of its
    /// own (it runs in the controller's, normally UTC).
    /// </summary>
    /// <exception cref="StackException">The expression is not five fields, or names a time zone.</exception>
    public static string KubeflowCron(string cron)
    {
        if (cron.StartsWith("TZ=", StringComparison.Ordinal))
        {
            throw new StackException($"'{cron}': Kubeflow Pipelines runs recurring runs in its controller's time zone (normally UTC) and takes no TZ=; give the five fields in that zone");
        }

        if (!CronPattern().IsMatch(cron))
        {
            throw new StackException($"'{cron}' is not a cron expression: give five fields (minute hour day month weekday), e.g. \"0 6 * * 1\"");
        }

        return "0 " + cron;
    }

    /// <summary>Creates a recurring run of <paramref name="specJson"/> with <paramref name="image"/> on <paramref name="cron"/> and records it.</summary>
    /// <exception cref="StackException">The cron expression is invalid, or Kubeflow Pipelines refused.</exception>
    public async Task<ScheduleRecord> CreateAsync(string displayName, string specJson, string image, string cron, IReadOnlyDictionary<string, JsonElement> parameterValues, int maxConcurrentRuns, TextWriter output, CancellationToken cancellationToken = default)
    {
        var kubeflowCron = KubeflowCron(cron);
        var spec = KubeflowSubmission.SpecWithImage(specJson, image);
        var pipelineName = spec.GetProperty("pipelineInfo").GetProperty("name").GetString()!;
        var experimentId = await _submission.ExperimentIdAsync(output, cancellationToken).ConfigureAwait(false);
        var version = await _submission.PipelineVersionAsync(pipelineName, spec, cancellationToken).ConfigureAwait(false);
        var created = await _submission.Client.CreateRecurringRunAsync(new KfpRecurringRun
        {
            DisplayName = displayName,
            Description = $"Created by PipelineSdk from stack '{_stack.Name}'.",
            PipelineVersionReference = version,
            RuntimeConfig = new KfpRuntimeConfig { Parameters = new Dictionary<string, JsonElement>(parameterValues), PipelineRoot = _pipelineRoot },
            ServiceAccount = _submission.ServiceAccount,
            MaxConcurrency = maxConcurrentRuns.ToString(CultureInfo.InvariantCulture),
            Trigger = new KfpTrigger { CronSchedule = new KfpCronSchedule { Cron = kubeflowCron } },
            Mode = "ENABLE",
            NoCatchup = true,
            ExperimentId = experimentId,
        }, cancellationToken).ConfigureAwait(false);
        var id = created.RecurringRunId ?? throw new StackException("Kubeflow Pipelines gave the recurring run no id");
        var record = new ScheduleRecord(id, displayName, pipelineName, cron, KubeflowOrchestrator.Flavor, _stack.Name, created.Status == "DISABLED" ? "PAUSED" : "ACTIVE",
            JsonSerializer.Serialize(new Dictionary<string, JsonElement>(parameterValues), KfpJson.Default.DictionaryStringJsonElement), $"{_submission.UiUrl}/#/recurringrun/details/{id}", DateTimeOffset.UtcNow);
        try
        {
            using var store = MetadataStore.Open(_storeDirectory);
            store.SaveSchedule(record);
        }
        catch (Exception e) when (e is StackException or System.Data.Common.DbException or IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"warning: recurring run {id} was created on Kubeflow Pipelines but not recorded in the store ({e.Message})");
        }

        return record;
    }

    [GeneratedRegex(@"^\S+ \S+ \S+ \S+ \S+$")]
    private static partial Regex CronPattern();
}
