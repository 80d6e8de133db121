// Most fixtures wait on child processes and loopback servers, so two run at once; each has its own folders, ports and fakes,
// and passes settings to its processes rather than through this process's environment. Fixtures that change this process's
// environment, or build and publish programs (they share the build outputs of the repository), are [NonParallelizable].
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
