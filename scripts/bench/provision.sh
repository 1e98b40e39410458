#!/usr/bin/env bash
# Wall time of `gcoauth client create|update|rotate|destroy` against the emulator and moto,
# median of N runs (default 9). Not a test: it only measures. Writes a JSON summary to
# $OUT (default $BENCH_DIR/results/provision/provision.json) and prints a markdown table.
#
#   scripts/bench/provision.sh [--runs N]      GCOAUTH_BIN=... to use a prebuilt binary
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

RUNS=9
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift ;;
    *) echo "usage: $0 [--runs N]" >&2; exit 2 ;;
  esac
  shift
done
BENCH_DIR=${BENCH_DIR:-/tmp/gcoauth-bench}
OUT=${OUT:-$BENCH_DIR/results/provision/provision.json}
mkdir -p "$(dirname "$OUT")"

if [ -z "${GCOAUTH_BIN:-}" ]; then
  cargo build --release --bins --quiet
  GCOAUTH_BIN=$PWD/target/release/gcoauth
fi
EMULATOR_BIN=${EMULATOR_BIN:-$(dirname "$GCOAUTH_BIN")/gcoauth-emulator}

work=$(mktemp -d)
trap 'services_stop; rm -rf "$work"' EXIT

# Throwaway admin credentials: generated here, passed only through the environment.
GCOAUTH_EMULATOR_CLIENT_ID=bench-admin
GCOAUTH_EMULATOR_CLIENT_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
export GCOAUTH_EMULATOR_CLIENT_ID GCOAUTH_EMULATOR_CLIENT_SECRET
moto_start "$work/moto.log"
emulator_start "$EMULATOR_BIN" "$work/emulator.log"

export GENESYSCLOUD_OAUTHCLIENT_ID=$GCOAUTH_EMULATOR_CLIENT_ID
export GENESYSCLOUD_OAUTHCLIENT_SECRET=$GCOAUTH_EMULATOR_CLIENT_SECRET
export GCOAUTH_API_URL=$EMULATOR_URL GCOAUTH_LOGIN_URL=$EMULATOR_URL
export AWS_ENDPOINT_URL=$MOTO_URL AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true

# ms since epoch
now_ms() { date +%s%3N; }

times="$work/times.csv"
echo "run,command,ms" >"$times"
for i in $(seq 1 "$RUNS"); do
  spec=$(printf '{"name":"bench %s","roles":[{"role_id":"r","division_id":"*"}],"store":{"name":"bench/%s-%s","recovery_window_days":0}}' "$i" "$$" "$i")
  rotated=${spec%\}}',"rotation_id":"r2"}'
  for step in create update rotate destroy; do
    s=$spec
    [ "$step" = rotate ] && s=$rotated
    t0=$(now_ms)
    GCOAUTH_SPEC=$s "$GCOAUTH_BIN" client "$step" >/dev/null
    echo "$i,$step,$(( $(now_ms) - t0 ))" >>"$times"
  done
done

python3 - "$times" "$OUT" "$RUNS" <<'PY'
import csv, json, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
out = {"runs": int(sys.argv[3]), "commands": {}}
print(f"| command | median ms | min ms | max ms | runs |\n|---|---|---|---|---|")
for cmd in ["create", "update", "rotate", "destroy"]:
    ms = [int(r["ms"]) for r in rows if r["command"] == cmd]
    out["commands"][cmd] = {"median_ms": statistics.median(ms), "min_ms": min(ms), "max_ms": max(ms), "samples": ms}
    print(f"| {cmd} | {statistics.median(ms):.0f} | {min(ms)} | {max(ms)} | {len(ms)} |")
json.dump(out, open(sys.argv[2], "w"), indent=2)
PY
