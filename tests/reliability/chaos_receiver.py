#!/usr/bin/env python3
"""A misbehaving webhook receiver for the reliability suite (stdlib only).

Every endpoint path chooses its behaviour with its last segment:
``http://127.0.0.1:PORT/<endpoint>/<mode>``, for example ``/ep_a/ok`` or
``/ep_err/status=500``. Modes:

    ok            200 at once
    status=N      answer N (any status, 2xx included)
    flaky=p       503 with probability p, else 200
    retry_after=S 503 with ``Retry-After: S`` on the first request of each
                  event id, 200 afterwards
    gone          410 Gone
    redirect      302 to ``/<endpoint>-target/ok`` (webhookd must not follow)
    hang          read the request, never answer, keep the connection open
    hang_first    hang on the first request of each event id, 200 afterwards
    drip          write the response one byte per second
    reset         read the request, then close the connection with a TCP RST
    slow=ms       200 after ms milliseconds
    big           200 with a 32 MiB body, streamed as fast as it is read
    gate          hold the request until the gate opens (GET /_gate/open)

Each request is logged as one JSON line once its fate is known: endpoint,
mode, event id (X-Webhook-Id), attempt, X-Webhook-Timestamp, whether the
signature is valid, the body's SHA-256, the status answered (0 when no status
line was sent), and whether the answer reached an open connection.

Control (GET): ``/_stats`` (counters as JSON), ``/_flush`` (write the log
now), ``/_gate/open``, ``/_gate/close``.

    python chaos_receiver.py --log requests.jsonl --secret S [--port 0]

It prints ``listening PORT`` on stdout once it accepts connections, and
flushes its log on SIGTERM and SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import hashlib
import hmac
import json
import random
import signal
import socket
import struct
import sys
import time

MAX_HEAD = 64 * 1024
BIG_BODY = 32 * 1024 * 1024
BIG_CHUNK = 256 * 1024
REASONS = {
    200: "OK",
    204: "No Content",
    302: "Found",
    404: "Not Found",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def signature_valid(secret: bytes, timestamp: str, body: bytes, header: str) -> bool:
    """The webhookd scheme: sha256=<hex HMAC-SHA256(secret, "{ts}." + body)>,
    several comma-separated values allowed."""
    if not timestamp or not header:
        return False
    expected = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    for value in header.split(","):
        value = value.strip()
        if value.startswith("sha256=") and hmac.compare_digest(value[7:], expected):
            return True
    return False


class Receiver:
    def __init__(self, secret: bytes, log_path: str) -> None:
        self.secret = secret
        self.log = open(log_path, "a", buffering=1024 * 1024)
        self.pending_lines: list[str] = []
        self.seen: set[tuple[str, str]] = set()
        self.gate = asyncio.Event()
        self.port = 0
        self.requests = 0
        self.answered_2xx = 0
        self.ok_pairs: set[tuple[str, str]] = set()
        self.open = 0
        self.connections = 0
        self.by_endpoint: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.recent_2xx: collections.deque = collections.deque(maxlen=16)

    def write(self, record: dict) -> None:
        self.pending_lines.append(json.dumps(record, separators=(",", ":")))
        if len(self.pending_lines) >= 512:
            self.flush()

    def flush(self) -> None:
        if self.pending_lines:
            self.log.write("\n".join(self.pending_lines) + "\n")
            self.pending_lines.clear()
        self.log.flush()

    async def flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(0.2)
            self.flush()

    def stats(self) -> dict:
        return {
            "requests": self.requests,
            "answered_2xx": self.answered_2xx,
            "unique_2xx": len(self.ok_pairs),
            "open": self.open,
            "connections": self.connections,
            "gate_open": self.gate.is_set(),
            "by_endpoint": {k: dict(v) for k, v in self.by_endpoint.items()},
            "recent_2xx": list(self.recent_2xx),
        }

    def first_time(self, endpoint: str, event_id: str) -> bool:
        key = (endpoint, event_id)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


class Request:
    __slots__ = ("method", "path", "headers", "body", "t_recv", "endpoint", "mode", "record")

    def __init__(self, method: str, path: str, headers: dict, body: bytes) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.t_recv = time.time()


class Connection(asyncio.Protocol):
    def __init__(self, receiver: Receiver) -> None:
        self.r = receiver
        self.buf = bytearray()
        self.busy = False
        self.closed = False
        self.transport: asyncio.Transport | None = None
        self.current: Request | None = None
        self.can_write = asyncio.Event()
        self.can_write.set()

    # --- asyncio callbacks -------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.r.connections += 1
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.r.connections -= 1
        self.can_write.set()
        if self.current is not None:
            # The client gave up on a request that had no answer (hang, drip,
            # gate, slow past the client's timeout).
            self.finish(0, sent=False, outcome=self.current.mode or "closed")

    def pause_writing(self) -> None:
        self.can_write.clear()

    def resume_writing(self) -> None:
        self.can_write.set()

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.busy:
            self.parse()

    # --- parsing -------------------------------------------------------------
    def parse(self) -> None:
        while not self.busy and not self.closed:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > MAX_HEAD:
                    self.transport.close()
                return
            head = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
            try:
                method, target, _version = head[0].split(" ", 2)
            except ValueError:
                self.transport.close()
                return
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            if len(self.buf) < end + 4 + length:
                return
            body = bytes(self.buf[end + 4 : end + 4 + length])
            del self.buf[: end + 4 + length]
            self.busy = True
            self.handle(Request(method, target, headers, body))

    # --- answering -----------------------------------------------------------
    def handle(self, req: Request) -> None:
        r = self.r
        if req.path.startswith("/_"):
            self.control(req)
            return
        parts = [p for p in req.path.split("?", 1)[0].split("/") if p]
        req.mode = parts[-1] if parts else "ok"
        req.endpoint = "/".join(parts[:-1]) or "default"
        h = req.headers
        event_id = h.get("x-webhook-id", "")
        ts = h.get("x-webhook-timestamp", "")
        req.record = {
            "t": req.t_recv,
            "endpoint": req.endpoint,
            "mode": req.mode,
            "event_id": event_id,
            "attempt": int(h.get("x-webhook-attempt", "0") or 0),
            "event_type": h.get("x-webhook-event-type", ""),
            "ts": ts,
            "sig_ok": signature_valid(r.secret, ts, req.body, h.get("x-webhook-signature", "")),
            "body_sha256": hashlib.sha256(req.body).hexdigest(),
            "method": req.method,
        }
        r.requests += 1
        r.open += 1
        r.by_endpoint[req.endpoint]["requests"] += 1
        self.current = req
        mode, _, arg = req.mode.partition("=")
        loop = asyncio.get_running_loop()
        if mode == "ok":
            self.respond(200, b"ok")
        elif mode == "status":
            self.respond(int(arg), b"status")
        elif mode == "flaky":
            if random.random() < float(arg):
                self.respond(503, b"flaky")
            else:
                self.respond(200, b"ok")
        elif mode == "retry_after":
            if r.first_time(req.endpoint, event_id):
                self.respond(503, b"later", extra=f"Retry-After: {arg}\r\n")
            else:
                self.respond(200, b"ok")
        elif mode == "gone":
            self.respond(410, b"gone")
        elif mode == "redirect":
            location = f"http://127.0.0.1:{r.port}/{req.endpoint}-target/ok"
            self.respond(302, b"moved", extra=f"Location: {location}\r\n")
        elif mode == "hang":
            pass  # connection_lost logs it
        elif mode == "hang_first":
            if not r.first_time(req.endpoint, event_id):
                self.respond(200, b"ok")
        elif mode == "drip":
            loop.create_task(self.drip())
        elif mode == "reset":
            self.reset()
        elif mode == "slow":
            loop.call_later(int(arg) / 1000.0, self.respond, 200, b"ok")
        elif mode == "big":
            loop.create_task(self.big())
        elif mode == "gate":
            loop.create_task(self.after_gate())
        else:
            self.respond(400, f"unknown mode {req.mode}".encode())

    def respond(self, status: int, body: bytes, extra: str = "") -> None:
        if self.current is None:
            return
        sent = not self.closed and not self.transport.is_closing()
        if sent:
            reason = REASONS.get(status, "Status")
            head = (
                f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(body)}\r\n"
                f"Content-Type: text/plain\r\n{extra}\r\n"
            )
            self.transport.write(head.encode() + body)
        self.finish(status, sent=sent, outcome="answered")

    def finish(self, status: int, sent: bool, outcome: str) -> None:
        req = self.current
        if req is None:
            return
        self.current = None
        r = self.r
        r.open -= 1
        rec = req.record
        rec["status"] = status
        rec["sent"] = sent
        rec["outcome"] = outcome
        rec["t_done"] = time.time()
        r.write(rec)
        if sent and 200 <= status < 300:
            r.answered_2xx += 1
            r.ok_pairs.add((req.endpoint, rec["event_id"]))
            r.by_endpoint[req.endpoint]["ok"] += 1
            r.recent_2xx.append([rec["event_id"], req.endpoint, rec["t_done"]])
        self.busy = False
        if not self.closed:
            asyncio.get_running_loop().call_soon(self.parse)

    def reset(self) -> None:
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        req = self.current
        self.current = None
        self.r.open -= 1
        req.record.update(status=0, sent=False, outcome="reset", t_done=time.time())
        self.r.write(req.record)
        self.closed = True
        self.transport.abort()

    async def drip(self) -> None:
        response = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        for i in range(len(response)):
            if self.closed:
                return  # connection_lost logged it
            self.transport.write(response[i : i + 1])
            await asyncio.sleep(1.0)
        self.finish(200, sent=not self.closed, outcome="dripped")

    async def big(self) -> None:
        req = self.current
        self.transport.write(
            f"HTTP/1.1 200 OK\r\nContent-Length: {BIG_BODY}\r\nContent-Type: text/plain\r\n\r\n".encode()
        )
        # The status line is out: from here on this is a 2xx answer.
        self.finish(200, sent=True, outcome="big")
        self.busy = True  # no keep-alive parsing while the body streams
        chunk = b"x" * BIG_CHUNK
        written = 0
        while written < BIG_BODY and not self.closed:
            await self.can_write.wait()
            if self.closed:
                break
            self.transport.write(chunk)
            written += len(chunk)
        del req
        self.busy = False
        if not self.closed:
            self.parse()

    async def after_gate(self) -> None:
        await self.r.gate.wait()
        self.respond(200, b"ok")

    def control(self, req: Request) -> None:
        path = req.path
        if path.startswith("/_stats"):
            body = json.dumps(self.r.stats()).encode()
        elif path.startswith("/_flush"):
            self.r.flush()
            body = b"{}"
        elif path.startswith("/_gate/open"):
            self.r.gate.set()
            body = b"{}"
        elif path.startswith("/_gate/close"):
            self.r.gate.clear()
            body = b"{}"
        else:
            body = b"{}"
        self.transport.write(
            f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nContent-Type: application/json\r\n\r\n".encode()
            + body
        )
        self.busy = False
        asyncio.get_running_loop().call_soon(self.parse)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", required=True, help="JSON-lines request log (appended)")
    parser.add_argument("--secret", required=True, help="the signing secret of every endpoint")
    args = parser.parse_args()
    receiver = Receiver(args.secret.encode(), args.log)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Connection(receiver), "127.0.0.1", args.port, backlog=4096, reuse_address=True
    )
    receiver.port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    flusher = loop.create_task(receiver.flush_periodically())
    print(f"listening {receiver.port}", flush=True)
    await stop.wait()
    flusher.cancel()
    server.close()
    receiver.flush()
    receiver.log.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
