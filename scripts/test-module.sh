#!/usr/bin/env bash
# Tests for the Terraform module hcl-modules/genesys-oauth-client.
#
#   1. static: terraform fmt -check, init -backend=false + validate (module and
#      the offline examples), terraform test (plan-only .tftest.hcl files);
#   2. wiring: real terraform apply/plan/destroy with a stub gcoauth
#      (tests/module/stub-gcoauth.sh) that logs each call and its GCOAUTH_SPEC,
#      asserting which gcoauth verb runs when, with which spec, and that no
#      credential reaches state, plan, saved plan or Terraform's output.
#
# Needs terraform (>= 1.6 for `terraform test`) and jq; no network, no real
# gcoauth. Everything runs in a temp copy of the module (the repository is
# never written to). Ends with "N passed, M failed"; exits non-zero on failure.
#
# Usage: scripts/test-module.sh [-v]     (-v: echo terraform output on failure)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE_SRC=$ROOT/hcl-modules/genesys-oauth-client
STUB_SRC=$ROOT/tests/module/stub-gcoauth.sh
VERBOSE=0
[[ ${1:-} == -v ]] && VERBOSE=1

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
require_tools test-module terraform jq

START=$SECONDS
T=$(mktemp -d "${TMPDIR:-/tmp}/test-module.XXXXXX")
trap 'rm -rf "$T"' EXIT

# --- environment --------------------------------------------------------------
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
: >"$T/terraformrc"
export TF_CLI_CONFIG_FILE=$T/terraformrc # silences the missing ~/.terraformrc warning
unset TF_DATA_DIR TF_WORKSPACE TF_CLI_ARGS TF_LOG TF_LOG_PATH
export TF_PLUGIN_CACHE_DIR=

# Fake credentials present only in Terraform's environment. The module must not
# touch them; the stub only reports whether it inherited them. Any occurrence
# in state/plan/output is a leak.
FAKE_GC_SECRET=FAKEadminSECRET123
FAKE_AWS_SECRET=FAKEawsSECRETkey456
export GENESYSCLOUD_OAUTHCLIENT_ID=FAKEadminID0001
export GENESYSCLOUD_OAUTHCLIENT_SECRET=$FAKE_GC_SECRET
export GENESYSCLOUD_REGION=us-east-1
export AWS_ACCESS_KEY_ID=AKIAFAKEFAKEFAKE0001
export AWS_SECRET_ACCESS_KEY=$FAKE_AWS_SECRET
export AWS_REGION=eu-west-1

# The stub, reachable both by path and as `gcoauth` on PATH.
mkdir -p "$T/bin"
cp "$STUB_SRC" "$T/bin/gcoauth"
chmod +x "$T/bin/gcoauth"
STUB=$T/bin/gcoauth
export PATH="$T/bin:$PATH"
export STUB_LOG=$T/stub.log
: >"$STUB_LOG"
unset STUB_EXIT STUB_FAIL_ON

# Temp copy: examples use source = "../..", so copy the whole module tree and
# add the test-only fixtures next to the examples.
MOD=$T/genesys-oauth-client
cp -R "$MODULE_SRC" "$MOD"
rm -rf "$MOD"/.terraform "$MOD"/examples/*/.terraform "$MOD"/examples/*/terraform.tfstate*
mkdir -p "$MOD/test-fixtures"
cp -R "$ROOT/tests/module/fixtures/." "$MOD/test-fixtures/"

ALL_OUT=$T/all-terraform-output.log # every byte terraform printed, for the leak check
: >"$ALL_OUT"

# --- assertion helpers ----------------------------------------------------------
PASS=0
FAIL=0
LAST_OUT=$T/last.out
ok() {
  PASS=$((PASS + 1))
  echo "ok   - $1"
}
bad() {
  FAIL=$((FAIL + 1))
  echo "FAIL - $1"
  if [[ $VERBOSE == 1 && -s $LAST_OUT ]]; then sed 's/^/    | /' "$LAST_OUT" | tail -40; fi
}
# check "description" command... : passes when the command succeeds.
check() {
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else bad "$desc"; fi
}
# eq "description" actual expected
eq() {
  if [[ $2 == "$3" ]]; then ok "$1"; else bad "$1 (got '$2', want '$3')"; fi
}

