"""Real processes for the reliability suite: webhookd, the chaos receiver,
PostgreSQL clusters, and an asynchronous gRPC load client that logs every
acknowledged Dispatch."""

from __future__ import annotations

import asyncio
import collections
import glob
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from webhookd import webhook_pb2
from webhookd._proto.webhook.v1 import webhook_pb2_grpc

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SECRET = "reliability-signing-secret-0123456789"

TCP_STATES = {
    "01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2",
    "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING",
}

# Channels reconnect quickly after a restart on the same port.
CHANNEL_OPTIONS = [
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 500),
    ("grpc.enable_retries", 0),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary() -> str:
    path = os.environ.get("WEBHOOKD_BIN", str(ROOT / "target/debug/webhookd"))
    if not os.access(path, os.X_OK):
        sys.exit(f"no webhookd binary at {path}: build it first (cargo build) or set WEBHOOKD_BIN")
    return path


def log(message: str) -> None:
    print(f"    {time.strftime('%H:%M:%S')} {message}", flush=True)


# --------------------------------------------------------------------------
# The chaos receiver
# --------------------------------------------------------------------------


class ReceiverProc:
    """tests/reliability/chaos_receiver.py in a process of its own."""

    def __init__(self, workdir: Path, name: str = "receiver") -> None:
        self.log_path = workdir / f"{name}.jsonl"
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "chaos_receiver.py"), "--log", str(self.log_path), "--secret", SECRET],
            stdout=subprocess.PIPE,
            stderr=open(workdir / f"{name}.stderr", "w"),
            text=True,
        )
        line = self.proc.stdout.readline()
        if not line.startswith("listening "):
            raise RuntimeError(f"the chaos receiver did not start: {line!r}")
        self.port = int(line.split()[1])

    def url(self, endpoint: str, mode: str) -> str:
        return f"http://127.0.0.1:{self.port}/{endpoint}/{mode}"

    def _get(self, path: str) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            return json.loads(conn.getresponse().read() or b"{}")
        finally:
            conn.close()

    def stats(self) -> dict:
        return self._get("/_stats")

    def open_gate(self) -> None:
        self._get("/_gate/open")

    def records(self) -> list[dict]:
        self._get("/_flush")
        out = []
        with open(self.log_path) as f:
            for line in f:
                line = line.strip()
                if line:
                    out.append(json.loads(line))
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


def pg_bin_dir() -> str:
    env = os.environ.get("WEBHOOKD_TEST_PG_BIN")
    if env:
        return env
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: [int(x) if x.isdigit() else x for x in p.split("/")])
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found: set WEBHOOKD_TEST_PG_BIN")
    return os.path.dirname(found[-1])


