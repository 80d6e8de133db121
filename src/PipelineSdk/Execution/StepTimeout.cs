using System.Globalization;
using PipelineSdk.Descriptors;

namespace PipelineSdk.Execution;

/// <summary>An attempt of a step ran longer than its <see cref="StepSettings.Timeout"/>.</summary>
public sealed class StepTimedOutException(string message) : TimeoutException(message);

/// <summary>
/// Calls a step within its timeout (<c>[Step(Timeout = "30m")]</c>), in every place a step runs — in process and in step mode,
/// which local processes and containers run — so a timeout means the same everywhere. When the time is up the step's
/// cancellation token is cancelled and the attempt fails at once with "step 'train' timed out after 30m"; a step that
/// ignores its token is left behind (a step process exits with it).
/// </summary>
public static class StepTimeout
{
    /// <summary>Invokes <paramref name="step"/>, failing with <see cref="StepTimedOutException"/> when it outlasts its timeout.</summary>
    public static async ValueTask<object?[]> InvokeAsync(StepDescriptor step, object?[] inputs, CancellationToken cancellationToken)
    {
        if (step.Settings.Timeout is not { } timeout)
        {
            return await step.Invoke(inputs, cancellationToken).ConfigureAwait(false);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // On a task of its own: a synchronous step runs to its end inside Invoke.
        var invocation = Task.Run(() => step.Invoke(inputs, limit.Token).AsTask(), CancellationToken.None);
        var finished = await Task.WhenAny(invocation, Task.Delay(timeout, limit.Token)).ConfigureAwait(false);
        if (finished != invocation && !cancellationToken.IsCancellationRequested)
        {
            await limit.CancelAsync().ConfigureAwait(false);
            _ = invocation.ContinueWith(static t => t.Exception, TaskScheduler.Default); // observed: a step left behind may still fail
            throw new StepTimedOutException($"step '{step.Name}' timed out after {Format(timeout)}");
        }

        await limit.CancelAsync().ConfigureAwait(false);
        return await invocation.ConfigureAwait(false);
    }

    /// <summary>A duration as the attribute writes it: <c>30m</c>, <c>1h30m</c>, <c>90s</c> → <c>1m30s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var seconds = (long)Math.Ceiling(duration.TotalSeconds);
        var text = (seconds / 3600 > 0 ? (seconds / 3600).ToString(CultureInfo.InvariantCulture) + "h" : "")
            + (seconds / 60 % 60 > 0 ? (seconds / 60 % 60).ToString(CultureInfo.InvariantCulture) + "m" : "")
            + (seconds % 60 > 0 ? (seconds % 60).ToString(CultureInfo.InvariantCulture) + "s" : "");
        return text.Length == 0 ? "0s" : text;
    }
}
