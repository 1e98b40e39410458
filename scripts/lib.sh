# shellcheck shell=bash
# Shared helpers for scripts/*.sh: tool checks, free ports, moto and emulator lifecycles.
# Sourced, not executed. Every service started here is stopped by `services_stop` (trap it).

GCOAUTH_PIDS=()
GCOAUTH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# require_tools NAME TOOL...: exits 2, naming the script, when a tool is not on PATH.
require_tools() {
  local name=$1 tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || {
      echo "$name: '$tool' not found on PATH" >&2
      exit 2
    }
  done
}

# sm ARGS...: moto/emulator checks (tests/e2e/sm.py); never prints secrets.
sm() { python3 "$GCOAUTH_REPO/tests/e2e/sm.py" "$@"; }

# Prints a free loopback TCP port.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits until http://127.0.0.1:$1 accepts connections (max ~30 s).
wait_port() {
  local port=$1
  for _ in $(seq 1 150); do
    if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1', $port)))" 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  echo "service on port $port did not come up" >&2
  return 1
}

# Installs moto's server if it is missing.
ensure_moto() {
  if ! command -v moto_server >/dev/null 2>&1; then
    echo "installing moto[server] with pip" >&2
    python3 -m pip install --quiet 'moto[server]' >&2
    hash -r
  fi
}

# Starts moto_server on a free port; exports MOTO_URL. Logs go to $1.
moto_start() {
  local log=$1 port
  ensure_moto
  port=$(free_port)
  moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  GCOAUTH_PIDS+=($!)
  wait_port "$port"
  export MOTO_URL="http://127.0.0.1:$port"
}

# Runs CMD... ($2...) in the background, stderr to $1, and reads the one line it prints on
# stdout (its base URL) into SERVICE_URL. Fails with a message when the command exits
# without printing one (e.g. a bad flag), instead of leaving an empty URL behind.
url_service_start() {
  local log=$1 fifo
  shift
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  "$@" >"$fifo" 2>"$log" &
  GCOAUTH_PIDS+=($!)
  SERVICE_URL=
  read -r SERVICE_URL <"$fifo" || true
  rm -f "$fifo"
  if [ -z "$SERVICE_URL" ]; then
    echo "$1 did not print its URL; its log ($log):" >&2
    tail -n 5 "$log" >&2
    return 1
  fi
}

# Starts gcoauth-emulator ($1 = binary, $2 = log, rest = flags); exports EMULATOR_URL.
# The admin credentials come from GCOAUTH_EMULATOR_CLIENT_ID/SECRET in the environment.
emulator_start() {
  local bin=$1 log=$2
  shift 2
  url_service_start "$log" "$bin" --port 0 "$@"
  export EMULATOR_URL=$SERVICE_URL
}

# Starts the emulator's AWS fault proxy ($1 = binary, $2 = log, $3 = upstream, e.g. moto)
# on a free port; exports AWS_PROXY_URL. (The subcommand takes --port after its name, so
# emulator_start cannot start it.)
aws_proxy_start() {
  url_service_start "$2" "$1" aws-proxy --upstream "$3" --port 0
  export AWS_PROXY_URL=$SERVICE_URL
}

# Stops everything started above.
services_stop() {
  local pid
  for pid in "${GCOAUTH_PIDS[@]:-}"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  done
  for pid in "${GCOAUTH_PIDS[@]:-}"; do
    if [ -n "$pid" ]; then wait "$pid" 2>/dev/null || true; fi
  done
  GCOAUTH_PIDS=()
}
