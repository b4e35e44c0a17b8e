"""The clients against an in-process fake server: what they send, how they retry,
and what they make of the replies and errors. Needs no webhookd."""

import asyncio
import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import grpc
import pytest
from fake_service import Failure, FakeServer, bad_request, error_info, status_details
from google.protobuf import struct_pb2

import webhookd
from webhookd import webhook_pb2 as pb
from webhookd._channel import is_loopback
from webhookd._retry import retry_delay

# Retries without waiting, so that the tests stay fast.
FAST_RETRY = webhookd.RetryPolicy(max_attempts=3, initial_backoff=0.001, max_backoff=0.001)


@pytest.fixture()
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    yield fake
    fake.stop()


def test_calls_carry_the_api_key_and_the_default_deadline(server: FakeServer) -> None:
    with webhookd.Client(server.address, api_key="k3y", timeout=5) as client:
        client.get_event("evt_1")
        client.stub.GetEvent(pb.GetEventRequest(event_id="evt_1"))  # the raw stub too
    for call in server.service.calls("GetEvent"):
        assert call.metadata["authorization"] == "Bearer k3y"
        assert _about(call.time_remaining, 5)
        assert call.metadata["user-agent"].startswith(f"webhookd-python/{webhookd.__version__}")


def test_without_options_no_key_and_a_10_second_deadline(server: FakeServer) -> None:
    with webhookd.Client(server.address) as client:
        client.get_event("evt_1")
    (call,) = server.service.calls("GetEvent")
    assert "authorization" not in call.metadata
    assert _about(call.time_remaining, 10)


def test_streams_have_no_deadline_unless_configured(server: FakeServer) -> None:
    with webhookd.Client(server.address, stream_timeout=30) as client:
        _seen_then_closed(server, client.stream_deliveries(), 1)
        _seen_then_closed(server, client.stream_deliveries(timeout=3), 2)
    with webhookd.Client(server.address) as client:
        _seen_then_closed(server, client.stream_deliveries(), 3)
    remaining = [c.time_remaining for c in server.service.calls("StreamDeliveries")]
    assert _about(remaining[0], 30)
    assert _about(remaining[1], 3)
    assert remaining[2] is None or remaining[2] > 1e9  # no deadline: "infinite" on the server


def test_dispatch_sends_json_text_and_generates_an_idempotency_key(server: FakeServer) -> None:
    with webhookd.Client(server.address) as client:
        result = client.dispatch(
            "order.created", {"total": 99.99, "big": 2**64 + 1}, endpoint_ids=["ep_a"]
        )
        client.dispatch("order.created", {}, idempotency_key="mine")
    assert result == webhookd.DispatchResult(
        event_id="evt_1", delivery_ids=["dlv_1"], duplicate=False
    )
    generated, given = server.service.calls("Dispatch")
    assert generated.request.payload_json == '{"total": 99.99, "big": 18446744073709551617}'
    assert generated.request.idempotency_key.startswith("sdk-")
    assert list(generated.request.endpoint_ids) == ["ep_a"]
    assert given.request.idempotency_key == "mine"


def test_unavailable_dispatch_is_retried_with_the_same_key(server: FakeServer) -> None:
    server.service.failures["Dispatch"] = [Failure(grpc.StatusCode.UNAVAILABLE)] * 2
    with webhookd.Client(server.address, retry=FAST_RETRY) as client:
        assert client.dispatch("order.created", {}).event_id == "evt_1"
    keys = {c.request.idempotency_key for c in server.service.calls("Dispatch")}
    assert len(server.service.calls("Dispatch")) == 3 and len(keys) == 1


