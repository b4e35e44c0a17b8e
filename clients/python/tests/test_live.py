"""Every call of both clients against a real webhookd of the test's own (from $WEBHOOKD_BIN):
results, errors, API keys, and a dispatch retried across a restart."""

import asyncio
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import grpc
import pytest
from webhookd_server import WebhookdServer, free_port

import webhookd

pytestmark = pytest.mark.skipif(
    not os.environ.get("WEBHOOKD_BIN"), reason="WEBHOOKD_BIN is not set (run clients/test.sh)"
)

PAYLOAD_LIMIT = 1024
CONFIG = f"""
webhook_engine:
  signing_secret: sdk-python-live-secret-0123456789
  max_payload_bytes: {PAYLOAD_LIMIT}
retry_policy:
  max_attempts: 1
security:
  allowed_networks: ["127.0.0.0/8"]
"""
WAIT_SECONDS = 15.0


class BlockingAsyncClient:
    """Runs each coroutine method of an :class:`webhookd.AsyncClient` to completion, so
    that one test body exercises both clients."""

    def __init__(self, address: str, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self.client = self._loop.run_until_complete(self._open(address, options))

    def run(self, awaitable: Any) -> Any:
        return self._loop.run_until_complete(awaitable)

    @staticmethod
    async def _open(address: str, options: dict[str, Any]) -> webhookd.AsyncClient:
        return webhookd.AsyncClient(address, **options)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.client, name)
        return lambda *args, **kwargs: self.run(method(*args, **kwargs))

    def close(self) -> None:
        self.run(self.client.close())
        # The loop stays open: grpc.aio's poller may still post to it, and
        # logs an error for a closed loop.


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebhookdServer]:
    webhookd_server = WebhookdServer(tmp_path_factory.mktemp("webhookd"), CONFIG)
    webhookd_server.start()
    yield webhookd_server
    webhookd_server.stop()


