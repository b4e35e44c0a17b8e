"""The values the clients take and return: plain dataclasses, never generated messages.

Timestamps are timezone-aware UTC ``datetime`` objects (``None`` when absent),
64-bit counts are ``int``, and enums are the lowercase names of the proto
values without their type prefix (``DELIVERY_STATE_SUCCEEDED`` is
``"succeeded"``). Strings the server leaves empty stay ``""``.
"""

import enum
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, Generic, Literal, TypeVar

DeliveryState = Literal[
    "unspecified", "pending", "in_flight", "succeeded", "failed", "dead", "cancelled"
]
"""The lifecycle state of a delivery. Endpoint updates of a stream carry ``"unspecified"``."""

UpdateKind = Literal[
    "unspecified",
    "created",
    "attempt_started",
    "succeeded",
    "retry_scheduled",
    "dead_lettered",
    "failed",
    "paused",
    "replayed",
    "cancelled",
    "circuit_opened",
    "circuit_closed",
    "endpoint_disabled",
    "endpoint_enabled",
    "heartbeat",
    "lagged",
]
"""What a :class:`DeliveryUpdate` reports."""

ApiKeyRole = Literal["unspecified", "dispatch", "read", "admin"]
"""What an API key may do: ``dispatch`` only, ``read`` (streams, metrics, log), or all."""

SignatureScheme = Literal["unspecified", "webhookd", "standard"]
"""How an endpoint's deliveries are signed: X-Webhook-* headers, or Standard Webhooks."""

T = TypeVar("T")


@dataclass(frozen=True)
class DispatchResult:
    """The outcome of :meth:`Client.dispatch`."""

    event_id: str
    """The event id ("evt_..."), sent to receivers as X-Webhook-Id."""
    delivery_ids: list[str]
    """One delivery per endpoint the event was routed to ("dlv_...")."""
    duplicate: bool
    """True when the idempotency key was seen before: the ids are the original event's."""


@dataclass(frozen=True)
class ReplayResult:
    """The outcome of :meth:`Client.replay` and :meth:`Client.replay_matching`."""

    delivery_ids: list[str]
    """The new deliveries (for a bulk replay, the first 1000)."""
    count: int
    """How many deliveries the replay created, or would create with ``dry_run``."""


@dataclass(frozen=True)
class DeliveryFilter:
    """Selects deliveries; every field is optional and set fields must all match."""

    start_time: datetime | None = None
    """Only deliveries of events created at or after this (timezone-aware) time."""
    end_time: datetime | None = None
    """Only deliveries of events created before this time."""
    event_types: list[str] = field(default_factory=list)
    """Only events whose type matches one of these ("order.created", "order.*", "*")."""
    endpoint_id: str | None = None
    """Only deliveries to this endpoint."""
    states: list[DeliveryState] = field(default_factory=list)
    """Only deliveries in one of these states."""


@dataclass(frozen=True)
class Event:
    """An event as stored: never changed after dispatch."""

    id: str
    event_type: str
    payload_json: str
    """The canonical JSON exactly as signed and sent."""
    idempotency_key: str
    """Empty when the dispatch had no idempotency key."""
    created_at: datetime | None
    ordering_key: str | None
    """The dispatch's ordering key; ``None`` when it had none."""

    @property
    def payload(self) -> Any:
        """The payload, parsed from :attr:`payload_json`."""
        return json.loads(self.payload_json)


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt of a delivery."""

    number: int
    """1 for the first attempt of the delivery."""
    started_at: datetime | None
    duration_ms: int
    http_status: int
    """The receiver's status; 0 when no response was received."""
    error_kind: str
    """Empty on success; "timeout", "connect", "dns", "tls", "http_5xx", ..."""
    error_message: str
    response_excerpt: str
    """The first bytes of the response body."""


