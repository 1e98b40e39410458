#!/usr/bin/env bash
# End-to-end tests of hcl-modules/genesys-oauth-client with the real gcoauth binary, real
# terraform, a real moto (AWS Secrets Manager) and gcoauth-emulator (Genesys Cloud), all on
# free loopback ports. Unlike scripts/test-module.sh (a stub gcoauth), this proves the whole
# chain: a client really exists, its secret really is in Secrets Manager and really works,
# and the secret is nowhere Terraform writes.
#
# Cases, each in its own temp working directory:
#   lifecycle  examples/basic: apply (client + stored secret work; plan shows no changes),
#              description change = in-place update (same id, same secret), rotation_id
#              change = rotation (same id, new secret, old one rejected), destroy (client
#              gone, secret scheduled for deletion); all under TF_LOG=trace with saved plan
#              files, then a leak sweep of the working dir, terraform's output and the trace
#              log for every client secret and the admin secret, and `gcoauth audit` = 0.
#   many       examples/many-clients, 25 clients, -parallelism=10, against an emulator that
#              rate-limits API and token requests (asserted from /__emulator/stats); every
#              client stored and working, then all destroyed, nothing orphaned. Prints wall
#              times.
#   failstore  apply with the secret store down (dead AWS endpoint; and, when the emulator's
#              aws-proxy is available, PutSecretValue failing after the client was created):
#              apply fails with a clear message, no client is orphaned, the resource is
#              tainted; with the store back, apply re-creates it and converges.
#   leaky      negative control tests/e2e/leaky: a secret in terraform_data.input; gcoauth
#              audit exits 1 and names terraform_data.leaky; the sweep itself finds the value
#              (state and inside the zipped saved plan), proving the sweep can see a leak.
#
# Needs: cargo, terraform (>= 1.5), python3 with boto3 (moto[server] is installed when
# moto_server is missing), jq, curl. Ends with "N passed, M failed"; exits 1 on any failure.
#
# Usage: scripts/e2e-module.sh [-v]        -v: show (redacted) terraform output on failures
# Env:   E2E_EMULATOR_BIN / E2E_AUDIT_BIN  use another emulator / gcoauth for `audit`
#        (e.g. one built from a branch not merged yet); E2E_SKIP_BUILD=1 skips cargo build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

VERBOSE=0
[[ ${1:-} == -v ]] && VERBOSE=1

require_tools e2e-module cargo terraform python3 jq curl

START=$SECONDS
T=$(mktemp -d "${TMPDIR:-/tmp}/e2e-module.XXXXXX")
# Secret material the tests need for comparisons lives here, outside every scanned directory.
PRIV=$T/private
mkdir -m 700 "$PRIV"
trap 'services_stop; rm -rf "$T"' EXIT

RUN=$(python3 -c 'import uuid; print(uuid.uuid4().hex[:8])') # keeps names unique per run
RESULTS=$T/results
: >"$RESULTS"
scan() { python3 "$ROOT/tests/e2e/scan.py" "$@"; } # leak sweep: exit 1 when a value is found

# --- build ----------------------------------------------------------------------------------
if [[ ${E2E_SKIP_BUILD:-0} != 1 ]]; then
  echo "== build"
  cargo build --bins --quiet
fi
GCOAUTH=$ROOT/target/debug/gcoauth
AUDIT_BIN=${E2E_AUDIT_BIN:-$GCOAUTH}
EMULATOR=${E2E_EMULATOR_BIN:-$ROOT/target/debug/gcoauth-emulator}
# Until the emulator lands on main, target/debug/gcoauth-emulator is an empty placeholder that
# exits at once; say so instead of failing obscurely in emulator_start.
if ! "$EMULATOR" --help 2>/dev/null | grep -q -- '--rate-limit'; then
  echo "e2e-module: $EMULATOR is not the Genesys emulator (placeholder binary? merge main)" >&2
  exit 2
fi

