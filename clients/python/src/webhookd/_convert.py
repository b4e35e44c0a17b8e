"""Conversion between the generated messages and the values of :mod:`webhookd.models`.

The only module, with ``_rpc``, that touches generated message classes: both
clients build their requests and read their responses through it.
"""

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, cast

from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp

from webhookd._proto.webhook.v1 import webhook_pb2
from webhookd.models import (
    ApiKey,
    ApiKeyRole,
    Attempt,
    CreatedApiKey,
    Delivery,
    DeliveryFilter,
    DeliveryState,
    DeliveryUpdate,
    DispatchResult,
    Endpoint,
    EndpointStatus,
    Event,
    EventCatalog,
    EventDetail,
    EventType,
    LatencySummary,
    Metrics,
    Page,
    ReplayResult,
    RetrySchedule,
    RotatedSecret,
    SignatureScheme,
    UpdateKind,
)

# Untyped on purpose: messages never leave this module, and the protoc 25
# stubs type enum fields more narrowly than the ints and names they accept.
pb: Any = webhook_pb2

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _enum_name(enum: Any, prefix: str, value: int) -> str:
    """The lowercase name of ``value`` without ``prefix``.

    A value newer than this SDK becomes "unspecified".
    """
    try:
        name: str = enum.Name(value)
    except ValueError:
        return "unspecified"
    return name[len(prefix) :].lower()


def _enum_value(enum: Any, prefix: str, name: str) -> int:
    try:
        value: int = enum.Value(prefix + name.upper())
    except ValueError:
        known = [n[len(prefix) :].lower() for n in enum.keys()]
        raise ValueError(
            f"unknown {prefix.rstrip('_').lower()} {name!r}; expected one of {known}"
        ) from None
    return value


def delivery_state(value: int) -> DeliveryState:
    return cast(DeliveryState, _enum_name(pb.DeliveryState, "DELIVERY_STATE_", value))


def delivery_state_value(name: DeliveryState) -> int:
    return _enum_value(pb.DeliveryState, "DELIVERY_STATE_", name)


def update_kind(value: int) -> UpdateKind:
    return cast(UpdateKind, _enum_name(pb.UpdateKind, "UPDATE_KIND_", value))


def api_key_role(value: int) -> ApiKeyRole:
    return cast(ApiKeyRole, _enum_name(pb.ApiKeyRole, "API_KEY_ROLE_", value))


def api_key_role_value(name: ApiKeyRole) -> int:
    return _enum_value(pb.ApiKeyRole, "API_KEY_ROLE_", name)


def signature_scheme(value: int) -> SignatureScheme:
    return cast(SignatureScheme, _enum_name(pb.SignatureScheme, "SIGNATURE_SCHEME_", value))


def signature_scheme_value(name: SignatureScheme) -> int:
    return _enum_value(pb.SignatureScheme, "SIGNATURE_SCHEME_", name)


