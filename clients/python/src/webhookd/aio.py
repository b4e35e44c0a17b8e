"""The asyncio client: the methods of :class:`webhookd.Client`, as coroutines (grpc.aio)."""

import asyncio
import random
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar

import grpc
import grpc.aio

from webhookd import _channel, _convert, _rpc
from webhookd._proto.webhook.v1 import webhook_pb2_grpc
from webhookd._retry import DEFAULT_RETRY, NO_RETRY, RetryPolicy, retry_delay
from webhookd.client import DEFAULT_TIMEOUT, log
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


class AsyncDeliveryStream:
    """The updates of one :meth:`AsyncClient.stream_deliveries` call.

    Iterate it with ``async for``; :meth:`close` (or leaving an ``async with``
    block) cancels the call, after which the iteration ends without an error.
    A failure of the call raises :class:`WebhookdError` from the iteration.
    """

    def __init__(self, call: Any) -> None:
        self._call = call
        self._updates = call.__aiter__()
        self._closed = False

    def __aiter__(self) -> "AsyncDeliveryStream":
        return self

    async def __anext__(self) -> DeliveryUpdate:
        try:
            update = await self._updates.__anext__()
        except grpc.RpcError as failure:
            if self._closed:
                raise StopAsyncIteration from None
            raise WebhookdError.from_rpc_error(failure) from failure
        except asyncio.CancelledError:
            # grpc.aio reports a call cancelled by close() this way; any
            # other cancellation is the caller's and must propagate.
            if self._closed:
                raise StopAsyncIteration from None
            raise
        return _convert.delivery_update(update)

    def close(self) -> None:
        """Cancels the call; safe to call more than once."""
        self._closed = True
        self._call.cancel()

    def cancel(self) -> None:
        """Same as :meth:`close`."""
        self.close()

    async def __aenter__(self) -> "AsyncDeliveryStream":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient:
    """An asyncio connection to webhookd's gRPC API, with the methods of :class:`Client`.

    Create it inside the event loop that uses it, and use it with
    ``async with`` or ``await client.close()``. The options, errors, retries
    and deadlines are those of :class:`Client`; :attr:`stub` is the generated
    stub on the same channel.
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
        creds = _channel.credentials(
            address, tls, root_certificates, client_certificate, client_key
        )
        self._channel = _channel.async_channel(
            address, creds, _channel.auth_metadata(api_key), timeout, stream_timeout
        )
        self.stub = webhook_pb2_grpc.WebhookServiceStub(self._channel)
        """The generated stub; its messages are in ``webhookd.webhook_pb2``."""
        self._retry = retry or NO_RETRY
        self._auto_idempotency_key = auto_idempotency_key
        self._rng = random.Random()

    async def _unary(self, call: "_rpc.Call[R]") -> R:
        method = getattr(self.stub, call.method)
        attempt = 1
        while True:
            try:
                return call.convert(await method(call.request))
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
            await asyncio.sleep(delay)
            attempt += 1

    async def dispatch(
        self,
        event_type: str,
        payload: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
        endpoint_ids: Iterable[str] | None = None,
        ordering_key: str | None = None,
    ) -> DispatchResult:
        """See :meth:`Client.dispatch`."""
        return await self._unary(
            _rpc.dispatch(
                event_type,
                payload,
                idempotency_key,
                endpoint_ids,
                self._auto_idempotency_key,
                ordering_key,
            )
        )

    async def replay(
        self, event_id: str, *, endpoint_ids: Iterable[str] | None = None, dry_run: bool = False
    ) -> ReplayResult:
        """See :meth:`Client.replay`."""
        return await self._unary(_rpc.replay(event_id, endpoint_ids, dry_run))

    async def replay_matching(
        self, filter: DeliveryFilter, *, max_per_second: float = 0, dry_run: bool = False
    ) -> ReplayResult:
        """See :meth:`Client.replay_matching`."""
        return await self._unary(_rpc.replay_matching(filter, max_per_second, dry_run))

    def stream_deliveries(
        self,
        *,
        endpoint_ids: Iterable[str] | None = None,
        event_types: Iterable[str] | None = None,
        states: Iterable[DeliveryState] | None = None,
        since_sequence: int = 0,
        since_time: datetime | None = None,
        timeout: float | None = None,
    ) -> AsyncDeliveryStream:
        """See :meth:`Client.stream_deliveries`; iterate the result with ``async for``."""
        request = _rpc.stream_deliveries_request(
            endpoint_ids, event_types, states, since_sequence, since_time
        )
        return AsyncDeliveryStream(self.stub.StreamDeliveries(request, timeout=timeout))

    async def get_metrics(
        self, *, window_seconds: int = 0, endpoint_id: str | None = None
    ) -> Metrics:
        """See :meth:`Client.get_metrics`."""
        return await self._unary(_rpc.get_metrics(window_seconds, endpoint_id))

    async def get_event(self, event_id: str) -> EventDetail:
        """See :meth:`Client.get_event`."""
        return await self._unary(_rpc.get_event(event_id))

    async def list_events(
        self,
        *,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        event_types: Iterable[str] | None = None,
        endpoint_id: str | None = None,
        page_size: int = 0,
        page_token: str | None = None,
    ) -> Page[Event]:
        """See :meth:`Client.list_events`."""
        return await self._unary(
            _rpc.list_events(start_time, end_time, event_types, endpoint_id, page_size, page_token)
        )

    async def list_deliveries(
        self,
        *,
        filter: DeliveryFilter | None = None,
        page_size: int = 0,
        page_token: str | None = None,
    ) -> Page[Delivery]:
        """See :meth:`Client.list_deliveries`."""
        return await self._unary(_rpc.list_deliveries(filter, page_size, page_token))

    async def list_dead_letters(
        self,
        *,
        filter: DeliveryFilter | None = None,
        page_size: int = 0,
        page_token: str | None = None,
    ) -> Page[Delivery]:
        """See :meth:`Client.list_dead_letters`."""
        return await self._unary(_rpc.list_dead_letters(filter, page_size, page_token))

    async def redrive_dead_letters(
        self,
        *,
        delivery_ids: Iterable[str] | None = None,
        filter: DeliveryFilter | None = None,
        dry_run: bool = False,
    ) -> int:
        """See :meth:`Client.redrive_dead_letters`."""
        return await self._unary(_rpc.redrive_dead_letters(delivery_ids, filter, dry_run))

    async def create_endpoint(
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
        """See :meth:`Client.create_endpoint`."""
        return await self._unary(
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

    async def get_endpoint(self, id: str) -> Endpoint:
        """See :meth:`Client.get_endpoint`."""
        return await self._unary(_rpc.get_endpoint(id))

    async def list_endpoints(
        self, *, page_size: int = 0, page_token: str | None = None
    ) -> Page[Endpoint]:
        """See :meth:`Client.list_endpoints`."""
        return await self._unary(_rpc.list_endpoints(page_size, page_token))

    async def update_endpoint(
        self,
        id: str,
        *,
        url: str | None = None,
        event_types: Iterable[str] | None = None,
        headers: Mapping[str, str] | None = None,
        retry_policy: RetrySchedule | None | Unchanged = UNCHANGED,
        filter: Mapping[str, Any] | None | Unchanged = UNCHANGED,
    ) -> Endpoint:
        """See :meth:`Client.update_endpoint`."""
        return await self._unary(
            _rpc.update_endpoint(id, url, event_types, headers, retry_policy, filter)
        )

    async def delete_endpoint(self, id: str) -> int:
        """See :meth:`Client.delete_endpoint`."""
        return await self._unary(_rpc.delete_endpoint(id))

    async def enable_endpoint(self, id: str) -> Endpoint:
        """See :meth:`Client.enable_endpoint`."""
        return await self._unary(_rpc.enable_endpoint(id))

    async def disable_endpoint(self, id: str, *, reason: str | None = None) -> Endpoint:
        """See :meth:`Client.disable_endpoint`."""
        return await self._unary(_rpc.disable_endpoint(id, reason))

    async def rotate_endpoint_secret(
        self, id: str, *, grace_period: timedelta | None = None
    ) -> RotatedSecret:
        """See :meth:`Client.rotate_endpoint_secret`."""
        return await self._unary(_rpc.rotate_endpoint_secret(id, grace_period))

    async def create_api_key(self, name: str, role: ApiKeyRole) -> CreatedApiKey:
        """See :meth:`Client.create_api_key`."""
        return await self._unary(_rpc.create_api_key(name, role))

    async def list_api_keys(self, *, include_revoked: bool = False) -> list[ApiKey]:
        """See :meth:`Client.list_api_keys`."""
        return await self._unary(_rpc.list_api_keys(include_revoked))

    async def revoke_api_key(self, name: str) -> ApiKey:
        """See :meth:`Client.revoke_api_key`."""
        return await self._unary(_rpc.revoke_api_key(name))

    async def list_event_types(self) -> EventCatalog:
        """See :meth:`Client.list_event_types`."""
        return await self._unary(_rpc.list_event_types())

    async def close(self) -> None:
        """Closes the channel, cancelling the calls and streams in progress."""
        await self._channel.close()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
