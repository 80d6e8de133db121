#!/usr/bin/env bash
# Runs the benchmark suite (tests/PipelineSdk.Benchmarks) from the repository root.
#
#   run-benchmarks.sh              full run: rewrites docs/benchmarks.md with the machine, the date and every figure as a
#                                  ratio against a baseline measured in the same run (a few minutes on 2 cores, including
#                                  two Native AOT publishes for the start-up figures)
#   run-benchmarks.sh --skip-aot   the same without the Native AOT start-up figures
#   run-benchmarks.sh --only NAME  only the benchmark classes whose name contains NAME (e.g. Generator, Startup)
#   run-benchmarks.sh --smoke      CI: builds the benchmarks (Debug, like the tests) and runs each benchmark once on small
#                                  inputs without measuring or writing anything; Native AOT start-up is left out; exits
#                                  non-zero if any benchmark fails
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

project=tests/PipelineSdk.Benchmarks/PipelineSdk.Benchmarks.csproj
if [[ "${1:-}" == "--smoke" ]]; then
  dotnet build "$project" -c Debug
  exec dotnet tests/PipelineSdk.Benchmarks/bin/Debug/net10.0/PipelineSdk.Benchmarks.dll --smoke
fi

dotnet build "$project" -c Release
exec dotnet tests/PipelineSdk.Benchmarks/bin/Release/net10.0/PipelineSdk.Benchmarks.dll --report docs/benchmarks.md "$@"