def test_dispatch_sends_the_ordering_key_unchanged_on_retries(server: FakeServer) -> None:
    server.service.failures["Dispatch"] = [Failure(grpc.StatusCode.UNAVAILABLE)] * 2
    with webhookd.Client(server.address, retry=FAST_RETRY) as client:
        client.dispatch("order.created", {}, ordering_key="customer-42")  # retried twice
        client.dispatch("order.created", {}, idempotency_key="mine", ordering_key="customer-7")
        client.dispatch("order.created", {})

    async def from_the_async_client() -> None:
        server.service.failures["Dispatch"] = [Failure(grpc.StatusCode.DEADLINE_EXCEEDED)]
        async with webhookd.AsyncClient(server.address, retry=FAST_RETRY) as async_client:
            await async_client.dispatch("order.created", {}, ordering_key="customer-9")

    asyncio.run(from_the_async_client())
    requests = [c.request for c in server.service.calls("Dispatch")]
    assert len(requests) == 7
    retried, (given, plain), async_retried = requests[:3], requests[3:5], requests[5:]
    # Every attempt of a retried dispatch carries the same idempotency and ordering keys.
    for attempts, ordering_key in ((retried, "customer-42"), (async_retried, "customer-9")):
        assert [r.ordering_key for r in attempts] == [ordering_key] * len(attempts)
        assert len({r.idempotency_key for r in attempts}) == 1
        assert attempts[0].idempotency_key.startswith("sdk-")
    assert (given.idempotency_key, given.ordering_key) == ("mine", "customer-7")
    assert plain.ordering_key == ""  # none


def test_an_ordering_key_alone_does_not_make_a_dispatch_retryable(server: FakeServer) -> None:
    server.service.failures["Dispatch"] = [Failure(grpc.StatusCode.UNAVAILABLE)]
    with webhookd.Client(server.address, retry=FAST_RETRY, auto_idempotency_key=False) as client:
        with pytest.raises(webhookd.WebhookdError):
            client.dispatch("order.created", {}, ordering_key="customer-42")
    (call,) = server.service.calls("Dispatch")
    assert (call.request.ordering_key, call.request.idempotency_key) == ("customer-42", "")


def test_dispatch_without_a_key_is_not_retried(server: FakeServer) -> None:
    server.service.failures["Dispatch"] = [Failure(grpc.StatusCode.UNAVAILABLE)]
    with webhookd.Client(server.address, retry=FAST_RETRY, auto_idempotency_key=False) as client:
        with pytest.raises(webhookd.WebhookdError) as failure:
            client.dispatch("order.created", {})
    assert failure.value.code == grpc.StatusCode.UNAVAILABLE
    assert len(server.service.calls("Dispatch")) == 1


def test_idempotent_calls_give_up_after_max_attempts(server: FakeServer) -> None:
    server.service.failures["GetEvent"] = [Failure(grpc.StatusCode.DEADLINE_EXCEEDED)] * 5
    with webhookd.Client(server.address, retry=FAST_RETRY) as client:
        with pytest.raises(webhookd.WebhookdError) as failure:
            client.get_event("evt_1")
    assert failure.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert len(server.service.calls("GetEvent")) == FAST_RETRY.max_attempts


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("Replay", lambda c: c.replay("evt_1")),
        ("RotateEndpointSecret", lambda c: c.rotate_endpoint_secret("ep_1")),
        ("CreateApiKey", lambda c: c.create_api_key("ci", "read")),
    ],
)
def test_non_idempotent_calls_are_not_retried(
    server: FakeServer, method: str, call: object
) -> None:
    server.service.failures[method] = [Failure(grpc.StatusCode.UNAVAILABLE)]
    with webhookd.Client(server.address, retry=FAST_RETRY) as client:
        with pytest.raises(webhookd.WebhookdError):
            call(client)  # type: ignore[operator]
    assert len(server.service.calls(method)) == 1


def test_other_codes_are_not_retried(server: FakeServer) -> None:
    server.service.failures["GetEvent"] = [Failure(grpc.StatusCode.NOT_FOUND)]
    with webhookd.Client(server.address, retry=FAST_RETRY) as client:
        with pytest.raises(webhookd.WebhookdError):
            client.get_event("evt_1")
    assert len(server.service.calls("GetEvent")) == 1


def test_error_carries_reason_metadata_and_field_violations(server: FakeServer) -> None:
    details = status_details(
        (
            "type.googleapis.com/google.rpc.ErrorInfo",
            error_info("PAYLOAD_TOO_LARGE", "webhookd", {"limit": "1024"}),
        ),
        ("type.googleapis.com/google.rpc.BadRequest", bad_request(("payload_json", "too large"))),
        ("type.googleapis.com/google.rpc.Unknown", b"\x08\x01"),
    )
    server.service.failures["Dispatch"] = [
        Failure(grpc.StatusCode.RESOURCE_EXHAUSTED, "payload too large", details)
    ]
    with webhookd.Client(server.address) as client:
        with pytest.raises(webhookd.WebhookdError) as failure:
            client.dispatch("order.created", {})
    error = failure.value
    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.message == "payload too large"
    assert (error.reason, error.domain, error.metadata) == (
        "PAYLOAD_TOO_LARGE",
        "webhookd",
        {"limit": "1024"},
    )
    assert error.field_violations == [webhookd.FieldViolation("payload_json", "too large")]
    assert str(error) == "RESOURCE_EXHAUSTED: payload too large (PAYLOAD_TOO_LARGE)"
    assert isinstance(error.__cause__, grpc.RpcError)