# --- environment ----------------------------------------------------------------------------
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
: >"$T/terraformrc"
export TF_CLI_CONFIG_FILE=$T/terraformrc # silences the missing ~/.terraformrc warning
unset TF_DATA_DIR TF_WORKSPACE TF_CLI_ARGS TF_LOG TF_LOG_PATH GENESYSCLOUD_REGION GENESYSCLOUD_ACCESS_TOKEN
export TF_PLUGIN_CACHE_DIR=

# Throwaway admin credentials: the emulator accepts exactly these, and gcoauth inherits them
# through terraform's environment (the module never sees them). The secret is swept for too.
ADMIN_ID=e2e-admin-$RUN
ADMIN_SECRET=$(python3 -c 'import secrets; print("ADM" + secrets.token_hex(20))')
printf '%s\n' "$ADMIN_SECRET" >"$PRIV/admin.secret"
export GCOAUTH_EMULATOR_CLIENT_ID=$ADMIN_ID GCOAUTH_EMULATOR_CLIENT_SECRET=$ADMIN_SECRET
export GENESYSCLOUD_OAUTHCLIENT_ID=$ADMIN_ID GENESYSCLOUD_OAUTHCLIENT_SECRET=$ADMIN_SECRET
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN

# --- services (all started here, in the parent shell, so the EXIT trap stops them) ----------
echo "== services"
moto_start "$T/moto.log"
export AWS_ENDPOINT_URL=$MOTO_URL
emulator_start "$EMULATOR" "$T/emulator.log"
EMU=$EMULATOR_URL
# gcoauth talks to the emulator for both the API and the token endpoint (plain http is
# accepted on loopback only). The many-clients case points these at the limited emulator.
export GCOAUTH_API_URL=$EMU GCOAUTH_LOGIN_URL=$EMU
# The many-clients case gets its own, rate-limited emulator: 1 s windows, 2 API requests per
# token (a destroy makes 3: GET, PUT inactive, DELETE -> 429) and 4 token requests per client
# id (every gcoauth process logs in with the same admin id -> the token endpoint's "rate
# limit exceeded" under -parallelism=10).
emulator_start "$EMULATOR" "$T/emulator-limited.log" --rate-limit 2 --token-rate-limit 4 --window-secs 1
EMU_LIMITED=$EMULATOR_URL
# Optional fault proxy in front of moto (the emulator's aws-proxy subcommand), used to fail
# PutSecretValue after the client was created. Not part of the documented contract: skipped
# when the binary has no such subcommand.
PROXY=
if "$EMULATOR" aws-proxy --help >/dev/null 2>&1; then
  aws_proxy_start "$EMULATOR" "$T/aws-proxy.log" "$MOTO_URL"
  PROXY=$AWS_PROXY_URL
fi
echo "moto $MOTO_URL, emulator $EMU, rate-limited emulator $EMU_LIMITED${PROXY:+, aws proxy $PROXY}"

# --- helpers --------------------------------------------------------------------------------
pass() { echo "  ok   $*" && echo "PASS $*" >>"$RESULTS"; }
failed() { echo "  FAIL $*" && echo "FAIL $*" >>"$RESULTS"; }
skip() { echo "  skip $*" && echo "SKIP $*" >>"$RESULTS"; }

# check DESC CMD...: records pass/fail and carries on.
check() {
  local desc=$1
  shift
  if "$@"; then pass "$desc"; else failed "$desc"; fi
}

# must DESC CMD...: a step later assertions depend on; a failure ends the case.
must() {
  local desc=$1
  shift
  if "$@"; then
    pass "$desc"
  else
    failed "$desc"
    show_last
    exit 1
  fi
}

