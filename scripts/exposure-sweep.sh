#!/usr/bin/env bash
# Exposure sweep: with RUST_LOG=trace and TF_LOG=trace, run the module's whole lifecycle
# (examples/basic: apply, update, rotate, destroy, all through saved plans) and a set of
# failing applies/destroys through terraform, plus every fault-matrix row of the Rust
# reliability tests; then search every place a secret could land for the admin secret, every
# client secret that was ever stored, and the prefix GcSec that starts every emulator-issued
# secret. Prints per place: files searched and hits. Any hit fails.
#
# Places: terraform's output (stdout+stderr of every command, which includes gcoauth's trace
# logs), the TF_LOG trace file, the working directories (state, backups, saved plans opened
# as zip, .terraform/), the private TMPDIR every process ran with, the service logs (moto,
# emulator, AWS proxy), /proc/<pid>/cmdline of every process started (sampled every 20 ms),
# and /proc/<pid>/environ of any child of gcoauth (none is expected).
#
# Env: SWEEP_SKIP_MATRIX=1 skips the Rust fault-matrix rows; SWEEP_SKIP_BUILD=1.
# Ends with "N passed, M failed"; exit 1 on any failure.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
require_tools exposure-sweep cargo terraform python3 jq curl

T=$(mktemp -d "${TMPDIR:-/tmp}/gcoauth-sweep.XXXXXX")
PRIV=$T/private # needles live here, outside every searched place
mkdir -m 700 "$PRIV"
STOP=$T/sampler.stop
trap 'touch "$STOP"; services_stop; rm -rf "$T"' EXIT
PASSED=0 FAILED=0
check() {
  local desc=$1
  shift
  if "$@"; then echo "  ok   $desc"; PASSED=$((PASSED + 1)); else echo "  FAIL $desc"; FAILED=$((FAILED + 1)); fi
}

[[ ${SWEEP_SKIP_BUILD:-0} == 1 ]] || cargo build --bins --quiet
GCOAUTH=$ROOT/target/debug/gcoauth
EMULATOR=$ROOT/target/debug/gcoauth-emulator

# --- /proc sampler: every 20 ms, the cmdline of every descendant of this shell, and the
# environ of every child of a gcoauth process. Writes what it saw to $PRIV (searched below).
cat >"$T/sampler.py" <<'PY'
import os, sys, time
root, out_dir, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cmdlines, environs, samples, gcoauth_seen = set(), set(), 0, 0
def read(p):
    try:
        with open(p, "rb") as f:
            return f.read()
    except OSError:
        return None
while not os.path.exists(stop):
    parent, cmd = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        st = read(f"/proc/{d}/stat")
        if st is None:
            continue
        parent[int(d)] = int(st.rsplit(b")", 1)[1].split()[1])
    def under(pid):
        while pid > 1:
            if pid == root:
                return True
            pid = parent.get(pid, 0)
        return False
    for pid in parent:
        if pid == root or not under(pid):
            continue
        c = read(f"/proc/{pid}/cmdline")
        if c is None:
            continue
        samples += 1
        cmd[pid] = c
        cmdlines.add(c.replace(b"\0", b" "))
    for pid, c in cmd.items():
        if os.path.basename(c.split(b"\0")[0]) == b"gcoauth":
            gcoauth_seen += 1
        pc = cmd.get(parent.get(pid, 0), b"")
        if os.path.basename(pc.split(b"\0")[0]) == b"gcoauth":
            e = read(f"/proc/{pid}/environ")
            if e is not None:
                environs.add(e.replace(b"\0", b"\n"))
    time.sleep(0.02)
with open(os.path.join(out_dir, "proc-cmdline.txt"), "wb") as f:
    f.write(b"\n".join(sorted(cmdlines)))
with open(os.path.join(out_dir, "proc-environ.txt"), "wb") as f:
    f.write(b"\n--\n".join(sorted(environs)))
with open(os.path.join(out_dir, "proc-counts"), "w") as f:
    f.write(f"{samples} {len(cmdlines)} {gcoauth_seen} {len(environs)}\n")
PY

RUN=$(python3 -c 'import uuid; print(uuid.uuid4().hex[:8])')
ADMIN_SECRET=$(python3 -c 'import secrets; print("ADM" + secrets.token_hex(20))')
printf '%s\n' "$ADMIN_SECRET" >"$PRIV/admin.secret"
printf 'GcSec\n' >"$PRIV/prefix.secret"
export GCOAUTH_EMULATOR_CLIENT_ID=sweep-admin-$RUN GCOAUTH_EMULATOR_CLIENT_SECRET=$ADMIN_SECRET
export GENESYSCLOUD_OAUTHCLIENT_ID=sweep-admin-$RUN GENESYSCLOUD_OAUTHCLIENT_SECRET=$ADMIN_SECRET
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=$T/terraformrc
: >"$T/terraformrc"
unset TF_DATA_DIR TF_WORKSPACE TF_CLI_ARGS GENESYSCLOUD_REGION GENESYSCLOUD_ACCESS_TOKEN AWS_PROFILE
LOGS=$T/logs
mkdir -p "$LOGS" "$T/tmp"
export RUST_LOG=trace TF_LOG=trace TF_LOG_PATH=$LOGS/terraform-trace.log
export GCOAUTH_RETRY_MAX_SECONDS=8 GCOAUTH_HTTP_TIMEOUT_SECONDS=3

