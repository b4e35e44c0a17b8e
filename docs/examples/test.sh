#!/usr/bin/env bash
# Tests the example receivers of docs/receivers.md, one language at a time:
# builds the receiver against its SDK from clients/, starts it, and sends it
# hand-signed requests from Python's standard library (receiver_checks.py:
# valid, duplicate, tampered, stale, wrong secret), then `webhookd
# check-receiver` (valid, tampered, stale, rotated secret, another secret;
# needs the webhookd binary). Then a live webhookd
# delivers an event to it and replays it (needs grpcurl and the webhookd
# binary; skipped without them, an error under CI=true).
#
#   docs/examples/test.sh [python] [go] [typescript] [java]
#
# WEBHOOKD_BIN: the webhookd binary (default target/debug/webhookd).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
examples=$root/docs/examples
receivers=$examples/receivers

languages=("$@")
[ ${#languages[@]} -gt 0 ] || languages=(python go typescript java)
secret="docs-example-secret-0123456789abcdef"
bin=${WEBHOOKD_BIN:-$root/target/debug/webhookd}

work=$(mktemp -d)
cleanup() {
  [ -n "${receiver_pid:-}" ] && kill "$receiver_pid" 2>/dev/null || true
  [ -n "${daemon_pid:-}" ] && kill "$daemon_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for_port() {
  python3 - "$1" <<'EOF'
import socket, sys, time
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
EOF
}

# Builds the receiver of $1 (output in $work/$1.build.log) and prints the
# command that starts it.
prepare() {
  build_steps "$1" 2>>"$work/$1.build.log"
}

build_steps() {
  # Called inside `if`, where `set -e` does not apply: each step says `|| return`.
  case $1 in
    python)
      # A copy of the SDK, so pip's in-tree build leaves clients/python alone.
      local venv=$root/target/docs-examples/venv
      [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2 || return
      mkdir -p "$work/python-sdk"
      cp -r clients/python/pyproject.toml clients/python/README.md clients/python/src "$work/python-sdk/" || return
      rm -rf "$work"/python-sdk/src/*.egg-info
      "$venv/bin/pip" install --quiet --disable-pip-version-check "$work/python-sdk" >&2 || return
      "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall \
        "$work/python-sdk" >&2 || return
      echo "$venv/bin/python $receivers/python/receiver.py"
      ;;
    go)
      (cd "$receivers/go" && go vet ./... && go build -o "$work/go-receiver" .) >&2 || return
      echo "$work/go-receiver"
      ;;
    typescript)
      (cd clients/typescript && npm ci --no-audit --no-fund && npm run build) >&2 || return
      (cd "$receivers/typescript" && npm ci --no-audit --no-fund && npm run build) >&2 || return
      echo "node $receivers/typescript/dist/receiver.js"
      ;;
    java)
      mvn -q -B -f clients/java package -DskipTests >&2 || return
      echo "java -cp $root/clients/java/target/webhookd-client-$(cat clients/VERSION).jar $receivers/java/Receiver.java"
      ;;
    *)
      echo "unknown language $1" >&2
      return 1
      ;;
  esac
}

# One webhookd for the live checks, with an endpoint per language.
declare -A ports
for lang in "${languages[@]}"; do ports[$lang]=$(free_port); done
live=no
if [ -x "$bin" ] && command -v grpcurl >/dev/null 2>&1; then
  {
    echo "webhook_engine:"
    echo "  signing_secret: docs-example-default-secret-0123456789"
    echo "retry_policy:"
    echo "  initial_delay_seconds: 0.2"
    echo "security:"
    echo "  allowed_networks: [\"127.0.0.0/8\"]"
    echo "endpoints:"
    for lang in "${languages[@]}"; do
      echo "  - id: ep_$lang"
      echo "    url: http://127.0.0.1:${ports[$lang]}/webhook"
      echo "    events: [\"docs.example\"]"
      echo "    secret: $secret"
    done
  } >"$work/config.yaml"
  "$bin" serve --config "$work/config.yaml" --database-url "sqlite://$work/webhookd.db" \
    --grpc-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --log-format json 2>"$work/webhookd.log" &
  daemon_pid=$!
  grpc_addr=""
  for _ in $(seq 1 100); do
    grpc_addr=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    try:
        event = json.loads(line)
    except ValueError:
        continue
    if event.get("message") == "webhookd listening":
        print(event["grpc_addr"])
        break
' "$work/webhookd.log")
    [ -n "$grpc_addr" ] && break
    sleep 0.1
  done
  [ -n "$grpc_addr" ] || { echo "webhookd did not start"; cat "$work/webhookd.log"; exit 1; }
  live=yes
elif [ "${CI:-}" = "true" ]; then
  echo "the live checks need $bin and grpcurl"
  exit 1
else
  echo "(no webhookd binary or no grpcurl: skipping the live checks)"
fi

passed=0
failures=()
for lang in "${languages[@]}"; do
  echo "==> receiver: $lang"
  port=${ports[$lang]}
  ok=yes
  if command=$(prepare "$lang"); then
    # shellcheck disable=SC2086 # the command is a program and its arguments
    WEBHOOK_SECRET=$secret PORT=$port $command >"$work/$lang.log" 2>&1 &
    receiver_pid=$!
    if ! wait_for_port "$port"; then
      echo "  the $lang receiver did not start"
      ok=no
    elif ! python3 "$examples/receiver_checks.py" signed "http://127.0.0.1:$port/webhook" "$secret"; then
      ok=no
    elif [ -x "$bin" ] && ! "$bin" check-receiver "http://127.0.0.1:$port/webhook" --secret "$secret" | sed 's/^/  /'; then
      ok=no
    elif [ "$live" = yes ] && ! python3 "$examples/receiver_checks.py" live "$grpc_addr" "ep_$lang"; then
      ok=no
    fi
    kill "$receiver_pid" 2>/dev/null || true
    wait "$receiver_pid" 2>/dev/null || true
    receiver_pid=""
  else
    echo "  building the $lang receiver failed:"
    sed 's/^/    /' "$work/$lang.build.log" | tail -n 30
    ok=no
  fi
  if [ "$ok" = yes ]; then
    passed=$((passed + 1))
  else
    failures+=("$lang")
    echo "  receiver output:"
    sed 's/^/    /' "$work/$lang.log" 2>/dev/null | tail -n 20 || true
  fi
done
echo "receivers: $passed passed, ${#failures[@]} failed${failures:+ (${failures[*]})}"
[ ${#failures[@]} -eq 0 ]