# Every secret seen so far (admin + stored client secrets), for sweeps and redaction.
all_secrets() { cat "$PRIV"/*.secret; }

show_last() {
  [[ $VERBOSE == 1 && -f ${LAST:-} ]] || return 0
  echo "  --- last terraform output (secrets masked) ---"
  all_secrets >"$PRIV/all.list"
  tail -n 40 "$LAST" | scan --redact "$PRIV/all.list" | sed 's/^/  | /'
}

# new_case NAME EXAMPLE: a fresh copy of the module (examples use source = "../..") under
# $T/NAME; sets CASE (the case's directory), WD (the example's working dir), LOGS, LAST.
new_case() {
  CASE=$T/$1
  mkdir -p "$CASE/logs"
  cp -R "$ROOT/hcl-modules/genesys-oauth-client" "$CASE/mod"
  rm -rf "$CASE/mod"/.terraform "$CASE/mod"/examples/*/.terraform "$CASE/mod"/examples/*/terraform.tfstate*
  WD=$CASE/mod/examples/$2
  LOGS=$CASE/logs
  LAST=$LOGS/last.out
  echo "== $1 ($WD)"
}

# tf ARGS...: terraform in $WD, with the extra VAR=value words in TF_ENV (e.g. a broken
# AWS endpoint for one run); output to $LAST and appended to $LOGS/terraform.out (swept
# later). Returns terraform's exit code.
TF_ENV=()
tf() {
  local rc=0
  (cd "$WD" && env "${TF_ENV[@]}" terraform "$@") >"$LAST" 2>&1 || rc=$?
  {
    echo "### terraform $* (exit $rc)"
    cat "$LAST"
  } >>"$LOGS/terraform.out"
  return "$rc"
}

tf_ok() { tf "$@"; }
tf_fails() { ! tf "$@"; }
last_has() { grep -qF -- "$1" "$LAST"; }
last_has_all() {
  local s
  for s in "$@"; do last_has "$s" || return 1; done
}
differ() { ! cmp -s "$1" "$2"; }
not_in_tree() { ! grep -rqaF -- "$1" "$2"; }
# sweep_clean SECRETS PATH...: no secret from the SECRETS file under PATH (hits name files only).
sweep_clean() {
  local rc=0
  scan "$@" >"$T/scan.out" || rc=$?
  sed 's/^/       /' "$T/scan.out"
  return "$rc"
}
# scan_finds SECRETS PATH WHERE: the sweep reports a leak in a file whose name contains WHERE.
scan_finds() {
  local out
  out=$(scan "$1" "$2" || true)
  grep -qF -- "LEAK $2" <<<"$out" && grep -qF -- "$3" <<<"$out"
}
# Exit code 0 from `plan -detailed-exitcode` = no changes.
no_changes() { tf plan -detailed-exitcode -input=false; }

emu_get() { curl -fsS --max-time 10 "$1$2"; }
# Live (not deleted) emulator clients whose name starts with $2, as a JSON array.
live_clients() { sm clients "$1" "$2" | jq -c .live; }
tag() { sm describe "$1" | jq -r --arg k "$2" '.tags[$k] // empty'; }
json_is() { [[ $(jq -r "$2" <<<"$1") == "$3" ]]; }

# tfvars FILE KEY=VALUE...: writes terraform variables as JSON (strings; numbers as given).
tfvars() {
  local file=$1
  shift
  python3 - "$file" "$@" <<'PY'
import json, sys
out = {}
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    out[k] = int(v) if v.isdigit() else v
json.dump(out, open(sys.argv[1], "w"), indent=2)
PY
}

# audit_expect CODE DESC PATH...: runs gcoauth audit (JSON report to $AUDIT_JSON) and checks
# the exit code. Skipped (reported, not failed) while the build still has the audit
# placeholder, which has no --format option.
AUDIT_JSON=$T/audit.json
audit_expect() {
  local want=$1 desc=$2 rc=0
  shift 2
  if ! "$AUDIT_BIN" audit --help 2>/dev/null | grep -q -- '--format'; then
    skip "$desc (this build's gcoauth audit is a placeholder)"
    return 1
  fi
  "$AUDIT_BIN" audit "$@" --format json >"$AUDIT_JSON" 2>"$T/audit.err" || rc=$?
  if [[ $rc == "$want" ]]; then
    pass "$desc"
  else
    failed "$desc (exit $rc, want $want)"
    head -c 2000 "$T/audit.err" >&2
    return 1
  fi
}

# ============================================================================================
# lifecycle: examples/basic through apply, update, rotate and destroy (issue items 1-3, 2)
# ============================================================================================
case_lifecycle() {
  new_case lifecycle basic
  local name=e2e/$RUN/basic client=e2e-basic-$RUN id v1 v2 out
  # TF_LOG=trace for every terraform command of this case; the trace file is swept too.
  export TF_LOG=trace TF_LOG_PATH=$LOGS/terraform-trace.log
  tfvars "$WD/e2e.auto.tfvars.json" gcoauth_command="$GCOAUTH" secret_name="$name" name="$client" aws_region=us-east-1

  must "init (offline, no provider)" tf_ok init -input=false
  must "apply creates the client" tf_ok apply -auto-approve -input=false
  check "gcoauth reported action=created" last_has '"action":"created"'
  id=$(tag "$name" gcoauth:client-id)
  check "secret is tagged with the client id" test -n "$id"
  check "secret is tagged gcoauth:status=active" test "$(tag "$name" gcoauth:status)" = active
  check "secret is tagged gcoauth:managed" test -n "$(tag "$name" gcoauth:managed)"
  out=$(sm verify "$name" "$EMU")
  check "stored value has client_id/client_secret/name/grant_type/genesys_region" \
    json_is "$out" '.keys | join(",")' client_id,client_secret,genesys_region,grant_type,name
  check "stored client_id matches the tag" json_is "$out" .client_id "$id"
  check "stored secret works (emulator verify-secret)" json_is "$out" .valid true
  check "emulator has exactly one live client, the recorded one" \
    json_is "$(live_clients "$EMU" "$client")" '[.[].id] | join(",")' "$id"
  check "plan -detailed-exitcode after apply: no changes" no_changes
  sm dump "$name" "$PRIV/basic-v1.secret" >/dev/null
  v1=$(sm describe "$name" | jq -r .current_version)

  # --- description change: in place (issue item 3), through a saved plan file
  tfvars "$WD/e2e.auto.tfvars.json" gcoauth_command="$GCOAUTH" secret_name="$name" name="$client" aws_region=us-east-1 \
    description="changed by e2e"
  local rc=0
  tf plan -input=false -detailed-exitcode -out=update.tfplan || rc=$?
  check "plan for a description change has changes (exit 2)" test "$rc" = 2
  (cd "$WD" && terraform show -json update.tfplan) >"$CASE/update-plan.json"
  check "description change: only terraform_data.update is replaced, this updated in place, rotation untouched" \
    test "$(jq -c '[.resource_changes[] | {(.address): .change.actions}] | add' "$CASE/update-plan.json")" \
    = '{"module.client.terraform_data.rotation[0]":["no-op"],"module.client.terraform_data.this[0]":["update"],"module.client.terraform_data.update[0]":["delete","create"]}'
  must "apply the saved update plan" tf_ok apply -input=false update.tfplan
  check "gcoauth reported action=updated" last_has '"action":"updated"'
  check "same client id after update" test "$(tag "$name" gcoauth:client-id)" = "$id"
  check "emulator client has the new description" \
    json_is "$(live_clients "$EMU" "$client")" '.[0].description | startswith("changed by e2e")' true
  sm dump "$name" "$PRIV/basic-after-update.secret" >/dev/null
  check "same secret after update" cmp -s "$PRIV/basic-v1.secret" "$PRIV/basic-after-update.secret"
  rm -f "$PRIV/basic-after-update.secret"
  check "same secret version after update" test "$(sm describe "$name" | jq -r .current_version)" = "$v1"
  check "no changes after update" no_changes

  # --- rotation_id change: rotate (same id, new secret, old one rejected)
  tfvars "$WD/e2e.auto.tfvars.json" gcoauth_command="$GCOAUTH" secret_name="$name" name="$client" aws_region=us-east-1 \
    description="changed by e2e" rotation_id=r1
  must "plan a rotation to a saved plan" tf_ok plan -input=false -out=rotate.tfplan
  must "apply the saved rotation plan" tf_ok apply -input=false rotate.tfplan
  check "gcoauth reported action=rotated" last_has '"action":"rotated"'
  check "same client id after rotation" test "$(tag "$name" gcoauth:client-id)" = "$id"
  sm dump "$name" "$PRIV/basic-v2.secret" >/dev/null
  check "rotation stored a different secret" differ "$PRIV/basic-v1.secret" "$PRIV/basic-v2.secret"
  v2=$(sm describe "$name" | jq -r .current_version)
  check "rotation stored a new secret version" test "$v2" != "$v1" -a -n "$v2"
  check "new secret works" json_is "$(sm verify "$name" "$EMU")" .valid true
  check "old secret is rejected" json_is "$(sm verify-file "$id" "$PRIV/basic-v1.secret" "$EMU")" .valid false
  check "no changes after rotation" no_changes
  check "emulator still has exactly one live client" \
    json_is "$(live_clients "$EMU" "$client")" 'length' 1

  # --- leak sweep (issue item 2): state, .backup, saved plans (zip), .terraform/, output, trace
  check "state backup exists (so the sweep covers it)" test -f "$WD/terraform.tfstate.backup"
  check "TF_LOG trace file was written" test -s "$LOGS/terraform-trace.log"
  all_secrets >"$PRIV/all.list"
  check "no client secret (old or new) nor the admin secret anywhere in the working dir, output or trace" \
    sweep_clean "$PRIV/all.list" "$CASE"
  # The emulator's secrets carry a well-known prefix (when it does): sweep for any issued one.
  if grep -q '^GcSec' "$PRIV/basic-v2.secret"; then
    check "no GcSec-prefixed value anywhere under the case dir" not_in_tree GcSec "$CASE"
  fi
  audit_expect 0 "gcoauth audit on the working dir exits 0 (clean)" "$WD" || true

  # --- destroy
  must "destroy" tf_ok destroy -auto-approve -input=false
  check "gcoauth reported action=destroyed" last_has '"action":"destroyed"'
  check "state is empty after destroy" test -z "$(cd "$WD" && terraform state list)"
  check "secret scheduled for deletion (recovery window 7 days)" json_is "$(sm describe "$name")" '.deleted or (.exists | not)' true
  check "emulator has no live client" json_is "$(live_clients "$EMU" "$client")" length 0
  check "destroyed client's secret no longer works" json_is "$(sm verify-file "$id" "$PRIV/basic-v2.secret" "$EMU")" .valid false
  all_secrets >"$PRIV/all.list"
  check "still no secret anywhere after destroy" sweep_clean "$PRIV/all.list" "$CASE"
  unset TF_LOG TF_LOG_PATH
}

# ============================================================================================
# many: 25 clients, -parallelism=10, rate-limited emulator (issue item 4)
# ============================================================================================
case_many() {
  new_case many many-clients
  local prefix=e2e/$RUN/many names=e2e-$RUN-m t0 t1 apply_s destroy_s out stats ids live
  tfvars "$WD/e2e.auto.tfvars.json" gcoauth_command="$GCOAUTH" client_count=25 name_prefix="$names" \
    secret_prefix="$prefix" aws_region=us-east-1 recovery_window_days=0
  export GCOAUTH_API_URL=$EMU_LIMITED GCOAUTH_LOGIN_URL=$EMU_LIMITED

  must "init" tf_ok init -input=false
  t0=$(date +%s.%N)
  must "apply 25 clients at -parallelism=10 under rate limits" tf_ok apply -auto-approve -input=false -parallelism=10
  t1=$(date +%s.%N)
  apply_s=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
  stats=$(emu_get "$EMU_LIMITED" /__emulator/stats)
  echo "  apply stats: $(jq -c '{token_requests, token_rate_limited, rate_limited, api_requests_total}' <<<"$stats")"
  check "token endpoint rate-limited some logins (stats.token_rate_limited > 0)" json_is "$stats" '.token_rate_limited > 0' true
  check "25 created" test "$(grep -c '"action":"created"' "$LAST")" = 25
  out=$(sm verify-prefix "$prefix/" "$EMU_LIMITED")
  check "25 secrets stored, all working" json_is "$out" '[.count, .valid] | join(",")' 25,25
  ids=$(jq -c .client_ids <<<"$out")
  live=$(live_clients "$EMU_LIMITED" "$names")
  check "emulator has exactly the 25 stored clients live" test "$(jq -c '[.[].id] | sort' <<<"$live")" = "$ids"
  check "no changes after apply" no_changes
  # Every emulator-issued secret starts with GcSec: one grep covers all 25 (state, output).
  check "no GcSec-prefixed value under the case dir (25 clients)" not_in_tree GcSec "$CASE"

  t0=$(date +%s.%N)
  must "destroy 25 clients at -parallelism=10" tf_ok destroy -auto-approve -input=false -parallelism=10
  t1=$(date +%s.%N)
  destroy_s=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
  stats=$(emu_get "$EMU_LIMITED" /__emulator/stats)
  echo "  total stats: $(jq -c '{token_requests, token_rate_limited, rate_limited, api_requests_total}' <<<"$stats")"
  check "API requests were answered 429 (stats.rate_limited > 0)" json_is "$stats" '.rate_limited > 0' true
  check "25 destroyed" test "$(grep -c '"action":"destroyed"' "$LAST")" = 25
  check "no live client left" json_is "$(live_clients "$EMU_LIMITED" "$names")" length 0
  check "no non-deleted secret left under $prefix/" json_is "$(sm list "$prefix/")" '.live | length' 0
  echo "  TIMES 25 clients, -parallelism=10, rate-limited: apply ${apply_s}s, destroy ${destroy_s}s"
  echo "TIMES apply=${apply_s}s destroy=${destroy_s}s" >>"$RESULTS"
}

# ============================================================================================
# failstore: the secret store fails during apply (issue item 5)
# ============================================================================================
case_failstore() {
  new_case failstore basic
  local name=e2e/$RUN/failstore client=e2e-fail-$RUN dead out
  tfvars "$WD/e2e.auto.tfvars.json" gcoauth_command="$GCOAUTH" secret_name="$name" name="$client" aws_region=us-east-1 \
    recovery_window_days=0
  must "init" tf_ok init -input=false

  # (a) Store unreachable from the start: a loopback port nobody listens on.
  dead=$(free_port)
  TF_ENV=(AWS_ENDPOINT_URL="http://127.0.0.1:$dead")
  check "apply fails with the store unreachable" tf_fails apply -auto-approve -input=false
  TF_ENV=()
  check "error names the store and the failed call" grep -qE 'AWS Secrets Manager: secretsmanager:[A-Za-z]+ failed: store unreachable' "$LAST"
  check "no client was created" json_is "$(live_clients "$EMU" "$client")" length 0
  check "terraform_data.this is tainted in state" \
    json_is "$(cat "$WD/terraform.tfstate")" '[.resources[] | select(.name == "this") | .instances[].status] | join(",")' tainted

  # (b) Store fails after the client was created: PutSecretValue denied by the fault proxy.
  # gcoauth must roll the client back (exit 1, nothing left behind).
  if [[ -n $PROXY ]]; then
    curl -fsS -X POST -H 'Content-Type: application/json' "$PROXY/__proxy/faults" \
      -d '{"action":"PutSecretValue","fault":"access_denied","times":null}' >/dev/null
    local creates_before creates_after
    creates_before=$(emu_get "$EMU" /__emulator/stats | jq '[.api_requests | to_entries[] | select(.key | test("^POST /api/v2/oauth/clients$")) | .value] | add // 0')
    TF_ENV=(AWS_ENDPOINT_URL="$PROXY")
    check "apply fails when storing the secret is denied" tf_fails apply -auto-approve -input=false
    TF_ENV=()
    creates_after=$(emu_get "$EMU" /__emulator/stats | jq '[.api_requests | to_entries[] | select(.key | test("^POST /api/v2/oauth/clients$")) | .value] | add // 0')
    check "error names PutSecretValue and says the client was rolled back" \
      last_has_all "secretsmanager:PutSecretValue failed" "Rolled back"
    check "a client was created before the store failed" test "$creates_after" -gt "$creates_before"
    check "and it was deleted again: no live client" json_is "$(live_clients "$EMU" "$client")" length 0
    check "no secret record left behind" json_is "$(sm describe "$name")" '.exists and (.deleted | not)' false
    check "still tainted" \
      json_is "$(cat "$WD/terraform.tfstate")" '[.resources[] | select(.name == "this") | .instances[].status] | join(",")' tainted
    curl -fsS -X DELETE "$PROXY/__proxy/faults" >/dev/null
  else
    skip "PutSecretValue failure mid-apply (emulator has no aws-proxy subcommand)"
  fi

  # Store back: the tainted object is replaced (no destroy provisioner for tainted objects,
  # create converges) and everything is consistent.
  must "plan with the store back" tf_ok plan -input=false -no-color
  check "plan mentions the taint" last_has 'is tainted, so must be replaced'
  must "apply converges with the store back" tf_ok apply -auto-approve -input=false
  check "gcoauth reported action=created" last_has '"action":"created"'
  out=$(sm verify "$name" "$EMU")
  check "stored secret works" json_is "$out" .valid true
  check "exactly one live client, the stored one" \
    json_is "$(live_clients "$EMU" "$client")" '[.[].id] | join(",")' "$(jq -r .client_id <<<"$out")"
  check "no changes after converging" no_changes
  must "destroy" tf_ok destroy -auto-approve -input=false
  check "nothing left: no live client" json_is "$(live_clients "$EMU" "$client")" length 0
}

# ============================================================================================
# leaky: negative control (issue item 6)
# ============================================================================================
case_leaky() {
  CASE=$T/leaky
  mkdir -p "$CASE/logs"
  cp -R "$ROOT/tests/e2e/leaky" "$CASE/leaky"
  WD=$CASE/leaky LOGS=$CASE/logs LAST=$CASE/logs/last.out
  echo "== leaky ($WD)"
  # A random fake client secret; shaped like a real one so no placeholder rule can excuse it.
  python3 -c 'import secrets; print("FakeE2E" + secrets.token_urlsafe(18))' >"$PRIV/leaky.secret"
  TF_VAR_secret=$(cat "$PRIV/leaky.secret")
  export TF_VAR_secret
  must "init" tf_ok init -input=false
  must "plan -out" tf_ok plan -input=false -out=leaky.tfplan
  must "apply" tf_ok apply -input=false leaky.tfplan
  unset TF_VAR_secret
  # The sweep must see this leak, or its "nothing found" in the lifecycle case means nothing.
  check "sweep finds the leaked value in state" scan_finds "$PRIV/leaky.secret" "$WD/terraform.tfstate" terraform.tfstate
  check "sweep finds the leaked value inside the zipped saved plan" \
    scan_finds "$PRIV/leaky.secret" "$WD/leaky.tfplan" 'leaky.tfplan!'
  if audit_expect 1 "gcoauth audit exits 1 on the leaky config" "$WD"; then
    check "audit JSON names terraform_data.leaky" \
      json_is "$(cat "$AUDIT_JSON")" '[.findings[].address] | any(. == "terraform_data.leaky")' true
    check "audit report does not print the leaked value" sweep_clean "$PRIV/leaky.secret" "$AUDIT_JSON"
  fi
  rm -f "$PRIV/leaky.secret" # not a real secret; keep it out of the other sweeps' lists
}

# Each case runs in a subshell with errexit, so one case's abort (a `must`) never stops the
# others; results go through $RESULTS.
for c in lifecycle many failstore leaky; do
  rc=0
  (
    set -e
    "case_$c"
  ) || rc=$?
  [[ $rc == 0 ]] || echo "  (case $c ended early, exit $rc)"
done

echo
grep '^TIMES' "$RESULTS" | sed 's/^/many-clients /' || true
PASSED=$(grep -c '^PASS' "$RESULTS" || true)
FAILED=$(grep -c '^FAIL' "$RESULTS" || true)
SKIPPED=$(grep -c '^SKIP' "$RESULTS" || true)
if [[ $FAILED != 0 ]]; then
  echo "failed:"
  grep '^FAIL' "$RESULTS" | sed 's/^FAIL /  /'
fi
[[ $SKIPPED == 0 ]] || echo "$SKIPPED skipped (see 'skip' lines above)"
echo "e2e-module: $((SECONDS - START))s"
echo "$PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