@pytest.fixture(params=["sync", "asyncio"])
def client(request: pytest.FixtureRequest, server: WebhookdServer) -> Iterator[Any]:
    """A :class:`webhookd.Client`, or an AsyncClient behind the same blocking interface."""
    if request.param == "sync":
        with webhookd.Client(server.address) as sync_client:
            yield sync_client
    else:
        async_client = BlockingAsyncClient(server.address)
        yield async_client
        async_client.close()


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def _wait_until(condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while not (result := condition()):
        assert time.monotonic() < deadline, f"{what} within {WAIT_SECONDS} s"
        time.sleep(0.05)
    return result


def test_endpoint_calls(client: Any) -> None:
    endpoint_id = _unique("ep")
    created = client.create_endpoint(
        "http://127.0.0.1:9/first", ["live.a"], id=endpoint_id, secret="s" * 32, disabled=True
    )
    assert (created.id, created.active, created.origin) == (endpoint_id, False, "api")
    assert created.signature_scheme == "webhookd" and created.secret_hint == "ssss"
    assert created.created_at is not None and created.created_at.tzinfo is not None

    assert client.get_endpoint(endpoint_id) == created

    enabled = client.enable_endpoint(endpoint_id)
    assert enabled.active and enabled.disabled_at is None
    disabled = client.disable_endpoint(endpoint_id, reason="maintenance")
    assert not disabled.active and disabled.disabled_reason == "maintenance"
    assert disabled.disabled_at is not None

    updated = client.update_endpoint(
        endpoint_id, url="http://127.0.0.1:9/second", event_types=["live.b", "live.c.*"]
    )
    assert (updated.url, updated.event_types) == (
        "http://127.0.0.1:9/second",
        ["live.b", "live.c.*"],
    )
    renamed_only = client.update_endpoint(endpoint_id, url="http://127.0.0.1:9/third")
    assert renamed_only.event_types == ["live.b", "live.c.*"]
    assert renamed_only.headers == {}
    assert renamed_only.retry_policy is None
    assert renamed_only.filter is None

    # Custom headers: names read back in lower case, credential values masked.
    tenant = client.create_endpoint(
        "http://127.0.0.1:9/tenant",
        ["live.h"],
        headers={"Authorization": "Bearer t", "X-Tenant": "acme"},
    )
    assert tenant.headers == {"authorization": "***", "x-tenant": "acme"}
    assert client.get_endpoint(tenant.id) == tenant
    moved = client.update_endpoint(tenant.id, headers={"X-Tenant": "globex", "X-Region": "eu"})
    assert moved.headers == {"x-tenant": "globex", "x-region": "eu"}
    url_only = client.update_endpoint(tenant.id, url="http://127.0.0.1:9/tenant2")
    assert url_only.headers == moved.headers
    assert client.update_endpoint(tenant.id, headers={}).headers == {}
    with pytest.raises(webhookd.WebhookdError) as reserved:
        client.create_endpoint(
            "http://127.0.0.1:9/x", ["live.h"], headers={"X-Webhook-Signature": "forged"}
        )
    assert reserved.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "X-Webhook-Signature" in reserved.value.message
    assert [v.field for v in reserved.value.field_violations] == ["headers.X-Webhook-Signature"]
    with pytest.raises(webhookd.WebhookdError) as reserved_update:
        client.update_endpoint(tenant.id, headers={"X-Tenant": "acme", "webhook-id": "forged"})
    assert reserved_update.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in reserved_update.value.field_violations] == [
        "endpoint.headers.webhook-id"
    ]
    assert client.get_endpoint(tenant.id).headers == {}
    assert client.delete_endpoint(tenant.id) == 0

    # Its own retry schedule: read back as given; None goes back to the config's.
    schedule = webhookd.RetrySchedule(
        max_attempts=3, delays=(timedelta(milliseconds=200), timedelta(seconds=1))
    )
    scheduled = client.create_endpoint(
        "http://127.0.0.1:9/scheduled", ["live.r"], retry_policy=schedule
    )
    assert scheduled.retry_policy == schedule
    assert client.get_endpoint(scheduled.id) == scheduled
    moved_only = client.update_endpoint(scheduled.id, url="http://127.0.0.1:9/scheduled2")
    assert moved_only.retry_policy == schedule
    slower = webhookd.RetrySchedule(max_attempts=5, delays=(timedelta(seconds=30),))
    assert client.update_endpoint(scheduled.id, retry_policy=slower).retry_policy == slower
    assert client.get_endpoint(scheduled.id).retry_policy == slower
    assert client.update_endpoint(scheduled.id, retry_policy=None).retry_policy is None
    assert client.get_endpoint(scheduled.id).retry_policy is None
    with pytest.raises(webhookd.WebhookdError) as too_many:
        client.create_endpoint(
            "http://127.0.0.1:9/x",
            ["live.r"],
            retry_policy=webhookd.RetrySchedule(max_attempts=101),
        )
    assert too_many.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in too_many.value.field_violations] == ["retry_policy.max_attempts"]
    too_long = webhookd.RetrySchedule(
        max_attempts=3, delays=(timedelta(seconds=1), timedelta(days=1, seconds=1))
    )
    with pytest.raises(webhookd.WebhookdError) as too_long_update:
        client.update_endpoint(scheduled.id, retry_policy=too_long)
    assert too_long_update.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in too_long_update.value.field_violations] == [
        "endpoint.retry_policy.delays_seconds[1]"
    ]
    assert client.get_endpoint(scheduled.id).retry_policy is None
    assert client.delete_endpoint(scheduled.id) == 0

    rotated = client.rotate_endpoint_secret(endpoint_id, grace_period=timedelta(hours=1))
    assert len(rotated.new_secret) >= 24 and rotated.endpoint.secret_hint == rotated.new_secret[-4:]
    expires = rotated.endpoint.previous_secret_expires_at
    assert expires is not None
    assert timedelta(minutes=59) < expires - datetime.now(timezone.utc) <= timedelta(hours=1)

    standard = client.create_endpoint(
        "http://127.0.0.1:9/std",
        ["live.std"],
        secret="whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY",
        signature_scheme="standard",
    )
    assert standard.signature_scheme == "standard" and standard.id.startswith("ep_")

    seen: list[str] = []
    page = client.list_endpoints(page_size=1)
    while True:
        assert len(page.items) <= 1
        seen.extend(e.id for e in page.items)
        if not page.next_page_token:
            break
        page = client.list_endpoints(page_size=1, page_token=page.next_page_token)
    assert {endpoint_id, standard.id} <= set(seen)

    assert client.delete_endpoint(endpoint_id) == 0
    assert client.delete_endpoint(standard.id) == 0
    with pytest.raises(webhookd.WebhookdError) as failure:
        client.get_endpoint(endpoint_id)
    assert (failure.value.code, failure.value.reason) == (
        grpc.StatusCode.NOT_FOUND,
        "ENDPOINT_NOT_FOUND",
    )


