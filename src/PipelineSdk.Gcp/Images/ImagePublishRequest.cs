namespace PipelineSdk.Gcp.Images;

/// <summary>What to publish, and where.</summary>
/// <param name="ProjectPath">The program's project file, or the folder that holds it.</param>
/// <param name="RegistryUri">
/// The container registry component's <c>uri</c>: <c>host[:port]/repository/path</c>. The image goes to
/// <c>&lt;path&gt;/&lt;assembly name in lower case&gt;</c> in that registry.
/// </param>
/// <param name="BaseImage">The image to build on, e.g. <c>mcr.microsoft.com/dotnet/runtime:10.0</c>; null for the .NET SDK's default.</param>
/// <param name="NativeAot">Publish a Native AOT binary (<c>/app/&lt;Assembly&gt;</c>) instead of <c>dotnet /app/&lt;Assembly&gt;.dll</c>.</param>
public sealed record ImagePublishRequest(string ProjectPath, string RegistryUri, string? BaseImage, bool NativeAot);