# tf DIR ARGS... : run terraform in DIR, output to $LAST_OUT and $ALL_OUT;
# returns terraform's exit code (never aborts the script).
tf() {
  local dir=$1
  shift
  local rc=0
  (cd "$dir" && terraform "$@") >"$LAST_OUT" 2>&1 || rc=$?
  cat "$LAST_OUT" >>"$ALL_OUT"
  return $rc
}
# tf_ok "description" DIR ARGS... : terraform must exit 0.
tf_ok() {
  local desc=$1
  shift
  local rc=0
  tf "$@" || rc=$?
  if [[ $rc == 0 ]]; then ok "$desc"; else bad "$desc (terraform exit $rc)"; fi
}
# tf_fails "description" DIR ARGS... : terraform must exit non-zero.
tf_fails() {
  local desc=$1
  shift
  local rc=0
  tf "$@" || rc=$?
  if [[ $rc != 0 ]]; then ok "$desc"; else bad "$desc (terraform exited 0)"; fi
}

# Stub log helpers. Each line: <argc> <arg1> <arg2> <cred=yes|no> <spec json>
reset_log() { : >"$STUB_LOG"; }
# calls: the verbs in call order, comma separated, e.g. "create,update,rotate"
calls() { awk '{print $3}' "$STUB_LOG" | paste -sd, -; }
# sorted_calls: same, sorted (parallel runs, e.g. many-clients)
sorted_calls() { awk '{print $3}' "$STUB_LOG" | sort | uniq -c | awk '{printf "%s%s=%s", (NR>1?",":""), $2, $1}'; }
# spec N: the spec JSON of the Nth logged call
spec() { sed -n "${1}p" "$STUB_LOG" | cut -d' ' -f5-; }
# spec_field N JQ-FILTER
spec_field() { spec "$1" | jq -c "$2"; }
# Every logged call: exactly 2 argv words "client <verb>", credentials inherited,
# a spec that is one valid JSON object.
log_well_formed() {
  [[ -s $STUB_LOG ]] || return 1
  awk '$1 != 2 || $2 != "client" || $4 != "cred=yes" {bad=1} END {exit bad}' "$STUB_LOG" || return 1
  local n i
  n=$(wc -l <"$STUB_LOG")
  for ((i = 1; i <= n; i++)); do
    spec "$i" | jq -e 'type == "object"' >/dev/null || return 1
  done
}
state_id() { # DIR ADDRESS -> id of that resource instance in state ("" if absent)
  (cd "$1" && terraform show -json) | jq -r --arg a "$2" \
    '[.values.root_module | .. | objects | select(.address? == $a) | .values.id] | first // ""'
}
state_count() { # DIR -> number of resource instances in state
  local out
  out=$(cd "$1" && terraform state list 2>/dev/null) || true
  if [[ -z $out ]]; then echo 0; else wc -l <<<"$out" | tr -d ' '; fi
}
tainted() { # DIR MODULE NAME -> "tainted", "none" (in state, not tainted) or "absent"
  jq -r --arg m "$2" --arg n "$3" \
    '[.resources[] | select((.module // "") == $m and .name == $n) | .instances[] | .status // "none"] | first // "absent"' \
    "$1/terraform.tfstate"
}
no_hits() { # FILE... : none of the fake credential values occur
  ! grep -a -q -e "$FAKE_GC_SECRET" -e "$FAKE_AWS_SECRET" -e "$GENESYSCLOUD_OAUTHCLIENT_ID" -- "$@"
}

SPEC_KEYS='["access_token_validity_seconds","description","grant_type","name","redirect_uris","roles","rotation_id","scopes","state","store"]'
STORE_KEYS='["kms_key_id","name","recovery_window_days","region","tags","type"]'

################################################################################
echo "# 1. static checks"
################################################################################