def test_event_delivery_and_dead_letter_calls(client: Any) -> None:
    # A receiver that refuses connections: with retry_policy.max_attempts 1
    # the first failed attempt dead-letters the delivery.
    endpoint = client.create_endpoint(f"http://127.0.0.1:{free_port()}/hook", ["live.*"])
    event_type = f"live.{uuid.uuid4().hex[:10]}"
    started = datetime.now(timezone.utc) - timedelta(seconds=1)
    dispatched = client.dispatch(
        event_type, {"n": 2**64 + 1, "price": 9.990}, endpoint_ids=[endpoint.id]
    )
    assert dispatched.event_id.startswith("evt_") and not dispatched.duplicate
    (delivery_id,) = dispatched.delivery_ids

    dead_filter = webhookd.DeliveryFilter(endpoint_id=endpoint.id, start_time=started)
    dead = _wait_until(
        lambda: client.list_dead_letters(filter=dead_filter).items, "no dead letter"
    ).copy()
    assert [d.id for d in dead] == [delivery_id] and dead[0].state == "dead"

    detail = client.get_event(dispatched.event_id)
    assert detail.event.event_type == event_type
    assert detail.event.payload == {"n": 2**64 + 1, "price": 9.99}
    assert '"n":18446744073709551617' in detail.event.payload_json  # exact, not a double
    assert detail.event.idempotency_key.startswith("sdk-")
    (delivery,) = detail.deliveries
    assert (delivery.id, delivery.state, delivery.attempt_count) == (delivery_id, "dead", 1)
    assert delivery.attempts[0].error_kind == "connect" and delivery.attempts[0].http_status == 0
    assert delivery.attempts[0].started_at is not None

    events = client.list_events(
        event_types=[event_type],
        start_time=started,
        end_time=datetime.now(timezone.utc) + timedelta(minutes=1),
    )
    assert [e.id for e in events.items] == [dispatched.event_id] and events.next_page_token == ""
    deliveries = client.list_deliveries(
        filter=webhookd.DeliveryFilter(event_types=[event_type], states=["dead"])
    )
    assert [d.id for d in deliveries.items] == [delivery_id]
    assert (
        client.list_deliveries(
            filter=webhookd.DeliveryFilter(event_types=[event_type], states=["succeeded"])
        ).items
        == []
    )

    assert client.redrive_dead_letters(delivery_ids=[delivery_id], dry_run=True) == 1
    assert client.redrive_dead_letters(filter=dead_filter) == 1
    _wait_until(
        lambda: client.list_dead_letters(filter=dead_filter).items,
        "no dead letter after the redrive",
    )

    assert client.replay(dispatched.event_id, dry_run=True).count == 1
    replayed = client.replay(dispatched.event_id)
    assert replayed.count == 1 and len(replayed.delivery_ids) == 1
    matching = client.replay_matching(
        webhookd.DeliveryFilter(event_types=[event_type], states=["dead"]),
        max_per_second=100,
        dry_run=True,
    )
    assert matching.count >= 1

    metrics = client.get_metrics(window_seconds=600, endpoint_id=endpoint.id)
    assert metrics.window_seconds == 600 and metrics.attempted >= 2 and metrics.failed >= 2
    assert metrics.failures_by_error_kind.get("connect", 0) >= 2
    assert [s.endpoint_id for s in metrics.endpoints] == [endpoint.id]
    client.delete_endpoint(endpoint.id)


