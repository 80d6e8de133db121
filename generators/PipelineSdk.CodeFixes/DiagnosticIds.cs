namespace PipelineSdk.CodeFixes;

/// <summary>The IDs these fixes handle; the descriptors live with the analyzers in PipelineSdk.Generators.</summary>
internal static class DiagnosticIds
{
    public const string StepMustBeStatic = "PSDK0001";
    public const string UnsupportedValueType = "PSDK0005";
    public const string UnsupportedPipelineStatement = "PSDK0006";
    public const string UnsupportedArgument = "PSDK0007";
    public const string PipelineSignature = "PSDK0008";
    public const string RunTimeValueInExpression = "PSDK0014";

    public const string StepAttribute = "PipelineSdk.StepAttribute";
    public const string PipelineAttribute = "PipelineSdk.PipelineAttribute";
}
