#!/usr/bin/env python3
"""A webhookd receiver in Python, using the webhookd SDK's verifier.

It verifies the signature over the raw body (stale timestamps are rejected),
deduplicates by event id, answers 200 at once and processes the event in a
background thread.

    pip install ./clients/python
    WEBHOOK_SECRET=... PORT=9000 python3 receiver.py
"""

import json
import os
import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import webhookd

# Several comma-separated secrets while you rotate yours.
SECRETS = os.environ["WEBHOOK_SECRET"].split(",")

seen_event_ids: set[str] = set()  # production: a table with a unique key
seen_lock = threading.Lock()
work: "queue.Queue[tuple[str, bytes]]" = queue.Queue()


def process(event_id: str, body: bytes) -> None:
    """The slow part: runs after webhookd already has its 200."""
    event = json.loads(body)
    print(f"processing {event_id}: {event}", flush=True)


def worker() -> None:
    while True:
        process(*work.get())


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))  # raw bytes
        try:
            webhookd.verify(body, dict(self.headers.items()), SECRETS)  # tolerance: 300 s
        except webhookd.WebhookVerificationError as error:
            return self.reply(401, {"error": error.code})

        event_id = self.headers[webhookd.ID_HEADER]
        with seen_lock:
            duplicate = event_id in seen_event_ids
            seen_event_ids.add(event_id)
        if not duplicate:
            work.put((event_id, body))
        self.reply(200, {"duplicate": duplicate})

    def reply(self, status: int, answer: dict) -> None:
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    threading.Thread(target=worker, daemon=True).start()
    port = int(os.environ.get("PORT", "9000"))
    print(f"listening on 127.0.0.1:{port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