@dataclass(frozen=True)
class Delivery:
    """One event's delivery to one endpoint."""

    id: str
    event_id: str
    endpoint_id: str
    event_type: str
    state: DeliveryState
    attempt_count: int
    next_attempt_at: datetime | None
    """When the next attempt is due (pending deliveries); ``None`` for a pending delivery
    that waits for the one before it in its ordering key (:attr:`waiting_for_ordering_key`)."""
    last_error: str
    replay_of: str
    """The delivery this one replays; empty for an original delivery."""
    created_at: datetime | None
    updated_at: datetime | None
    attempts: list[Attempt]
    """Filled by :meth:`Client.get_event` only."""
    ordering_key: str | None
    """The ordering key it is delivered under: its event's; ``None`` when the event has none,
    and for a replay, which is not ordered."""
    waiting_for_ordering_key: bool
    """Pending, and waiting until the delivery before it with the same ordering key (to the
    same endpoint) has succeeded or been given up."""


@dataclass(frozen=True)
class EventDetail:
    """An event with every delivery (replays included) and every attempt."""

    event: Event
    deliveries: list[Delivery]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing; pass :attr:`next_page_token` back as ``page_token`` for the next."""

    items: list[T]
    next_page_token: str
    """Empty on the last page."""


class Unchanged(enum.Enum):
    """The type of :data:`UNCHANGED`."""

    UNCHANGED = "UNCHANGED"

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = Unchanged.UNCHANGED
"""The default of the arguments of :meth:`Client.update_endpoint` for which ``None`` has a
meaning of its own (``retry_policy=None`` goes back to the config's policy, ``filter=None``
removes the filter): leaves the field as it is."""


@dataclass(frozen=True)
class RetrySchedule:
    """An endpoint's own retry schedule, in place of the server config's ``retry_policy``
    for its deliveries.

    ``delays`` are the waits before the first, second, ... retry; the last one repeats
    when ``max_attempts`` asks for more. The server checks the ranges (``max_attempts``
    1 to 100, each delay 0 to 24 hours, at most 100 delays) and refuses others with
    ``INVALID_ARGUMENT``; the config's jitter applies to these delays too.
    """

    max_attempts: int = 0
    """Attempts in all, the first included; 0 keeps the config's ``max_attempts``."""
    delays: tuple[timedelta, ...] = ()
    """Empty: the config's exponential backoff. Any iterable of ``timedelta`` is taken
    (and kept as a tuple); sent as fractional seconds."""

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise TypeError(f"max_attempts must be an int, got {self.max_attempts!r}")
        if self.max_attempts < 0:
            raise ValueError(f"max_attempts must not be negative, got {self.max_attempts}")
        if isinstance(self.delays, timedelta):
            raise TypeError(f"delays must be a sequence of timedelta, got {self.delays!r}")
        delays = tuple(self.delays)
        for delay in delays:
            if not isinstance(delay, timedelta):
                raise TypeError(f"delays must be timedelta values, got {delay!r}")
        object.__setattr__(self, "delays", delays)


@dataclass(frozen=True)
class Endpoint:
    """A receiver of webhooks. Its secret is never returned, only :attr:`secret_hint`."""

    id: str
    url: str
    event_types: list[str]
    active: bool
    disabled_reason: str
    disabled_at: datetime | None
    origin: str
    """"config" (from the config file) or "api"."""
    secret_hint: str
    """The last 4 characters of its signing secret."""
    previous_secret_expires_at: datetime | None
    """While a rotated-out secret is still accepted: until when."""
    consecutive_failures: int
    created_at: datetime | None
    updated_at: datetime | None
    circuit_state: str
    """"closed", "open" or "half_open"."""
    signature_scheme: SignatureScheme
    public_key: str
    """For Standard Webhooks endpoints with an ed25519 secret: the whpk_ public key."""
    headers: dict[str, str]
    """Static headers added to every delivery, by lower-case name; empty when none. Values of
    credential headers (authorization, proxy-authorization, cookie, x-api-key, api-key) read
    back as "***"."""
    retry_policy: RetrySchedule | None
    """Its own retry schedule; ``None``: the server config's ``retry_policy``."""
    filter: dict[str, Any] | None
    """Its payload filter, a JSON object of dotted paths to conditions (numbers read back as
    ``float``, Struct numbers being doubles); ``None``: every event of its types."""


@dataclass(frozen=True)
class RotatedSecret:
    """The outcome of :meth:`Client.rotate_endpoint_secret`."""

    endpoint: Endpoint
    new_secret: str
    """The new secret: the only response that ever contains one, store it now."""