def test_payload_filter_and_delivery_limits(client: Any) -> None:
    # An event type of its own: no other endpoint of this webhookd subscribes to it.
    event_type = f"filtered.{uuid.uuid4().hex[:10]}"
    endpoint = client.create_endpoint(
        f"http://127.0.0.1:{free_port()}/hook", [event_type], filter={"amount": {"$gte": 100}}
    )
    assert endpoint.filter == {"amount": {"$gte": 100}}
    assert client.get_endpoint(endpoint.id) == endpoint
    ours = webhookd.DeliveryFilter(event_types=[event_type], endpoint_id=endpoint.id)

    # Decided at dispatch: a payload that does not match makes no delivery.
    small = client.dispatch(event_type, {"amount": 50})
    assert small.delivery_ids == []
    assert client.get_event(small.event_id).deliveries == []
    assert client.list_deliveries(filter=ours).items == []
    large = client.dispatch(event_type, {"amount": 150})
    (delivery_id,) = large.delivery_ids
    assert [d.id for d in client.get_event(large.event_id).deliveries] == [delivery_id]
    assert [d.id for d in client.list_deliveries(filter=ours).items] == [delivery_id]

    # Refused filters: INVALID_ARGUMENT, on filter... (endpoint.filter... from an update).
    with pytest.raises(webhookd.WebhookdError) as unknown_operator:
        client.create_endpoint(
            "http://127.0.0.1:9/x", [event_type], filter={"amount": {"$regex": "x"}}
        )
    assert unknown_operator.value.code == grpc.StatusCode.INVALID_ARGUMENT
    violations = [v.field for v in unknown_operator.value.field_violations]
    assert violations and all(field.startswith("filter") for field in violations), violations
    with pytest.raises(webhookd.WebhookdError) as unknown_update:
        client.update_endpoint(endpoint.id, filter={"amount": {"$regex": "x"}})
    assert unknown_update.value.code == grpc.StatusCode.INVALID_ARGUMENT
    violations = [v.field for v in unknown_update.value.field_violations]
    assert violations and all(field.startswith("endpoint.filter") for field in violations)
    assert client.get_endpoint(endpoint.id).filter == {"amount": {"$gte": 100}}

    # Replaced, kept by an update of other fields, removed by None.
    stricter = {"amount": {"$gte": 1000}, "currency": {"$in": ["EUR", "USD"]}}
    assert client.update_endpoint(endpoint.id, filter=stricter).filter == stricter
    moved = client.update_endpoint(endpoint.id, url=f"http://127.0.0.1:{free_port()}/moved")
    assert moved.filter == stricter
    assert client.dispatch(event_type, {"amount": 150}).delivery_ids == []
    assert client.update_endpoint(endpoint.id, filter=None).filter is None
    assert client.get_endpoint(endpoint.id).filter is None
    assert len(client.dispatch(event_type, {"amount": 1}).delivery_ids) == 1

    # With retry_policy.max_attempts 1 each delivery is dead after its first attempt.
    _wait_until(lambda: len(client.list_dead_letters(filter=ours).items) == 2, "two dead letters")
    metrics = client.get_metrics(window_seconds=600, endpoint_id=endpoint.id)
    (status,) = metrics.endpoints
    assert status.endpoint_id == endpoint.id
    assert status.concurrency_limit >= 1, status
    assert 1 <= status.concurrency_window <= status.concurrency_limit, status
    assert metrics.retry_budget_slots >= 1, metrics
    assert metrics.retries_in_flight <= metrics.retry_budget_slots
    assert metrics.retries_deferred >= 0
    client.delete_endpoint(endpoint.id)


