#!/bin/sh
# Stand-in for `gcoauth` in the module wiring tests (scripts/test-module.sh).
#
# Appends one line per invocation to $STUB_LOG:
#   <argc> <arg1> <arg2> <cred> <GCOAUTH_SPEC>
# where <cred> says whether GENESYSCLOUD_OAUTHCLIENT_SECRET was inherited from
# Terraform's environment ("cred=yes"/"cred=no"; the value itself is never
# written) and <GCOAUTH_SPEC> is the spec JSON exactly as received (one line).
# The whole record is written with a single printf so parallel invocations
# (many-clients) do not interleave within a line.
#
# Exit code: $STUB_EXIT (default 0), applied only to the verb named in
# $STUB_FAIL_ON when that is set (e.g. STUB_FAIL_ON=destroy STUB_EXIT=1).
set -u

: "${STUB_LOG:?STUB_LOG must name the log file}"

if [ -n "${GENESYSCLOUD_OAUTHCLIENT_SECRET:-}" ]; then cred=cred=yes; else cred=cred=no; fi
printf '%s %s %s %s %s\n' "$#" "${1:-}" "${2:-}" "$cred" "${GCOAUTH_SPEC:-<unset>}" >>"$STUB_LOG"

code=${STUB_EXIT:-0}
if [ -n "${STUB_FAIL_ON:-}" ] && [ "${STUB_FAIL_ON}" != "${2:-}" ]; then
  code=0
fi

if [ "$code" -eq 0 ]; then
  # Like the real CLI: one JSON line of non-secret facts on stdout.
  printf '{"stub":true,"action":"%s","ok":true}\n' "${2:-}"
else
  printf 'stub-gcoauth: failing %s with exit %s as requested\n' "${2:-}" "$code" >&2
fi
exit "$code"
