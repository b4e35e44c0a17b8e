#!/usr/bin/env python3
"""The reliability suite: real webhookd processes, a chaos receiver and
PostgreSQL on loopback, faults injected, and a ledger that must balance.

    python tests/reliability/run.py                       # scenarios 1-9, both backends (CI)
    python tests/reliability/run.py --scenario 2 6 --backend postgres
    python tests/reliability/run.py --soak                # scenario 10, 30 minutes
    python tests/reliability/run.py --markdown results.md # also write the table

Environment: WEBHOOKD_BIN (default target/debug/webhookd),
WEBHOOKD_TEST_POSTGRES_URL (a server for fresh databases; without it a
private cluster is started), WEBHOOKD_TEST_PG_BIN (initdb/pg_ctl for private
clusters; default: the newest /usr/lib/postgresql/*/bin).

Exits non-zero when any criterion of any scenario fails. See
docs/reliability.md.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))

import grpc  # noqa: E402
import ledger  # noqa: E402
from harness import (  # noqa: E402
    AckLog,
    LoadClient,
    PgCluster,
    ReceiverProc,
    Webhookd,
    base_config,
    binary,
    free_port,
    fresh_database,
    health_status,
    log,
    psql,
    readyz,
    stub,
    wait_for,
)
from webhookd import webhook_pb2 as S  # noqa: E402

SQLITE = "sqlite"
POSTGRES = "postgres"


@dataclass
class Result:
    number: str
    title: str
    backend: str
    load: str = ""
    faults: str = ""
    lost: str = "-"
    duplicates: str = "-"
    recovery: str = "-"
    failures: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0

    def check(self, condition: bool, message: str) -> bool:
        if not condition:
            self.failures.append(message)
            log(f"FAILED: {message}")
        return condition

    @property
    def passed(self) -> bool:
        return not self.failures


class Suite:
    def __init__(self, args) -> None:
        self.args = args
        self.root = Path(tempfile.mkdtemp(prefix="webhookd-reliability-"))
        self.keep = args.keep
        self._pg_cluster: PgCluster | None = None
        self._pg_url = os.environ.get("WEBHOOKD_TEST_POSTGRES_URL") or None
        self.rng = random.Random(args.seed)

    def workdir(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def pg_server(self) -> str:
        if self._pg_url is None:
            self._pg_cluster = PgCluster()
            self._pg_url = self._pg_cluster.url
            log(f"private PostgreSQL cluster on port {self._pg_cluster.port}")
        return self._pg_url

    def database_url(self, backend: str, workdir: Path, name: str, server: str | None = None) -> str:
        if backend == SQLITE:
            return f"sqlite://{workdir}/webhookd.db"
        return fresh_database(server or self.pg_server(), name)

    def close(self) -> None:
        if self._pg_cluster is not None:
            self._pg_cluster.destroy()
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def in_flight_ids(database_url: str) -> set[str]:
    """Deliveries in state in_flight, read straight from the database while
    no webhookd runs: what the dead process had claimed and not finished."""
    query = "SELECT id FROM deliveries WHERE state = 'in_flight'"
    if database_url.startswith("sqlite://"):
        conn = sqlite3.connect(database_url[len("sqlite://") :], timeout=10)
        try:
            return {row[0] for row in conn.execute(query)}
        finally:
            conn.close()
    return set(psql(database_url, query).split())


def integrity_check(database_url: str) -> str:
    conn = sqlite3.connect(database_url[len("sqlite://") :], timeout=10)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def has_failpoints() -> bool:
    with open(binary(), "rb") as f:
        data = f.read()
    return b"before_record_success" in data


async def wait_delivered(
    receiver: ReceiverProc, pairs: int, timeout: float, what: str, d: Webhookd | None = None
) -> float:
    """Waits until the receiver has answered 2xx for at least `pairs`
    distinct (event, endpoint) pairs; returns the seconds it took. Fails at
    once if `d` exits meanwhile."""
    started = time.monotonic()

    def done() -> bool:
        if d is not None:
            d.ensure_alive()
        return receiver.stats()["unique_2xx"] >= pairs

    await wait_for(done, timeout, 0.2, what)
    return time.monotonic() - started


async def wait_terminal(addr: str, timeout: float, allowed_pending: tuple = ()) -> float:
    """Waits until no delivery is pending or in flight (except paused ones
    of `allowed_pending` endpoints)."""
    started = time.monotonic()

    def done() -> bool:
        channel, api = stub(addr)
        try:
            token = ""
            while True:
                page = api.ListDeliveries(
                    S.ListDeliveriesRequest(
                        filter=S.DeliveryFilter(states=[S.DELIVERY_STATE_PENDING, S.DELIVERY_STATE_IN_FLIGHT]),
                        page_size=1000,
                        page_token=token,
                    ),
                    timeout=10,
                )
                if any(d.endpoint_id not in allowed_pending for d in page.deliveries):
                    return False
                token = page.next_page_token
                if not token:
                    return True
        except grpc.RpcError:
            return False
        finally:
            channel.close()

    await wait_for(done, timeout, 0.5, "every delivery to end")
    return time.monotonic() - started


def ledger_check(result: Result, d: Webhookd, acks: AckLog, receiver: ReceiverProc, max_attempts: int, **kw):
    res = ledger.check(acks.acks, ledger.read_store(d.addr), receiver.records(), max_attempts, **kw)
    log(f"ledger: {res.summary()}")
    result.check(res.balanced, f"the ledger does not balance: {res.summary()}")
    result.lost = str(res.lost)
    return res


def error_codes(acks: AckLog) -> collections.Counter:
    return collections.Counter(e["code"] for e in acks.errors)


async def astart(d: Webhookd, **kw) -> float:
    """Starts webhookd without blocking the load clients' event loop."""
    return await asyncio.to_thread(d.start, **kw)


def fmt_s(seconds: float) -> str:
    return f"{seconds:.1f} s"


# --------------------------------------------------------------------------
# Scenario 1: acknowledged means durable
# --------------------------------------------------------------------------