def test_ordering_key(client: Any) -> None:
    # An event type of its own, to an endpoint that refuses connections: with
    # retry_policy.max_attempts 1 each delivery is given up (dead) after one attempt,
    # which lets the next one of its ordering key go.
    event_type = f"ordered.{uuid.uuid4().hex[:10]}"
    endpoint = client.create_endpoint(f"http://127.0.0.1:{free_port()}/hook", [event_type])
    ours = webhookd.DeliveryFilter(event_types=[event_type], endpoint_id=endpoint.id)

    # At most 255 characters: a longer key is refused and nothing is stored.
    with pytest.raises(webhookd.WebhookdError) as too_long:
        client.dispatch(event_type, {}, ordering_key="k" * 256)
    assert too_long.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in too_long.value.field_violations] == ["ordering_key"]
    assert client.list_events(event_types=[event_type]).items == []

    key = "k" * 255
    ordered = [client.dispatch(event_type, {"n": n}, ordering_key=key) for n in range(3)]
    unordered = client.dispatch(event_type, {"n": 3})
    _wait_until(lambda: len(client.list_dead_letters(filter=ours).items) == 4, "four dead letters")

    details = [client.get_event(result.event_id) for result in ordered]
    for detail in details:
        assert detail.event.ordering_key == key
        (delivery,) = detail.deliveries
        assert (delivery.state, delivery.ordering_key) == ("dead", key)
        assert not delivery.waiting_for_ordering_key
    # One at a time, in dispatch order: each attempted once the one before was given up.
    starts = [detail.deliveries[0].attempts[0].started_at for detail in details]
    assert None not in starts and starts == sorted(starts), starts
    plain = client.get_event(unordered.event_id)
    assert plain.event.ordering_key is None and plain.deliveries[0].ordering_key is None

    # The listings carry the keys too.
    expected = {r.event_id: key for r in ordered} | {unordered.event_id: None}
    events = client.list_events(event_types=[event_type]).items
    assert {e.id: e.ordering_key for e in events} == expected
    deliveries = client.list_deliveries(filter=ours).items
    assert {d.event_id: d.ordering_key for d in deliveries} == expected
    client.delete_endpoint(endpoint.id)


def test_stream_resumes_from_a_sequence(client: Any, server: WebhookdServer) -> None:
    endpoint = client.create_endpoint(f"http://127.0.0.1:{free_port()}/hook", ["live.*"])
    started = datetime.now(timezone.utc) - timedelta(seconds=1)

    async def first_live_update() -> tuple[webhookd.DispatchResult, webhookd.DeliveryUpdate]:
        async with webhookd.AsyncClient(
            server.address, stream_timeout=WAIT_SECONDS
        ) as async_client:
            async with async_client.stream_deliveries(
                endpoint_ids=[endpoint.id], since_time=started
            ) as updates:
                dispatched = await async_client.dispatch(
                    "live.stream", {}, endpoint_ids=[endpoint.id]
                )
                async for update in updates:
                    # Replayed history has sequence 0; live updates are numbered.
                    if update.event_id == dispatched.event_id and update.sequence > 0:
                        return dispatched, update
        raise AssertionError("the stream ended")

    dispatched, first = asyncio.run(first_live_update())
    assert first.delivery_id == dispatched.delivery_ids[0] and first.occurred_at is not None
    with webhookd.Client(server.address) as sync_client:
        with sync_client.stream_deliveries(
            endpoint_ids=[endpoint.id], since_sequence=first.sequence - 1, timeout=WAIT_SECONDS
        ) as updates:
            resumed = next(updates)
    assert resumed == first
    client.delete_endpoint(endpoint.id)


def test_without_an_event_catalog_every_type_is_allowed(client: Any) -> None:
    assert client.list_event_types() == webhookd.EventCatalog(
        event_types=[], unknown_types_allowed=True
    )


def test_errors_carry_code_reason_metadata_and_violations(client: Any) -> None:
    with pytest.raises(webhookd.WebhookdError) as invalid:
        client.dispatch("Not A Type", {})
    assert invalid.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in invalid.value.field_violations] == ["event_type"]

    with pytest.raises(webhookd.WebhookdError) as too_large:
        client.dispatch("live.big", {"blob": "x" * PAYLOAD_LIMIT})
    assert too_large.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert too_large.value.reason == "PAYLOAD_TOO_LARGE" and too_large.value.domain == "webhookd"
    assert too_large.value.metadata["limit"] == str(PAYLOAD_LIMIT)

    with pytest.raises(webhookd.WebhookdError) as unknown:
        client.dispatch("live.x", {}, endpoint_ids=["ep_nope"])
    assert (unknown.value.code, unknown.value.reason) == (
        grpc.StatusCode.NOT_FOUND,
        "ENDPOINT_NOT_FOUND",
    )


