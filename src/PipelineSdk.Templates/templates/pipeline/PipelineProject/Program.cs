using PipelineSdk.Hosting;

// Runs this program's pipeline on the active stack; `dotnet run -- --help` lists the options.
return await PipelineApp.RunAsync(args);