def test_malformed_details_still_give_the_status(server: FakeServer) -> None:
    server.service.failures["GetEvent"] = [Failure(grpc.StatusCode.NOT_FOUND, "gone", b"\x1a\xff")]
    with webhookd.Client(server.address) as client:
        with pytest.raises(webhookd.WebhookdError) as failure:
            client.get_event("evt_1")
    assert (failure.value.code, failure.value.message, failure.value.reason) == (
        grpc.StatusCode.NOT_FOUND,
        "gone",
        "",
    )


def test_replies_become_native_types(server: FakeServer) -> None:
    with webhookd.Client(server.address) as client:
        detail = client.get_event("evt_9")
        metrics = client.get_metrics(window_seconds=60)
    assert detail.event.id == "evt_9"
    assert detail.event.created_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    (delivery,) = detail.deliveries
    assert delivery.state == "dead" and delivery.next_attempt_at is None
    assert (
        delivery.attempts[0].duration_ms == 2**40 and delivery.attempts[0].error_kind == "connect"
    )
    assert detail.event.ordering_key is None and delivery.ordering_key is None
    assert delivery.waiting_for_ordering_key is False
    assert metrics.attempted == 2**63 + 5
    assert metrics.failures_by_error_kind == {"timeout": 3}
    (status,) = metrics.endpoints
    assert (status.endpoint_id, status.concurrency_limit, status.concurrency_window) == (
        "ep_1",
        10,
        5,
    )
    assert (metrics.retry_budget_slots, metrics.retries_in_flight) == (4, 3)
    assert metrics.retries_deferred == 2**63 + 7


def test_ordering_keys_are_read_back(server: FakeServer) -> None:
    with webhookd.Client(server.address) as client:
        detail = client.get_event("evt_ordered")

    async def from_the_async_client() -> webhookd.EventDetail:
        async with webhookd.AsyncClient(server.address) as async_client:
            return await async_client.get_event("evt_ordered")

    assert asyncio.run(from_the_async_client()) == detail
    assert detail.event.ordering_key == "customer-42"
    dead, waiting = detail.deliveries
    assert (dead.ordering_key, dead.waiting_for_ordering_key) == ("customer-42", False)
    assert (waiting.state, waiting.ordering_key, waiting.waiting_for_ordering_key) == (
        "pending",
        "customer-42",
        True,
    )
    assert waiting.next_attempt_at is None


def test_list_event_types_reads_the_catalog(server: FakeServer) -> None:
    with webhookd.Client(server.address) as client:
        catalog = client.list_event_types()

    async def from_the_async_client() -> webhookd.EventCatalog:
        async with webhookd.AsyncClient(server.address) as async_client:
            return await async_client.list_event_types()

    assert asyncio.run(from_the_async_client()) == catalog
    assert len(server.service.calls("ListEventTypes")) == 2
    assert isinstance(catalog, webhookd.EventCatalog)
    assert catalog.unknown_types_allowed is False
    created, noted = catalog.event_types
    assert isinstance(created, webhookd.EventType)
    assert (created.name, created.description) == ("order.created", "An order was placed")
    # The schema as a JSON object; Struct numbers are doubles, read back as float.
    assert created.schema == {
        "type": "object",
        "required": ["order_id", "total"],
        "properties": {
            "order_id": {"type": "string"},
            "total": {"type": "number", "minimum": 0.0},
        },
    }
    assert isinstance(created.schema["properties"]["total"]["minimum"], float)
    assert noted == webhookd.EventType(name="order.noted", description="", schema=None)


