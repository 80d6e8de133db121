namespace PipelineSdk.Stacks;

/// <summary>A stack or component operation that cannot be done as asked; the message is one line that says what to do.</summary>
public sealed class StackException(string message) : Exception(message);
