#!/usr/bin/env bash
# Tests every SDK (or the ones named): each SDK's own unit tests against the
# shared vectors of both signature schemes, then its integration test against
# one live webhookd that this script starts. Each language gets an endpoint
# whose receiver it runs itself, in its own language, on a port chosen here.
#
#   clients/test.sh [python] [go] [typescript] [java]
#
# WEBHOOKD_BIN: the webhookd binary (default target/debug/webhookd).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

languages=("$@")
[ ${#languages[@]} -gt 0 ] || languages=(python go typescript java)
bin=${WEBHOOKD_BIN:-$root/target/debug/webhookd}
[ -x "$bin" ] || { echo "no webhookd binary at $bin (cargo build first)"; exit 1; }
# The SDKs' live tests start webhookds of their own from the same binary.
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export WEBHOOKD_BIN=$bin

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

work=$(mktemp -d)
cleanup() {
  # The languages' runs still going (after an interrupt), with everything
  # they started: each runs in a process group of its own, and background
  # jobs ignore the terminal's SIGINT.
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  [ -n "${daemon_pid:-}" ] && kill "$daemon_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

declare -A ports pids
{
  echo "webhook_engine:"
  echo "  signing_secret: sdk-default-secret-0123456789"
  echo "  default_timeout_seconds: 5"
  echo "retry_policy:"
  echo "  initial_delay_seconds: 0.2"
  echo "security:"
  echo "  allowed_networks: [\"127.0.0.0/8\"]"
  echo "endpoints:"
  for lang in "${languages[@]}"; do
    ports[$lang]=$(free_port)
    echo "  - id: ep_$lang"
    echo "    url: http://127.0.0.1:${ports[$lang]}/webhook"
    echo "    events: [\"sdk.$lang.*\"]"
    echo "    secret: sdk-secret-$lang-0123456789abcdef"
  done
} >"$work/config.yaml"

"$bin" serve --config "$work/config.yaml" --database-url "sqlite://$work/webhookd.db" \
  --grpc-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --log-format json 2>"$work/webhookd.log" &
daemon_pid=$!
addr=""
for _ in $(seq 1 100); do
  addr=$(python3 -c '
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
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "webhookd did not start"; cat "$work/webhookd.log"; exit 1; }

# The languages run side by side: each has its own endpoint and receiver,
# and much of each run is spent waiting (deliveries, retries, package
# installs), so together they take about three quarters of the time they
# take one after another. Each one's output is kept apart and printed
# whole once it has finished.
for lang in "${languages[@]}"; do
  WEBHOOKD_ADDR=$addr \
    WEBHOOKD_RECEIVER_PORT=${ports[$lang]} \
    WEBHOOKD_ENDPOINT_ID=ep_$lang \
    WEBHOOKD_ENDPOINT_SECRET=sdk-secret-$lang-0123456789abcdef \
    WEBHOOKD_EVENT_TYPE=sdk.$lang.test \
    WEBHOOKD_VECTORS=$root/tests/vectors/signatures.json \
    WEBHOOKD_STANDARD_VECTORS=$root/tests/vectors/standard_webhooks.json \
    setsid "clients/$lang/test.sh" >"$work/$lang.out" 2>&1 &
  pids[$lang]=$!
done

passed=0
failed=0
failures=()
for lang in "${languages[@]}"; do
  if wait "${pids[$lang]}"; then
    status=passed
    passed=$((passed + 1))
  else
    status=FAILED
    failed=$((failed + 1))
    failures+=("$lang")
  fi
  # Reaped: its id may now belong to another process.
  unset "pids[$lang]"
  echo "==> SDK: $lang"
  cat "$work/$lang.out"
  echo "==> SDK: $lang $status"
done
if [ "$failed" -gt 0 ]; then
  echo "SDK failures: ${failures[*]}"
  tail -n 30 "$work/webhookd.log"
fi
echo "sdks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