def test_list_event_types_is_retried(server: FakeServer) -> None:
    server.service.failures["ListEventTypes"] = [
        Failure(grpc.StatusCode.UNAVAILABLE),
        Failure(grpc.StatusCode.DEADLINE_EXCEEDED),
    ]
    with webhookd.Client(server.address, retry=FAST_RETRY) as client:
        assert [t.name for t in client.list_event_types().event_types] == [
            "order.created",
            "order.noted",
        ]
    assert len(server.service.calls("ListEventTypes")) == 3

    async def from_the_async_client() -> webhookd.EventCatalog:
        server.service.failures["ListEventTypes"] = [Failure(grpc.StatusCode.UNAVAILABLE)]
        async with webhookd.AsyncClient(server.address, retry=FAST_RETRY) as async_client:
            return await async_client.list_event_types()

    assert len(asyncio.run(from_the_async_client()).event_types) == 2
    assert len(server.service.calls("ListEventTypes")) == 5
    server.service.failures["ListEventTypes"] = [Failure(grpc.StatusCode.PERMISSION_DENIED)]
    with webhookd.Client(server.address, retry=FAST_RETRY) as client:
        with pytest.raises(webhookd.WebhookdError) as failure:
            client.list_event_types()
    assert failure.value.code == grpc.StatusCode.PERMISSION_DENIED
    assert len(server.service.calls("ListEventTypes")) == 6  # other codes are not retried


def test_schema_violation_and_unknown_event_type_errors(server: FakeServer) -> None:
    schema_violation = status_details(
        (
            "type.googleapis.com/google.rpc.ErrorInfo",
            error_info("SCHEMA_VIOLATION", "webhookd", {}),
        ),
        (
            "type.googleapis.com/google.rpc.BadRequest",
            bad_request(
                ("payload/order_id", '7 is not of type "string"'),
                ("payload/total", "-1 is less than the minimum of 0"),
            ),
        ),
    )
    unknown_type = status_details(
        (
            "type.googleapis.com/google.rpc.ErrorInfo",
            error_info("UNKNOWN_EVENT_TYPE", "webhookd", {}),
        ),
        (
            "type.googleapis.com/google.rpc.BadRequest",
            bad_request(("event_type", "not in the event catalog")),
        ),
    )
    message = "the payload does not match the JSON Schema of `order.created`"
    server.service.failures["Dispatch"] = [
        Failure(grpc.StatusCode.INVALID_ARGUMENT, message, schema_violation),
        Failure(grpc.StatusCode.INVALID_ARGUMENT, "unknown", unknown_type),
        Failure(grpc.StatusCode.INVALID_ARGUMENT, message, schema_violation),
    ]
    with webhookd.Client(server.address, retry=FAST_RETRY) as client:
        with pytest.raises(webhookd.WebhookdError) as violation:
            client.dispatch("order.created", {"order_id": 7, "total": -1})
        with pytest.raises(webhookd.WebhookdError) as unknown:
            client.dispatch("user.created", {})

    async def from_the_async_client() -> webhookd.WebhookdError:
        async with webhookd.AsyncClient(server.address, retry=FAST_RETRY) as async_client:
            with pytest.raises(webhookd.WebhookdError) as async_violation:
                await async_client.dispatch("order.created", {"order_id": 7, "total": -1})
        return async_violation.value

    async_error = asyncio.run(from_the_async_client())
    # INVALID_ARGUMENT is never retried, even with the generated idempotency key.
    assert len(server.service.calls("Dispatch")) == 3
    for error in (violation.value, async_error):
        assert (error.code, error.reason, error.domain) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            "SCHEMA_VIOLATION",
            "webhookd",
        )
        assert error.message == message
        assert error.field_violations == [
            webhookd.FieldViolation("payload/order_id", '7 is not of type "string"'),
            webhookd.FieldViolation("payload/total", "-1 is less than the minimum of 0"),
        ]
        assert str(error) == f"INVALID_ARGUMENT: {message} (SCHEMA_VIOLATION)"
    assert (unknown.value.code, unknown.value.reason) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "UNKNOWN_EVENT_TYPE",
    )
    assert [v.field for v in unknown.value.field_violations] == ["event_type"]


