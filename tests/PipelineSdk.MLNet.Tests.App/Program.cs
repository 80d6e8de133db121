return await PipelineSdk.Hosting.PipelineApp.RunAsync(args);