echo "== services"
moto_start "$LOGS/moto.log"
emulator_start "$EMULATOR" "$LOGS/emulator.log"
EMU=$EMULATOR_URL
aws_proxy_start "$EMULATOR" "$LOGS/aws-proxy.log" "$MOTO_URL"
PROXY=$AWS_PROXY_URL
export AWS_ENDPOINT_URL=$PROXY GCOAUTH_API_URL=$EMU GCOAUTH_LOGIN_URL=$EMU
# Everything from here on (terraform, gcoauth, python helpers) uses the private TMPDIR.
export TMPDIR=$T/tmp
python3 "$T/sampler.py" $$ "$PRIV" "$STOP" &
SAMPLER=$!

WD=
tf() {
  local rc=0
  (cd "$WD" && terraform "$@") >>"$LOGS/terraform.out" 2>&1 || rc=$?
  echo "### terraform $* (exit $rc)" >>"$LOGS/terraform.out"
  return "$rc"
}
tf_fails() { ! tf "$@"; }
emu_fault() { curl -fsS -X POST "$EMU/__emulator/faults" -d "$1" >/dev/null; }
aws_fault() { curl -fsS -X POST "$PROXY/__proxy/faults" -d "$1" >/dev/null; }
clear_faults() { curl -fsS -X DELETE "$EMU/__emulator/faults" >/dev/null && curl -fsS -X DELETE "$PROXY/__proxy/faults" >/dev/null; }
# dump NAME LABEL: keeps the stored client secret as a needle (in $PRIV only).
dump() { sm dump "$1" "$PRIV/$2.secret" >/dev/null; }
vars() {
  python3 - "$WD/sweep.auto.tfvars.json" "$@" <<'PY'
import json, sys
out = {}
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    out[k] = int(v) if v.isdigit() else v
json.dump(out, open(sys.argv[1], "w"))
PY
}
new_wd() {
  mkdir -p "$T/work/$1"
  cp -R hcl-modules/genesys-oauth-client "$T/work/$1/mod"
  rm -rf "$T/work/$1/mod"/.terraform "$T/work/$1/mod"/examples/*/.terraform "$T/work/$1/mod"/examples/*/terraform.tfstate*
  WD=$T/work/$1/mod/examples/basic
}

echo "== lifecycle (examples/basic): apply, update, rotate, destroy through saved plans"
new_wd lifecycle
name=sweep/$RUN/basic
vars gcoauth_command="$GCOAUTH" secret_name="$name" name="sweep-$RUN" aws_region=us-east-1 recovery_window_days=0
check "init" tf init -input=false
check "plan -out create.tfplan" tf plan -input=false -out=create.tfplan
check "apply create.tfplan" tf apply -input=false create.tfplan
dump "$name" v1
vars gcoauth_command="$GCOAUTH" secret_name="$name" name="sweep-$RUN" aws_region=us-east-1 recovery_window_days=0 description="changed"
check "plan -out update.tfplan; apply" bash -c "cd '$WD' && terraform plan -input=false -out=update.tfplan >>'$LOGS/terraform.out' 2>&1 && terraform apply -input=false update.tfplan >>'$LOGS/terraform.out' 2>&1"
vars gcoauth_command="$GCOAUTH" secret_name="$name" name="sweep-$RUN" aws_region=us-east-1 recovery_window_days=0 description="changed" rotation_id=r1
check "plan -out rotate.tfplan; apply" bash -c "cd '$WD' && terraform plan -input=false -out=rotate.tfplan >>'$LOGS/terraform.out' 2>&1 && terraform apply -input=false rotate.tfplan >>'$LOGS/terraform.out' 2>&1"
dump "$name" v2
check "rotation stored a new secret" bash -c "! cmp -s '$PRIV/v1.secret' '$PRIV/v2.secret'"
check "plan -destroy -out destroy.tfplan; apply" bash -c "cd '$WD' && terraform plan -destroy -input=false -out=destroy.tfplan >>'$LOGS/terraform.out' 2>&1 && terraform apply -input=false destroy.tfplan >>'$LOGS/terraform.out' 2>&1"