@pytest.mark.parametrize("flavour", ["sync", "asyncio"])
def test_api_keys(tmp_path: Path, flavour: str) -> None:
    server = WebhookdServer(tmp_path, CONFIG)
    server.start()
    clients: list[Any] = []

    def connect(api_key: str | None = None) -> Any:
        new = (
            webhookd.Client(server.address, api_key=api_key)
            if flavour == "sync"
            else BlockingAsyncClient(server.address, api_key=api_key)
        )
        clients.append(new)
        return new

    try:
        anonymous = connect()
        with pytest.raises(webhookd.WebhookdError) as not_admin:
            anonymous.create_api_key("first", "read")
        assert not_admin.value.code in (
            grpc.StatusCode.FAILED_PRECONDITION,
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        admin_key = anonymous.create_api_key("ops", "admin")
        assert (admin_key.api_key.name, admin_key.api_key.role) == ("ops", "admin")
        assert admin_key.key and admin_key.api_key.revoked_at is None

        with pytest.raises(webhookd.WebhookdError) as locked:
            anonymous.list_api_keys()
        assert locked.value.code == grpc.StatusCode.UNAUTHENTICATED

        admin = connect(admin_key.key)
        reader_key = admin.create_api_key("reader", "read")
        assert sorted((k.name, k.role) for k in admin.list_api_keys()) == [
            ("ops", "admin"),
            ("reader", "read"),
        ]

        reader = connect(reader_key.key)
        assert reader.list_events(page_size=1).items == []
        # The raw stub carries the key too.
        request = webhookd.webhook_pb2.ListEventsRequest()
        if flavour == "sync":
            raw = reader.stub.ListEvents(request)
        else:
            raw = reader.run(reader.client.stub.ListEvents(request))
        assert list(raw.events) == []
        with pytest.raises(webhookd.WebhookdError) as denied:
            reader.create_endpoint("http://127.0.0.1:9/x", ["a.b"])
        assert denied.value.code == grpc.StatusCode.PERMISSION_DENIED

        revoked = admin.revoke_api_key("reader")
        assert revoked.revoked_at is not None
        assert [k.name for k in admin.list_api_keys()] == ["ops"]
        assert {k.name for k in admin.list_api_keys(include_revoked=True)} == {"ops", "reader"}
        with pytest.raises(webhookd.WebhookdError) as last_admin:
            admin.revoke_api_key("ops")
        assert last_admin.value.code == grpc.StatusCode.FAILED_PRECONDITION
    finally:
        for opened in clients:
            opened.close()
        server.stop()


CATALOG_CONFIG = (
    CONFIG
    + """
event_catalog:
  unknown_types: refuse
  types:
    - name: order.created
      description: An order was placed
      schema:
        type: object
        required: [order_id, total]
        properties:
          order_id: {type: string}
          total: {type: number, minimum: 0}
    - name: order.noted
"""
)


@pytest.mark.parametrize("flavour", ["sync", "asyncio"])
def test_event_catalog(tmp_path: Path, flavour: str) -> None:
    server = WebhookdServer(tmp_path, CATALOG_CONFIG)
    server.start()
    clients: list[Any] = []

    def connect(api_key: str | None = None) -> Any:
        new = (
            webhookd.Client(server.address, api_key=api_key)
            if flavour == "sync"
            else BlockingAsyncClient(server.address, api_key=api_key)
        )
        clients.append(new)
        return new

    try:
        client = connect()
        catalog = client.list_event_types()
        assert isinstance(catalog, webhookd.EventCatalog)
        assert catalog.unknown_types_allowed is False
        assert [t.name for t in catalog.event_types] == ["order.created", "order.noted"]
        created, noted = catalog.event_types
        assert created.description == "An order was placed"
        # The schema as a native JSON object (Struct numbers read back as float).
        assert created.schema == {
            "type": "object",
            "required": ["order_id", "total"],
            "properties": {
                "order_id": {"type": "string"},
                "total": {"type": "number", "minimum": 0.0},
            },
        }
        assert {"order_id", "total"} <= set(created.schema["required"])
        assert (noted.description, noted.schema) == ("", None)

        # A payload that does not match the schema: one field violation per mismatch.
        with pytest.raises(webhookd.WebhookdError) as violation:
            client.dispatch("order.created", {"order_id": 7, "total": -1})
        assert violation.value.code == grpc.StatusCode.INVALID_ARGUMENT
        assert (violation.value.reason, violation.value.domain) == ("SCHEMA_VIOLATION", "webhookd")
        fields = sorted(v.field for v in violation.value.field_violations)
        assert fields == ["payload/order_id", "payload/total"], violation.value.field_violations
        assert all(v.description for v in violation.value.field_violations)
        # A missing property is a violation of the payload itself: at the root pointer.
        with pytest.raises(webhookd.WebhookdError) as missing:
            client.dispatch("order.created", {"order_id": "o1"})
        assert (missing.value.code, missing.value.reason) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            "SCHEMA_VIOLATION",
        )
        assert [v.field for v in missing.value.field_violations] == ["payload/"]

        accepted = client.dispatch("order.created", {"order_id": "o1", "total": 5})
        assert accepted.event_id.startswith("evt_") and not accepted.duplicate
        free = client.dispatch("order.noted", {"anything": ["goes", 1]})  # no schema
        assert free.event_id.startswith("evt_")

        # A type not in the catalog, which refuses unknown types.
        with pytest.raises(webhookd.WebhookdError) as unknown:
            client.dispatch("user.created", {"id": "u1"})
        assert unknown.value.code == grpc.StatusCode.INVALID_ARGUMENT
        assert unknown.value.reason == "UNKNOWN_EVENT_TYPE"
        assert [v.field for v in unknown.value.field_violations] == ["event_type"]

        # Refused dispatches store nothing.
        stored = client.list_events(event_types=["order.*", "user.*"]).items
        assert sorted(e.id for e in stored) == sorted([accepted.event_id, free.event_id])

        # Open to every API key role: a dispatch-only key reads the catalog too.
        admin = connect(client.create_api_key("ops", "admin").key)
        dispatcher = connect(admin.create_api_key("producer", "dispatch").key)
        assert dispatcher.list_event_types() == catalog
        with pytest.raises(webhookd.WebhookdError) as locked:
            client.list_event_types()
        assert locked.value.code == grpc.StatusCode.UNAUTHENTICATED
    finally:
        for opened in clients:
            opened.close()
        server.stop()


