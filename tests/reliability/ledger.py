"""The ledger: joins the load client's acknowledged Dispatch calls, the store
(read through the gRPC event log API, so it is the same for SQLite and
PostgreSQL) and the chaos receiver's request log, and says whether the run
balances.

Definitions (per acknowledged (event, endpoint) pair):

- delivered: the receiver answered 2xx at least once, on an open connection;
- dead-lettered: no 2xx at the receiver, and the store holds the delivery as
  dead (or failed) after exhausting its attempts;
- held: no 2xx, the delivery is pending on an endpoint the scenario expects
  to be paused (for example one that answered 410 Gone);
- lost: anything else, including a store that says "succeeded" for a pair
  the receiver never answered 2xx, and a pair the store does not have;
- duplicates: the 2xx answers beyond the first, summed over the pairs.

A run balances when acked = delivered + dead-lettered + held + lost, lost is
0, and none of the cross-checks found an anomaly (a bad signature, a body
that differs from what was dispatched, an acknowledged event or delivery
missing from the store, an event stored without its deliveries, a pair
answered 2xx but stored as dead, ListDeadLetters disagreeing with the states
in ListDeliveries).

Also usable from the command line on the files a run leaves behind:

    python ledger.py --acks acks.jsonl --receiver receiver.jsonl --grpc 127.0.0.1:50051 --max-attempts 5
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from dataclasses import dataclass, field

import grpc
from webhookd import webhook_pb2
from webhookd._proto.webhook.v1 import webhook_pb2_grpc

S = webhook_pb2
STATE_NAMES = {v: k.removeprefix("DELIVERY_STATE_").lower() for k, v in S.DeliveryState.items()}
PAGE = 1000


@dataclass
class StoreView:
    events: dict = field(default_factory=dict)  # event id -> Event
    deliveries: dict = field(default_factory=dict)  # delivery id -> Delivery
    dead_letters: set = field(default_factory=set)  # delivery ids

    def by_pair(self) -> dict:
        pairs: dict = collections.defaultdict(list)
        for d in self.deliveries.values():
            pairs[(d.event_id, d.endpoint_id)].append(d)
        return pairs

    def states(self) -> collections.Counter:
        return collections.Counter(STATE_NAMES[d.state] for d in self.deliveries.values())


def read_store(addr: str, timeout: float = 30.0) -> StoreView:
    """Every event, delivery and dead letter, page by page."""
    view = StoreView()
    with grpc.insecure_channel(addr) as channel:
        stub = webhook_pb2_grpc.WebhookServiceStub(channel)
        token = ""
        while True:
            page = stub.ListEvents(S.ListEventsRequest(page_size=PAGE, page_token=token), timeout=timeout)
            for event in page.events:
                view.events[event.id] = event
            token = page.next_page_token
            if not token:
                break
        while True:
            page = stub.ListDeliveries(S.ListDeliveriesRequest(page_size=PAGE, page_token=token), timeout=timeout)
            for d in page.deliveries:
                view.deliveries[d.id] = d
            token = page.next_page_token
            if not token:
                break
        while True:
            page = stub.ListDeadLetters(S.ListDeadLettersRequest(page_size=PAGE, page_token=token), timeout=timeout)
            view.dead_letters.update(d.id for d in page.deliveries)
            token = page.next_page_token
            if not token:
                break
    return view


def get_events(addr: str, event_ids, timeout: float = 30.0, window: int = 64) -> dict:
    """GetEvent for each id, `window` calls at a time: event id ->
    GetEventResponse (with every delivery and attempt)."""
    out = {}
    ids = list(event_ids)
    with grpc.insecure_channel(addr) as channel:
        stub = webhook_pb2_grpc.WebhookServiceStub(channel)
        for start in range(0, len(ids), window):
            chunk = ids[start : start + window]
            futures = [stub.GetEvent.future(S.GetEventRequest(event_id=e), timeout=timeout) for e in chunk]
            for event_id, future in zip(chunk, futures):
                out[event_id] = future.result()
    return out


def successes_by_pair(receptions: list[dict]) -> collections.Counter:
    """2xx answers that reached an open connection, per (event, endpoint)."""
    counts: collections.Counter = collections.Counter()
    for r in receptions:
        if r.get("sent") and 200 <= r.get("status", 0) < 300 and r.get("event_id"):
            counts[(r["event_id"], r["endpoint"])] += 1
    return counts


@dataclass
class LedgerResult:
    acked_events: int = 0
    acked_pairs: int = 0
    delivered: int = 0
    dead_lettered: int = 0
    held: int = 0
    lost: int = 0
    duplicates: int = 0
    duplicate_pairs: list = field(default_factory=list)  # [(event, endpoint, count)]
    lost_pairs: list = field(default_factory=list)  # [(event, endpoint, why)]
    unacked_delivered: int = 0  # pairs delivered whose Dispatch was never acknowledged
    receptions: int = 0
    anomalies: list = field(default_factory=list)
    store_states: dict = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        total = self.delivered + self.dead_lettered + self.held + self.lost
        return total == self.acked_pairs and self.lost == 0 and not self.anomalies

    def summary(self) -> str:
        text = (
            f"acked {self.acked_events} events / {self.acked_pairs} pairs: delivered {self.delivered}, "
            f"dead-lettered {self.dead_lettered}, held {self.held}, lost {self.lost}; "
            f"duplicates {self.duplicates}; receptions {self.receptions}; "
            f"unacknowledged but delivered {self.unacked_delivered}; store {self.store_states}"
        )
        if self.anomalies:
            text += f"; {len(self.anomalies)} anomalies, first: {self.anomalies[:5]}"
        if self.lost_pairs:
            text += f"; lost, first: {self.lost_pairs[:5]}"
        return text


def check(
    acks: list[dict],
    store: StoreView,
    receptions: list[dict],
    max_attempts: int,
    held_endpoints: tuple = (),
    ignore_endpoints: tuple = (),
) -> LedgerResult:
    """Balances one run. `acks` are the load client's records (event_id,
    endpoints, delivery_ids, body_sha256); `receptions` the receiver's log."""
    res = LedgerResult()
    res.store_states = dict(store.states())
    receptions = [r for r in receptions if r.get("endpoint") not in ignore_endpoints]
    res.receptions = len(receptions)
    ok_counts = successes_by_pair(receptions)
    pairs_in_store = store.by_pair()

    # Cross-checks on the receiver log.
    bad_sig = [r for r in receptions if not r.get("sig_ok")]
    if bad_sig:
        res.anomalies.append(f"{len(bad_sig)} requests with an invalid signature, e.g. {bad_sig[0]}")
    body_of = {a["event_id"]: a["body_sha256"] for a in acks}
    wrong_body = [r for r in receptions if r.get("event_id") in body_of and r["body_sha256"] != body_of[r["event_id"]]]
    if wrong_body:
        res.anomalies.append(f"{len(wrong_body)} requests whose body differs from the dispatched payload")
    unknown = {r["event_id"] for r in receptions if r.get("event_id") and r["event_id"] not in store.events}
    if unknown:
        res.anomalies.append(f"{len(unknown)} event ids received that the store does not know, e.g. {sorted(unknown)[:3]}")

    # Cross-checks on the store.
    dead_states = {d.id for d in store.deliveries.values() if d.state == S.DELIVERY_STATE_DEAD}
    if dead_states != store.dead_letters:
        res.anomalies.append(
            f"ListDeadLetters ({len(store.dead_letters)}) disagrees with the dead deliveries of ListDeliveries ({len(dead_states)})"
        )
    with_deliveries = {d.event_id for d in store.deliveries.values()}
    half_written = [e for e in store.events if e not in with_deliveries]
    if half_written:
        res.anomalies.append(f"{len(half_written)} stored events without any delivery, e.g. {half_written[:3]}")
    orphans = [d.id for d in store.deliveries.values() if d.event_id not in store.events]
    if orphans:
        res.anomalies.append(f"{len(orphans)} deliveries whose event is not stored, e.g. {orphans[:3]}")
    for pair, ds in pairs_in_store.items():
        originals = [d for d in ds if not d.replay_of]
        if len(originals) > 1:
            res.anomalies.append(f"{len(originals)} deliveries for one pair {pair}")

    # The acknowledged pairs.
    acked_pairs: dict = {}
    for a in acks:
        if len(a["delivery_ids"]) != len(a["endpoints"]):
            res.anomalies.append(
                f"event {a['event_id']}: {len(a['delivery_ids'])} delivery ids acknowledged for {len(a['endpoints'])} endpoints"
            )
        for delivery_id in a["delivery_ids"]:
            if delivery_id not in store.deliveries:
                res.anomalies.append(f"acknowledged delivery {delivery_id} of {a['event_id']} is not stored")
        for endpoint in a["endpoints"]:
            acked_pairs[(a["event_id"], endpoint)] = a
    res.acked_events = len({a["event_id"] for a in acks})
    missing_events = {a["event_id"] for a in acks} - set(store.events)
    if missing_events:
        res.anomalies.append(f"{len(missing_events)} acknowledged events are not stored, e.g. {sorted(missing_events)[:3]}")
    res.acked_pairs = len(acked_pairs)

    for pair in acked_pairs:
        n_ok = ok_counts.get(pair, 0)
        ds = [d for d in pairs_in_store.get(pair, []) if not d.replay_of]
        d = ds[0] if ds else None
        if n_ok > 1:
            res.duplicates += n_ok - 1
            res.duplicate_pairs.append((pair[0], pair[1], n_ok))
        if d is None:
            res.lost += 1
            res.lost_pairs.append((*pair, "no delivery in the store"))
            continue
        state = STATE_NAMES[d.state]
        if n_ok >= 1:
            res.delivered += 1
            if d.state != S.DELIVERY_STATE_SUCCEEDED:
                res.anomalies.append(f"{pair}: receiver answered 2xx but the store says {state}")
        elif d.state in (S.DELIVERY_STATE_DEAD, S.DELIVERY_STATE_FAILED) and d.attempt_count >= max_attempts:
            res.dead_lettered += 1
        elif d.state == S.DELIVERY_STATE_PENDING and pair[1] in held_endpoints:
            res.held += 1
        else:
            res.lost += 1
            res.lost_pairs.append((*pair, f"{state} after {d.attempt_count} attempts, no 2xx at the receiver"))

    res.unacked_delivered = sum(1 for pair in ok_counts if pair not in acked_pairs)
    return res


def read_jsonl(path: str) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--acks", required=True, help="the load client's JSON lines")
    parser.add_argument("--receiver", required=True, help="the chaos receiver's JSON lines")
    parser.add_argument("--grpc", required=True, help="a webhookd serving the store, host:port")
    parser.add_argument("--max-attempts", type=int, required=True)
    parser.add_argument("--held", nargs="*", default=[], help="endpoints whose deliveries may stay paused")
    args = parser.parse_args()
    acks = [a for a in read_jsonl(args.acks) if not a.get("error")]
    result = check(acks, read_store(args.grpc), read_jsonl(args.receiver), args.max_attempts, tuple(args.held))
    print(result.summary())
    print("balanced" if result.balanced else "NOT BALANCED")
    return 0 if result.balanced else 1


if __name__ == "__main__":
    sys.exit(main())
