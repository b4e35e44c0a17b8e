"""The synchronous client: one typed method per RPC of ``webhook.v1.WebhookService``."""

import logging
import random
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar

import grpc

from webhookd import _channel, _convert, _rpc
from webhookd._proto.webhook.v1 import webhook_pb2_grpc
from webhookd._retry import DEFAULT_RETRY, NO_RETRY, RetryPolicy, retry_delay
from webhookd.errors import WebhookdError
from webhookd.models import (
    UNCHANGED,
    ApiKey,
    ApiKeyRole,
    CreatedApiKey,
    Delivery,
    DeliveryFilter,
    DeliveryState,
    DeliveryUpdate,
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

R = TypeVar("R")

DEFAULT_TIMEOUT = 10.0
"""Seconds: the default deadline of each unary call (of each attempt, when retried)."""

log = logging.getLogger("webhookd")


class DeliveryStream:
    """The updates of one :meth:`Client.stream_deliveries` call.

    Iterate it; :meth:`close` (or leaving a ``with`` block) cancels the call,
    after which the iteration ends without an error. A failure of the call
    raises :class:`WebhookdError` from the iteration.
    """

    def __init__(self, call: Any) -> None:
        self._call = call
        self._closed = False

    def __iter__(self) -> "DeliveryStream":
        return self

    def __next__(self) -> DeliveryUpdate:
        try:
            update = next(self._call)
        except grpc.RpcError as failure:
            if self._closed:
                raise StopIteration from None
            raise WebhookdError.from_rpc_error(failure) from failure
        return _convert.delivery_update(update)

    def close(self) -> None:
        """Cancels the call; safe to call more than once."""
        self._closed = True
        self._call.cancel()

    def cancel(self) -> None:
        """Same as :meth:`close` (the name of the gRPC call's method, documented before 0.1)."""
        self.close()

    def __enter__(self) -> "DeliveryStream":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class Client:
    """A synchronous connection to webhookd's gRPC API.

    Use it as a context manager, or call :meth:`close`. Failed calls raise
    :class:`WebhookdError`. Idempotent calls, and dispatches with an
    idempotency key, are retried after ``UNAVAILABLE`` and
    ``DEADLINE_EXCEEDED`` (see :class:`RetryPolicy`). The generated stub is
    :attr:`stub`, for anything the methods do not cover; the API key and the
    default deadlines apply to it too.
    """

    def __init__(
        self,
        address: str,
        *,
        api_key: str | None = None,
        tls: bool | None = None,
        root_certificates: bytes | None = None,
        client_certificate: bytes | None = None,
        client_key: bytes | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        stream_timeout: float | None = None,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        auto_idempotency_key: bool = True,
    ) -> None:
        """Opens a channel to ``address`` ("host:port").

        ``api_key`` is sent as ``authorization: Bearer <key>`` on every call.
        ``tls``: ``None`` uses TLS unless the host is a loopback address
        (127.0.0.0/8, ::1, localhost); ``True``/``False`` force it.
        ``root_certificates`` (PEM) trusts a private CA instead of the system
        roots; ``client_certificate`` and ``client_key`` (PEM) authenticate
        the client (mTLS). ``timeout`` is the deadline of each unary call in
        seconds (``None``: none), ``stream_timeout`` that of streams (default
        none). ``retry=None`` disables retries. With ``auto_idempotency_key``
        :meth:`dispatch` generates an idempotency key when none is given, so
        that it can be retried safely.
        """
        creds = _channel.credentials(
            address, tls, root_certificates, client_certificate, client_key
        )
        defaults = _channel.CallDefaults(_channel.auth_metadata(api_key), timeout, stream_timeout)
        self._channel, intercepted = _channel.sync_channel(address, creds, defaults)
        self.stub = webhook_pb2_grpc.WebhookServiceStub(intercepted)
        """The generated stub; its messages are in ``webhookd.webhook_pb2``."""
        self._retry = retry or NO_RETRY
        self._auto_idempotency_key = auto_idempotency_key
        self._rng = random.Random()

    def _unary(self, call: "_rpc.Call[R]") -> R:
        method = getattr(self.stub, call.method)
        attempt = 1
        while True:
            try:
                return call.convert(method(call.request))
            except grpc.RpcError as failure:
                error = WebhookdError.from_rpc_error(failure)
                delay = retry_delay(self._retry, attempt, error.code, call.retryable, self._rng)
                if delay is None:
                    raise error from failure
            log.debug(
                "webhookd %s failed (%s), retry %d in %.3f s",
                call.method,
                error.code.name,
                attempt,
                delay,
            )
            time.sleep(delay)
            attempt += 1

    def dispatch(
        self,
        event_type: str,
        payload: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
        endpoint_ids: Iterable[str] | None = None,
        ordering_key: str | None = None,
    ) -> DispatchResult:
        """Stores an event and schedules its delivery to every subscribed endpoint.

        ``payload`` is a JSON object, sent as JSON text so that numbers keep
        their exact value. With ``idempotency_key`` (at most 255 bytes in UTF-8)
        a repeated dispatch returns the original event with ``duplicate=True``
        and sends nothing new. ``endpoint_ids`` restricts delivery to these
        endpoints, subscribed or not. With ``ordering_key`` (at most 255 bytes
        in UTF-8) the deliveries of the dispatches that share it go to each
        endpoint one at a time, in dispatch order: each waits until the one
        before it has succeeded or been given up. A retried dispatch sends the
        same keys again. When the event-type catalog (:meth:`list_event_types`)
        gives ``event_type`` a JSON Schema, a payload that does not match it
        fails with ``INVALID_ARGUMENT``, reason ``SCHEMA_VIOLATION``, and a
        field violation per mismatch (``payload/<JSON pointer>``); a type not
        in a catalog that refuses unknown types fails with reason
        ``UNKNOWN_EVENT_TYPE``.
        """
        return self._unary(
            _rpc.dispatch(
                event_type,
                payload,
                idempotency_key,
                endpoint_ids,
                self._auto_idempotency_key,
                ordering_key,
            )
        )

    def replay(
        self, event_id: str, *, endpoint_ids: Iterable[str] | None = None, dry_run: bool = False
    ) -> ReplayResult:
        """Sends a stored event again, as new deliveries with the same event id.

        Without ``endpoint_ids``, to the endpoints of its original deliveries.
        ``dry_run`` counts without creating anything. Not retried.
        """
        return self._unary(_rpc.replay(event_id, endpoint_ids, dry_run))

    def replay_matching(
        self, filter: DeliveryFilter, *, max_per_second: float = 0, dry_run: bool = False
    ) -> ReplayResult:
        """Sends again every delivery that matches ``filter``, each to its endpoint.

        ``max_per_second`` spreads the new deliveries (0: no cap). Not retried.
        """
        return self._unary(_rpc.replay_matching(filter, max_per_second, dry_run))

    def stream_deliveries(
        self,
        *,
        endpoint_ids: Iterable[str] | None = None,
        event_types: Iterable[str] | None = None,
        states: Iterable[DeliveryState] | None = None,
        since_sequence: int = 0,
        since_time: datetime | None = None,
        timeout: float | None = None,
    ) -> DeliveryStream:
        """Streams delivery and endpoint state changes as they happen.

        The filters are optional (``event_types`` takes patterns such as
        "order.*"). With ``since_sequence`` or ``since_time`` stored history
        is replayed first; resume a broken stream with the last ``sequence``
        seen. ``timeout`` (seconds) overrides the client's ``stream_timeout``.
        Streams are not retried.
        """
        request = _rpc.stream_deliveries_request(
            endpoint_ids, event_types, states, since_sequence, since_time
        )
        return DeliveryStream(self.stub.StreamDeliveries(request, timeout=timeout))

    def get_metrics(self, *, window_seconds: int = 0, endpoint_id: str | None = None) -> Metrics:
        """Delivery statistics over the last ``window_seconds`` (0: 300; at most 86400)."""
        return self._unary(_rpc.get_metrics(window_seconds, endpoint_id))

    def get_event(self, event_id: str) -> EventDetail:
        """An event exactly as it was signed, with every delivery and every attempt."""
        return self._unary(_rpc.get_event(event_id))

    def list_events(
        self,
        *,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        event_types: Iterable[str] | None = None,
        endpoint_id: str | None = None,
        page_size: int = 0,
        page_token: str | None = None,
    ) -> Page[Event]:
        """One page of the event log, oldest first (``page_size`` 0: 100; at most 1000)."""
        return self._unary(
            _rpc.list_events(start_time, end_time, event_types, endpoint_id, page_size, page_token)
        )

    def list_deliveries(
        self,
        *,
        filter: DeliveryFilter | None = None,
        page_size: int = 0,
        page_token: str | None = None,
    ) -> Page[Delivery]:
        """One page of deliveries, oldest first."""
        return self._unary(_rpc.list_deliveries(filter, page_size, page_token))

    def list_dead_letters(
        self,
        *,
        filter: DeliveryFilter | None = None,
        page_size: int = 0,
        page_token: str | None = None,
    ) -> Page[Delivery]:
        """One page of dead-lettered deliveries, oldest first (the filter's states are ignored)."""
        return self._unary(_rpc.list_dead_letters(filter, page_size, page_token))

    def redrive_dead_letters(
        self,
        *,
        delivery_ids: Iterable[str] | None = None,
        filter: DeliveryFilter | None = None,
        dry_run: bool = False,
    ) -> int:
        """Gives dead letters a fresh retry cycle: these ``delivery_ids``, or every one
        matching ``filter``. Returns how many were (or would be) moved back. Not retried."""
        return self._unary(_rpc.redrive_dead_letters(delivery_ids, filter, dry_run))

    def create_endpoint(
        self,
        url: str,
        event_types: Iterable[str],
        *,
        id: str | None = None,
        secret: str | None = None,
        disabled: bool = False,
        signature_scheme: SignatureScheme | None = None,
        headers: Mapping[str, str] | None = None,
        retry_policy: RetrySchedule | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> Endpoint:
        """Creates an endpoint that receives the events matching ``event_types``.

        Without ``id`` the server makes one ("ep_..."); without ``secret``
        deliveries are signed with the server's default secret (a Standard
        Webhooks endpoint needs a ``whsec_``/``whsk_`` secret). ``headers``
        (name to value, at most 20) are added to every delivery; the headers
        webhookd sets itself (Content-Type, Host, User-Agent, X-Webhook-*,
        webhook-*, hop-by-hop ones) are refused. ``retry_policy`` gives the
        endpoint a retry schedule of its own (without it, the server config's
        applies). ``filter``, a JSON object of dotted paths to conditions
        (``{"order.total": {"$gte": 100}}``), routes to it only the events
        whose payload matches (without it, every event of its types). Not
        retried.
        """
        return self._unary(
            _rpc.create_endpoint(
                url,
                event_types,
                id,
                secret,
                disabled,
                signature_scheme,
                headers,
                retry_policy,
                filter,
            )
        )

    def get_endpoint(self, id: str) -> Endpoint:
        """One endpoint."""
        return self._unary(_rpc.get_endpoint(id))

    def list_endpoints(
        self, *, page_size: int = 0, page_token: str | None = None
    ) -> Page[Endpoint]:
        """One page of endpoints."""
        return self._unary(_rpc.list_endpoints(page_size, page_token))

    def update_endpoint(
        self,
        id: str,
        *,
        url: str | None = None,
        event_types: Iterable[str] | None = None,
        headers: Mapping[str, str] | None = None,
        retry_policy: RetrySchedule | None | Unchanged = UNCHANGED,
        filter: Mapping[str, Any] | None | Unchanged = UNCHANGED,
    ) -> Endpoint:
        """Changes the given fields of an endpoint (the others stay as they are).

        ``headers`` replaces every custom header of the endpoint; ``{}`` removes them.
        ``retry_policy`` replaces the endpoint's retry schedule; ``None`` removes it, so that
        the server config's applies again (left out, it stays as it is). A new schedule
        applies to the next attempt of every pending delivery. ``filter`` replaces the
        endpoint's payload filter; ``None`` removes it (left out, it stays as it is). A new
        filter applies to the events dispatched after.
        """
        return self._unary(
            _rpc.update_endpoint(id, url, event_types, headers, retry_policy, filter)
        )

    def delete_endpoint(self, id: str) -> int:
        """Deletes an endpoint; returns how many of its pending deliveries were cancelled.
        Not retried."""
        return self._unary(_rpc.delete_endpoint(id))

    def enable_endpoint(self, id: str) -> Endpoint:
        """Re-enables an endpoint, resets its failure count and resumes its paused deliveries."""
        return self._unary(_rpc.enable_endpoint(id))

    def disable_endpoint(self, id: str, *, reason: str | None = None) -> Endpoint:
        """Pauses an endpoint: events are stored but not sent until it is enabled again."""
        return self._unary(_rpc.disable_endpoint(id, reason))

    def rotate_endpoint_secret(
        self, id: str, *, grace_period: timedelta | None = None
    ) -> RotatedSecret:
        """Makes a new signing secret; the previous one stays valid for ``grace_period``
        (whole seconds; default 24 hours). Not retried."""
        return self._unary(_rpc.rotate_endpoint_secret(id, grace_period))

    def create_api_key(self, name: str, role: ApiKeyRole) -> CreatedApiKey:
        """Creates an API key; the first one created must be ``"admin"``. Not retried."""
        return self._unary(_rpc.create_api_key(name, role))

    def list_api_keys(self, *, include_revoked: bool = False) -> list[ApiKey]:
        """The API keys, without the keys themselves."""
        return self._unary(_rpc.list_api_keys(include_revoked))

    def revoke_api_key(self, name: str) -> ApiKey:
        """Revokes an API key (not the last admin key). Not retried."""
        return self._unary(_rpc.revoke_api_key(name))

    def list_event_types(self) -> EventCatalog:
        """The event-type catalog (the server config's ``event_catalog``): the event types
        producers may send, sorted by name, each with its description and the JSON Schema
        that :meth:`dispatch` checks its payloads against, and whether types not in it are
        accepted. Open to every API key role."""
        return self._unary(_rpc.list_event_types())

    def close(self) -> None:
        """Closes the channel, cancelling the calls and streams in progress."""
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
