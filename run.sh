#!/usr/bin/env bash
# Starts Azurite (data in .azurite/) and PecosCrm on http://localhost:7071, seeding demo data on
# the first start. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x node_modules/.bin/azurite ]; then
  echo "Installing Azurite (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "Building PecosCrm..."
dotnet build src/PecosCrm.Functions/PecosCrm.Functions.csproj --nologo -v quiet -clp:ErrorsOnly

mkdir -p .azurite
if [ ! -s .azurite/admin-key ]; then
  # The first start registers this key as the admin key (PECOSCRM_BOOTSTRAP_ADMIN_KEY); later
  # starts print it again. It lives beside Azurite's data and goes with it.
  echo "pcrm_dev_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" > .azurite/admin-key
fi
admin_key=$(cat .azurite/admin-key)

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

node node_modules/azurite/dist/src/azurite.js --location .azurite --skipApiVersionCheck --silent \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 > .azurite/azurite.log 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  (echo > /dev/tcp/127.0.0.1/10002) 2>/dev/null && break
  sleep 0.5
done

PECOSCRM_BOOTSTRAP_ADMIN_KEY="$admin_key" Demo__Seed=true AzureWebJobsStorage="${AzureWebJobsStorage:-UseDevelopmentStorage=true}" \
  dotnet run --project src/PecosCrm.Functions --no-build --no-launch-profile &
pids+=($!)

for _ in $(seq 1 240); do
  if curl -fs http://localhost:7071/api/health > /dev/null 2>&1; then
    cat <<MSG

  PecosCrm is up.
  API reference:   http://localhost:7071/api/docs
  OpenAPI:         http://localhost:7071/api/openapi.json
  Admin API key:   $admin_key

  On the first start the demo store is seeded in the background (the log says when it is done).
  Try: curl -H "Authorization: Bearer $admin_key" "http://localhost:7071/api/customers?limit=5"
  Ctrl-C stops the app and Azurite.

MSG
    break
  fi
  sleep 0.5
done
wait "${pids[1]}"