async def scenario_1(suite: Suite, backend: str) -> Result:
    total = suite.args.s1_events
    r = Result("1", "Acknowledged means durable", backend)
    wd = suite.workdir(f"s1-{backend}")
    receiver = ReceiverProc(wd)
    d = Webhookd(
        wd,
        base_config(
            suite.database_url(backend, wd, "s1"),
            [{"id": "ep_a", "url": receiver.url("ep_a", "ok"), "events": ["*"]}],
            **{"webhook_engine.lease_seconds": 5},
        ),
    )
    acks = AckLog(wd / "acks.jsonl")
    try:
        await astart(d)
        client = LoadClient(d.addr, acks, f"s1{backend}", ["ep_a"], clients=8, retry_until_acked=True)
        load = asyncio.create_task(client.run_count(total))
        kill_at = int(total * suite.rng.uniform(0.3, 0.6))
        await wait_for(lambda: len(acks.acks) >= kill_at or load.done(), 120, 0.01, "acks before the kill")
        acked_at_kill = len(acks.acks)
        d.sigkill()
        t_kill = time.time()
        in_flight = in_flight_ids(d.database_url)
        log(f"SIGKILL after {acked_at_kill} acks; {len(in_flight)} deliveries in flight")
        await astart(d)
        await load
        first_after = min((a["t_ack"] for a in acks.acks if a["t_start"] > t_kill), default=None)
        recovery = (first_after - t_kill) if first_after else float("nan")
        codes = error_codes(acks)
        log(f"{len(acks.acks)} acks, errors by code {dict(codes)}")
        r.check(set(codes) <= {"UNAVAILABLE"}, f"Dispatch errors other than UNAVAILABLE: {dict(codes)}")
        keys = {a["i"] for a in acks.acks}
        r.check(len(keys) == total, f"{len(keys)} of {total} calls acknowledged")
        redone = sum(1 for a in acks.acks if a["duplicate"])
        # Every key once: no event stored twice for a retried call.
        store = ledger.read_store(d.addr)
        r.check(
            len(store.events) == total,
            f"{len(store.events)} events stored for {total} idempotency keys",
        )
        sample = suite.rng.sample(sorted(acks.event_ids()), min(200, len(acks.event_ids())))
        events = ledger.get_events(d.addr, sample)
        bad = [e for e, resp in events.items() if len(resp.deliveries) != 1 or resp.event.payload_json == ""]
        r.check(not bad, f"GetEvent: {len(bad)} sampled events without exactly one delivery and a payload")
        await wait_delivered(receiver, total, 120, "every event delivered", d)
        await wait_terminal(d.addr, 60)
        res = ledger_check(r, d, acks, receiver, 5)
        r.check(
            res.duplicates <= len(in_flight),
            f"{res.duplicates} duplicates, more than the {len(in_flight)} deliveries in flight at the kill",
        )
        r.load = f"{total} Dispatch, 8 clients"
        r.faults = f"SIGKILL after {acked_at_kill} acks"
        r.duplicates = f"{res.duplicates} (≤ {len(in_flight)} in flight)"
        r.recovery = f"{fmt_s(recovery)} to the next ack"
        r.notes.append(f"{redone} retried calls answered duplicate=true (committed before the kill, ack lost)")
    finally:
        d.stop()
        receiver.stop()
        acks.close()
    return r


# --------------------------------------------------------------------------
# Scenario 2: SIGKILL mid-delivery, three times
# --------------------------------------------------------------------------


async def scenario_2(suite: Suite, backend: str) -> Result:
    events = suite.args.s2_events
    lease = 5
    r = Result("2", "SIGKILL mid-delivery, 3 times", backend)
    wd = suite.workdir(f"s2-{backend}")
    receiver = ReceiverProc(wd)
    endpoints = ["ep_a", "ep_b"]
    d = Webhookd(
        wd,
        base_config(
            suite.database_url(backend, wd, "s2"),
            [{"id": e, "url": receiver.url(e, "slow=50"), "events": ["*"]} for e in endpoints],
            **{
                "webhook_engine.lease_seconds": lease,
                "webhook_engine.max_concurrent_per_endpoint": 25,
            },
        ),
    )
    acks = AckLog(wd / "acks.jsonl")
    try:
        await astart(d)
        client = LoadClient(d.addr, acks, f"s2{backend}", endpoints, clients=8, retry_until_acked=True)
        load = asyncio.create_task(client.run_count(events))
        in_flight_total: set[str] = set()
        kills = []
        pairs = events * 2
        # Three random moments while deliveries flow: when the receiver has
        # answered a random fraction of the pairs.
        marks = sorted(suite.rng.uniform(0.1, 0.85) for _ in range(3))
        for k, mark in enumerate(marks):
            await wait_for(
                lambda: receiver.stats()["unique_2xx"] >= mark * pairs, 300, 0.02, f"{mark:.0%} of the pairs delivered"
            )
            delivered = receiver.stats()["unique_2xx"]
            d.sigkill()
            ids = in_flight_ids(d.database_url)
            in_flight_total |= ids
            kills.append((delivered, len(ids)))
            log(f"kill {k + 1}: {delivered}/{pairs} pairs delivered, {len(ids)} in flight")
            await asyncio.sleep(suite.rng.uniform(0.0, 0.5))
            await astart(d)
        t_restart = time.monotonic()
        await load
        await wait_delivered(receiver, pairs, lease + 60, "every pair delivered after the last restart", d)
        await wait_terminal(d.addr, lease + 60)
        done_after = time.monotonic() - t_restart
        r.check(done_after <= lease + 60, f"done {done_after:.1f} s after the last restart (> lease + 60 s)")
        res = ledger_check(r, d, acks, receiver, 5)
        dup_ids = set()
        store = ledger.read_store(d.addr)
        by_pair = store.by_pair()
        for event_id, endpoint, _ in res.duplicate_pairs:
            dup_ids |= {x.id for x in by_pair[(event_id, endpoint)]}
        in_flight_count = sum(n for _, n in kills)
        r.check(
            res.duplicates <= in_flight_count,
            f"{res.duplicates} duplicates > {in_flight_count} deliveries in flight at the kills",
        )
        r.check(
            dup_ids <= in_flight_total,
            f"{len(dup_ids - in_flight_total)} duplicated deliveries were not in flight at any kill",
        )
        codes = error_codes(acks)
        r.check(set(codes) <= {"UNAVAILABLE"}, f"Dispatch errors other than UNAVAILABLE: {dict(codes)}")
        r.load = f"{events} events × 2 endpoints, 50 ms receiver"
        r.faults = "3 × SIGKILL at " + ", ".join(f"{a}/{pairs}" for a, _ in kills)
        r.duplicates = f"{res.duplicates} (≤ {in_flight_count} in flight)"
        r.recovery = f"all done {fmt_s(done_after)} after the last restart"
    finally:
        d.stop()
        receiver.stop()
        acks.close()
    return r


