using PipelineSdk;
using PipelineSdk.MLNet.Data;
using PipelineSdk.MLNet.Evaluation;
using PipelineSdk.MLNet.Models;

// The generator reads these at compile time in every program that references this package, so steps take and return the
// ML.NET types directly; nothing is looked up at run time.
[assembly: PipelineSdkMaterializer(typeof(DataViewMaterializer), SchemaTitle = "system.Dataset")]
[assembly: PipelineSdkMaterializer(typeof(TransformerMaterializer), SchemaTitle = "system.Model")]
[assembly: PipelineSdkMaterializer(typeof(RegressionMetricsMaterializer), SchemaTitle = "system.Metrics", OutputOnly = true)]
[assembly: PipelineSdkMaterializer(typeof(BinaryClassificationMetricsMaterializer), SchemaTitle = "system.ClassificationMetrics", OutputOnly = true)]
[assembly: PipelineSdkMaterializer(typeof(CalibratedBinaryClassificationMetricsMaterializer), SchemaTitle = "system.ClassificationMetrics", OutputOnly = true)]
[assembly: PipelineSdkMaterializer(typeof(MulticlassClassificationMetricsMaterializer), SchemaTitle = "system.ClassificationMetrics", OutputOnly = true)]