echo "== failing runs through terraform"
new_wd failing
name=sweep/$RUN/fail
vars gcoauth_command="$GCOAUTH" secret_name="$name" name="sweep-fail-$RUN" aws_region=us-east-1 recovery_window_days=0
check "init" tf init -input=false
emu_fault '{"method":"POST","path":"/oauth/token","status":500,"times":null}'
check "apply fails: token endpoint 500" tf_fails apply -auto-approve -input=false
clear_faults
aws_fault '{"action":"PutSecretValue","fault":"access_denied","times":null}'
check "apply fails: PutSecretValue denied after the client was created (rolled back)" tf_fails apply -auto-approve -input=false
clear_faults
emu_fault '{"method":"POST","path":"/api/v2/oauth/clients","phase":"after","drop":true,"times":1}'
check "apply converges: create response lost, client found by marker, secret regenerated" tf apply -auto-approve -input=false
clear_faults
dump "$name" f1
emu_fault '{"method":"POST","path":"/api/v2/oauth/clients/*/secret","phase":"after","drop":true,"times":null}'
vars gcoauth_command="$GCOAUTH" secret_name="$name" name="sweep-fail-$RUN" aws_region=us-east-1 recovery_window_days=0 rotation_id=r1
check "apply fails: regenerate answers lost (secret regenerated, not stored)" tf_fails apply -auto-approve -input=false
clear_faults
check "apply repairs the rotation" tf apply -auto-approve -input=false
dump "$name" f2
aws_fault '{"action":"DeleteSecret","fault":"internal","times":null}'
check "destroy fails: DeleteSecret 500 after the client was deleted" tf_fails destroy -auto-approve -input=false
clear_faults
check "destroy finishes" tf destroy -auto-approve -input=false

if [[ ${SWEEP_SKIP_MATRIX:-0} != 1 ]]; then
  echo "== every fault-matrix row (Rust: stdout+stderr, private TMPDIR, /proc samples per row)"
  moto_url=$MOTO_URL
  check "cargo nextest run --test reliability matrix (asserts 0 hits per row)" bash -c \
    "GCOAUTH_TEST_AWS_ENDPOINT='$moto_url' cargo nextest run --test reliability matrix --no-capture >'$PRIV/matrix.out' 2>&1"
  grep -h '^matrix-.*Leak search' "$PRIV/matrix.out" | sed 's/^/  /' || true
fi

touch "$STOP"
wait "$SAMPLER" || true
read -r SAMPLES UNIQUE GCO_SEEN ENVIRONS <"$PRIV/proc-counts"
cat "$PRIV"/*.secret >"$PRIV/all.list"
echo "== sweep: $(($(wc -l <"$PRIV/all.list") - 2)) client secrets + the admin secret + the prefix GcSec"
# place NAME PATH...: files searched and hits for every needle (raw, base64, inside zips).
place() {
  local label=$1 out hits files
  shift
  out=$(python3 "$ROOT/tests/e2e/scan.py" "$PRIV/all.list" "$@" || true)
  hits=$(grep -c '^LEAK' <<<"$out" || true)
  files=$(sed -n 's/^scanned \([0-9]*\) files$/\1/p' <<<"$out")
  printf '  %-58s files %5s  hits %s\n' "$label" "$files" "$hits"
  [[ $hits == 0 ]] || grep '^LEAK' <<<"$out" | sed 's/^/      /' >&2
  [[ $hits == 0 ]]
}
check "terraform output (incl. gcoauth's RUST_LOG=trace stderr): 0 hits" place "terraform output" "$LOGS/terraform.out"
check "TF_LOG=trace file: 0 hits" place "TF_LOG trace" "$LOGS/terraform-trace.log"
check "working dirs (state, backups, saved plans unzipped, .terraform): 0 hits" place "working dirs" "$T/work"
check "private TMPDIR: 0 hits" place "TMPDIR" "$T/tmp"
check "service logs (moto, emulator, aws proxy): 0 hits" place "service logs" "$LOGS/moto.log" "$LOGS/emulator.log" "$LOGS/aws-proxy.log"
check "/proc cmdline samples: 0 hits" place "/proc cmdline ($SAMPLES samples, $UNIQUE distinct)" "$PRIV/proc-cmdline.txt"
if [[ $ENVIRONS -gt 0 ]]; then
  check "/proc environ of gcoauth's children: 0 hits" place "/proc environ of gcoauth children" "$PRIV/proc-environ.txt"
else
  echo "  /proc environ of gcoauth children: none seen (gcoauth started no child process)"
fi
# Controls: the search and the sampler can see what they look for.
printf 'x GcSecCONTROL x\n' >"$T/control.txt"
check "control: the search finds a planted GcSec value" bash -c "! python3 '$ROOT/tests/e2e/scan.py' '$PRIV/all.list' '$T/control.txt' >/dev/null"
check "control: the sampler saw gcoauth processes ($GCO_SEEN samples)" test "$GCO_SEEN" -gt 0
check "control: the trace log was written" test -s "$LOGS/terraform-trace.log"
check "control: gcoauth trace lines reached terraform's output" grep -q 'TRACE\|DEBUG' "$LOGS/terraform.out"
echo "$PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
