#!/usr/bin/env bash
# The main job (README, quick start): runs the Chat sample, which exits by itself.
# Later this runs the local mesh demo. Needs only the .NET 10 SDK on PATH. Extra arguments go to the sample.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ ! -f samples/Chat/Chat.csproj ]; then
  echo "samples/Chat is not there yet: nothing to run" >&2
  exit 1
fi
exec dotnet run --project samples/Chat -c Release -- "$@"
