"""One builder per RPC: the request message, whether it may be retried, and how to read the reply.

Shared by :class:`webhookd.Client` and :class:`webhookd.AsyncClient`, which
only differ in how they wait.
"""

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from google.protobuf.field_mask_pb2 import FieldMask

from webhookd import _convert
from webhookd._proto.webhook.v1 import webhook_pb2
from webhookd.models import (
    ApiKey,
    ApiKeyRole,
    CreatedApiKey,
    Delivery,
    DeliveryFilter,
    DeliveryState,
    DispatchResult,
    Endpoint,
    Event,
    EventCatalog,
    EventDetail,
    Metrics,
    Page,
    ReplayResult,
    RetrySchedule,
    RotatedSecret,
    SignatureScheme,
    Unchanged,
)

# Untyped on purpose: messages never leave this module, and the protoc 25
# stubs type enum fields more narrowly than the ints and names they accept.
pb: Any = webhook_pb2

R = TypeVar("R")


@dataclass(frozen=True)
class Call(Generic[R]):
    """One unary call, ready to be sent (and sent again, when ``retryable``)."""

    method: str
    """The attribute of the generated stub."""
    request: Any
    retryable: bool
    """Safe to send twice: the call is idempotent, or a dispatch with an idempotency key."""
    convert: Callable[[Any], R]


def dispatch(
    event_type: str,
    payload: Mapping[str, Any],
    idempotency_key: str | None,
    endpoint_ids: Iterable[str] | None,
    auto_idempotency_key: bool,
    ordering_key: str | None,
) -> Call[DispatchResult]:
    if idempotency_key is None and auto_idempotency_key:
        # A generated key makes the dispatch safe to retry: a retry of a
        # dispatch that did commit returns the same event, marked duplicate.
        idempotency_key = f"sdk-{uuid.uuid4()}"
    request = pb.DispatchRequest(
        event_type=event_type,
        # JSON text rather than a Struct, so that numbers keep their exact value.
        payload_json=_convert.json_text(payload),
        idempotency_key=idempotency_key or "",
        endpoint_ids=_convert.strings(endpoint_ids),
        ordering_key=ordering_key or "",
    )
    # A retry sends this same request: the same idempotency key and ordering key.
    return Call("Dispatch", request, bool(idempotency_key), _convert.dispatch_result)


def replay(event_id: str, endpoint_ids: Iterable[str] | None, dry_run: bool) -> Call[ReplayResult]:
    request = pb.ReplayRequest(
        event_id=event_id, endpoint_ids=_convert.strings(endpoint_ids), dry_run=dry_run
    )
    return Call("Replay", request, False, _convert.replay_result)


def replay_matching(
    filter: DeliveryFilter, max_per_second: float, dry_run: bool
) -> Call[ReplayResult]:
    request = pb.ReplayRequest(
        filter=_convert.delivery_filter(filter), max_per_second=max_per_second, dry_run=dry_run
    )
    return Call("Replay", request, False, _convert.replay_result)


def stream_deliveries_request(
    endpoint_ids: Iterable[str] | None,
    event_types: Iterable[str] | None,
    states: Iterable[DeliveryState] | None,
    since_sequence: int,
    since_time: datetime | None,
) -> Any:
    request = pb.StreamDeliveriesRequest(
        endpoint_ids=_convert.strings(endpoint_ids),
        event_types=_convert.strings(event_types),
        states=[_convert.delivery_state_value(state) for state in states or ()],
        since_sequence=since_sequence,
    )
    if since_time is not None:
        _convert.set_time(request.since_time, since_time)
    return request


def get_metrics(window_seconds: int, endpoint_id: str | None) -> Call[Metrics]:
    request = pb.GetMetricsRequest(window_seconds=window_seconds, endpoint_id=endpoint_id or "")
    return Call("GetMetrics", request, True, _convert.metrics)


def get_event(event_id: str) -> Call[EventDetail]:
    return Call("GetEvent", pb.GetEventRequest(event_id=event_id), True, _convert.event_detail)


def list_events(
    start_time: datetime | None,
    end_time: datetime | None,
    event_types: Iterable[str] | None,
    endpoint_id: str | None,
    page_size: int,
    page_token: str | None,
) -> Call[Page[Event]]:
    request = pb.ListEventsRequest(
        event_types=_convert.strings(event_types),
        endpoint_id=endpoint_id or "",
        page_size=page_size,
        page_token=page_token or "",
    )
    if start_time is not None:
        _convert.set_time(request.start_time, start_time)
    if end_time is not None:
        _convert.set_time(request.end_time, end_time)
    return Call("ListEvents", request, True, _convert.event_page)


def list_deliveries(
    filter: DeliveryFilter | None, page_size: int, page_token: str | None
) -> Call[Page[Delivery]]:
    request = pb.ListDeliveriesRequest(
        filter=_convert.delivery_filter(filter), page_size=page_size, page_token=page_token or ""
    )
    return Call("ListDeliveries", request, True, _convert.delivery_page)


def list_dead_letters(
    filter: DeliveryFilter | None, page_size: int, page_token: str | None
) -> Call[Page[Delivery]]:
    request = pb.ListDeadLettersRequest(
        filter=_convert.delivery_filter(filter), page_size=page_size, page_token=page_token or ""
    )
    return Call("ListDeadLetters", request, True, _convert.delivery_page)