# --------------------------------------------------------------------------
# Scenario 3: crash between the receiver's 2xx and the commit
# --------------------------------------------------------------------------


async def scenario_3(suite: Suite, backend: str) -> Result:
    r = Result("3", "Crash between 2xx and commit (failpoint)", backend)
    if not has_failpoints():
        r.check(False, "the webhookd binary has no failpoints: build it with `cargo build --features failpoints`")
        return r
    events = suite.args.s3_events
    injections = 3
    lease = 3
    wd = suite.workdir(f"s3-{backend}")
    receiver = ReceiverProc(wd)

    def config(active: bool) -> dict:
        return base_config(
            database_url,
            [{"id": "ep_a", "url": receiver.url("ep_a", "ok"), "events": ["*"], "active": active}],
            # One request at a time: the crash leaves exactly one success unrecorded.
            **{"webhook_engine.max_concurrent_deliveries": 1, "webhook_engine.lease_seconds": lease},
        )

    database_url = suite.database_url(backend, wd, "s3")
    d = Webhookd(wd, config(False))
    acks = AckLog(wd / "acks.jsonl")
    crashed_on = []
    try:
        # Stored first, paused (endpoint disabled), so that every injection
        # finds work waiting.
        await astart(d)
        client = LoadClient(d.addr, acks, f"s3{backend}", ["ep_a"], clients=4, targeted=False)
        await client.run_count(events)
        d.stop()
        d.write_config(config(True))
        for k in range(injections):
            n = suite.rng.randint(10, max(11, events // (2 * injections)))
            before = receiver.stats()["answered_2xx"]
            await astart(d, env={"FAILPOINTS": f"worker::before_record_success={n}*off->return"})
            code = d.wait_exit(60)
            stats = receiver.stats()
            last = stats["recent_2xx"][-1][0] if stats["recent_2xx"] else ""
            got = stats["answered_2xx"] - before
            log(f"injection {k + 1}: failpoint after {n} successes; exit {code}; {got} 2xx; last {last}")
            r.check(code is not None and code != 0, f"injection {k + 1}: webhookd did not crash at the failpoint")
            r.check(got == n + 1, f"injection {k + 1}: {got} 2xx before the crash, expected {n + 1}")
            crashed_on.append(last)
        t_restart = time.monotonic()
        await astart(d)
        await wait_delivered(receiver, events, 60, "every event delivered", d)
        await wait_terminal(d.addr, 60)
        recovery = time.monotonic() - t_restart
        res = ledger_check(r, d, acks, receiver, 5)
        dup_events = sorted(e for e, _, _ in res.duplicate_pairs)
        r.check(
            res.duplicates == injections,
            f"{res.duplicates} duplicates for {injections} injections (expected exactly one each)",
        )
        r.check(
            dup_events == sorted(crashed_on) and all(c == 2 for _, _, c in res.duplicate_pairs),
            f"duplicated events {dup_events} are not the ones answered at the crashes {sorted(crashed_on)}",
        )
        r.load = f"{events} events, 1 request at a time"
        r.faults = f"{injections} aborts after the 2xx, before the commit"
        r.duplicates = f"{res.duplicates} (= {injections} injections, same event ids)"
        r.recovery = f"all done {fmt_s(recovery)} after the restart"
    finally:
        d.stop()
        receiver.stop()
        acks.close()
    return r


# --------------------------------------------------------------------------
# Scenario 4: a stalled instance loses its lease (fencing)
# --------------------------------------------------------------------------


async def scenario_4(suite: Suite, backend: str) -> Result:
    r = Result("4", "Stalled instance, fencing", backend)
    n = 20
    timeout = 2
    lease = 3
    wd = suite.workdir(f"s4-{backend}")
    receiver = ReceiverProc(wd)
    config = base_config(
        suite.database_url(backend, wd, "s4"),
        [{"id": "ep_a", "url": receiver.url("ep_a", "hang_first"), "events": ["*"]}],
        **{
            "webhook_engine.lease_seconds": lease,
            "webhook_engine.default_timeout_seconds": timeout,
            "webhook_engine.max_concurrent_per_endpoint": 50,
        },
    )
    a = Webhookd(wd, config, "instance-a")
    b = Webhookd(wd, config, "instance-b")
    acks = AckLog(wd / "acks.jsonl")
    try:
        await astart(a)
        client = LoadClient(a.addr, acks, f"s4{backend}", ["ep_a"], clients=4)
        await client.run_count(n)
        # A has every first attempt in flight at the (hanging) receiver.
        await wait_for(lambda: receiver.stats()["open"] >= n, 20, 0.05, "A's attempts at the receiver")
        a.signal(signal.SIGSTOP)
        t_stop = time.monotonic()
        log(f"SIGSTOP instance A with {n} attempts in flight; starting B")
        await astart(b)
        await wait_delivered(receiver, n, 60, "B delivers what A held", b)
        takeover = time.monotonic() - t_stop
        stopped_for = max(lease + 2.0, time.monotonic() - t_stop + 0.5)
        await asyncio.sleep(max(0.0, t_stop + stopped_for - time.monotonic()))
        a.signal(signal.SIGCONT)
        t_cont = time.time()
        log(f"SIGCONT A after {time.monotonic() - t_stop:.1f} s stopped (lease {lease} s)")
        # A's requests time out at once; it tries to record with a stale lease.
        await asyncio.sleep(timeout + 3)
        lost_lease = [e for e in a.log_events() if "lease lost" in e.get("message", "")]
        r.check(
            len(lost_lease) == n,
            f"instance A logged {len(lost_lease)} rejected late results, expected {n}",
        )
        late = [x for x in receiver.records() if x["t"] > t_cont]
        r.check(not late, f"{len(late)} requests reached the receiver after A resumed")
        await wait_terminal(b.addr, 30)
        res = ledger_check(r, b, acks, receiver, 5)
        r.check(res.duplicates == 0, f"{res.duplicates} duplicate 2xx")
        events = ledger.get_events(b.addr, sorted(acks.event_ids()))
        wrong = []
        late_in_history = 0
        for event_id, resp in events.items():
            for dl in resp.deliveries:
                oks = [x for x in dl.attempts if not x.error_kind]
                late_in_history += sum(1 for x in dl.attempts if x.error_kind == "timeout")
                if dl.state != S.DELIVERY_STATE_SUCCEEDED or len(oks) != 1:
                    wrong.append((event_id, ledger.STATE_NAMES[dl.state], len(dl.attempts)))
        r.check(not wrong, f"deliveries not succeeded exactly once: {wrong[:5]}")
        r.notes.append(f"A's late attempts in the history: {late_in_history} (timeout, recorded without a state change)")
        r.load = f"{n} events, 2 instances"
        r.faults = f"SIGSTOP A {stopped_for:.0f} s (lease {lease} s) with {n} attempts in flight"
        r.duplicates = str(res.duplicates)
        r.recovery = f"B took over in {fmt_s(takeover)}"
    finally:
        a.stop()
        b.stop()
        receiver.stop()
        acks.close()
    return r


# --------------------------------------------------------------------------
# Scenario 5: a lease shorter than the request timeout is refused
# --------------------------------------------------------------------------


async def scenario_5(suite: Suite, backend: str) -> Result:
    r = Result("5", "Lease ≤ request timeout refused", backend)
    wd = suite.workdir("s5")
    for lease in (1, 2):
        config = base_config(
            f"sqlite://{wd}/webhookd.db",
            [],
            **{"webhook_engine.lease_seconds": lease, "webhook_engine.default_timeout_seconds": 2},
        )
        d = Webhookd(wd, config, f"lease-{lease}")
        started = time.monotonic()
        await astart(d, wait=False)
        code = d.wait_exit(30)
        text = d.log_path.read_text(errors="replace")
        log(f"lease {lease} s, timeout 2 s: exit {code}: {text.strip().splitlines()[-1] if text.strip() else ''}")
        r.check(code == 2, f"lease {lease} s with a 2 s timeout: exit code {code}, expected 2")
        r.check(
            "webhook_engine.lease_seconds" in text and "default_timeout_seconds" in text,
            f"lease {lease} s: the message does not name the key: {text[-300:]!r}",
        )
        r.check(time.monotonic() - started < 10, "the refusal took more than 10 s")
        d.stop()
    ok = Webhookd(
        wd,
        base_config(f"sqlite://{wd}/ok.db", [], **{"webhook_engine.lease_seconds": 3, "webhook_engine.default_timeout_seconds": 2}),
        "lease-ok",
    )
    try:
        await astart(ok)
    except RuntimeError as e:
        r.check(False, f"lease 3 s with a 2 s timeout did not start: {e}")
    finally:
        ok.stop()
    r.load = "config only"
    r.faults = "lease 1 s and 2 s, timeout 2 s"
    r.recovery = "exit 2, names webhook_engine.lease_seconds"
    return r


# --------------------------------------------------------------------------
# Scenario 6: PostgreSQL outage under load
# --------------------------------------------------------------------------


async def scenario_6(suite: Suite, backend: str) -> Result:
    r = Result("6", "PostgreSQL down 10 s under load", backend)
    rate = suite.args.s6_rate
    outage = 10.0
    wd = suite.workdir("s6")
    cluster = PgCluster()
    receiver = ReceiverProc(wd)
    d = Webhookd(
        wd,
        base_config(
            fresh_database(cluster.url, "s6"),
            [{"id": "ep_a", "url": receiver.url("ep_a", "ok"), "events": ["*"]}],
            **{"webhook_engine.lease_seconds": 5},
        ),
    )
    acks = AckLog(wd / "acks.jsonl")
    health_log: list[tuple[float, str]] = []
    stop_monitor = asyncio.Event()

    async def monitor() -> None:
        while not stop_monitor.is_set():
            status = await asyncio.to_thread(health_status, d.addr, 0.5)
            health_log.append((time.time(), status))
            await asyncio.sleep(0.1)

    try:
        await astart(d)
        pid = d.pid
        client = LoadClient(d.addr, acks, "s6", ["ep_a"], clients=8, timeout=10)
        before, after = 5.0, 10.0
        load = asyncio.create_task(client.run_count(int(rate * (before + outage + after)), rate=rate))
        watcher = asyncio.create_task(monitor())
        await asyncio.sleep(before)
        await asyncio.to_thread(cluster.stop_immediate)
        t_down = time.time()
        log("PostgreSQL stopped (immediate)")
        await asyncio.sleep(outage)
        t_up_begin = time.time()
        await asyncio.to_thread(cluster.start)
        t_up = time.time()
        log(f"PostgreSQL started ({t_up - t_up_begin:.1f} s)")
        await load
        await wait_for(lambda: any(t > t_up and s == "SERVING" for t, s in health_log), 15, 0.2, "SERVING")
        stop_monitor.set()
        await watcher
        not_serving = min((t for t, s in health_log if t > t_down and s == "NOT_SERVING"), default=None)
        serving = min((t for t, s in health_log if t > t_up and s == "SERVING"), default=None)
        r.check(not_serving is not None and not_serving - t_down <= 5, f"NOT_SERVING {None if not_serving is None else round(not_serving - t_down, 2)} s after the stop (> 5 s)")
        r.check(serving is not None and serving - t_up <= 10, f"SERVING {None if serving is None else round(serving - t_up, 2)} s after the start (> 10 s)")
        during = [a for a in acks.acks if a["t_start"] > t_down and a["t_ack"] < t_up_begin]
        refused = [e for e in acks.errors if e["t_start"] > t_down and e["t_end"] < t_up_begin]
        codes = collections.Counter(e["code"] for e in refused)
        r.check(not during, f"{len(during)} Dispatch calls answered OK while PostgreSQL was down")
        r.check(len(refused) > 0 and set(codes) == {"UNAVAILABLE"}, f"Dispatch during the outage answered {dict(codes)}")
        after_acks = [a for a in acks.acks if a["t_start"] > t_up]
        r.check(len(after_acks) > 0, "no Dispatch acknowledged after PostgreSQL came back")
        r.check(d.alive() and d.pid == pid, "webhookd was restarted or died")
        total_pairs = len(acks.acks)
        took = await wait_delivered(receiver, total_pairs, 60, "every acknowledged event delivered", d)
        await wait_terminal(d.addr, 60)
        res = ledger_check(r, d, acks, receiver, 5)
        all_codes = error_codes(acks)
        r.load = f"{rate:.0f} Dispatch/s, 8 clients, {len(acks.acks)} acked"
        r.faults = f"pg_ctl -m immediate, {outage:.0f} s down; {len(refused)} UNAVAILABLE"
        r.duplicates = str(res.duplicates)
        r.recovery = (
            f"NOT_SERVING after {not_serving - t_down:.1f} s, SERVING {serving - t_up:.1f} s after restart"
            if not_serving and serving
            else "-"
        )
        r.notes.append(f"Dispatch errors over the whole run: {dict(all_codes)}; delivery caught up {took:.1f} s after the load ended")
    finally:
        stop_monitor.set()
        d.stop()
        receiver.stop()
        acks.close()
        cluster.destroy()
    return r


# --------------------------------------------------------------------------
# Scenario 7: SQLite, 20 SIGKILLs during write bursts
# --------------------------------------------------------------------------


async def scenario_7(suite: Suite, backend: str) -> Result:
    cycles = suite.args.s7_cycles
    r = Result("7", f"SQLite: {cycles} SIGKILLs in write bursts", backend)
    wd = suite.workdir("s7")
    receiver = ReceiverProc(wd)
    d = Webhookd(
        wd,
        base_config(f"sqlite://{wd}/webhookd.db", [{"id": "ep_a", "url": receiver.url("ep_a", "ok"), "events": ["*"]}]),
    )
    acks = AckLog(wd / "acks.jsonl")
    checks = []
    in_flight: set[str] = set()
    in_flight_count = 0
    try:
        client = LoadClient(d.addr, acks, "s7", ["ep_a"], clients=8)
        for cycle in range(cycles):
            await astart(d)
            client.stop_flag = False
            burst = asyncio.create_task(client.run_count(100_000))
            await asyncio.sleep(suite.rng.uniform(0.3, 1.2))
            d.sigkill()
            client.stop_flag = True
            await burst
            check = integrity_check(d.database_url)
            checks.append(check)
            if check != "ok":
                r.check(False, f"cycle {cycle + 1}: integrity_check: {check}")
            ids = in_flight_ids(d.database_url)
            in_flight |= ids
            in_flight_count += len(ids)
        log(f"{cycles} cycles, {len(acks.acks)} acks, integrity_check: {collections.Counter(checks)}")
        locked = [e for e in acks.errors if "lock" in (e["details"] or "").lower()]
        r.check(not locked, f"{len(locked)} Dispatch errors mention a lock: {locked[:2]}")
        await astart(d)
        await wait_delivered(receiver, len(acks.acks), 120, "every acknowledged event delivered", d)
        await wait_terminal(d.addr, 60)
        res = ledger_check(r, d, acks, receiver, 5)
        r.check(
            res.duplicates <= in_flight_count,
            f"{res.duplicates} duplicates > {in_flight_count} deliveries in flight at the kills",
        )
        r.load = f"8 clients, bursts of 0.3–1.2 s, {len(acks.acks)} acked"
        r.faults = f"{cycles} × SIGKILL mid-burst"
        r.duplicates = f"{res.duplicates} (≤ {in_flight_count} in flight)"
        r.recovery = f"integrity_check ok {checks.count('ok')}/{cycles}; 0 'locked' errors" if not locked else "-"
        locked_in_log = sum(1 for e in d.log_events() if "locked" in str(e).lower())
        r.notes.append(f"Dispatch errors: {dict(error_codes(acks))}; 'locked' in webhookd's log: {locked_in_log} lines")
    finally:
        d.stop()
        receiver.stop()
        acks.close()
    return r


# --------------------------------------------------------------------------
# Scenario 8: graceful shutdown with 1,000 deliveries in flight
# --------------------------------------------------------------------------


async def scenario_8(suite: Suite, backend: str) -> Result:
    in_flight = suite.args.s8_in_flight
    grace = 10
    r = Result("8", f"Graceful shutdown, {in_flight} in flight", backend)
    wd = suite.workdir(f"s8-{backend}")
    receiver = ReceiverProc(wd)
    d = Webhookd(
        wd,
        base_config(
            suite.database_url(backend, wd, "s8"),
            [{"id": "ep_a", "url": receiver.url("ep_a", "gate"), "events": ["*"]}],
            **{
                "webhook_engine.max_concurrent_deliveries": in_flight,
                "webhook_engine.max_concurrent_per_endpoint": in_flight,
                "webhook_engine.default_timeout_seconds": 20,
                "server.shutdown_grace_seconds": grace,
            },
        ),
    )
    acks = AckLog(wd / "acks.jsonl")
    total = in_flight + in_flight // 2
    try:
        await astart(d)
        client = LoadClient(d.addr, acks, f"s8{backend}", ["ep_a"], clients=8)
        await client.run_count(total)
        await wait_for(lambda: receiver.stats()["open"] >= in_flight, 60, 0.05, f"{in_flight} requests held at the receiver")
        requests_before = receiver.stats()["requests"]
        d.signal(signal.SIGTERM)
        t_term = time.monotonic()
        flipped = None
        while time.monotonic() - t_term < 5:
            status = health_status(d.addr, 0.5)
            if status == "NOT_SERVING":
                flipped = time.monotonic() - t_term
                break
            await asyncio.sleep(0.02)
        ready = readyz(d.http_port)
        r.check(flipped is not None and d.alive(), f"health did not turn NOT_SERVING while draining ({flipped})")
        r.check(ready == 503, f"/readyz answered {ready} while draining")
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - t_term)))
        r.check(d.alive(), "webhookd exited before its in-flight requests finished")
        receiver.open_gate()
        code = await asyncio.to_thread(d.wait_exit, grace + 5)
        exited = time.monotonic() - t_term
        log(f"SIGTERM: NOT_SERVING after {flipped} s, exit {code} after {exited:.1f} s")
        r.check(code == 0, f"exit code {code}")
        r.check(exited <= grace, f"exit {exited:.1f} s after SIGTERM, grace is {grace} s")
        requests_after = receiver.stats()["requests"]
        r.check(
            requests_after == requests_before,
            f"{requests_after - requests_before} new requests after SIGTERM (no new claims expected)",
        )
        t_restart = time.monotonic()
        await astart(d)
        await wait_delivered(receiver, total, 60, "every event delivered after the restart", d)
        await wait_terminal(d.addr, 60)
        recovery = time.monotonic() - t_restart
        res = ledger_check(r, d, acks, receiver, 5)
        r.check(res.duplicates == 0, f"{res.duplicates} duplicates after a graceful shutdown")
        r.load = f"{total} events, {requests_before} held in flight"
        r.faults = f"SIGTERM, grace {grace} s"
        r.duplicates = str(res.duplicates)
        r.recovery = f"NOT_SERVING {flipped:.2f} s, exit 0 in {exited:.1f} s; rest done {fmt_s(recovery)} after restart" if flipped else "-"
    finally:
        d.stop()
        receiver.stop()
        acks.close()
    return r