def test_requests_take_native_types(server: FakeServer) -> None:
    since = datetime(2024, 1, 2, 3, 4, 5, 600_000, tzinfo=timezone(timedelta(hours=1)))
    with webhookd.Client(server.address) as client:
        stream = client.stream_deliveries(
            states=["succeeded", "dead"], since_time=since, since_sequence=2**63
        )
        _seen_then_closed(server, stream, 1)
        client.update_endpoint("ep_1", event_types=["a.*"])
        client.rotate_endpoint_secret("ep_1", grace_period=timedelta(hours=2))
        client.create_api_key("ci", "admin")
        with pytest.raises(ValueError, match="unknown delivery_state 'done'"):
            client.stream_deliveries(states=["done"])  # type: ignore[list-item]
        with pytest.raises(ValueError, match="timezone-aware"):
            client.stream_deliveries(since_time=datetime(2024, 1, 1))
        with pytest.raises(ValueError, match="url, event_types, headers, retry_policy or filter"):
            client.update_endpoint("ep_1")
    request = server.service.calls("StreamDeliveries")[0].request
    assert list(request.states) == [pb.DELIVERY_STATE_SUCCEEDED, pb.DELIVERY_STATE_DEAD]
    assert request.since_time.seconds == 1704161045 and request.since_time.nanos == 600_000_000
    assert request.since_sequence == 2**63
    update = server.service.calls("UpdateEndpoint")[0].request
    assert list(update.update_mask.paths) == ["event_types"] and list(
        update.endpoint.event_types
    ) == ["a.*"]
    assert server.service.calls("RotateEndpointSecret")[0].request.grace_period_seconds == 7200
    assert server.service.calls("CreateApiKey")[0].request.role == pb.API_KEY_ROLE_ADMIN


def test_endpoint_headers_are_sent_and_read_back(server: FakeServer) -> None:
    with webhookd.Client(server.address) as client:
        created = client.create_endpoint(
            "https://example.com/hook", ["a.*"], headers={"X-Tenant": "acme", "Authorization": "t"}
        )
        plain = client.create_endpoint("https://example.com/hook", ["a.*"])
        updated = client.update_endpoint("ep_1", url="https://example.com/2", headers={"X-A": "1"})
        cleared = client.update_endpoint("ep_1", headers={})
        with pytest.raises(TypeError, match="mapping"):
            client.create_endpoint("https://example.com/hook", ["a.*"], headers=[("X-A", "1")])  # type: ignore[arg-type]

    async def update_from_the_async_client() -> webhookd.Endpoint:
        async with webhookd.AsyncClient(server.address) as async_client:
            await async_client.create_endpoint("https://example.com/h", ["b"], headers={"X-B": "2"})
            return await async_client.update_endpoint(
                "ep_1", event_types=["b"], headers={"X-B": "3"}
            )

    async_updated = asyncio.run(update_from_the_async_client())
    create, create_plain, create_async = server.service.calls("CreateEndpoint")
    assert dict(create.request.headers) == {"X-Tenant": "acme", "Authorization": "t"}
    assert dict(create_plain.request.headers) == {}
    assert dict(create_async.request.headers) == {"X-B": "2"}
    assert created.headers == {"x-tenant": "acme", "authorization": "t"}
    assert plain.headers == {}
    update, clear, update_async = (c.request for c in server.service.calls("UpdateEndpoint"))
    assert list(update.update_mask.paths) == ["url", "headers"]
    assert dict(update.endpoint.headers) == {"X-A": "1"}
    assert list(clear.update_mask.paths) == ["headers"]  # an empty set is sent, removing them
    assert dict(clear.endpoint.headers) == {}
    assert list(update_async.update_mask.paths) == ["event_types", "headers"]
    assert dict(update_async.endpoint.headers) == {"X-B": "3"}
    assert (updated.headers, cleared.headers, async_updated.headers) == (
        {"X-A": "1"},
        {},
        {"X-B": "3"},
    )