def redrive_dead_letters(
    delivery_ids: Iterable[str] | None, filter: DeliveryFilter | None, dry_run: bool
) -> Call[int]:
    request = pb.RedriveDeadLettersRequest(
        delivery_ids=_convert.strings(delivery_ids),
        filter=_convert.delivery_filter(filter),
        dry_run=dry_run,
    )
    return Call("RedriveDeadLetters", request, False, _convert.redrive_count)


def create_endpoint(
    url: str,
    event_types: Iterable[str],
    id: str | None,
    secret: str | None,
    disabled: bool,
    signature_scheme: SignatureScheme | None,
    headers: Mapping[str, str] | None,
    retry_policy: RetrySchedule | None,
    filter: Mapping[str, Any] | None,
) -> Call[Endpoint]:
    request = pb.CreateEndpointRequest(
        id=id or "",
        url=url,
        event_types=_convert.strings(event_types),
        secret=secret or "",
        disabled=disabled,
        signature_scheme=(
            _convert.signature_scheme_value(signature_scheme) if signature_scheme else 0
        ),
        headers=_convert.string_map(headers),
    )
    if retry_policy is not None:
        _convert.set_retry_schedule(request.retry_policy, retry_policy)
    if filter is not None:
        _convert.set_json_struct(request.filter, filter)
    return Call("CreateEndpoint", request, False, _convert.endpoint)


def get_endpoint(id: str) -> Call[Endpoint]:
    return Call("GetEndpoint", pb.GetEndpointRequest(id=id), True, _convert.endpoint)


def list_endpoints(page_size: int, page_token: str | None) -> Call[Page[Endpoint]]:
    request = pb.ListEndpointsRequest(page_size=page_size, page_token=page_token or "")
    return Call("ListEndpoints", request, True, _convert.endpoint_page)


def update_endpoint(
    id: str,
    url: str | None,
    event_types: Iterable[str] | None,
    headers: Mapping[str, str] | None,
    retry_policy: RetrySchedule | None | Unchanged,
    filter: Mapping[str, Any] | None | Unchanged,
) -> Call[Endpoint]:
    changes = pb.Endpoint(id=id)
    mask = FieldMask()
    if url is not None:
        changes.url = url
        mask.paths.append("url")
    if event_types is not None:
        changes.event_types.extend(_convert.strings(event_types))
        mask.paths.append("event_types")
    if headers is not None:
        # Replaces the whole set: an empty mapping removes every custom header.
        changes.headers.update(_convert.string_map(headers))
        mask.paths.append("headers")
    if retry_policy is not Unchanged.UNCHANGED:
        # None leaves the field unset, which in the mask means: back to the config's policy.
        if retry_policy is not None:
            _convert.set_retry_schedule(changes.retry_policy, retry_policy)
        mask.paths.append("retry_policy")
    if filter is not Unchanged.UNCHANGED:
        # None leaves the field unset, which in the mask means: no filter any more.
        if filter is not None:
            _convert.set_json_struct(changes.filter, filter)
        mask.paths.append("filter")
    if not mask.paths:
        raise ValueError("update_endpoint needs url, event_types, headers, retry_policy or filter")
    request = pb.UpdateEndpointRequest(endpoint=changes, update_mask=mask)
    # Setting fields to given values is idempotent: sending it twice changes nothing more.
    return Call("UpdateEndpoint", request, True, _convert.endpoint)


def delete_endpoint(id: str) -> Call[int]:
    request = pb.DeleteEndpointRequest(id=id)
    return Call("DeleteEndpoint", request, False, _convert.cancelled_deliveries)


def enable_endpoint(id: str) -> Call[Endpoint]:
    return Call("EnableEndpoint", pb.EnableEndpointRequest(id=id), True, _convert.endpoint)


def disable_endpoint(id: str, reason: str | None) -> Call[Endpoint]:
    request = pb.DisableEndpointRequest(id=id, reason=reason or "")
    return Call("DisableEndpoint", request, True, _convert.endpoint)


def rotate_endpoint_secret(id: str, grace_period: timedelta | None) -> Call[RotatedSecret]:
    grace_period_seconds = 0  # the server's default, 24 hours
    if grace_period is not None:
        grace_period_seconds = round(grace_period.total_seconds())
        if grace_period_seconds < 1:
            raise ValueError(f"grace_period must be at least one second, got {grace_period}")
    request = pb.RotateEndpointSecretRequest(id=id, grace_period_seconds=grace_period_seconds)
    return Call("RotateEndpointSecret", request, False, _convert.rotated_secret)


def create_api_key(name: str, role: ApiKeyRole) -> Call[CreatedApiKey]:
    request = pb.CreateApiKeyRequest(name=name, role=_convert.api_key_role_value(role))
    return Call("CreateApiKey", request, False, _convert.created_api_key)


def list_api_keys(include_revoked: bool) -> Call[list[ApiKey]]:
    request = pb.ListApiKeysRequest(include_revoked=include_revoked)
    return Call("ListApiKeys", request, True, _convert.api_keys)


def revoke_api_key(name: str) -> Call[ApiKey]:
    return Call("RevokeApiKey", pb.RevokeApiKeyRequest(name=name), False, _convert.api_key)


def list_event_types() -> Call[EventCatalog]:
    return Call("ListEventTypes", pb.ListEventTypesRequest(), True, _convert.event_catalog)
