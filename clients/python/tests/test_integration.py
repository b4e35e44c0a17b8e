"""End to end against a live webhookd (clients/test.sh starts one); skipped without WEBHOOKD_ADDR.

A receiver runs here, on 127.0.0.1:$WEBHOOKD_RECEIVER_PORT, the URL of endpoint
$WEBHOOKD_ENDPOINT_ID, and checks every request with webhookd.verify.
"""

import asyncio
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import pytest

import webhookd

pytestmark = pytest.mark.skipif(
    not os.environ.get("WEBHOOKD_ADDR"), reason="WEBHOOKD_ADDR is not set (run clients/test.sh)"
)

DEADLINE_SECONDS = 20.0
# How long the receiver may hold a delivery back: less than the harness webhookd's
# default_timeout_seconds (5), so that a held delivery never times out.
HOLD_SECONDS = 4.0


class Receiver(ThreadingHTTPServer):
    """An HTTP server that verifies each delivery and records it by X-Webhook-Id."""

    def __init__(self, port: int, secret: str) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.secret = secret
        # event id -> the verification error, or None when the signature is valid
        self.received: dict[str, webhookd.WebhookVerificationError | None] = {}
        # event ids in the order their deliveries were answered
        self.arrivals: list[str] = []
        self.changed = threading.Condition()
        # A delivery whose payload has "hold": hold_token is answered only once released.
        self.hold_token: str | None = None
        self.holding = threading.Event()
        self.released = threading.Event()

    def wait_for(self, event_id: str) -> webhookd.WebhookVerificationError | None:
        """Wait for the delivery of ``event_id``; return its verification error, if any."""
        with self.changed:
            arrived = self.changed.wait_for(lambda: event_id in self.received, DEADLINE_SECONDS)
            assert arrived, f"no delivery of {event_id} within {DEADLINE_SECONDS} s"
            return self.received[event_id]

    def hold(self, token: str) -> None:
        """Holds back the delivery of the payload with ``"hold": token`` until :meth:`release`."""
        self.hold_token = token
        self.holding.clear()
        self.released.clear()

    def release(self) -> None:
        self.released.set()


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        error: webhookd.WebhookVerificationError | None = None
        try:
            webhookd.verify(body, dict(self.headers.items()), self.server.secret)
        except webhookd.WebhookVerificationError as rejected:
            error = rejected
        token = self.server.hold_token
        if token is not None and _payload(body).get("hold") == token:
            self.server.holding.set()
            self.server.released.wait(HOLD_SECONDS)
        with self.server.changed:
            event_id = self.headers.get(webhookd.ID_HEADER, "")
            self.server.received[event_id] = error
            self.server.arrivals.append(event_id)
            self.server.changed.notify_all()
        self.send_response(401 if error else 204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


def _payload(body: bytes) -> dict[str, object]:
    try:
        payload = json.loads(body)
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    port = int(os.environ["WEBHOOKD_RECEIVER_PORT"])
    server = Receiver(port, os.environ["WEBHOOKD_ENDPOINT_SECRET"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture()
def client() -> Iterator[webhookd.Client]:
    with webhookd.Client(os.environ["WEBHOOKD_ADDR"]) as client:
        yield client


def _dispatch(client: webhookd.Client, payload: dict[str, object], **options: str) -> str:
    """Dispatch an event of the test type to the test endpoint only."""
    return client.dispatch(
        os.environ["WEBHOOKD_EVENT_TYPE"],
        payload,
        endpoint_ids=[os.environ["WEBHOOKD_ENDPOINT_ID"]],
        **options,
    ).event_id


def test_dispatch_is_received_with_a_valid_signature(
    client: webhookd.Client, receiver: Receiver
) -> None:
    event_id = _dispatch(client, {"order_id": "ord_1", "total": 99.99, "big": 2**64 + 1})
    assert event_id.startswith("evt_")
    assert receiver.wait_for(event_id) is None


def test_idempotent_dispatch_returns_the_original_event(
    client: webhookd.Client, receiver: Receiver
) -> None:
    key = f"sdk-python-{uuid.uuid4().hex}"
    first = _dispatch(client, {"n": 1}, idempotency_key=key)
    second = client.dispatch(
        os.environ["WEBHOOKD_EVENT_TYPE"],
        {"n": 1},
        idempotency_key=key,
        endpoint_ids=[os.environ["WEBHOOKD_ENDPOINT_ID"]],
    )
    assert second.duplicate
    assert second.event_id == first


def test_ordering_key_delivers_one_at_a_time_in_dispatch_order(
    client: webhookd.Client, receiver: Receiver
) -> None:
    key = f"sdk-python-order-{uuid.uuid4().hex}"
    token = uuid.uuid4().hex
    # The receiver holds the first delivery back: the others must wait for it.
    receiver.hold(token)
    try:
        first = _dispatch(client, {"n": 1, "hold": token}, ordering_key=key)
        second = _dispatch(client, {"n": 2}, ordering_key=key)
        third = _dispatch(client, {"n": 3}, ordering_key=key)
        assert receiver.holding.wait(DEADLINE_SECONDS), f"no delivery of {first}"
        waiting = _wait_for_waiting(client, second)
        assert (waiting.state, waiting.ordering_key, waiting.next_attempt_at) == (
            "pending",
            key,
            None,
        )
        assert (waiting.endpoint_id, waiting.attempt_count) == (
            os.environ["WEBHOOKD_ENDPOINT_ID"],
            0,
        )
        with receiver.changed:
            assert second not in receiver.received and third not in receiver.received
    finally:
        receiver.release()
    for event_id in (first, second, third):
        assert receiver.wait_for(event_id) is None
    ours = [event_id for event_id in receiver.arrivals if event_id in (first, second, third)]
    assert ours == [first, second, third]
    for event_id in (first, second, third):
        assert client.get_event(event_id).event.ordering_key == key
        # The receiver has the request before webhookd has recorded its answer.
        delivery = _wait_for_delivery(
            client, event_id, "succeeds", lambda d: d.state == "succeeded"
        )
        assert delivery.ordering_key == key and not delivery.waiting_for_ordering_key


def _wait_for_waiting(client: webhookd.Client, event_id: str) -> webhookd.Delivery:
    """The delivery of ``event_id``, once it waits for the one before it in its ordering key."""
    return _wait_for_delivery(
        client, event_id, "waits for its key", lambda d: d.waiting_for_ordering_key
    )


def _wait_for_delivery(
    client: webhookd.Client,
    event_id: str,
    what: str,
    ready: Callable[[webhookd.Delivery], bool],
) -> webhookd.Delivery:
    """The only delivery of ``event_id``, once ``ready`` holds for it."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        (delivery,) = client.get_event(event_id).deliveries
        if ready(delivery):
            return delivery
        assert time.monotonic() < deadline, f"{event_id} never {what}: {delivery}"
        time.sleep(0.05)


def test_unknown_endpoint_is_not_found(client: webhookd.Client) -> None:
    with pytest.raises(webhookd.WebhookdError) as failure:
        client.dispatch(os.environ["WEBHOOKD_EVENT_TYPE"], {}, endpoint_ids=["ep_unknown"])
    assert failure.value.code == grpc.StatusCode.NOT_FOUND
    assert failure.value.reason == "ENDPOINT_NOT_FOUND"


def test_stream_reports_the_delivery_succeeded(client: webhookd.Client, receiver: Receiver) -> None:
    # Opened before the dispatch and replaying from a moment before it, so
    # that no update can be missed.
    updates = client.stream_deliveries(
        endpoint_ids=[os.environ["WEBHOOKD_ENDPOINT_ID"]],
        since_time=datetime.now(timezone.utc) - timedelta(seconds=5),
        timeout=DEADLINE_SECONDS,
    )
    event_id = _dispatch(client, {"streamed": True})
    with updates:
        try:
            assert any(u.event_id == event_id and u.state == "succeeded" for u in updates)
        except webhookd.WebhookdError as failure:
            pytest.fail(f"no succeeded update for {event_id}: {failure}")
    assert receiver.wait_for(event_id) is None


def test_async_client_dispatches_and_streams(receiver: Receiver) -> None:
    async def scenario() -> str:
        async with webhookd.AsyncClient(os.environ["WEBHOOKD_ADDR"]) as client:
            async with client.stream_deliveries(
                endpoint_ids=[os.environ["WEBHOOKD_ENDPOINT_ID"]],
                since_time=datetime.now(timezone.utc) - timedelta(seconds=5),
                timeout=DEADLINE_SECONDS,
            ) as updates:
                result = await client.dispatch(
                    os.environ["WEBHOOKD_EVENT_TYPE"],
                    {"client": "asyncio"},
                    endpoint_ids=[os.environ["WEBHOOKD_ENDPOINT_ID"]],
                )
                async for update in updates:
                    if update.event_id == result.event_id and update.kind == "succeeded":
                        assert update.http_status == 204 and update.occurred_at is not None
                        return result.event_id
        raise AssertionError("the stream ended before the delivery succeeded")

    event_id = asyncio.run(scenario())
    assert receiver.wait_for(event_id) is None
