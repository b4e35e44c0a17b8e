"""An in-process WebhookService that records what it receives and fails on demand."""

import threading
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc

from webhookd import webhook_pb2 as pb
from webhookd._proto.webhook.v1 import webhook_pb2_grpc


@dataclass
class Received:
    """One call as the server saw it."""

    method: str
    request: Any
    metadata: dict[str, str]
    time_remaining: float | None


@dataclass
class Failure:
    """A status the next call of a method gets instead of its answer."""

    code: grpc.StatusCode
    message: str = "injected failure"
    details: bytes = b""  # a serialized google.rpc.Status, sent as grpc-status-details-bin


@dataclass
class FakeService(webhook_pb2_grpc.WebhookServiceServicer):
    received: list[Received] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    updates: list[Any] = field(default_factory=list)
    """What StreamDeliveries sends, before it holds the stream open until cancelled."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _record(self, method: str, request: Any, context: grpc.ServicerContext) -> None:
        with self.lock:
            self.received.append(
                Received(
                    method,
                    request,
                    {key: str(value) for key, value in context.invocation_metadata()},
                    context.time_remaining(),
                )
            )
            queued = self.failures.get(method) or []
            failure = queued.pop(0) if queued else None
        if failure is not None:
            if failure.details:
                context.set_trailing_metadata((("grpc-status-details-bin", failure.details),))
            context.abort(failure.code, failure.message)

    def calls(self, method: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.method == method]

    def Dispatch(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._record("Dispatch", request, context)
        return pb.DispatchResponse(event_id="evt_1", delivery_ids=["dlv_1"], duplicate=False)

    def GetEvent(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._record("GetEvent", request, context)
        response = pb.GetEventResponse()
        response.event.id = request.event_id
        response.event.created_at.FromSeconds(1_700_000_000)
        delivery = response.deliveries.add(id="dlv_1", state=pb.DELIVERY_STATE_DEAD)
        delivery.attempts.add(number=1, duration_ms=2**40, error_kind="connect")
        if request.event_id == "evt_ordered":
            # Its delivery to a second endpoint waits for the one before it in its key.
            response.event.ordering_key = "customer-42"
            delivery.ordering_key = "customer-42"
            response.deliveries.add(
                id="dlv_2",
                state=pb.DELIVERY_STATE_PENDING,
                ordering_key="customer-42",
                waiting_for_ordering_key=True,
            )
        return response

    def GetMetrics(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._record("GetMetrics", request, context)
        return pb.GetMetricsResponse(
            attempted=2**63 + 5,
            failures_by_error_kind={"timeout": 3},
            endpoints=[
                pb.EndpointStatus(endpoint_id="ep_1", concurrency_limit=10, concurrency_window=5)
            ],
            retry_budget_slots=4,
            retries_in_flight=3,
            retries_deferred=2**63 + 7,
        )

    def ListEventTypes(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._record("ListEventTypes", request, context)
        response = pb.ListEventTypesResponse(unknown_types_allowed=False)
        created = response.event_types.add(name="order.created", description="An order was placed")
        created.schema.update(
            {
                "type": "object",
                "required": ["order_id", "total"],
                "properties": {
                    "order_id": {"type": "string"},
                    "total": {"type": "number", "minimum": 0},
                },
            }
        )
        response.event_types.add(name="order.noted")  # no description, no schema
        return response

    def Replay(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._record("Replay", request, context)
        return pb.ReplayResponse(delivery_ids=["dlv_2"], count=1)

    def CreateApiKey(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._record("CreateApiKey", request, context)
        return pb.CreateApiKeyResponse(
            api_key=pb.ApiKey(name=request.name, role=request.role), key="k"
        )

    def CreateEndpoint(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._record("CreateEndpoint", request, context)
        created = pb.Endpoint(
            id=request.id or "ep_1",
            url=request.url,
            event_types=request.event_types,
            headers={name.lower(): value for name, value in request.headers.items()},
        )
        if request.HasField("retry_policy"):
            created.retry_policy.CopyFrom(request.retry_policy)
        if request.HasField("filter"):
            created.filter.CopyFrom(request.filter)
        return created

    def UpdateEndpoint(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._record("UpdateEndpoint", request, context)
        return request.endpoint

    def RotateEndpointSecret(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._record("RotateEndpointSecret", request, context)
        return pb.RotateEndpointSecretResponse(endpoint=pb.Endpoint(id=request.id), new_secret="s")

    def StreamDeliveries(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        self._record("StreamDeliveries", request, context)
        yield from self.updates
        stopped = threading.Event()
        context.add_callback(stopped.set)
        stopped.wait(30)


class FakeServer:
    """Serves a :class:`FakeService` on a free loopback port."""

    def __init__(self) -> None:
        self.service = FakeService()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        webhook_pb2_grpc.add_WebhookServiceServicer_to_server(self.service, self._server)
        port = self._server.add_insecure_port("127.0.0.1:0")
        self.address = f"127.0.0.1:{port}"
        self._server.start()

    def stop(self) -> None:
        self._server.stop(grace=None)


def status_details(*details: tuple[str, bytes]) -> bytes:
    """A serialized google.rpc.Status carrying ``details`` as (type URL, message bytes)."""
    return b"".join(_field(3, _field(1, url.encode()) + _field(2, value)) for url, value in details)


def error_info(reason: str, domain: str, metadata: dict[str, str]) -> bytes:
    entries = b"".join(
        _field(3, _field(1, k.encode()) + _field(2, v.encode())) for k, v in metadata.items()
    )
    return _field(1, reason.encode()) + _field(2, domain.encode()) + entries


def bad_request(*violations: tuple[str, str]) -> bytes:
    return b"".join(_field(1, _field(1, f.encode()) + _field(2, d.encode())) for f, d in violations)


def _field(number: int, value: bytes) -> bytes:
    """A length-delimited field (wire type 2)."""
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)
