"""webhookd: call a webhookd server, and verify the webhooks it delivers.

Producers and operators use :class:`Client` (or :class:`AsyncClient` under
asyncio): one typed method per RPC, returning the dataclasses of
:mod:`webhookd.models`, raising :class:`WebhookdError`. Receivers use
:func:`verify`, or :func:`verify_standard` for endpoints on the Standard
Webhooks scheme. The generated messages are in ``webhookd.webhook_pb2``, for
calls through ``Client.stub``.
"""

from webhookd._proto.webhook.v1 import webhook_pb2
from webhookd._retry import RETRYABLE_CODES, RetryPolicy
from webhookd._version import __version__
from webhookd.aio import AsyncClient, AsyncDeliveryStream
from webhookd.client import DEFAULT_TIMEOUT, Client, DeliveryStream
from webhookd.errors import FieldViolation, WebhookdError
from webhookd.models import (
    UNCHANGED,
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
from webhookd.verify import (
    ID_HEADER,
    SIGNATURE_HEADER,
    STANDARD_ID_HEADER,
    STANDARD_SIGNATURE_HEADER,
    STANDARD_TIMESTAMP_HEADER,
    TIMESTAMP_HEADER,
    MalformedHeaderError,
    SignatureMismatchError,
    TimestampOutOfToleranceError,
    WebhookVerificationError,
    sign,
    verify,
    verify_standard,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "ID_HEADER",
    "RETRYABLE_CODES",
    "SIGNATURE_HEADER",
    "STANDARD_ID_HEADER",
    "STANDARD_SIGNATURE_HEADER",
    "STANDARD_TIMESTAMP_HEADER",
    "TIMESTAMP_HEADER",
    "UNCHANGED",
    "ApiKey",
    "ApiKeyRole",
    "AsyncClient",
    "AsyncDeliveryStream",
    "Attempt",
    "Client",
    "CreatedApiKey",
    "Delivery",
    "DeliveryFilter",
    "DeliveryState",
    "DeliveryStream",
    "DeliveryUpdate",
    "DispatchResult",
    "Endpoint",
    "EndpointStatus",
    "Event",
    "EventCatalog",
    "EventDetail",
    "EventType",
    "FieldViolation",
    "LatencySummary",
    "MalformedHeaderError",
    "Metrics",
    "Page",
    "ReplayResult",
    "RetryPolicy",
    "RetrySchedule",
    "RotatedSecret",
    "SignatureMismatchError",
    "SignatureScheme",
    "TimestampOutOfToleranceError",
    "UpdateKind",
    "WebhookVerificationError",
    "WebhookdError",
    "__version__",
    "sign",
    "verify",
    "verify_standard",
    "webhook_pb2",
]