tf_ok "terraform fmt -check -recursive hcl-modules" "$ROOT" fmt -check -recursive -diff hcl-modules
for d in "$MOD" "$MOD/examples/basic" "$MOD/examples/many-clients"; do
  rel=${d#"$MOD"}
  rel=${rel#/}
  tf_ok "init -backend=false offline: ${rel:-module}" "$d" init -backend=false -input=false -no-color
  tf_ok "validate: ${rel:-module}" "$d" validate -no-color
done
if tf "$MOD" test -no-color; then
  ok "terraform test ($(grep -o '[0-9]* passed' "$LAST_OUT" | tail -1))"
else
  bad "terraform test"
  grep -E 'fail|Error' "$LAST_OUT" | head -20 || true
fi
echo "#    (examples/with-lookup skipped: needs the hashicorp/external provider download)"

################################################################################
echo "# 2. wiring: examples/basic with the stub"
################################################################################

B=$MOD/examples/basic
THIS="module.client.terraform_data.this[0]"
UPDATE="module.client.terraform_data.update[0]"
write_vars() { # gcoauth_command description rotation_id(hcl) secret_name
  cat >"$B/wiring.auto.tfvars" <<EOF
gcoauth_command = "$1"
description     = "$2"
rotation_id     = $3
secret_name     = "$4"
EOF
}
APPLY=(apply -auto-approve -no-color -input=false)
PLAN=(plan -detailed-exitcode -no-color -input=false)

# --- create ---
write_vars "$STUB" "first description" null "genesys/oauth/wiring-a"
reset_log
tf_ok "apply (create) succeeds" "$B" "${APPLY[@]}"
eq "create runs client create, then no-op update and rotate, in that order" "$(calls)" "create,update,rotate"
check "every call is argv 'client <verb>' only, inherits credentials, gets one JSON spec" log_well_formed
eq "spec has exactly the CLI contract fields" "$(spec_field 1 'keys')" "$SPEC_KEYS"
eq "spec.store has exactly the contract fields" "$(spec_field 1 '.store | keys')" "$STORE_KEYS"
eq "spec values (create)" \
  "$(spec_field 1 '[.name, .description, .grant_type, .roles, .access_token_validity_seconds, .state, .rotation_id, .store.type, .store.name, .store.region, .store.recovery_window_days, .store.tags]')" \
  '["example-ci-deployer","first description","CLIENT-CREDENTIALS",[{"division_id":"*","role_id":"00000000-0000-0000-0000-000000000001"}],3600,"active",null,"aws_secretsmanager","genesys/oauth/wiring-a",null,7,{"Environment":"example"}]'
eq "update and rotate get the same spec as create" "$(spec 2)|$(spec 3)" "$(spec 1)|$(spec 1)"
check "provisioner command line is suppressed (quiet = true)" grep -q "Suppressed by quiet=true" "$LAST_OUT"
check "no 'Executing: [' command line in apply output" bash -c "! grep -q 'Executing: \[' '$LAST_OUT'"
eq "outputs after apply" "$(cd "$B" && terraform output -json | jq -c '[.client_name.value, .secret_name.value]')" \
  '["example-ci-deployer","genesys/oauth/wiring-a"]'
ID1=$(state_id "$B" "$THIS")
UPD1=$(state_id "$B" "$UPDATE")

# --- no drift ---
reset_log
tf_ok "plan after apply: no changes (-detailed-exitcode 0)" "$B" "${PLAN[@]}"
eq "plan runs no gcoauth" "$(calls)" ""

# --- leak checks on a saved plan and on state ---
# Change something so the plan carries provisioner inputs, then inspect it.
write_vars "$STUB" "leak-check description" null "genesys/oauth/wiring-a"
tf_ok "plan -out (for leak checks)" "$B" plan -no-color -input=false -out=tfplan
(cd "$B" && terraform show -json tfplan) >"$T/plan.json"
(cd "$B" && unzip -p tfplan) >"$T/plan.raw" 2>/dev/null || cp "$B/tfplan" "$T/plan.raw"
(cd "$B" && terraform show -json) >"$T/state.json"
check "no fake credential in plan JSON" no_hits "$T/plan.json"
check "no fake credential in saved plan file (unzipped members)" no_hits "$T/plan.raw"
check "no fake credential in state file or state JSON" no_hits "$B/terraform.tfstate" "$T/state.json"
eq "every provisioner command is a constant '\"\$GCOAUTH_BIN\" client <verb>' (no interpolation)" \
  "$(jq -c '[.configuration.root_module.module_calls.client.module.resources[].provisioners[]?.expressions.command
             | select((.references // []) | length == 0) | .constant_value] | sort' "$T/plan.json")" \
  '["\"$GCOAUTH_BIN\" client create","\"$GCOAUTH_BIN\" client destroy","\"$GCOAUTH_BIN\" client rotate","\"$GCOAUTH_BIN\" client update"]'
eq "provisioner environments reference only terraform_data.this's input / self (no var.*, no literals)" \
  "$(jq -c '[.configuration.root_module.module_calls.client.module.resources[].provisioners[]?.expressions.environment
             | (.constant_value != null), (.references[] | test("^(self|terraform_data\\.this)"))] | unique' "$T/plan.json")" \
  '[false,true]'
eq "all 4 provisioners set quiet = true" \
  "$(jq -c '[.configuration.root_module.module_calls.client.module.resources[].provisioners[]?.expressions.quiet.constant_value] | [length, all]' "$T/plan.json")" \
  '[4,true]'
check "no provisioner / local-exec / GCOAUTH_ trace in state" \
  bash -c "! grep -q -e local-exec -e provisioner -e GCOAUTH_ '$B/terraform.tfstate' '$T/state.json'"
rm -f "$B/tfplan"

# --- in-place update ---
reset_log
tf_ok "apply (description change)" "$B" "${APPLY[@]}"
eq "description change runs client update only" "$(calls)" "update"
eq "update gets the new description" "$(spec_field 1 .description)" '"leak-check description"'
eq "terraform_data.this keeps its id (client not replaced)" "$(state_id "$B" "$THIS")" "$ID1"
check "terraform_data.update was replaced (new id)" test "$(state_id "$B" "$UPDATE")" != "$UPD1"
reset_log
tf_ok "plan after update: no changes" "$B" "${PLAN[@]}"

# --- rotation ---
write_vars "$STUB" "leak-check description" '"r-2025-06"' "genesys/oauth/wiring-a"
# Outputs are gated on the update/rotation ids so consumers (data sources
# reading the secret) wait for gcoauth: unknown while rotating, known otherwise.
tf "$B" plan -no-color -input=false -out=tfplan || true
eq "while rotating, output secret_name is unknown and client_name stays known" \
  "$(cd "$B" && terraform show -json tfplan | jq -c '[.output_changes.secret_name.after_unknown, .output_changes.client_name.after_unknown]')" \
  '[true,false]'
rm -f "$B/tfplan"
reset_log
tf_ok "apply (rotation_id change)" "$B" "${APPLY[@]}"
eq "rotation_id change runs client rotate only" "$(calls)" "rotate"
eq "rotate gets the new rotation_id" "$(spec_field 1 .rotation_id)" '"r-2025-06"'
eq "terraform_data.this keeps its id after rotation" "$(state_id "$B" "$THIS")" "$ID1"

# --- changing the executable only: nothing runs, later calls use the new one ---
write_vars "gcoauth" "leak-check description" '"r-2025-06"' "genesys/oauth/wiring-a"
reset_log
tf_ok "apply (gcoauth_command path -> 'gcoauth' on PATH)" "$B" "${APPLY[@]}"
eq "changing gcoauth_command runs nothing" "$(calls)" ""
eq "terraform_data.this keeps its id after gcoauth_command change" "$(state_id "$B" "$THIS")" "$ID1"

# --- replacement ---
write_vars "gcoauth" "leak-check description" '"r-2025-06"' "genesys/oauth/wiring-b"
reset_log
tf_ok "apply (secret_name change)" "$B" "${APPLY[@]}"
eq "secret_name change: destroy old, create new, then update, rotate" "$(calls)" "destroy,create,update,rotate"
eq "destroy targets the old secret" "$(spec_field 1 .store.name)" '"genesys/oauth/wiring-a"'
eq "create targets the new secret" "$(spec_field 2 .store.name)" '"genesys/oauth/wiring-b"'
eq "re-created client keeps the current rotation_id (rotate is then a no-op)" "$(spec_field 2 .rotation_id)" '"r-2025-06"'
check "terraform_data.this was replaced (new id)" test "$(state_id "$B" "$THIS")" != "$ID1"
check "calls (now via 'gcoauth' on PATH) stay well-formed" log_well_formed
reset_log
tf_ok "plan after replacement: no changes" "$B" "${PLAN[@]}"

# --- destroy ---
reset_log
tf_ok "destroy succeeds" "$B" destroy -auto-approve -no-color -input=false
eq "destroy runs client destroy once" "$(calls)" "destroy"
eq "destroy spec names the current secret" "$(spec_field 1 .store.name)" '"genesys/oauth/wiring-b"'
eq "destroy spec carries the recovery window and region" "$(spec_field 1 '[.store.recovery_window_days, .store.region]')" '[7,null]'
eq "state is empty after destroy" "$(state_count "$B")" 0

################################################################################
echo "# 3. failures: tainted create, failed update, failed destroy"
################################################################################

write_vars "$STUB" "failure tests" null "genesys/oauth/wiring-f"

# --- create fails -> tainted; next apply re-runs create, no destroy ---
reset_log
STUB_FAIL_ON=create STUB_EXIT=1 tf_fails "apply fails when 'client create' exits 1" "$B" "${APPLY[@]}"
eq "only create ran (update/rotate never started)" "$(calls)" "create"
# The error text quotes the full command (Terraform does not mask it): it must
# be the bare verb, with no spec values in it.
sed -n '/^Error: local-exec provisioner error/,$p' "$LAST_OUT" >"$T/err.txt"
check "provisioner error quotes the command only, not the spec" \
  bash -c "grep -qF \"Error running command '\\\"\\\$GCOAUTH_BIN\\\" client create'\" '$T/err.txt' && ! grep -q -e wiring-f -e example-ci-deployer '$T/err.txt'"
eq "terraform_data.this is tainted in state" "$(tainted "$B" module.client this)" "tainted"
tf "$B" plan -no-color -input=false -out=tfplan || true
eq "next plan replaces it because it is tainted" \
  "$(cd "$B" && terraform show -json tfplan | jq -r --arg a "$THIS" '.resource_changes[] | select(.address == $a) | .action_reason')" \
  "replace_because_tainted"
rm -f "$B/tfplan"
reset_log
tf_ok "apply with a good stub recovers" "$B" "${APPLY[@]}"
eq "recovery re-runs create (no destroy for the tainted object), then update, rotate" "$(calls)" "create,update,rotate"
eq "no longer tainted" "$(tainted "$B" module.client this)" "none"

# --- update fails -> update resource tainted, client untouched; next apply re-runs update ---
write_vars "$STUB" "failure tests v2" null "genesys/oauth/wiring-f"
ID_F=$(state_id "$B" "$THIS")
reset_log
STUB_FAIL_ON=update STUB_EXIT=2 tf_fails "apply fails when 'client update' exits 2" "$B" "${APPLY[@]}"
eq "only update ran" "$(calls)" "update"
eq "terraform_data.update is tainted" "$(tainted "$B" module.client update)" "tainted"
reset_log
tf_ok "apply with a good stub recovers" "$B" "${APPLY[@]}"
eq "recovery re-runs update only" "$(calls)" "update"
eq "client (terraform_data.this) never replaced" "$(state_id "$B" "$THIS")" "$ID_F"

# --- destroy fails -> stays in state (not tainted); next destroy runs it again ---
reset_log
STUB_FAIL_ON=destroy STUB_EXIT=3 tf_fails "destroy fails when 'client destroy' exits 3" "$B" destroy -auto-approve -no-color -input=false
eq "client destroy ran once" "$(calls)" "destroy"
check "terraform_data.this stays in state" bash -c "cd '$B' && terraform state list | grep -qxF '$THIS'"
eq "and is not tainted" "$(tainted "$B" module.client this)" "none"
reset_log
tf_ok "second destroy succeeds" "$B" destroy -auto-approve -no-color -input=false
eq "second destroy runs client destroy again (same secret)" "$(calls)|$(spec_field 1 .store.name)" 'destroy|"genesys/oauth/wiring-f"'
eq "state is empty" "$(state_count "$B")" 0

################################################################################
echo "# 4. removing the module: create = false vs deleting the block"
################################################################################

F=$MOD/test-fixtures/toggle
tf_ok "init fixture (offline)" "$F" init -backend=false -input=false -no-color
reset_log
tf_ok "apply fixture (create = true)" "$F" "${APPLY[@]}" -var "gcoauth_command=$STUB"
eq "fixture create" "$(calls)" "create,update,rotate"
reset_log
tf_ok "apply with create = false" "$F" "${APPLY[@]}" -var "gcoauth_command=$STUB" -var create=false
eq "create = false runs client destroy" "$(calls)|$(spec_field 1 .store.name)" 'destroy|"genesys/oauth/toggle"'
eq "state is empty" "$(state_count "$F")" 0
tf_ok "apply fixture again" "$F" "${APPLY[@]}" -var "gcoauth_command=$STUB"
reset_log
rm "$F/main.tf"
echo 'terraform {}' >"$F/empty.tf" # keep a configuration, minus the module block
tf_ok "apply with the module block deleted" "$F" "${APPLY[@]}"
eq "deleting the block runs NO destroy provisioner (Terraform behaviour: client orphaned)" "$(calls)" ""
eq "state is empty anyway" "$(state_count "$F")" 0

################################################################################
echo "# 5. examples/many-clients with 5 clients"
################################################################################

M=$MOD/examples/many-clients
MVARS=(-var "gcoauth_command=$STUB" -var client_count=5)
reset_log
tf_ok "apply 5 clients" "$M" "${APPLY[@]}" -parallelism=10 "${MVARS[@]}"
eq "5 creates, 5 updates, 5 rotates" "$(sorted_calls)" "create=5,rotate=5,update=5"
check "all calls well-formed" log_well_formed
eq "5 distinct secret names created" \
  "$(grep ' create ' "$STUB_LOG" | cut -d' ' -f5- | jq -r .store.name | sort -u | wc -l | tr -d ' ')" 5
check "each client's update/rotate come after its create" bash -c '
  for n in $(grep " create " "$STUB_LOG" | cut -d" " -f5- | jq -r .name); do
    seq=$(grep -F "\"name\":\"$n\"" "$STUB_LOG" | awk "{print \$3}" | paste -sd, -)
    [[ $seq == create,update,rotate ]] || exit 1
  done'
eq "15 resource instances in state" "$(state_count "$M")" 15
reset_log
tf_ok "plan: no changes" "$M" "${PLAN[@]}" "${MVARS[@]}"
reset_log
tf_ok "scale 5 -> 3" "$M" "${APPLY[@]}" -var "gcoauth_command=$STUB" -var client_count=3
eq "scaling down destroys exactly the 2 removed clients" "$(sorted_calls)" "destroy=2"
eq "the removed ones are -004 and -005" "$(cut -d' ' -f5- "$STUB_LOG" | jq -r .store.name | sort | paste -sd, -)" \
  "genesys/oauth/integration-004,genesys/oauth/integration-005"
reset_log
tf_ok "destroy the rest" "$M" destroy -auto-approve -no-color -input=false -var "gcoauth_command=$STUB" -var client_count=3
eq "3 destroys" "$(sorted_calls)" "destroy=3"
eq "state is empty" "$(state_count "$M")" 0

# Same check on a fresh 5-client apply + destroy, as the brief's smoke test.
reset_log
tf_ok "apply 5 clients again" "$M" "${APPLY[@]}" "${MVARS[@]}"
reset_log
tf_ok "destroy 5 clients" "$M" destroy -auto-approve -no-color -input=false "${MVARS[@]}"
eq "5 destroys, one per secret" \
  "$(sorted_calls)|$(cut -d' ' -f5- "$STUB_LOG" | jq -r .store.name | sort -u | wc -l | tr -d ' ')" "destroy=5|5"

################################################################################
echo "# 6. nothing secret anywhere Terraform wrote or printed"
################################################################################

check "no fake credential in any terraform output of this run" no_hits "$ALL_OUT"
mapfile -t state_files < <(find "$MOD" -name '*.tfstate*' -type f)
check "no fake credential in any state/backup file (${#state_files[@]} files)" no_hits /dev/null "${state_files[@]}"

echo
echo "elapsed: $((SECONDS - START))s"
echo "$PASS passed, $FAIL failed"
[[ $FAIL == 0 ]]
