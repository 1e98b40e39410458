#!/usr/bin/env bash
# The fuzzing campaign (not part of scripts/test.sh): each cargo-fuzz target runs for
# FUZZ_SECONDS (default 600), then its corpus is minimised back into fuzz/corpus/<target>,
# which is committed. Exits 1 if any target found a crash (artifacts in fuzz/artifacts/).
#
#   scripts/fuzz.sh [target...]      default: every target in fuzz/Cargo.toml
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_PER_TARGET=${FUZZ_SECONDS:-600}
KEEP=${FUZZ_KEEP:-400}
# Stable toolchain only on this machine: cargo-fuzz needs nightly flags, which
# RUSTC_BOOTSTRAP=1 unlocks on stable.
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
crashes=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  work=$(mktemp -d)
  echo "== $t: ${SECONDS_PER_TARGET}s"
  # Fuzz into a scratch corpus seeded from the committed one, so the committed corpus only
  # changes through the minimisation below.
  cp -r "corpus/$t/." "$work/" 2>/dev/null || true
  cargo fuzz run -O "$t" "$work" -- -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -max_len=65536 2>&1 \
    | grep -E '^(#[0-9]+ +DONE|stat::|==[0-9]+==|SUMMARY|Done)' || true
  found=$(find "artifacts/$t" -type f | wc -l)
  crashes=$((crashes + found))
  echo "$t: $found crash artifact(s)"
  # Minimise: keep only inputs that add coverage.
  min=$(mktemp -d)
  cargo fuzz cmin -O "$t" "$work" -- -merge=1 "$min" >/dev/null 2>&1 || cp -r "$work/." "$min/"
  # Commit only the KEEP smallest inputs as seeds: the full minimised set is megabytes, and
  # the next campaign regrows it from these in seconds.
  echo "$t: minimised corpus $(find "$min" -type f | wc -l) files, $(du -sh --apparent-size "$min" | cut -f1)"
  rm -rf "corpus/$t" && mkdir -p "corpus/$t"
  # awk, not head: head would close the pipe early and fail it under pipefail.
  find "$min" -type f -printf '%s %p\n' | sort -n | awk -v k="$KEEP" 'NR <= k' | cut -d' ' -f2- | xargs -r cp -t "corpus/$t/"
  echo "$t: kept $(find "corpus/$t" -type f | wc -l) smallest as seeds, $(du -sh --apparent-size "corpus/$t" | cut -f1)"
  rm -rf "$work" "$min"
done
if [ "$crashes" -gt 0 ]; then
  echo "FAILED: $crashes crash artifact(s)"
  exit 1
fi
echo "no crashes"
