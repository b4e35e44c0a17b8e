"""Producer side: a thin, synchronous wrapper over the generated WebhookService stub."""

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any

import grpc

from webhookd._proto.webhook.v1 import webhook_pb2, webhook_pb2_grpc


class Client:
    """A connection to a webhookd gRPC server.

    Use it as a context manager, or call :meth:`close`. RPC failures raise
    :class:`grpc.RpcError` (``err.code()`` gives the status, for example
    ``grpc.StatusCode.NOT_FOUND`` for an unknown endpoint id).

    Every RPC of the service is available through :attr:`stub`; pass
    ``metadata=client.metadata`` to it when an API key is set.
    """

    def __init__(
        self,
        address: str,
        *,
        tls: bool = False,
        api_key: str | None = None,
        timeout: float | None = 10.0,
    ) -> None:
        """Open a channel to ``address`` ("host:port").

        ``tls`` uses the system root certificates; ``api_key`` is sent as
        ``authorization: Bearer <key>``; ``timeout`` is the deadline, in
        seconds, of each unary call (``None`` for none).
        """
        if tls:
            self._channel = grpc.secure_channel(address, grpc.ssl_channel_credentials())
        else:
            self._channel = grpc.insecure_channel(address)
        self.stub = webhook_pb2_grpc.WebhookServiceStub(self._channel)
        self.metadata: tuple[tuple[str, str], ...] = (
            (("authorization", f"Bearer {api_key}"),) if api_key else ()
        )
        self.timeout = timeout

    def dispatch(
        self,
        event_type: str,
        payload: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
        endpoint_ids: Iterable[str] | None = None,
    ) -> str:
        """Send an event and return its id ("evt_..."), which receivers see as X-Webhook-Id.

        See :meth:`dispatch_result` for the arguments.
        """
        return self.dispatch_result(
            event_type, payload, idempotency_key=idempotency_key, endpoint_ids=endpoint_ids
        ).event_id

    def dispatch_result(
        self,
        event_type: str,
        payload: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
        endpoint_ids: Iterable[str] | None = None,
    ) -> webhook_pb2.DispatchResponse:
        """Send an event and return the whole response (event id, delivery ids, duplicate flag).

        ``payload`` is a JSON object, sent as JSON text so that numbers keep
        their exact value. With ``idempotency_key``, a repeated call returns the
        original event with ``duplicate=True``. With ``endpoint_ids``, only
        these endpoints receive the event, subscribed or not.
        """
        request = webhook_pb2.DispatchRequest(
            event_type=event_type,
            payload_json=json.dumps(payload, allow_nan=False),
            idempotency_key=idempotency_key or "",
            endpoint_ids=list(endpoint_ids or ()),
        )
        response: webhook_pb2.DispatchResponse = self.stub.Dispatch(
            request, timeout=self.timeout, metadata=self.metadata
        )
        return response

    def stream_deliveries(
        self,
        endpoint_ids: Iterable[str] | None = None,
        event_types: Iterable[str] | None = None,
        states: Iterable["webhook_pb2.DeliveryState"] | None = None,
        *,
        since_time: datetime | None = None,
        since_sequence: int = 0,
        timeout: float | None = None,
    ) -> Iterator[webhook_pb2.DeliveryUpdate]:
        """Stream delivery and endpoint updates as they happen.

        The filters are optional (``event_types`` accepts patterns such as
        "order.*"; ``states`` takes ``webhookd.DeliveryState`` values). With
        ``since_time`` (an aware datetime) or ``since_sequence``, stored history
        is replayed first. The stream ends at ``timeout`` seconds (default:
        never), when the client is closed, or on ``.cancel()`` of the returned
        iterator; it raises :class:`grpc.RpcError` on failure.
        """
        request = webhook_pb2.StreamDeliveriesRequest(
            endpoint_ids=list(endpoint_ids or ()),
            event_types=list(event_types or ()),
            states=list(states or ()),
            since_sequence=since_sequence,
        )
        if since_time is not None:
            request.since_time.FromDatetime(since_time)
        updates: Iterator[webhook_pb2.DeliveryUpdate] = self.stub.StreamDeliveries(
            request, timeout=timeout, metadata=self.metadata
        )
        return updates

    def close(self) -> None:
        """Close the channel, cancelling any open stream."""
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
