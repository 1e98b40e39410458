#!/usr/bin/env bash
# Load: LOAD_COUNT (default 200) clients through hcl-modules/genesys-oauth-client/examples/
# many-clients with real terraform, the real gcoauth, moto and a rate-limited emulator; all
# created, stored (and working), then all destroyed, nothing left. Prints wall times, token
# requests and API calls per client (from /__emulator/stats) and ends with "N passed, M failed".
#
# The emulator allows COUNT+100 clients (its default limit is 100, like a small org).
# Env: LOAD_COUNT=200 LOAD_PARALLELISM=20 LOAD_RATE=5 (API requests per token per window)
#      LOAD_TOKEN_RATE=10 (token requests per client id per window) LOAD_WINDOW=1 (seconds)
#      LOAD_SKIP_BUILD=1 (binaries already built)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

COUNT=${LOAD_COUNT:-200}
PAR=${LOAD_PARALLELISM:-20}
RATE=${LOAD_RATE:-5}
TRATE=${LOAD_TOKEN_RATE:-10}
WINDOW=${LOAD_WINDOW:-1}
require_tools load cargo terraform python3 jq curl

T=$(mktemp -d "${TMPDIR:-/tmp}/gcoauth-load.XXXXXX")
trap 'services_stop; rm -rf "$T"' EXIT
PASSED=0 FAILED=0
check() {
  local desc=$1
  shift
  if "$@"; then echo "  ok   $desc"; PASSED=$((PASSED + 1)); else echo "  FAIL $desc"; FAILED=$((FAILED + 1)); fi
}
json_is() { [[ $(jq -r "$2" <<<"$1") == "$3" ]]; }
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.1f}')"; }

[[ ${LOAD_SKIP_BUILD:-0} == 1 ]] || cargo build --bins --quiet
GCOAUTH=$ROOT/target/debug/gcoauth
EMULATOR=$ROOT/target/debug/gcoauth-emulator

RUN=$(python3 -c 'import uuid; print(uuid.uuid4().hex[:8])')
ADMIN_SECRET=$(python3 -c 'import secrets; print("ADM" + secrets.token_hex(20))')
export GCOAUTH_EMULATOR_CLIENT_ID=load-admin-$RUN GCOAUTH_EMULATOR_CLIENT_SECRET=$ADMIN_SECRET
export GENESYSCLOUD_OAUTHCLIENT_ID=load-admin-$RUN GENESYSCLOUD_OAUTHCLIENT_SECRET=$ADMIN_SECRET
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=$T/terraformrc
: >"$T/terraformrc"
unset TF_LOG TF_LOG_PATH GENESYSCLOUD_REGION GENESYSCLOUD_ACCESS_TOKEN AWS_PROFILE

moto_start "$T/moto.log"
export AWS_ENDPOINT_URL=$MOTO_URL
emulator_start "$EMULATOR" "$T/emulator.log" --rate-limit "$RATE" --token-rate-limit "$TRATE" --window-secs "$WINDOW" --max-clients "$((COUNT + 100))"
EMU=$EMULATOR_URL
export GCOAUTH_API_URL=$EMU GCOAUTH_LOGIN_URL=$EMU
echo "== load: $COUNT clients, -parallelism=$PAR, emulator limits: $RATE API req/token/${WINDOW}s, $TRATE token req/client id/${WINDOW}s"

cp -R hcl-modules/genesys-oauth-client "$T/mod"
rm -rf "$T/mod"/.terraform "$T/mod"/examples/*/.terraform "$T/mod"/examples/*/terraform.tfstate*
WD=$T/mod/examples/many-clients
prefix=load/$RUN names=load-$RUN
python3 - "$WD/load.auto.tfvars.json" "$GCOAUTH" "$COUNT" "$names" "$prefix" <<'PY'
import json, sys
f, bin_, n, names, prefix = sys.argv[1:]
json.dump({"gcoauth_command": bin_, "client_count": int(n), "name_prefix": names,
           "secret_prefix": prefix, "aws_region": "us-east-1", "recovery_window_days": 0}, open(f, "w"))
PY
# tf ARGS...: output to $T/last.out; on failure, the distinct gcoauth/terraform errors.
tf() {
  local rc=0
  (cd "$WD" && terraform "$@") >"$T/last.out" 2>&1 || rc=$?
  if [[ $rc != 0 ]]; then
    grep -oE 'gcoauth: error: .{0,200}|Error: .{0,120}' "$T/last.out" | sort | uniq -c | sort -rn | head -n 8 >&2 || true
  fi
  return "$rc"
}
stats() { curl -fsS "$EMU/__emulator/stats"; }

check "terraform init" tf init -input=false
t0=$(now)
check "apply $COUNT clients (-parallelism=$PAR)" tf apply -auto-approve -input=false -parallelism="$PAR"
t1=$(now)
APPLY_S=$(secs "$t0" "$t1")
S1=$(stats)
check "$COUNT × action=created" test "$(grep -c '"action":"created"' "$T/last.out")" = "$COUNT"
out=$(sm verify-prefix "$prefix/" "$EMU")
check "$COUNT secrets stored, every one the live secret of its client" json_is "$out" '[.count, .valid] | join(",")' "$COUNT,$COUNT"
live=$(sm clients "$EMU" "$names" | jq -c '[.live[].id] | sort')
check "exactly the stored clients are live (no orphan, no duplicate)" test "$live" = "$(jq -c .client_ids <<<"$out")"
check "rate limits were hit (token and/or API)" json_is "$S1" '(.token_rate_limited + .rate_limited) > 0' true
check "no GcSec-prefixed value in the working dir or terraform's output" bash -c "! grep -rqa GcSec '$T/mod' '$T/last.out'"

t0=$(now)
check "destroy $COUNT clients" tf destroy -auto-approve -input=false -parallelism="$PAR"
t1=$(now)
DESTROY_S=$(secs "$t0" "$t1")
S2=$(stats)
check "$COUNT × action=destroyed" test "$(grep -c '"action":"destroyed"' "$T/last.out")" = "$COUNT"
check "no live client left" json_is "$(sm clients "$EMU" "$names")" '.live | length' 0
check "no secret left under $prefix/" json_is "$(sm list "$prefix/")" '(.live | length) + (.deleted | length)' 0

python3 - "$COUNT" "$APPLY_S" "$DESTROY_S" "$S1" "$S2" <<'PY'
import json, sys
n = int(sys.argv[1]); a, d = sys.argv[2], sys.argv[3]
s1, s2 = json.loads(sys.argv[4]), json.loads(sys.argv[5])
def row(name, s, prev=None):
    g = lambda k: s[k] - (prev[k] if prev else 0)
    api = s["api_requests_total"] - (prev["api_requests_total"] if prev else 0)
    print(f"  {name:8} token requests {g('token_requests'):5} ({g('token_requests')/n:.2f}/client, "
          f"{g('token_rate_limited')} rate-limited)  API calls {api:5} ({api/n:.2f}/client, {g('rate_limited')} answered 429)")
print(f"LOAD {n} clients: apply {a}s, destroy {d}s")
row("apply", s1)
row("destroy", s2, s1)
print("  apply API calls by endpoint: " + json.dumps(s1["api_requests"]))
PY
echo "$PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
