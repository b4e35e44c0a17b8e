#!/usr/bin/env python3
"""A minimal webhookd receiver: verifies the signature over the raw body,
rejects stale timestamps, deduplicates by event id, and answers 2xx fast.

Usage: WEBHOOK_SECRET=... python3 receiver.py [port]   (default port 9000)
"""
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = os.environ.get("WEBHOOK_SECRET", "YOUR_ENDPOINT_SECRET_HERE").encode()
TOLERANCE_SECONDS = 300
seen_event_ids = set()  # use a durable store in production


def verify(body: bytes, timestamp: str, signature_header: str) -> bool:
    """True when any sha256= signature in the header matches the body."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - ts) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(SECRET, f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    for candidate in signature_header.split(","):
        candidate = candidate.strip()
        if candidate.startswith("sha256=") and hmac.compare_digest(candidate[7:], expected):
            return True
    return False


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ok = verify(
            body,
            self.headers.get("X-Webhook-Timestamp", ""),
            self.headers.get("X-Webhook-Signature", ""),
        )
        if not ok:
            self.send_response(401)
            self.end_headers()
            return
        event_id = self.headers["X-Webhook-Id"]
        duplicate = event_id in seen_event_ids
        seen_event_ids.add(event_id)
        print(json.dumps({"event_id": event_id, "duplicate": duplicate, "payload": json.loads(body)}), flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    HTTPServer(("127.0.0.1", port), Handler).serve_forever()