# --------------------------------------------------------------------------
# Scenario 9: misbehaving receivers
# --------------------------------------------------------------------------

# endpoint id -> (mode, expected state, expected error kinds of failed attempts)
CHAOS = {
    "ep_s500": ("status=500", "dead", {"http_5xx"}),
    "ep_s404": ("status=404", "dead", {"http_4xx"}),
    "ep_s204": ("status=204", "succeeded", set()),
    "ep_s600": ("status=600", "dead", {"http_other"}),
    "ep_flaky": ("flaky=0.5", "succeeded|dead", {"http_5xx"}),
    "ep_retry_after": ("retry_after=2", "succeeded", {"http_5xx"}),
    "ep_gone": ("gone", "pending", {"http_4xx"}),
    "ep_redirect": ("redirect", "dead", {"http_3xx"}),
    "ep_hang": ("hang", "dead", {"timeout"}),
    "ep_drip": ("drip", "dead", {"timeout"}),
    "ep_reset": ("reset", "dead", {"io"}),
    "ep_slow": ("slow=300", "succeeded", set()),
    "ep_big": ("big", "succeeded", set()),
    "ep_closed": (None, "dead", {"connect"}),
}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def scenario_9(suite: Suite, backend: str) -> Result:
    r = Result("9", "Misbehaving receivers", backend)
    per_mode = 10
    timeout = 2.0
    max_attempts = 3
    rate = 40.0
    wd = suite.workdir(f"s9-{backend}")
    receiver = ReceiverProc(wd)
    closed_port = free_port()
    # Each endpoint subscribes to a type of its own: events for an endpoint
    # that a 410 disabled are still accepted, and stored paused.
    endpoints = [{"id": "ep_healthy", "url": receiver.url("ep_healthy", "ok"), "events": ["healthy"]}]
    for ep, (mode, _, _) in CHAOS.items():
        url = receiver.url(ep, mode) if mode else f"http://127.0.0.1:{closed_port}/closed"
        endpoints.append({"id": ep, "url": url, "events": [f"chaos.{ep}"]})
    d = Webhookd(
        wd,
        base_config(
            suite.database_url(backend, wd, "s9"),
            endpoints,
            **{
                "webhook_engine.default_timeout_seconds": timeout,
                "retry_policy.max_attempts": max_attempts,
            },
        ),
    )
    acks = AckLog(wd / "acks.jsonl")
    try:
        await astart(d)
        healthy = LoadClient(d.addr, acks, f"s9h{backend}", ["ep_healthy"], clients=4, event_type="healthy", targeted=False)
        await healthy.run_count(int(rate * 5), rate=rate)  # baseline
        t_chaos = time.time()
        chaos = LoadClient(d.addr, acks, f"s9c{backend}", list(CHAOS), clients=4, targeted=False)
        names = list(CHAOS)
        chaos_task = asyncio.create_task(
            chaos.run_count(
                per_mode * len(CHAOS),
                endpoints_for=lambda i: [names[i % len(names)]],
                event_type_for=lambda i: f"chaos.{names[i % len(names)]}",
            )
        )
        await healthy.run_count(int(rate * 10), rate=rate)
        await chaos_task
        r.check(not acks.errors, f"Dispatch errors: {dict(error_codes(acks))}")
        await wait_terminal(d.addr, 60, allowed_pending=("ep_gone",))
        records = receiver.records()
        recv_at = {}
        for rec in records:
            if rec["endpoint"] == "ep_healthy" and rec["status"] == 200:
                recv_at.setdefault(rec["event_id"], rec["t"])
        base_lat, chaos_lat = [], []
        for a in acks.acks:
            if a["endpoints"] == ["ep_healthy"] and a["event_id"] in recv_at:
                latency = (recv_at[a["event_id"]] - a["t_start"]) * 1000
                (chaos_lat if a["t_start"] >= t_chaos else base_lat).append(latency)
        b99, c99 = percentile(base_lat, 0.99), percentile(chaos_lat, 0.99)
        b50, c50 = percentile(base_lat, 0.5), percentile(chaos_lat, 0.5)
        log(f"healthy endpoint dispatch→receipt: alone p50 {b50:.1f} p99 {b99:.1f} ms; beside the chaos p50 {c50:.1f} p99 {c99:.1f} ms")
        bound = max(3 * b99, b99 + 100)
        r.check(c99 <= bound, f"healthy p99 {c99:.1f} ms beside the chaos, alone {b99:.1f} ms (bound {bound:.0f} ms)")
        res = ledger_check(r, d, acks, receiver, max_attempts, held_endpoints=("ep_gone",), ignore_endpoints=("ep_redirect-target",))
        r.check(res.duplicates == 0, f"{res.duplicates} duplicates")
        followed = [x for x in records if x["endpoint"] == "ep_redirect-target"]
        r.check(not followed, f"{len(followed)} redirects were followed")
        events = ledger.get_events(d.addr, [a["event_id"] for a in acks.acks if a["endpoints"][0] in CHAOS])
        outcomes = collections.defaultdict(collections.Counter)
        for resp in events.values():
            for dl in resp.deliveries:
                mode, expected_state, kinds = CHAOS[dl.endpoint_id]
                state = ledger.STATE_NAMES[dl.state]
                outcomes[dl.endpoint_id][state] += 1
                if state not in expected_state.split("|"):
                    r.check(False, f"{dl.endpoint_id} ({mode}): delivery {dl.id} ended {state}, expected {expected_state}")
                failed = [x for x in dl.attempts if x.error_kind]
                wrong = {x.error_kind for x in failed} - kinds
                r.check(not wrong, f"{dl.endpoint_id} ({mode}): error kinds {wrong}, expected {kinds or 'none'}")
                slow = [x.duration_ms for x in dl.attempts if x.duration_ms > timeout * 1000 + 500]
                r.check(not slow, f"{dl.endpoint_id} ({mode}): attempts of {slow} ms, timeout {timeout} s")
                if state == "dead":
                    r.check(len(dl.attempts) == max_attempts, f"{dl.endpoint_id}: dead after {len(dl.attempts)} attempts")
                if dl.endpoint_id == "ep_retry_after" and len(dl.attempts) >= 2:
                    gap = (dl.attempts[1].started_at.ToMilliseconds() - dl.attempts[0].started_at.ToMilliseconds()) / 1000
                    r.check(gap >= 2.0, f"ep_retry_after: retried after {gap:.2f} s despite Retry-After: 2")
                if dl.endpoint_id in ("ep_hang", "ep_drip"):
                    short = [x.duration_ms for x in dl.attempts if x.duration_ms < timeout * 1000 - 50]
                    r.check(not short, f"{dl.endpoint_id}: timed out after {short} ms, before the {timeout} s timeout")
                if dl.endpoint_id == "ep_slow":
                    r.check(all(x.duration_ms >= 300 for x in dl.attempts), "ep_slow: an attempt faster than the receiver")
                if dl.endpoint_id == "ep_big":
                    r.check(
                        all(len(x.response_excerpt.encode()) <= 1024 for x in dl.attempts),
                        "ep_big: the response excerpt exceeds response_excerpt_bytes",
                    )
                if dl.endpoint_id == "ep_gone":
                    r.check(len(dl.attempts) <= 1, f"ep_gone: {len(dl.attempts)} attempts after 410")
        channel, api = stub(d.addr)
        gone = api.GetEndpoint(S.GetEndpointRequest(id="ep_gone"), timeout=10)
        channel.close()
        r.check(not gone.active and "410" in gone.disabled_reason, f"ep_gone: active={gone.active} reason={gone.disabled_reason!r}")
        summary = ", ".join(f"{CHAOS[e][0] or 'closed port'}: {dict(c)}" for e, c in sorted(outcomes.items()))
        log(f"outcomes: {summary}")
        r.load = f"{per_mode} events × {len(CHAOS)} faulty endpoints + {rate:.0f}/s healthy"
        r.faults = "status=500/404/204/600, flaky, retry_after, gone, redirect, hang, drip, reset, slow, big, closed port"
        r.duplicates = str(res.duplicates)
        r.recovery = f"healthy p99 {b99:.0f} → {c99:.0f} ms"
        r.notes.append(f"outcomes: {summary}")
    finally:
        d.stop()
        receiver.stop()
        acks.close()
    return r