def test_endpoint_retry_schedule_is_sent_read_back_and_cleared(server: FakeServer) -> None:
    schedule = webhookd.RetrySchedule(
        max_attempts=3, delays=(timedelta(milliseconds=200), timedelta(seconds=1))
    )
    with webhookd.Client(server.address) as client:
        created = client.create_endpoint("https://example.com/hook", ["a.*"], retry_policy=schedule)
        plain = client.create_endpoint("https://example.com/hook", ["a.*"])
        fine = client.create_endpoint(
            "https://example.com/hook",
            ["a.*"],
            retry_policy=webhookd.RetrySchedule(delays=(timedelta(microseconds=1500),)),
        )
        updated = client.update_endpoint(
            "ep_1", url="https://example.com/2", retry_policy=webhookd.RetrySchedule(5)
        )
        defaults = client.update_endpoint("ep_1", retry_policy=webhookd.RetrySchedule())
        cleared = client.update_endpoint("ep_1", retry_policy=None)
        untouched = client.update_endpoint("ep_1", event_types=["b"])
        with pytest.raises(TypeError, match="RetrySchedule"):
            client.create_endpoint(
                "https://example.com/hook",
                ["a.*"],
                retry_policy={"max_attempts": 3},  # type: ignore[arg-type]
            )
        with pytest.raises(TypeError, match="RetrySchedule"):
            client.update_endpoint("ep_1", retry_policy=3)  # type: ignore[arg-type]

    async def from_the_async_client() -> tuple[webhookd.Endpoint, webhookd.Endpoint]:
        async with webhookd.AsyncClient(server.address) as async_client:
            async_created = await async_client.create_endpoint(
                "https://example.com/h", ["b"], retry_policy=schedule
            )
            async_cleared = await async_client.update_endpoint("ep_1", retry_policy=None)
            return async_created, async_cleared

    async_created, async_cleared = asyncio.run(from_the_async_client())
    assert len(server.service.calls("CreateEndpoint")) == 4  # the refused ones were never sent
    create, create_plain, create_fine, create_async = (
        c.request for c in server.service.calls("CreateEndpoint")
    )
    assert create.HasField("retry_policy") and create_async.HasField("retry_policy")
    assert create.retry_policy.max_attempts == 3
    assert list(create.retry_policy.delays_seconds) == [0.2, 1.0]
    assert create_async.retry_policy == create.retry_policy
    assert not create_plain.HasField("retry_policy")
    assert list(create_fine.retry_policy.delays_seconds) == [0.0015]
    # Read back: the delays as timedelta, None when unset.
    assert created.retry_policy == async_created.retry_policy == schedule
    assert plain.retry_policy is None
    assert fine.retry_policy == webhookd.RetrySchedule(0, (timedelta(microseconds=1500),))

    update, update_defaults, clear, untouched_request, clear_async = (
        c.request for c in server.service.calls("UpdateEndpoint")
    )
    assert list(update.update_mask.paths) == ["url", "retry_policy"]
    assert update.endpoint.retry_policy.max_attempts == 5
    assert list(update.endpoint.retry_policy.delays_seconds) == []
    # A schedule of defaults is still sent (present), unlike None, which clears it.
    assert list(update_defaults.update_mask.paths) == ["retry_policy"]
    assert update_defaults.endpoint.HasField("retry_policy")
    for clearing in (clear, clear_async):
        assert list(clearing.update_mask.paths) == ["retry_policy"]
        assert not clearing.endpoint.HasField("retry_policy")
    assert list(untouched_request.update_mask.paths) == ["event_types"]
    assert not untouched_request.endpoint.HasField("retry_policy")
    assert updated.retry_policy == webhookd.RetrySchedule(max_attempts=5)
    assert defaults.retry_policy == webhookd.RetrySchedule()
    assert cleared.retry_policy is None and async_cleared.retry_policy is None
    assert untouched.retry_policy is None