@dataclass(frozen=True)
class DeliveryUpdate:
    """A delivery or endpoint state change, as streamed by :meth:`Client.stream_deliveries`."""

    delivery_id: str
    event_id: str
    endpoint_id: str
    event_type: str
    state: DeliveryState
    """The state the delivery is in after this update."""
    attempt: int
    """The 1-based number of the attempt this update reports, 0 if none."""
    http_status: int
    error_kind: str
    latency_ms: int
    next_attempt_at: datetime | None
    occurred_at: datetime | None
    kind: UpdateKind
    sequence: int
    """Increases with every update of one webhookd instance: resume with ``since_sequence``."""
    missed: int
    """With kind ``"lagged"``: how many updates this stream missed."""
    detail: str


@dataclass(frozen=True)
class LatencySummary:
    """Attempt latency percentiles, in milliseconds."""

    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


@dataclass(frozen=True)
class EndpointStatus:
    """One endpoint's health and delivery statistics in a :class:`Metrics` window."""

    endpoint_id: str
    active: bool
    disabled_reason: str
    circuit_state: str
    consecutive_failures: int
    attempted: int
    succeeded: int
    success_rate: float
    latency: LatencySummary | None
    pending: int
    """Deliveries waiting for an attempt."""
    oldest_pending_age_seconds: float
    concurrency_limit: int
    """Requests it may have in flight at once: its ``max_concurrent`` or the config's
    ``max_concurrent_per_endpoint``."""
    concurrency_window: int
    """The adaptive window within that limit on the answering instance (1 to
    :attr:`concurrency_limit`): halved on 429, 503, timeouts and slow answers, grown back by
    one per window of successes; 0 on an instance that delivers nothing."""


@dataclass(frozen=True)
class Metrics:
    """Delivery statistics over a time window, from :meth:`Client.get_metrics`."""

    attempted: int
    succeeded: int
    failed: int
    dead_lettered: int
    success_rate: float
    """succeeded / attempted, in [0, 1]; 0 when nothing was attempted."""
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    latency_max_ms: float
    failures_by_error_kind: dict[str, int]
    failures_by_status_class: dict[str, int]
    """Failed attempts by HTTP status class ("4xx", "5xx", "none")."""
    endpoints: list[EndpointStatus]
    window_seconds: int
    retry_budget_slots: int
    """The retry budget of the answering instance (``webhook_engine.retry_budget``): how many
    attempts at once may be retries; 0 on an instance that delivers nothing."""
    retries_in_flight: int
    """Attempts in flight now that are retries."""
    retries_deferred: int
    """Retries that waited for the budget in the window."""


@dataclass(frozen=True)
class EventType:
    """An event type of the catalog (the server config's ``event_catalog``)."""

    name: str
    """An exact event type, such as "order.created"."""
    description: str
    """Empty when the catalog gives none."""
    schema: dict[str, Any] | None
    """The JSON Schema every dispatched payload of this type must match (``dispatch`` fails
    otherwise with ``INVALID_ARGUMENT``, reason ``SCHEMA_VIOLATION``), as a JSON object (its
    numbers as ``float``, Struct numbers being doubles); ``None``: any JSON object."""


@dataclass(frozen=True)
class EventCatalog:
    """The event-type catalog, from :meth:`Client.list_event_types`."""

    event_types: list[EventType]
    """Sorted by name; empty when the server has no catalog."""
    unknown_types_allowed: bool
    """Whether ``dispatch`` accepts event types that are not in the catalog
    (``event_catalog.unknown_types``); when ``False`` they fail with ``INVALID_ARGUMENT``,
    reason ``UNKNOWN_EVENT_TYPE``."""


@dataclass(frozen=True)
class ApiKey:
    """An API key, without the key itself."""

    name: str
    role: ApiKeyRole
    origin: str
    """"config" (from the config file, read-only over the API) or "api"."""
    created_at: datetime | None
    revoked_at: datetime | None
    """Set once the key is revoked."""
    fingerprint: str
    """The first 8 hex characters of the key's SHA-256, to tell keys apart."""


@dataclass(frozen=True)
class CreatedApiKey:
    """The outcome of :meth:`Client.create_api_key`."""

    api_key: ApiKey
    key: str
    """The key, shown only this once: send it as ``api_key=`` to a client."""
