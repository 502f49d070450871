#!/usr/bin/env bash
# Builds the solution and runs every test project against Azurite (started by the tests
# themselves on free ports), then prints one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

if [ ! -x node_modules/.bin/azurite ]; then
  npm ci --no-audit --no-fund --loglevel=error || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi

if ! dotnet build PecosCrm.sln --nologo -v quiet -clp:ErrorsOnly; then
  echo "Build failed."
  echo "0 passed, 1 failed"
  exit 1
fi

results="TestResults/run-$(date +%s)-$$"
mkdir -p "$results"
status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" --no-build --nologo --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" || status=1
  if [ ! -f "$results/$name.trx" ]; then
    echo "$name produced no results (crashed?)"
    echo "<Counters total=\"1\" executed=\"1\" passed=\"0\" failed=\"1\" notExecuted=\"0\" />" > "$results/$name.trx"
  fi
done

count() { grep -ho "<Counters [^>]*" "$results"/*.trx | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9]*" | awk '{s+=$1} END {print s+0}'; }
passed=$(count passed)
failed=$(count failed)
skipped=$(count notExecuted)
if [ "$passed" -eq 0 ]; then status=1; fi
if [ "$failed" -gt 0 ]; then status=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
