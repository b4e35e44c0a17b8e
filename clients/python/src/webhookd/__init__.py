"""webhookd: dispatch events to a webhookd server and verify the webhooks it delivers.

Producers use :class:`Client`; receivers use :func:`verify`. Every generated
message and enum is in ``webhookd.webhook_pb2`` (for calls through
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
    TIMESTAMP_HEADER,
    MalformedHeaderError,
    SignatureMismatchError,
    TimestampOutOfToleranceError,
    WebhookVerificationError,
    sign,
    verify,
)

__all__ = [
    "ID_HEADER",
    "SIGNATURE_HEADER",
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
    "webhook_pb2",
]
