using System.Runtime.CompilerServices;
using Microsoft.ML;

namespace PipelineSdk.MLNet.Models;

/// <summary>
/// The input schema of a trained model. ML.NET's <see cref="ITransformer"/> does not know the schema of the data it was
/// fitted on, yet <c>MLContext.Model.Save</c> wants it so that whoever loads the model knows what to feed it; these
/// extensions carry it with the model object.
/// </summary>
public static class ModelSchemas
{
    private static readonly ConditionalWeakTable<ITransformer, DataViewSchema> Schemas = new();

    /// <summary>
    /// Records the schema of the data <paramref name="model"/> takes (usually <c>trainingData.Schema</c>), which the model
    /// artifact then stores: <c>return pipeline.Fit(train).WithInputSchema(train.Schema);</c>
    /// </summary>
    /// <returns>The same model.</returns>
    public static ITransformer WithInputSchema(this ITransformer model, DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        Schemas.AddOrUpdate(model, inputSchema);
        return model;
    }

    /// <summary>The input schema recorded with <see cref="WithInputSchema"/> or loaded with the model; null when unknown.</summary>
    public static DataViewSchema? InputSchema(this ITransformer model) =>
        Schemas.TryGetValue(model, out var schema) ? schema : null;
}