def _as_pg(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PgCluster:
    """A private cluster (initdb + pg_ctl), for scenarios that stop it."""

    def __init__(self, max_connections: int = 300) -> None:
        self.bin = pg_bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="webhookd-rel-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        self.max_connections = max_connections
        subprocess.run(
            _as_pg([f"{self.bin}/initdb", "-A", "trust", "-U", "postgres", "-D", str(self.data)]),
            check=True,
            capture_output=True,
        )
        self.start()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        out = subprocess.run(
            _as_pg([f"{self.bin}/pg_ctl", "-D", str(self.data), *args]), capture_output=True, text=True
        )
        if out.returncode != 0:
            raise RuntimeError(f"pg_ctl {args} failed: {out.stdout}{out.stderr}")

    def start(self) -> None:
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= "
            f"-c max_connections={self.max_connections} -c fsync=on"
        )
        self.pg_ctl("start", "-w", "-o", options, "-l", str(self.dir / "postgres.log"))

    def stop_immediate(self) -> None:
        self.pg_ctl("stop", "-m", "immediate", "-w")

    def destroy(self) -> None:
        subprocess.run(
            _as_pg([f"{self.bin}/pg_ctl", "-D", str(self.data), "stop", "-m", "immediate"]),
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def psql(url: str, sql: str) -> str:
    bin_dir = pg_bin_dir()
    psql_path = f"{bin_dir}/psql" if os.path.exists(f"{bin_dir}/psql") else shutil.which("psql")
    if psql_path is None:
        raise RuntimeError("psql not found")
    out = subprocess.run(
        [psql_path, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr}")
    return out.stdout.strip()


def fresh_database(server_url: str, name: str) -> str:
    dbname = f"webhookd_rel_{name}_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    psql(server_url, f"CREATE DATABASE {dbname}")
    base = server_url.rsplit("/", 1)[0]
    return f"{base}/{dbname}"


# --------------------------------------------------------------------------
# webhookd
# --------------------------------------------------------------------------


def base_config(database_url: str, endpoints: list[dict], **overrides) -> dict:
    """A config with fast retries; `overrides` is {"section.key": value}."""
    config = {
        "server": {"shutdown_grace_seconds": 10},
        "database": {"url": database_url, "acquire_timeout_seconds": 2},
        "webhook_engine": {
            "signing_secret": SECRET,
            "default_timeout_seconds": 2,
            "max_concurrent_deliveries": 50,
            "poll_interval_seconds": 0.2,
        },
        "retry_policy": {
            "max_attempts": 5,
            "initial_delay_seconds": 0.2,
            "max_delay_seconds": 2,
            "backoff_multiplier": 2,
            "jitter": False,
        },
        "health": {"failure_threshold": 1000, "circuit_breaker_failures": 1000},
        "security": {"allowed_networks": ["127.0.0.0/8"]},
        "endpoints": endpoints,
    }
    for key, value in overrides.items():
        section, _, name = key.partition(".")
        config.setdefault(section, {})[name] = value
    return config


class Webhookd:
    """`webhookd serve` as a real process, on fixed ports so that restarts
    keep the address the load clients use."""

    def __init__(self, workdir: Path, config: dict, name: str = "webhookd") -> None:
        self.workdir = workdir
        self.name = name
        self.config_path = workdir / f"{name}.yaml"
        self.write_config(config)
        self.grpc_port = free_port()
        self.http_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.log_path = workdir / f"{name}.log"
        self.instance_id = ""

    @property
    def addr(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def write_config(self, config: dict) -> None:
        """Takes effect at the next start. JSON is YAML."""
        self.config = config
        self.config_path.write_text(json.dumps(config, indent=1))
        self.database_url = config["database"]["url"]

    @property
    def pid(self) -> int:
        return self.proc.pid

    def start(self, env: dict | None = None, wait: bool = True, timeout: float = 60) -> float:
        """Starts the process; returns the seconds until it listened."""
        self.starts += 1
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        started = time.monotonic()
        full_env = {**os.environ, "RUST_LOG": os.environ.get("RELIABILITY_RUST_LOG", "info")}
        full_env.pop("FAILPOINTS", None)
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [
                binary(),
                "serve",
                "--config",
                str(self.config_path),
                "--database-url",
                self.database_url,
                "--grpc-addr",
                self.addr,
                "--http-addr",
                f"127.0.0.1:{self.http_port}",
                "--log-format",
                "json",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_path, "ab"),
            env=full_env,
        )
        if not wait:
            return 0.0
        deadline = started + timeout
        while time.monotonic() < deadline:
            for event in self.log_events(since_start=True):
                if event.get("message") == "webhookd listening":
                    self.instance_id = event.get("instance_id", "")
                    return time.monotonic() - started
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} at start: {self.tail()}")
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not log its listening line within {timeout} s: {self.tail()}")

    def log_events(self, since_start: bool = False) -> list[dict]:
        out = []
        if not self.log_path.exists():
            return out
        with open(self.log_path, "rb") as f:
            if since_start:
                f.seek(self._log_offset)
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
        return out

    def tail(self, n: int = 20) -> str:
        lines = self.log_path.read_text(errors="replace").splitlines()[-n:] if self.log_path.exists() else []
        return "\n".join(lines)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def ensure_alive(self) -> None:
        """Raises when the process has exited, with its last error line."""
        if self.proc is not None and self.proc.poll() is not None:
            errors = [e for e in self.log_events(since_start=True) if e.get("level") == "ERROR"]
            last = errors[-1].get("message", "") if errors else self.tail(3)
            raise RuntimeError(f"{self.name} exited unexpectedly with code {self.proc.returncode}: {last}")

    def signal(self, sig: int) -> None:
        os.kill(self.proc.pid, sig)

    def sigkill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def wait_exit(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.alive():
            try:
                os.kill(self.proc.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
            self.proc.kill()
            self.proc.wait()

    def rss_kib(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def fd_breakdown(self, db_port: int | None = None, db_path: str | None = None) -> collections.Counter:
        """Open fds by kind: `db` (sockets to db_port, or the SQLite files),
        `tcp:<STATE>` for other TCP sockets, `other` for the rest."""
        sockets = {}
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(table) as f:
                    next(f)
                    for line in f:
                        parts = line.split()
                        remote_port = int(parts[2].rsplit(":", 1)[1], 16)
                        sockets[parts[9]] = (remote_port, TCP_STATES.get(parts[3], parts[3]))
            except OSError:
                pass
        kinds: collections.Counter = collections.Counter()
        base = f"/proc/{self.proc.pid}/fd"
        for fd in os.listdir(base):
            try:
                target = os.readlink(f"{base}/{fd}")
            except OSError:
                continue
            if db_path and target.startswith(db_path):
                kinds["db"] += 1
            elif target.startswith("socket:["):
                inode = target[8:-1]
                if inode in sockets:
                    remote_port, state = sockets[inode]
                    if db_port and remote_port == db_port:
                        kinds["db"] += 1
                    else:
                        kinds[f"tcp:{state}"] += 1
                else:
                    kinds["other"] += 1
            else:
                kinds["other"] += 1
        return kinds


def health_status(addr: str, timeout: float = 1.0) -> str:
    """grpc.health.v1 Check for service "": SERVING, NOT_SERVING, or the
    error (without a dependency on grpcio-health-checking)."""
    with grpc.insecure_channel(addr) as channel:
        check = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=lambda b: b,
            response_deserializer=lambda b: b,
        )
        try:
            raw = check(b"", timeout=timeout)
        except grpc.RpcError as e:
            return f"ERROR:{e.code().name}"
    status = raw[1] if len(raw) >= 2 and raw[0] == 0x08 else 0
    return {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}.get(status, str(status))


def readyz(http_port: int) -> int:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=1)
        conn.request("GET", "/readyz")
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return 0


def stub(addr: str) -> tuple[grpc.Channel, webhook_pb2_grpc.WebhookServiceStub]:
    channel = grpc.insecure_channel(addr, options=CHANNEL_OPTIONS)
    return channel, webhook_pb2_grpc.WebhookServiceStub(channel)


# --------------------------------------------------------------------------
# The load client
# --------------------------------------------------------------------------


def canonical(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


@dataclass
class AckLog:
    """Every acknowledged Dispatch (and every refused one), also written as
    JSON lines to `path`."""

    path: Path
    acks: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._file = open(self.path, "a")

    def ack(self, record: dict) -> None:
        self.acks.append(record)
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")

    def error(self, record: dict) -> None:
        self.errors.append(record)
        self._file.write(json.dumps({"error": True, **record}, separators=(",", ":")) + "\n")

    def close(self) -> None:
        self._file.close()

    def event_ids(self) -> set[str]:
        return {a["event_id"] for a in self.acks}


class LoadClient:
    """`clients` concurrent Dispatch callers, each on a channel of its own.

    Each call sends a canonical JSON payload and names its target endpoints
    explicitly, so that the ledger knows which (event, endpoint) pairs were
    acknowledged. With `retry_until_acked`, a refused call is repeated with
    the same idempotency key until it is acknowledged."""

    def __init__(
        self,
        addr: str,
        acklog: AckLog,
        run: str,
        endpoints: list[str],
        clients: int = 8,
        event_type: str = "reliability.test",
        retry_until_acked: bool = False,
        use_idempotency_keys: bool = True,
        timeout: float = 10.0,
        targeted: bool = True,
    ) -> None:
        self.addr = addr
        self.acklog = acklog
        self.run = run
        self.endpoints = endpoints
        self.clients = clients
        self.event_type = event_type
        self.retry_until_acked = retry_until_acked
        self.use_keys = use_idempotency_keys
        self.timeout = timeout
        self.targeted = targeted
        self.next_index = 0
        self.stop_flag = False
        self.attempted = 0

    async def _one(self, stub, index: int, endpoints: list[str], event_type: str) -> bool:
        payload = canonical({"i": index, "run": self.run, "pad": "x" * 64})
        key = f"{self.run}-{index}" if self.use_keys else ""
        while True:
            t_start = time.time()
            self.attempted += 1
            try:
                response = await stub.Dispatch(
                    webhook_pb2.DispatchRequest(
                        event_type=event_type,
                        payload_json=payload,
                        idempotency_key=key,
                        endpoint_ids=endpoints if self.targeted else [],
                    ),
                    timeout=self.timeout,
                )
            except grpc.aio.AioRpcError as e:
                self.acklog.error(
                    {
                        "i": index,
                        "t_start": t_start,
                        "t_end": time.time(),
                        "code": e.code().name,
                        "details": e.details() or "",
                    }
                )
                if self.retry_until_acked and not self.stop_flag:
                    await asyncio.sleep(0.05)
                    continue
                return False
            self.acklog.ack(
                {
                    "i": index,
                    "event_id": response.event_id,
                    "delivery_ids": list(response.delivery_ids),
                    "duplicate": response.duplicate,
                    "endpoints": endpoints,
                    "body_sha256": hashlib.sha256(payload.encode()).hexdigest(),
                    "t_start": t_start,
                    "t_ack": time.time(),
                }
            )
            return True

    async def run_count(self, total: int, endpoints_for=None, rate: float | None = None, event_type_for=None) -> None:
        """Dispatches `total` events (indexes continue across calls), at most
        `rate` per second when given. `endpoints_for(i)` and
        `event_type_for(i)` vary the expected endpoints and the type."""
        first = self.next_index
        self.next_index += total
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(first, first + total):
            queue.put_nowait(i)
        started = time.monotonic()

        async def worker() -> None:
            channel = grpc.aio.insecure_channel(self.addr, options=CHANNEL_OPTIONS)
            stub = webhook_pb2_grpc.WebhookServiceStub(channel)
            try:
                while not self.stop_flag:
                    try:
                        index = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    if rate:
                        due = started + (index - first) / rate
                        delay = due - time.monotonic()
                        if delay > 0:
                            await asyncio.sleep(delay)
                    endpoints = endpoints_for(index) if endpoints_for else self.endpoints
                    event_type = event_type_for(index) if event_type_for else self.event_type
                    await self._one(stub, index, endpoints, event_type)
            finally:
                await channel.close()

        await asyncio.gather(*(worker() for _ in range(self.clients)))


async def wait_for(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Polls `predicate` (sync or async) until truthy; returns its value or
    raises TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(interval)