def test_endpoint_filter_is_sent_read_back_and_removed(server: FakeServer) -> None:
    order_filter: dict[str, Any] = {
        "order.total": {"$gte": 100},
        "order.currency": {"$in": ["EUR", "USD"]},
    }
    with webhookd.Client(server.address) as client:
        created = client.create_endpoint("https://example.com/hook", ["a.*"], filter=order_filter)
        plain = client.create_endpoint("https://example.com/hook", ["a.*"])
        empty = client.create_endpoint("https://example.com/hook", ["a.*"], filter={})
        updated = client.update_endpoint(
            "ep_1", url="https://example.com/2", filter={"kind": "refund", "meta.note": None}
        )
        removed = client.update_endpoint("ep_1", filter=None)
        untouched = client.update_endpoint("ep_1", event_types=["b"])
        with pytest.raises(TypeError, match="mapping"):
            client.create_endpoint(
                "https://example.com/hook",
                ["a.*"],
                filter=[("amount", 1)],  # type: ignore[arg-type]
            )
        with pytest.raises(TypeError, match="mapping"):
            client.update_endpoint("ep_1", filter='{"amount": 1}')  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="JSON compliant"):
            client.create_endpoint(
                "https://example.com/hook", ["a.*"], filter={"amount": {"$gt": float("nan")}}
            )
        with pytest.raises(TypeError, match="JSON serializable"):
            client.update_endpoint("ep_1", filter={"at": {"$gt": datetime(2024, 1, 1)}})

    async def from_the_async_client() -> tuple[webhookd.Endpoint, webhookd.Endpoint]:
        async with webhookd.AsyncClient(server.address) as async_client:
            async_created = await async_client.create_endpoint(
                "https://example.com/h", ["b"], filter=order_filter
            )
            async_removed = await async_client.update_endpoint("ep_1", filter=None)
            return async_created, async_removed

    async_created, async_removed = asyncio.run(from_the_async_client())
    assert len(server.service.calls("CreateEndpoint")) == 4  # the refused ones were never sent
    create, create_plain, create_empty, create_async = (
        c.request for c in server.service.calls("CreateEndpoint")
    )
    # Sent as a google.protobuf.Struct; its numbers are doubles.
    expected = struct_pb2.Struct()
    expected.update(order_filter)
    assert create.HasField("filter") and create.filter == expected
    assert create.filter["order.total"]["$gte"] == 100.0
    assert list(create.filter["order.currency"]["$in"]) == ["EUR", "USD"]
    assert create_async.filter == create.filter
    assert not create_plain.HasField("filter")
    assert create_empty.HasField("filter") and len(create_empty.filter.fields) == 0
    # Read back as a dict, None when unset.
    assert created.filter == async_created.filter == order_filter
    assert plain.filter is None and empty.filter == {}

    update, remove, untouched_request, remove_async = (
        c.request for c in server.service.calls("UpdateEndpoint")
    )
    assert list(update.update_mask.paths) == ["url", "filter"]
    assert update.endpoint.filter["kind"] == "refund"
    assert update.endpoint.filter.fields["meta.note"].WhichOneof("kind") == "null_value"
    assert updated.filter == {"kind": "refund", "meta.note": None}
    # None removes it: "filter" in the mask, the field unset.
    for removing in (remove, remove_async):
        assert list(removing.update_mask.paths) == ["filter"]
        assert not removing.endpoint.HasField("filter")
    assert removed.filter is None and async_removed.filter is None
    assert list(untouched_request.update_mask.paths) == ["event_types"]
    assert not untouched_request.endpoint.HasField("filter")
    assert untouched.filter is None


