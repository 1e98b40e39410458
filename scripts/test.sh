#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing (moto), starts moto on a
# free loopback port, runs the Rust tests (unit, provisioner against the emulator + moto,
# auditor, emulator) and the Terraform module tests, then stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

work=$(mktemp -d)
trap 'services_stop; rm -rf "$work"' EXIT

command -v cargo >/dev/null || { echo "cargo is required (Rust stable)" >&2; exit 1; }
command -v terraform >/dev/null || { echo "terraform (>= 1.5) is required on PATH" >&2; exit 1; }

echo "== build"
cargo build --bins --quiet

echo "== moto (AWS Secrets Manager / S3 on loopback)"
moto_start "$work/moto.log"
export GCOAUTH_TEST_AWS_ENDPOINT="$MOTO_URL"
echo "moto at $MOTO_URL"

echo "== rust tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --no-fail-fast --test-threads 4
else
  cargo test --no-fail-fast -- --test-threads 4
fi

if [ -x scripts/test-module.sh ]; then
  echo "== terraform module"
  scripts/test-module.sh
fi

if [ -x scripts/e2e-module.sh ]; then
  # The module end to end: real terraform + this gcoauth + its own moto and emulator.
  # The binaries were built above, so it skips its own cargo build.
  echo "== terraform module end-to-end"
  E2E_SKIP_BUILD=1 scripts/e2e-module.sh
fi
