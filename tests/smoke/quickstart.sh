#!/usr/bin/env bash
# Runs the README quick start for real: webhookd with config.example.yaml,
# the example Python receiver, and grpcurl through server reflection; then
# the tour's stream, dashboard and replay steps.
# Needs grpcurl on PATH (scripts/test.sh installs it with `go install`).
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d)
cleanup() {
  [ -n "${daemon_pid:-}" ] && kill "$daemon_pid" 2>/dev/null || true
  [ -n "${receiver_pid:-}" ] && kill "$receiver_pid" 2>/dev/null || true
  [ -n "${stream_pid:-}" ] && kill "$stream_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

receiver_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 docs/examples/receiver.py "$receiver_port" >"$work/receiver.log" 2>&1 &
receiver_pid=$!

WEBHOOKD_ENDPOINTS__1__URL="http://127.0.0.1:$receiver_port/webhooks" \
  target/debug/webhookd serve --config config.example.yaml \
  --database-url "sqlite://$work/webhookd.db" --grpc-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 \
  --log-format json 2>"$work/webhookd.log" &
daemon_pid=$!

addr=""
http_addr=""
for _ in $(seq 1 100); do
  read -r addr http_addr < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    try:
        event = json.loads(line)
    except ValueError:
        continue
    if event.get("message") == "webhookd listening":
        print(event["grpc_addr"], event["http_addr"])
        break
' "$work/webhookd.log") || true
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "webhookd did not start"; cat "$work/webhookd.log"; exit 1; }

# The tour's step 2: the live stream, started before the dispatch.
grpcurl -plaintext -d '{"endpoint_ids":["ep_local"]}' "$addr" webhook.v1.WebhookService/StreamDeliveries \
  >"$work/stream.log" 2>&1 &
stream_pid=$!

grep -q "SECRET IS STILL THE PLACEHOLDER" "$work/webhookd.log" || { echo "no placeholder warning"; exit 1; }
grpcurl -plaintext "$addr" list | grep -qx "webhook.v1.WebhookService"
grpcurl -plaintext "$addr" describe webhook.v1.DispatchRequest | grep -q "payload_json"
grpcurl -plaintext "$addr" grpc.health.v1.Health/Check | grep -q '"SERVING"'
response=$(grpcurl -plaintext -d '{"event_type":"order.created","payload":{"order_id":"ord_12345","total":99.99}}' \
  "$addr" webhook.v1.WebhookService/Dispatch)
event_id=$(echo "$response" | python3 -c 'import json,sys; print(json.load(sys.stdin)["eventId"])')

for _ in $(seq 1 100); do
  grep -q "\"event_id\": \"$event_id\"" "$work/receiver.log" && break
  sleep 0.1
done
grep -q "\"event_id\": \"$event_id\"" "$work/receiver.log" || {
  echo "the example receiver did not verify and log $event_id"
  cat "$work/receiver.log" "$work/webhookd.log"
  exit 1
}
# Step 2: the stream saw the delivery succeed.
for _ in $(seq 1 100); do
  grep -q UPDATE_KIND_SUCCEEDED "$work/stream.log" && break
  sleep 0.1
done
grep -q "\"eventId\": \"$event_id\"" "$work/stream.log" && grep -q UPDATE_KIND_SUCCEEDED "$work/stream.log" || {
  echo "StreamDeliveries did not show the delivery of $event_id succeed"
  cat "$work/stream.log"
  exit 1
}

# Step 4: the dashboard.
curl -fsS -o "$work/dashboard.html" "http://$http_addr/"
grep -q "<title>webhookd dashboard</title>" "$work/dashboard.html" || { echo "no dashboard at $http_addr"; exit 1; }

# Step 5: a replay reaches the receiver as a duplicate.
grpcurl -plaintext -d "{\"event_id\":\"$event_id\"}" "$addr" webhook.v1.WebhookService/Replay >/dev/null
for _ in $(seq 1 100); do
  grep -q "\"event_id\": \"$event_id\", \"duplicate\": true" "$work/receiver.log" && break
  sleep 0.1
done
grep -q "\"event_id\": \"$event_id\", \"duplicate\": true" "$work/receiver.log" || {
  echo "the example receiver did not see the replay of $event_id as a duplicate"
  cat "$work/receiver.log"
  exit 1
}
echo "quickstart: 1 passed, 0 failed"
