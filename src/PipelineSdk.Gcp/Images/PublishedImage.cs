namespace PipelineSdk.Gcp.Images;

/// <summary>An image in the registry that runs the program's steps.</summary>
/// <param name="Reference">The full reference to put in a pipeline spec: <c>host[:port]/repository:tag</c>.</param>
/// <param name="Tag">The tag: a content hash of the build, the base image and the AOT choice.</param>
/// <param name="Reused">True when the registry already had this tag, so nothing was pushed.</param>
public sealed record PublishedImage(string Reference, string Tag, bool Reused);
