using PipelineSdk;

/// <summary>
/// A step that writes far more to standard error and output than a pipe holds (64 KiB), as a chatty training library does:
/// whoever runs its process must read both streams at once, or it blocks forever.
/// </summary>
public static class ChattyPipelines
{
    /// <summary>Writes <paramref name="kibibytes"/> KiB to standard error and to standard output, then returns the count.</summary>
    [Step]
    public static int Chatter(int kibibytes)
    {
        var line = new string('x', 1023);
        for (var i = 0; i < kibibytes; i++)
        {
            Console.Error.WriteLine(line);
            Console.Out.WriteLine(line);
        }

        return kibibytes;
    }

    /// <summary>One chatty step and one after it, so a hang would also stop the rest of the run.</summary>
    [Pipeline]
    public static void NoisyPipeline(int kibibytes = 200)
    {
        var written = Chatter(kibibytes);
        ControlFlowPipelines.Roll(written);
    }
}
