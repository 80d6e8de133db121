using PipelineSdk.Hosting;

return await PipelineApp.RunAsync(args);
