"""webhookd: dispatch events to a webhookd server and verify the webhooks it delivers.

Producers use :class:`Client`; receivers use :func:`verify`, or
:func:`verify_standard` for endpoints on the Standard Webhooks scheme. Every
generated message and enum is in ``webhookd.webhook_pb2`` (for calls through
``Client.stub``); the ones the wrapper uses are also exported here.
"""

from webhookd._proto.webhook.v1 import webhook_pb2
from webhookd._proto.webhook.v1.webhook_pb2 import (
    DeliveryState,
    DeliveryUpdate,
    DispatchResponse,
    UpdateKind,
)
from webhookd.client import Client
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
    "ID_HEADER",
    "SIGNATURE_HEADER",
    "STANDARD_ID_HEADER",
    "STANDARD_SIGNATURE_HEADER",
    "STANDARD_TIMESTAMP_HEADER",
    "TIMESTAMP_HEADER",
    "Client",
    "DeliveryState",
    "DeliveryUpdate",
    "DispatchResponse",
    "MalformedHeaderError",
    "SignatureMismatchError",
    "TimestampOutOfToleranceError",
    "UpdateKind",
    "WebhookVerificationError",
    "sign",
    "verify",
    "verify_standard",
    "webhook_pb2",
]