def test_retry_schedule_checks_its_types() -> None:
    # Any iterable is taken at run time, and kept as a tuple (hashable, comparable).
    schedule = webhookd.RetrySchedule(2, [timedelta(seconds=1)])  # type: ignore[arg-type]
    assert schedule.delays == (timedelta(seconds=1),)
    assert hash(schedule) == hash(webhookd.RetrySchedule(2, (timedelta(seconds=1),)))
    assert webhookd.RetrySchedule() == webhookd.RetrySchedule(0, ())
    with pytest.raises(TypeError, match="timedelta"):
        webhookd.RetrySchedule(3, (0.2, 1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="sequence of timedelta"):
        webhookd.RetrySchedule(3, timedelta(seconds=1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_attempts must be an int"):
        webhookd.RetrySchedule(True)
    with pytest.raises(TypeError, match="max_attempts must be an int"):
        webhookd.RetrySchedule(2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must not be negative"):
        webhookd.RetrySchedule(-1)
    # The ranges (1 to 100 attempts, delays up to a day) are the server's to check.
    assert webhookd.RetrySchedule(101).max_attempts == 101
    assert repr(webhookd.UNCHANGED) == "UNCHANGED"


def test_stream_yields_updates_and_close_ends_it(server: FakeServer) -> None:
    server.service.updates = [
        pb.DeliveryUpdate(
            event_id="evt_1",
            state=pb.DELIVERY_STATE_PENDING,
            kind=pb.UPDATE_KIND_CREATED,
            sequence=1,
        ),
        pb.DeliveryUpdate(kind=pb.UPDATE_KIND_LAGGED, missed=2**33, sequence=2),
    ]
    with webhookd.Client(server.address) as client:
        with client.stream_deliveries() as stream:
            first = next(stream)
            second = next(stream)
            stream.close()
            assert list(stream) == []
    assert (first.state, first.kind, first.sequence) == ("pending", "created", 1)
    assert (second.state, second.kind, second.missed) == ("unspecified", "lagged", 2**33)


def test_async_client_has_the_same_behaviour(server: FakeServer) -> None:
    server.service.failures["GetEvent"] = [Failure(grpc.StatusCode.UNAVAILABLE)]
    server.service.failures["Dispatch"] = [Failure(grpc.StatusCode.NOT_FOUND, "no endpoint")]
    server.service.updates = [pb.DeliveryUpdate(event_id="evt_1", sequence=7)]

    async def scenario() -> None:
        async with webhookd.AsyncClient(server.address, api_key="k3y", retry=FAST_RETRY) as client:
            assert (await client.get_event("evt_1")).event.id == "evt_1"
            await client.stub.GetEvent(pb.GetEventRequest(event_id="evt_1"))
            with pytest.raises(webhookd.WebhookdError) as failure:
                await client.dispatch("order.created", {})
            assert failure.value.code == grpc.StatusCode.NOT_FOUND
            async with client.stream_deliveries(timeout=5) as stream:
                update = await stream.__anext__()
                assert update.sequence == 7
                stream.close()
                assert [u async for u in stream] == []

    asyncio.run(scenario())
    calls = server.service.calls("GetEvent")
    assert len(calls) == 3  # one retry, then the raw call
    for call in calls:
        assert call.metadata["authorization"] == "Bearer k3y"
        assert _about(call.time_remaining, 10)
    stream_call = server.service.calls("StreamDeliveries")[0]
    assert _about(stream_call.time_remaining, 5)


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1:50051", True),
        ("127.10.0.3:1", True),
        ("localhost:50051", True),
        ("LOCALHOST:1", True),
        ("[::1]:50051", True),
        ("unix:/run/webhookd.sock", True),
        ("dns:///localhost:50051", True),
        ("webhookd.example.com:443", False),
        ("10.0.0.5:50051", False),
        ("[2001:db8::1]:50051", False),
        ("localhost.example.com:1", False),
    ],
)
def test_tls_is_on_except_for_loopback_addresses(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def test_tls_options_are_checked() -> None:
    with pytest.raises(ValueError, match="TLS is off"):
        webhookd.Client("127.0.0.1:1", root_certificates=b"pem")
    with pytest.raises(ValueError, match="both"):
        webhookd.Client("webhookd.example.com:443", client_certificate=b"pem")


def test_backoff_is_exponential_with_full_jitter() -> None:
    policy = webhookd.RetryPolicy()
    unavailable = grpc.StatusCode.UNAVAILABLE

    class Highest(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    ceilings = [
        retry_delay(policy, attempt, unavailable, True, Highest()) for attempt in range(1, 5)
    ]
    assert ceilings == [0.1, 0.2, 0.4, None]  # 4 attempts in all
    long_policy = webhookd.RetryPolicy(max_attempts=10)
    assert retry_delay(long_policy, 7, unavailable, True, Highest()) == 2.0  # capped
    rng = random.Random(7)
    delays = [retry_delay(long_policy, 3, unavailable, True, rng) for _ in range(200)]
    assert all(d is not None and 0 <= d <= 0.4 for d in delays) and len(set(delays)) > 100
    assert retry_delay(policy, 1, unavailable, False, rng) is None
    assert retry_delay(policy, 1, grpc.StatusCode.INTERNAL, True, rng) is None
    assert retry_delay(webhookd.RetryPolicy(max_attempts=1), 1, unavailable, True, rng) is None


def _seen_then_closed(
    server: FakeServer, stream: webhookd.DeliveryStream, streams_seen: int
) -> None:
    """Closes ``stream`` once the server has seen it (a call cancelled at once may not reach it)."""
    _wait_for(lambda: len(server.service.calls("StreamDeliveries")) == streams_seen)
    stream.close()


def _wait_for(condition: object, timeout: float = 5.0) -> None:
    """Polls ``condition`` until it holds; the server records streams asynchronously."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def _about(remaining: float | None, seconds: float) -> bool:
    """Whether a deadline seen by the server is the ``seconds`` the client set (the
    server's clock may round it up by a few milliseconds)."""
    return remaining is not None and seconds - 1 < remaining <= seconds + 0.1
