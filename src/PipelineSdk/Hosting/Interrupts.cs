using System.Runtime.InteropServices;

namespace PipelineSdk.Hosting;

/// <summary>
/// Turns the first Ctrl+C (SIGINT) or SIGTERM into a cancellation, so a run stops its steps (child processes are killed,
/// a Vertex AI job is offered for cancelling) and records itself cancelled; a second one quits at once.
/// </summary>
internal sealed class Interrupts : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly TextWriter _error;
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;

    private Interrupts(CancellationTokenSource source, TextWriter error)
    {
        _source = source;
        _error = error;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    /// <summary>Whether an interrupt asked the program to stop.</summary>
    public bool Received => Volatile.Read(ref _received) > 0;

    /// <summary>Cancels <paramref name="source"/> on the first interrupt until disposed.</summary>
    public static Interrupts Watch(CancellationTokenSource source, TextWriter error) => new(source, error);

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void Handle(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _received) > 1)
        {
            return;
        }

        context.Cancel = true;
        _error.WriteLine($"Stopping ({context.Signal}): cancelling the steps that run and recording the run as cancelled; press Ctrl+C again to quit at once.");
        _error.Flush();
        // Cancellation callbacks kill step processes and may ask questions: not on the signal thread.
        ThreadPool.QueueUserWorkItem(_ => _source.Cancel());
    }
}