class _FirstRetry(logging.Handler):
    """Sets ``happened`` when the client logs its first retry."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.happened = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "retry" in record.getMessage():
            self.happened.set()


def test_dispatch_survives_a_restart(tmp_path: Path) -> None:
    server = WebhookdServer(tmp_path, CONFIG)
    server.start()
    logger = logging.getLogger("webhookd")
    first_retry = _FirstRetry()
    logger.addHandler(first_retry)
    previous_level = logger.level
    logger.setLevel(logging.DEBUG)
    # Long enough for webhookd to start again (it takes well under a second).
    patient = webhookd.RetryPolicy(max_attempts=30, initial_backoff=0.1, max_backoff=0.5)
    try:
        with webhookd.Client(server.address, retry=patient) as client:
            client.list_events()  # connected
            server.stop()

            def restart_after_the_first_retry() -> None:
                if first_retry.happened.wait(WAIT_SECONDS):
                    server.start()

            restarter = threading.Thread(target=restart_after_the_first_retry)
            restarter.start()
            event_type = f"live.restart.{uuid.uuid4().hex[:10]}"
            result = client.dispatch(event_type, {"survived": True})
            restarter.join()
            assert first_retry.happened.is_set()
            events = client.list_events(event_types=[event_type])
            assert [e.id for e in events.items] == [result.event_id]
    finally:
        logger.removeHandler(first_retry)
        logger.setLevel(previous_level)
        server.stop()