def time_of(message: Any, field: str) -> datetime | None:
    """The timestamp ``field`` of ``message`` as an aware UTC datetime, ``None`` when unset.

    Computed by hand: ``Timestamp.ToDatetime(tzinfo=...)`` is missing from the
    oldest protobuf releases this SDK supports.
    """
    if not message.HasField(field):
        return None
    stamp: Timestamp = getattr(message, field)
    return _EPOCH + timedelta(seconds=stamp.seconds, microseconds=stamp.nanos // 1000)


def set_time(stamp: Timestamp, value: datetime) -> None:
    """Writes an aware datetime into ``stamp``; a naive one is refused, its zone being unknown."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"timestamps must be timezone-aware, got naive {value!r}")
    since_epoch = value - _EPOCH
    stamp.seconds = since_epoch.days * 86_400 + since_epoch.seconds
    stamp.nanos = since_epoch.microseconds * 1000


def delivery_filter(value: DeliveryFilter | None) -> Any:
    """The proto ``DeliveryFilter`` of ``value`` (an empty filter for ``None``)."""
    message = pb.DeliveryFilter()
    if value is None:
        return message
    if value.start_time is not None:
        set_time(message.start_time, value.start_time)
    if value.end_time is not None:
        set_time(message.end_time, value.end_time)
    message.event_types.extend(value.event_types)
    message.endpoint_id = value.endpoint_id or ""
    message.states.extend(delivery_state_value(state) for state in value.states)
    return message


def strings(values: Iterable[str] | None) -> list[str]:
    """A repeated string field's value; refuses a bare string, which would be split."""
    if isinstance(values, str):
        raise TypeError(f"expected a list of strings, got the string {values!r}")
    return list(values or ())


def string_map(values: Mapping[str, str] | None) -> dict[str, str]:
    """A ``map<string, string>`` field's value (empty for ``None``); refuses what is not a
    mapping, such as a list of pairs."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise TypeError(f"expected a mapping of strings to strings, got {values!r}")
    return dict(values)


def set_retry_schedule(message: Any, value: RetrySchedule) -> None:
    """Sets the ``EndpointRetryPolicy`` field ``message`` (present even when every value is
    the default) from ``value``; refuses what is not a :class:`RetrySchedule`."""
    if not isinstance(value, RetrySchedule):
        raise TypeError(f"expected a webhookd.RetrySchedule, got {value!r}")
    message.SetInParent()
    message.max_attempts = value.max_attempts
    message.ClearField("delays_seconds")
    message.delays_seconds.extend(delay.total_seconds() for delay in value.delays)


def retry_schedule(message: Any, field: str) -> RetrySchedule | None:
    """The ``EndpointRetryPolicy`` field ``field`` of ``message``, ``None`` when unset."""
    if not message.HasField(field):
        return None
    policy = getattr(message, field)
    return RetrySchedule(
        max_attempts=policy.max_attempts,
        delays=tuple(timedelta(seconds=seconds) for seconds in policy.delays_seconds),
    )


def json_text(value: Any) -> str:
    """``value`` as JSON text: a dispatch's ``payload_json``, and what a filter's ``Struct``
    is parsed from. Refuses NaN and the infinities (``ValueError``) and what JSON has no
    form for (``TypeError``)."""
    return json.dumps(value, allow_nan=False)


def set_json_struct(message: Any, value: Mapping[str, Any]) -> None:
    """Sets the ``google.protobuf.Struct`` field ``message`` (present even when empty) from
    the JSON object ``value``, through its :func:`json_text`; refuses what is not a mapping.
    Struct numbers are doubles: integers beyond 2**53 lose their exact value."""
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a mapping (a JSON object), got {value!r}")
    message.SetInParent()
    json_format.Parse(json_text(dict(value)), message)


def json_struct(message: Any, field: str) -> dict[str, Any] | None:
    """The ``google.protobuf.Struct`` field ``field`` of ``message`` as a JSON object (its
    numbers as ``float``), ``None`` when unset."""
    if not message.HasField(field):
        return None
    value: dict[str, Any] = json_format.MessageToDict(getattr(message, field))
    return value


def dispatch_result(message: Any) -> DispatchResult:
    return DispatchResult(
        event_id=message.event_id,
        delivery_ids=list(message.delivery_ids),
        duplicate=message.duplicate,
    )


def replay_result(message: Any) -> ReplayResult:
    return ReplayResult(delivery_ids=list(message.delivery_ids), count=message.count)


def event(message: Any) -> Event:
    return Event(
        id=message.id,
        event_type=message.event_type,
        payload_json=message.payload_json,
        idempotency_key=message.idempotency_key,
        created_at=time_of(message, "created_at"),
        ordering_key=message.ordering_key or None,
    )


def attempt(message: Any) -> Attempt:
    return Attempt(
        number=message.number,
        started_at=time_of(message, "started_at"),
        duration_ms=message.duration_ms,
        http_status=message.http_status,
        error_kind=message.error_kind,
        error_message=message.error_message,
        response_excerpt=message.response_excerpt,
    )


def delivery(message: Any) -> Delivery:
    return Delivery(
        id=message.id,
        event_id=message.event_id,
        endpoint_id=message.endpoint_id,
        event_type=message.event_type,
        state=delivery_state(message.state),
        attempt_count=message.attempt_count,
        next_attempt_at=time_of(message, "next_attempt_at"),
        last_error=message.last_error,
        replay_of=message.replay_of,
        created_at=time_of(message, "created_at"),
        updated_at=time_of(message, "updated_at"),
        attempts=[attempt(a) for a in message.attempts],
        ordering_key=message.ordering_key or None,
        waiting_for_ordering_key=message.waiting_for_ordering_key,
    )


def event_detail(message: Any) -> EventDetail:
    return EventDetail(
        event=event(message.event), deliveries=[delivery(d) for d in message.deliveries]
    )


def event_page(message: Any) -> Page[Event]:
    return Page(items=[event(e) for e in message.events], next_page_token=message.next_page_token)


def delivery_page(message: Any) -> Page[Delivery]:
    return Page(
        items=[delivery(d) for d in message.deliveries], next_page_token=message.next_page_token
    )


def endpoint(message: Any) -> Endpoint:
    return Endpoint(
        id=message.id,
        url=message.url,
        event_types=list(message.event_types),
        active=message.active,
        disabled_reason=message.disabled_reason,
        disabled_at=time_of(message, "disabled_at"),
        origin=message.origin,
        secret_hint=message.secret_hint,
        previous_secret_expires_at=time_of(message, "previous_secret_expires_at"),
        consecutive_failures=message.consecutive_failures,
        created_at=time_of(message, "created_at"),
        updated_at=time_of(message, "updated_at"),
        circuit_state=message.circuit_state,
        signature_scheme=signature_scheme(message.signature_scheme),
        public_key=message.public_key,
        headers=dict(message.headers),
        retry_policy=retry_schedule(message, "retry_policy"),
        filter=json_struct(message, "filter"),
    )


def endpoint_page(message: Any) -> Page[Endpoint]:
    return Page(
        items=[endpoint(e) for e in message.endpoints], next_page_token=message.next_page_token
    )


def rotated_secret(message: Any) -> RotatedSecret:
    return RotatedSecret(endpoint=endpoint(message.endpoint), new_secret=message.new_secret)


def delivery_update(message: Any) -> DeliveryUpdate:
    return DeliveryUpdate(
        delivery_id=message.delivery_id,
        event_id=message.event_id,
        endpoint_id=message.endpoint_id,
        event_type=message.event_type,
        state=delivery_state(message.state),
        attempt=message.attempt,
        http_status=message.http_status,
        error_kind=message.error_kind,
        latency_ms=message.latency_ms,
        next_attempt_at=time_of(message, "next_attempt_at"),
        occurred_at=time_of(message, "occurred_at"),
        kind=update_kind(message.kind),
        sequence=message.sequence,
        missed=message.missed,
        detail=message.detail,
    )


def _latency(message: Any) -> LatencySummary:
    return LatencySummary(
        p50_ms=message.p50_ms, p95_ms=message.p95_ms, p99_ms=message.p99_ms, max_ms=message.max_ms
    )


def _endpoint_status(message: Any) -> EndpointStatus:
    return EndpointStatus(
        endpoint_id=message.endpoint_id,
        active=message.active,
        disabled_reason=message.disabled_reason,
        circuit_state=message.circuit_state,
        consecutive_failures=message.consecutive_failures,
        attempted=message.attempted,
        succeeded=message.succeeded,
        success_rate=message.success_rate,
        latency=_latency(message.latency) if message.HasField("latency") else None,
        pending=message.pending,
        oldest_pending_age_seconds=message.oldest_pending_age_seconds,
        concurrency_limit=message.concurrency_limit,
        concurrency_window=message.concurrency_window,
    )


def metrics(message: Any) -> Metrics:
    return Metrics(
        attempted=message.attempted,
        succeeded=message.succeeded,
        failed=message.failed,
        dead_lettered=message.dead_lettered,
        success_rate=message.success_rate,
        latency_p50_ms=message.latency_p50_ms,
        latency_p95_ms=message.latency_p95_ms,
        latency_p99_ms=message.latency_p99_ms,
        latency_max_ms=message.latency_max_ms,
        failures_by_error_kind=dict(message.failures_by_error_kind),
        failures_by_status_class=dict(message.failures_by_status_class),
        endpoints=[_endpoint_status(e) for e in message.endpoints],
        window_seconds=message.window_seconds,
        retry_budget_slots=message.retry_budget_slots,
        retries_in_flight=message.retries_in_flight,
        retries_deferred=message.retries_deferred,
    )


def _event_type(message: Any) -> EventType:
    return EventType(
        name=message.name,
        description=message.description,
        schema=json_struct(message, "schema"),
    )


def event_catalog(message: Any) -> EventCatalog:
    return EventCatalog(
        event_types=[_event_type(t) for t in message.event_types],
        unknown_types_allowed=message.unknown_types_allowed,
    )


def api_key(message: Any) -> ApiKey:
    return ApiKey(
        name=message.name,
        role=api_key_role(message.role),
        origin=message.origin,
        created_at=time_of(message, "created_at"),
        revoked_at=time_of(message, "revoked_at"),
        fingerprint=message.fingerprint,
    )


def api_keys(message: Any) -> list[ApiKey]:
    return [api_key(k) for k in message.api_keys]


def created_api_key(message: Any) -> CreatedApiKey:
    return CreatedApiKey(api_key=api_key(message.api_key), key=message.key)


def redrive_count(message: Any) -> int:
    count: int = message.count
    return count


def cancelled_deliveries(message: Any) -> int:
    count: int = message.cancelled_deliveries
    return count
