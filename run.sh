#!/usr/bin/env bash
# Starts Azurite (data in .azurite/) and PecosCrm on http://localhost:7071, seeding demo data on
# the first start. Ctrl-C stops both within a few seconds.
#
# PECOSCRM_BOOTSTRAP_ADMIN_KEY  the admin key to register on the first start (default: one is
#                               generated and kept in .azurite/admin-key)
# PECOSCRM_PORT                 the app's port (default 7071)
# PECOSCRM_DATA                 Azurite's data folder (default .azurite)
# AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT   Azurite's ports (default 10000-10002)
set -euo pipefail
# Job control: the app and Azurite each run in a process group of their own, so stopping one
# stops every process it started (dotnet run starts the app as a child).
set -m
cd "$(dirname "$0")"

port=${PECOSCRM_PORT:-7071}
data=${PECOSCRM_DATA:-.azurite}
blob_port=${AZURITE_BLOB_PORT:-10000}
queue_port=${AZURITE_QUEUE_PORT:-10001}
table_port=${AZURITE_TABLE_PORT:-10002}

if [ ! -x node_modules/.bin/azurite ]; then
  echo "Installing Azurite (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "Building PecosCrm..."
dotnet build src/PecosCrm.Functions/PecosCrm.Functions.csproj --nologo -v quiet -clp:ErrorsOnly

mkdir -p "$data"
if [ -n "${PECOSCRM_BOOTSTRAP_ADMIN_KEY:-}" ]; then
  admin_key=$PECOSCRM_BOOTSTRAP_ADMIN_KEY
else
  if [ ! -s "$data/admin-key" ]; then
    # The first start registers this key as the admin key; later starts print it again. It lives
    # beside Azurite's data and goes with it.
    echo "pcrm_dev_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" > "$data/admin-key"
  fi
  admin_key=$(cat "$data/admin-key")
fi

pids=()
stopping=0
# Stops a process group: TERM, then KILL once the deadline (seconds since the epoch, with
# fractions) has passed.
stop_group() {
  local pid=$1 deadline=$2
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(date +%s%N)" -ge "$deadline" ]; then
      kill -KILL -- "-$pid" 2>/dev/null || true
      return 0
    fi
    sleep 0.1
  done
}
# Ctrl-C: the app first (so nothing writes to Azurite any more), with 2 s to finish its work in
# hand, then Azurite, all within 4 s. Azurite itself takes up to minutes to close (its blob
# clean-up loop sleeps between rounds) but saves its data every 5 s while it runs, so it is
# stopped at the deadline: the last seconds of writes before Ctrl-C may be lost, as in a crash,
# which the app is built to survive (accepted events are stored before their 202, work is retried).
cleanup() {
  [ "$stopping" = 1 ] && return
  stopping=1
  trap - EXIT INT TERM
  echo "Stopping..."
  local now
  now=$(date +%s%N)
  [ "${#pids[@]}" -ge 2 ] && stop_group "${pids[1]}" $((now + 2000000000))
  [ "${#pids[@]}" -ge 1 ] && stop_group "${pids[0]}" $((now + 4000000000))
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

node node_modules/azurite/dist/src/azurite.js --location "$data" --skipApiVersionCheck --silent \
  --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
  --tableHost 127.0.0.1 --tablePort "$table_port" > "$data/azurite.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  (echo > "/dev/tcp/127.0.0.1/$table_port") 2>/dev/null && break
  sleep 0.5
done

account="AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
storage="DefaultEndpointsProtocol=http;$account;BlobEndpoint=http://127.0.0.1:$blob_port/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue_port/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"

PECOSCRM_BOOTSTRAP_ADMIN_KEY="$admin_key" Demo__Seed=true AzureWebJobsStorage="${AzureWebJobsStorage:-$storage}" \
  ASPNETCORE_URLS="http://localhost:$port" dotnet run --project src/PecosCrm.Functions --no-build --no-launch-profile &
pids+=($!)

base="http://localhost:$port"
for _ in $(seq 1 240); do
  if curl -fs "$base/api/health" > /dev/null 2>&1; then
    note=""
    if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $admin_key" "$base/api/keys?limit=1")" = 401 ]; then
      note="  Note: this key is not registered: the store in $data already has an admin key (delete $data to start over)."
    fi
    cat <<MSG

  PecosCrm is up.
  API reference:   $base/api/docs
  OpenAPI:         $base/api/openapi.json
  Admin API key:   $admin_key
$note
  On the first start the demo store loads in the background: the first 100 customers within
  seconds, the rest in slices (the log shows "Demo data: N of 2000 customers loaded").
  Try: curl -H "Authorization: Bearer $admin_key" "$base/api/customers?limit=5"
  Ctrl-C stops the app and Azurite.

MSG
    break
  fi
  sleep 0.5
done
# Waits for the app; returns at once when Ctrl-C arrives, and the trap stops everything.
wait "${pids[1]}"
