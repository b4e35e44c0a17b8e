#!/usr/bin/env bash
# Headless-browser test of the dashboard page against a live webhookd.
#
# Starts a receiver (200 on POST /ok, 503 on POST /fail), webhookd with two
# endpoints on it, and a bounded grpcurl traffic loop; then runs
# dashboard.test.mjs (node:test + playwright-core driving Debian's chromium).
#
# Env:
#   WEBHOOKD_BIN   the webhookd binary (default: <repo>/target/debug/webhookd)
#   ARTIFACTS_DIR  screenshot and logs (default: tests/browser/artifacts)
# Installs what it needs: Debian's chromium (apt), playwright-core (npm ci),
# grpcurl (go install) when missing. Never downloads a browser build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
WEBHOOKD_BIN=${WEBHOOKD_BIN:-$root/target/debug/webhookd}
ARTIFACTS_DIR=${ARTIFACTS_DIR:-$here/artifacts}
mkdir -p "$ARTIFACTS_DIR"
ARTIFACTS_DIR=$(cd "$ARTIFACTS_DIR" && pwd)

[ -x "$WEBHOOKD_BIN" ] || { echo "browser test: no webhookd binary at $WEBHOOKD_BIN" >&2; exit 1; }

work=$(mktemp -d /tmp/webhookd-browser-test.XXXXXX)
receiver_pid=""
daemon_pid=""
traffic_pid=""

stop() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT
  stop "$traffic_pid"
  stop "$daemon_pid"
  stop "$receiver_pid"
  cp "$work"/*.log "$ARTIFACTS_DIR"/ 2>/dev/null || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tools -------------------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing chromium from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
CHROMIUM_PATH=$(command -v chromium)
export CHROMIUM_PATH

GRPCURL=$(command -v grpcurl 2>/dev/null || true)
if [ -z "$GRPCURL" ]; then
  gobin="$(go env GOPATH)/bin"
  if [ ! -x "$gobin/grpcurl" ]; then
    echo "==> go install grpcurl"
    go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3
  fi
  GRPCURL="$gobin/grpcurl"
fi

echo "==> npm ci (tests/browser)"
(cd "$here" && npm ci --silent --no-audit --no-fund)

# --- receiver ----------------------------------------------------------------
python3 - "$work/receiver.port" >"$work/receiver.log" 2>&1 <<'PY' &
import sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        # 503: pushing back, so ep_fail's adaptive window narrows too.
        code = {"/ok": 200, "/fail": 503}.get(self.path, 404)
        body = b"ok\n" if code == 200 else b"failed on purpose\n"
        self.send_response(code)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
PY
receiver_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/receiver.port" ] && break
  sleep 0.1
done
[ -s "$work/receiver.port" ] || { echo "receiver did not start" >&2; cat "$work/receiver.log" >&2; exit 1; }
receiver_port=$(cat "$work/receiver.port")

# --- webhookd ----------------------------------------------------------------
cat >"$work/webhookd.yaml" <<EOF
webhook_engine:
  signing_secret: browser-test-secret-0123456789
retry_policy:
  max_attempts: 2
  initial_delay_seconds: 0.2
# ep_fail's circuit opens after 3 failures and stays open for the whole
# test, below the threshold that would disable it: the page must show it.
health:
  failure_threshold: 1000
  circuit_breaker_failures: 3
  circuit_breaker_cooldown_seconds: 600
security:
  allowed_networks: ["127.0.0.0/8"]
endpoints:
  - id: ep_ok
    url: http://127.0.0.1:$receiver_port/ok
    events: ["*"]
  - id: ep_fail
    url: http://127.0.0.1:$receiver_port/fail
    events: ["order.*"]
    # Every payload of the traffic loop has n: the dashboard marks it.
    filter:
      n: {\$exists: true}
EOF

"$WEBHOOKD_BIN" serve --config "$work/webhookd.yaml" --database-url "sqlite://$work/db" \
  --grpc-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --log-format json 2>"$work/webhookd.log" >&2 &
daemon_pid=$!

addrs=""
for _ in $(seq 1 150); do
  addrs=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    try:
        event = json.loads(line)
    except ValueError:
        continue
    if isinstance(event, dict) and event.get("message") == "webhookd listening":
        print(event["grpc_addr"], event["http_addr"])
        break
' "$work/webhookd.log")
  [ -n "$addrs" ] && break
  kill -0 "$daemon_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$addrs" ] || { echo "webhookd did not start" >&2; tail -n 50 "$work/webhookd.log" >&2; exit 1; }
read -r GRPC_ADDR HTTP_ADDR <<<"$addrs"
echo "==> webhookd: grpc $GRPC_ADDR, http $HTTP_ADDR; receiver on port $receiver_port"

for _ in $(seq 1 100); do
  curl -fsS "http://$HTTP_ADDR/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://$HTTP_ADDR/readyz" >/dev/null || { echo "webhookd is not ready" >&2; exit 1; }

# --- traffic -----------------------------------------------------------------
dispatch() {
  "$GRPCURL" -plaintext -d "{\"event_type\":\"$1\",\"payload\":{\"n\":$2}}" \
    "$GRPC_ADDR" webhook.v1.WebhookService/Dispatch >/dev/null
}
# One synchronous call first, so a broken gRPC setup fails loudly here.
dispatch order.created 0 || { echo "Dispatch failed" >&2; exit 1; }
(
  # Bounded: at most 3000 events (about 5 minutes), every ~100 ms.
  for n in $(seq 1 3000); do
    if (( n % 3 == 0 )); then type=invoice.paid; else type=order.created; fi
    dispatch "$type" "$n" 2>>"$work/traffic.log" || true
    sleep 0.1
  done
) &
traffic_pid=$!

# --- the browser test --------------------------------------------------------
echo "==> node --test dashboard.test.mjs"
set +e
(cd "$here" && DASHBOARD_URL="http://$HTTP_ADDR/" ARTIFACTS_DIR="$ARTIFACTS_DIR" node --test dashboard.test.mjs) \
  2>&1 | tee "$work/node-test.log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then
  echo "==> webhookd log (last 40 lines)"
  tail -n 40 "$work/webhookd.log" || true
  echo "==> test summary"
  grep -E '^# (tests|pass|fail|cancelled|skipped|todo|duration_ms)' "$work/node-test.log" || true
fi
exit "$rc"
