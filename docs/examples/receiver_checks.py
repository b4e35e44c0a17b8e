#!/usr/bin/env python3
"""Checks one example receiver (docs/examples/receivers/*), standard library only.

    receiver_checks.py signed URL SECRET
        Sends hand-signed requests: a valid one (expect 2xx, not a duplicate),
        the same again (2xx, a duplicate), a tampered body, a stale timestamp
        and a bad signature (4xx each), then a valid one with the event id of
        a rejected request (2xx, not a duplicate: rejections are not recorded).

    receiver_checks.py live GRPC_ADDR ENDPOINT_ID
        Has a running webhookd deliver an event to the receiver and replay it
        (grpcurl on PATH), then reads both deliveries back with GetEvent: both
        must have succeeded, the replay answered as a duplicate.

Receivers answer accepted requests with the JSON {"duplicate": true|false}.
"""

import hashlib
import hmac
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def post(url: str, event_id: str, timestamp: int, signature: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Webhook-Id": event_id,
            "X-Webhook-Timestamp": str(timestamp),
            "X-Webhook-Signature": signature,
            "X-Webhook-Event-Type": "docs.example",
            "X-Webhook-Attempt": "1",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def duplicate_flag(answer: bytes):
    try:
        return json.loads(answer).get("duplicate")
    except (ValueError, AttributeError):
        return None


def check_signed(url: str, secret: str) -> int:
    failures = 0

    def expect(name: str, status: int, answer: bytes, accepted: bool, duplicate=None) -> None:
        nonlocal failures
        ok = (200 <= status < 300) if accepted else (400 <= status < 500)
        if ok and accepted:
            ok = duplicate_flag(answer) is duplicate
        print(f"  {'ok ' if ok else 'FAIL'} {name}: HTTP {status} {answer.decode(errors='replace').strip()}")
        failures += 0 if ok else 1

    body = json.dumps({"order_id": "ord_1", "total": 99.99}, separators=(",", ":"), sort_keys=True).encode()
    event_id = f"evt_{uuid.uuid4().hex}"
    now = int(time.time())
    signature = sign(secret, now, body)

    status, answer = post(url, event_id, now, signature, body)
    expect("valid request is accepted", status, answer, accepted=True, duplicate=False)
    status, answer = post(url, event_id, now, signature, body)
    expect("the same request again is a duplicate", status, answer, accepted=True, duplicate=True)

    other_id = f"evt_{uuid.uuid4().hex}"
    tampered = body.replace(b"99.99", b"0.01")
    status, answer = post(url, other_id, now, signature, tampered)  # signed for the original body
    expect("tampered body is rejected", status, answer, accepted=False)
    stale = now - 600
    status, answer = post(url, other_id, stale, sign(secret, stale, body), body)
    expect("stale timestamp (10 minutes old) is rejected", status, answer, accepted=False)
    status, answer = post(url, other_id, now, sign("not-the-secret", now, body), body)
    expect("signature with another secret is rejected", status, answer, accepted=False)
    status, answer = post(url, other_id, now, sign(secret, now, body), body)
    expect("rejected requests were not recorded as seen", status, answer, accepted=True, duplicate=False)
    return failures


def grpcurl(addr: str, method: str, request: dict) -> dict:
    output = subprocess.run(
        ["grpcurl", "-plaintext", "-d", json.dumps(request), addr, f"webhook.v1.WebhookService/{method}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output) if output.strip() else {}


def check_live(addr: str, endpoint_id: str) -> int:
    dispatched = grpcurl(
        addr,
        "Dispatch",
        {"event_type": "docs.example", "payload": {"check": "live"}, "endpoint_ids": [endpoint_id]},
    )
    event_id = dispatched["eventId"]
    if not wait_for_successes(addr, event_id, 1):
        return 1
    grpcurl(addr, "Replay", {"event_id": event_id})
    deliveries = wait_for_successes(addr, event_id, 2)
    if not deliveries:
        return 1
    # The original delivery must be new to the receiver, the replay a duplicate.
    answers = {bool(d.get("replayOf")): d["attempts"][-1].get("responseExcerpt", "") for d in deliveries}
    ok = {replay: duplicate_flag(answer.encode()) for replay, answer in answers.items()} == {
        False: False,
        True: True,
    }
    print(f"  {'ok ' if ok else 'FAIL'} webhookd delivered {event_id}, then replayed it: {answers}")
    return 0 if ok else 1


def wait_for_successes(addr: str, event_id: str, count: int) -> list:
    deadline = time.monotonic() + 30
    deliveries = []
    while time.monotonic() < deadline:
        deliveries = grpcurl(addr, "GetEvent", {"event_id": event_id}).get("deliveries", [])
        done = [d for d in deliveries if d.get("state") == "DELIVERY_STATE_SUCCEEDED"]
        if len(done) >= count:
            return done
        time.sleep(0.2)
    print(f"  FAIL {event_id}: expected {count} successful deliveries, got {json.dumps(deliveries)}")
    return []


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    failed = check_signed(*rest) if mode == "signed" else check_live(*rest)
    sys.exit(1 if failed else 0)