# --------------------------------------------------------------------------
# Scenario 10: soak
# --------------------------------------------------------------------------


async def scenario_10(suite: Suite, backend: str) -> Result:
    minutes = suite.args.soak_minutes
    total = suite.args.soak_deliveries
    r = Result("10", f"Soak, {minutes:g} min", backend)
    wd = suite.workdir(f"s10-{backend}")
    receiver = ReceiverProc(wd)
    pool = 10
    # endpoint -> (mode, share of the events)
    # The hanging endpoint's share stays within what it can work off, or
    # its backlog would grow for the whole run: its timeouts close its
    # adaptive concurrency window to one request, so it takes an event
    # (3 attempts × 2 s) every 6 s, 0.17/s, against 0.11/s at 55/s.
    mix = {
        "ep_ok": ("ok", 0.548),
        "ep_slow": ("slow=100", 0.2),
        "ep_flaky": ("flaky=0.3", 0.2),
        "ep_500": ("status=500", 0.05),
        "ep_hang": ("hang", 0.002),
    }
    names = list(mix)
    weights = [mix[e][1] for e in names]
    database_url = suite.database_url(backend, wd, "s10")
    d = Webhookd(
        wd,
        base_config(
            database_url,
            [{"id": e, "url": receiver.url(e, m), "events": ["*"]} for e, (m, _) in mix.items()],
            **{"retry_policy.max_attempts": 3, "database.max_connections": pool},
        ),
    )
    # Endpoints fail here by design: neither auto-disable nor an open circuit
    # may pause their deliveries for good, or the run could not end.
    d.config["health"]["circuit_breaker_failures"] = suite.args.soak_breaker_failures
    d.config["health"]["failure_threshold"] = 1_000_000_000
    d.write_config(d.config)
    acks = AckLog(wd / "acks.jsonl")
    samples = []

    db_port = int(database_url.split("@", 1)[1].split(":")[1].split("/")[0]) if backend == POSTGRES else None
    db_file = database_url[len("sqlite://") :] if backend == SQLITE else None

    def db_connections() -> int:
        """Server-side sessions on PostgreSQL; open handles of the database
        file on SQLite."""
        if backend == POSTGRES:
            dbname = database_url.rsplit("/", 1)[1]
            return int(psql(database_url, f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{dbname}' AND pid <> pg_backend_pid()"))
        return sum(
            1
            for fd in os.listdir(f"/proc/{d.pid}/fd")
            if os.path.realpath(f"/proc/{d.pid}/fd/{fd}") == os.path.realpath(db_file)
        )

    def non_db_fds() -> tuple[int, collections.Counter]:
        kinds = d.fd_breakdown(db_port=db_port, db_path=db_file)
        return sum(v for k, v in kinds.items() if k != "db"), kinds

    try:
        await astart(d)
        await asyncio.sleep(1)
        fd_baseline, kinds_baseline = non_db_fds()
        duration = minutes * 60
        rate = total / duration
        rng = random.Random(10)
        choice = {i: rng.choices(names, weights)[0] for i in range(total)}
        client = LoadClient(d.addr, acks, f"s10{backend}", names, clients=4)
        load = asyncio.create_task(client.run_count(total, endpoints_for=lambda i: [choice[i]], rate=rate))
        started = time.monotonic()
        close_wait = 0
        sample_file = open(wd / "samples.tsv", "w")
        sample_file.write("seconds\trss_kib\tfds_besides_db\tdb_connections\n")
        while not load.done():
            d.ensure_alive()
            fds, kinds = non_db_fds()
            close_wait = max(close_wait, kinds.get("tcp:CLOSE_WAIT", 0))
            samples.append((round(time.monotonic() - started, 1), d.rss_kib(), fds, db_connections()))
            sample_file.write("\t".join(map(str, samples[-1])) + "\n")
            sample_file.flush()
            await asyncio.sleep(min(10.0, duration / 60))
        sample_file.close()
        await load
        try:
            await wait_terminal(d.addr, 120)
        except TimeoutError as e:
            r.check(False, f"deliveries still pending 120 s after the load: {e}")
        # Idle connections to the receivers close after the HTTP client's
        # 60 s idle timeout.
        settle = time.monotonic()
        fds_after, kinds_after = non_db_fds()
        while fds_after > fd_baseline + 2 and time.monotonic() - settle < 120:
            await asyncio.sleep(5)
            fds_after, kinds_after = non_db_fds()
        warm = [x for x in samples if x[0] >= duration * 0.2]
        rss_warm = warm[0][1] if warm else samples[0][1]
        rss_end = max(x[1] for x in samples[-max(1, len(samples) // 10) :])
        growth = (rss_end - rss_warm) / rss_warm
        max_conn = max(x[3] for x in samples)
        log(
            f"RSS {rss_warm} KiB after warm-up → {rss_end} KiB at the end ({growth:+.1%}); "
            f"fds besides the database {fd_baseline} {dict(kinds_baseline)} → {fds_after} {dict(kinds_after)}; "
            f"most CLOSE_WAIT {close_wait}; db connections ≤ {max_conn}"
        )
        r.check(growth < 0.10, f"RSS grew {growth:.1%} after warm-up")
        r.check(fds_after <= fd_baseline + 2, f"open fds besides the database {fds_after}, baseline {fd_baseline}: {dict(kinds_after)}")
        # SQLite: the pool holds the readers; writes use one more connection.
        # PostgreSQL: beside the pool, one for claims and two for writes.
        limit = pool + 3 if backend == POSTGRES else pool + 1
        r.check(max_conn <= limit, f"{max_conn} database connections, pool {pool}")
        res = ledger_check(r, d, acks, receiver, 3)
        r.load = f"{len(acks.acks)} deliveries over {minutes:g} min ({rate:.0f}/s)"
        r.faults = "20 % slow=100, 20 % flaky=0.3, 5 % status=500, 0.2 % hang"
        r.duplicates = str(res.duplicates)
        r.recovery = f"RSS {growth:+.1%} after warm-up, fds {fd_baseline}→{fds_after}, db conns ≤ {max_conn} (limit {limit})"
    finally:
        d.stop()
        receiver.stop()
        acks.close()
    return r


SCENARIOS = {
    1: (scenario_1, (SQLITE, POSTGRES)),
    2: (scenario_2, (SQLITE, POSTGRES)),
    3: (scenario_3, (SQLITE, POSTGRES)),
    4: (scenario_4, (POSTGRES,)),
    5: (scenario_5, ("any",)),
    6: (scenario_6, (POSTGRES,)),
    7: (scenario_7, (SQLITE,)),
    8: (scenario_8, (SQLITE, POSTGRES)),
    9: (scenario_9, (SQLITE, POSTGRES)),
    10: (scenario_10, (POSTGRES, SQLITE)),
}


def table(results: list[Result]) -> str:
    head = "| # | scenario | backend | load | faults injected | lost | duplicates | recovery | result |\n"
    head += "|---|---|---|---|---|---|---|---|---|\n"
    rows = []
    for r in results:
        outcome = "pass" if r.passed else "FAIL"
        rows.append(
            f"| {r.number} | {r.title} | {r.backend} | {r.load} | {r.faults} | {r.lost} | {r.duplicates} | {r.recovery} | {outcome} ({r.seconds:.0f} s) |"
        )
    return head + "\n".join(rows) + "\n"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=int, nargs="*", help="scenario numbers (default 1-9, or 10 with --soak)")
    parser.add_argument("--backend", choices=[SQLITE, POSTGRES], action="append", help="default: each that applies")
    parser.add_argument("--soak", action="store_true", help="run scenario 10 (30 minutes)")
    parser.add_argument("--soak-minutes", type=float, default=30.0)
    parser.add_argument("--soak-deliveries", type=int, default=100_000)
    parser.add_argument(
        "--soak-breaker-failures",
        type=int,
        default=1_000_000_000,
        help="health.circuit_breaker_failures of the soak (default: circuits never open)",
    )
    parser.add_argument("--s1-events", type=int, default=5000)
    parser.add_argument("--s2-events", type=int, default=10_000)
    parser.add_argument("--s3-events", type=int, default=300)
    parser.add_argument("--s6-rate", type=float, default=100.0)
    parser.add_argument("--s7-cycles", type=int, default=20)
    parser.add_argument("--s8-in-flight", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=None, help="random seed for the fault timing")
    parser.add_argument("--markdown", help="also write the results table to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, databases)")
    args = parser.parse_args()
    if args.seed is None:
        args.seed = random.randrange(1 << 30)
    numbers = args.scenario or ([10] if args.soak else list(range(1, 10)))
    if 10 in numbers and not args.soak:
        parser.error("scenario 10 is the soak: pass --soak")
    binary()
    suite = Suite(args)
    print(f"reliability suite: binary {binary()}, seed {args.seed}, work dir {suite.root}", flush=True)
    results: list[Result] = []
    try:
        for number in numbers:
            fn, backends = SCENARIOS[number]
            if number == 10 and not args.backend:
                backends = (POSTGRES,)
            for backend in backends:
                if args.backend and backend != "any" and backend not in args.backend:
                    continue
                print(f"==> scenario {number} ({backend})", flush=True)
                started = time.monotonic()
                try:
                    result = await fn(suite, backend)
                except Exception as e:  # a crash of the harness is a failure too
                    traceback.print_exc()
                    result = Result(str(number), fn.__name__, backend, failures=[f"{type(e).__name__}: {e}"])
                result.seconds = time.monotonic() - started
                results.append(result)
                status = "pass" if result.passed else "FAIL: " + "; ".join(result.failures)
                print(f"    scenario {number} ({backend}): {status} in {result.seconds:.0f} s", flush=True)
                for note in result.notes:
                    print(f"    note: {note}", flush=True)
    finally:
        suite.close()
    text = table(results)
    print()
    print(text)
    failed = [r for r in results if not r.passed]
    total = sum(r.seconds for r in results)
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed in {total:.0f} s (seed {args.seed})")
    if args.markdown:
        Path(args.markdown).write_text(text)
    for r in failed:
        print(f"FAILED scenario {r.number} ({r.backend}):")
        for f in r.failures:
            print(f"  - {f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
