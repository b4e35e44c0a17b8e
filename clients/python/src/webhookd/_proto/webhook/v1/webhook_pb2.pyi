from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DeliveryState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELIVERY_STATE_UNSPECIFIED: _ClassVar[DeliveryState]
    DELIVERY_STATE_PENDING: _ClassVar[DeliveryState]
    DELIVERY_STATE_IN_FLIGHT: _ClassVar[DeliveryState]
    DELIVERY_STATE_SUCCEEDED: _ClassVar[DeliveryState]
    DELIVERY_STATE_FAILED: _ClassVar[DeliveryState]
    DELIVERY_STATE_DEAD: _ClassVar[DeliveryState]
    DELIVERY_STATE_CANCELLED: _ClassVar[DeliveryState]

class SignatureScheme(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIGNATURE_SCHEME_UNSPECIFIED: _ClassVar[SignatureScheme]
    SIGNATURE_SCHEME_WEBHOOKD: _ClassVar[SignatureScheme]
    SIGNATURE_SCHEME_STANDARD: _ClassVar[SignatureScheme]

class UpdateKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UPDATE_KIND_UNSPECIFIED: _ClassVar[UpdateKind]
    UPDATE_KIND_CREATED: _ClassVar[UpdateKind]
    UPDATE_KIND_ATTEMPT_STARTED: _ClassVar[UpdateKind]
    UPDATE_KIND_SUCCEEDED: _ClassVar[UpdateKind]
    UPDATE_KIND_RETRY_SCHEDULED: _ClassVar[UpdateKind]
    UPDATE_KIND_DEAD_LETTERED: _ClassVar[UpdateKind]
    UPDATE_KIND_FAILED: _ClassVar[UpdateKind]
    UPDATE_KIND_PAUSED: _ClassVar[UpdateKind]
    UPDATE_KIND_REPLAYED: _ClassVar[UpdateKind]
    UPDATE_KIND_CANCELLED: _ClassVar[UpdateKind]
    UPDATE_KIND_CIRCUIT_OPENED: _ClassVar[UpdateKind]
    UPDATE_KIND_CIRCUIT_CLOSED: _ClassVar[UpdateKind]
    UPDATE_KIND_ENDPOINT_DISABLED: _ClassVar[UpdateKind]
    UPDATE_KIND_ENDPOINT_ENABLED: _ClassVar[UpdateKind]
    UPDATE_KIND_HEARTBEAT: _ClassVar[UpdateKind]
    UPDATE_KIND_LAGGED: _ClassVar[UpdateKind]

class ApiKeyRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    API_KEY_ROLE_UNSPECIFIED: _ClassVar[ApiKeyRole]
    API_KEY_ROLE_DISPATCH: _ClassVar[ApiKeyRole]
    API_KEY_ROLE_READ: _ClassVar[ApiKeyRole]
    API_KEY_ROLE_ADMIN: _ClassVar[ApiKeyRole]
DELIVERY_STATE_UNSPECIFIED: DeliveryState
DELIVERY_STATE_PENDING: DeliveryState
DELIVERY_STATE_IN_FLIGHT: DeliveryState
DELIVERY_STATE_SUCCEEDED: DeliveryState
DELIVERY_STATE_FAILED: DeliveryState
DELIVERY_STATE_DEAD: DeliveryState
DELIVERY_STATE_CANCELLED: DeliveryState
SIGNATURE_SCHEME_UNSPECIFIED: SignatureScheme
SIGNATURE_SCHEME_WEBHOOKD: SignatureScheme
SIGNATURE_SCHEME_STANDARD: SignatureScheme
UPDATE_KIND_UNSPECIFIED: UpdateKind
UPDATE_KIND_CREATED: UpdateKind
UPDATE_KIND_ATTEMPT_STARTED: UpdateKind
UPDATE_KIND_SUCCEEDED: UpdateKind
UPDATE_KIND_RETRY_SCHEDULED: UpdateKind
UPDATE_KIND_DEAD_LETTERED: UpdateKind
UPDATE_KIND_FAILED: UpdateKind
UPDATE_KIND_PAUSED: UpdateKind
UPDATE_KIND_REPLAYED: UpdateKind
UPDATE_KIND_CANCELLED: UpdateKind
UPDATE_KIND_CIRCUIT_OPENED: UpdateKind
UPDATE_KIND_CIRCUIT_CLOSED: UpdateKind
UPDATE_KIND_ENDPOINT_DISABLED: UpdateKind
UPDATE_KIND_ENDPOINT_ENABLED: UpdateKind
UPDATE_KIND_HEARTBEAT: UpdateKind
UPDATE_KIND_LAGGED: UpdateKind
API_KEY_ROLE_UNSPECIFIED: ApiKeyRole
API_KEY_ROLE_DISPATCH: ApiKeyRole
API_KEY_ROLE_READ: ApiKeyRole
API_KEY_ROLE_ADMIN: ApiKeyRole

class DispatchRequest(_message.Message):
    __slots__ = ("event_type", "payload", "payload_json", "idempotency_key", "endpoint_ids", "ordering_key")
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_JSON_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_IDS_FIELD_NUMBER: _ClassVar[int]
    ORDERING_KEY_FIELD_NUMBER: _ClassVar[int]
    event_type: str
    payload: _struct_pb2.Struct
    payload_json: str
    idempotency_key: str
    endpoint_ids: _containers.RepeatedScalarFieldContainer[str]
    ordering_key: str
    def __init__(self, event_type: _Optional[str] = ..., payload: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., payload_json: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., endpoint_ids: _Optional[_Iterable[str]] = ..., ordering_key: _Optional[str] = ...) -> None: ...

class DispatchResponse(_message.Message):
    __slots__ = ("event_id", "delivery_ids", "duplicate")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_IDS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    delivery_ids: _containers.RepeatedScalarFieldContainer[str]
    duplicate: bool
    def __init__(self, event_id: _Optional[str] = ..., delivery_ids: _Optional[_Iterable[str]] = ..., duplicate: bool = ...) -> None: ...

class DeliveryFilter(_message.Message):
    __slots__ = ("start_time", "end_time", "event_types", "endpoint_id", "states")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    event_types: _containers.RepeatedScalarFieldContainer[str]
    endpoint_id: str
    states: _containers.RepeatedScalarFieldContainer[DeliveryState]
    def __init__(self, start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., event_types: _Optional[_Iterable[str]] = ..., endpoint_id: _Optional[str] = ..., states: _Optional[_Iterable[_Union[DeliveryState, str]]] = ...) -> None: ...

class ReplayRequest(_message.Message):
    __slots__ = ("event_id", "endpoint_ids", "filter", "dry_run", "max_per_second")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_IDS_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    MAX_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    endpoint_ids: _containers.RepeatedScalarFieldContainer[str]
    filter: DeliveryFilter
    dry_run: bool
    max_per_second: float
    def __init__(self, event_id: _Optional[str] = ..., endpoint_ids: _Optional[_Iterable[str]] = ..., filter: _Optional[_Union[DeliveryFilter, _Mapping]] = ..., dry_run: bool = ..., max_per_second: _Optional[float] = ...) -> None: ...

class ReplayResponse(_message.Message):
    __slots__ = ("delivery_ids", "count")
    DELIVERY_IDS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    delivery_ids: _containers.RepeatedScalarFieldContainer[str]
    count: int
    def __init__(self, delivery_ids: _Optional[_Iterable[str]] = ..., count: _Optional[int] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("id", "event_type", "payload_json", "idempotency_key", "created_at", "ordering_key")
    ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_JSON_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    ORDERING_KEY_FIELD_NUMBER: _ClassVar[int]
    id: str
    event_type: str
    payload_json: str
    idempotency_key: str
    created_at: _timestamp_pb2.Timestamp
    ordering_key: str
    def __init__(self, id: _Optional[str] = ..., event_type: _Optional[str] = ..., payload_json: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., ordering_key: _Optional[str] = ...) -> None: ...

class Attempt(_message.Message):
    __slots__ = ("number", "started_at", "duration_ms", "http_status", "error_kind", "error_message", "response_excerpt")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    HTTP_STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_KIND_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_EXCERPT_FIELD_NUMBER: _ClassVar[int]
    number: int
    started_at: _timestamp_pb2.Timestamp
    duration_ms: int
    http_status: int
    error_kind: str
    error_message: str
    response_excerpt: str
    def __init__(self, number: _Optional[int] = ..., started_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., duration_ms: _Optional[int] = ..., http_status: _Optional[int] = ..., error_kind: _Optional[str] = ..., error_message: _Optional[str] = ..., response_excerpt: _Optional[str] = ...) -> None: ...

class Delivery(_message.Message):
    __slots__ = ("id", "event_id", "endpoint_id", "state", "attempt_count", "next_attempt_at", "last_error", "replay_of", "created_at", "updated_at", "attempts", "event_type", "ordering_key", "waiting_for_ordering_key")
    ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    REPLAY_OF_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    ORDERING_KEY_FIELD_NUMBER: _ClassVar[int]
    WAITING_FOR_ORDERING_KEY_FIELD_NUMBER: _ClassVar[int]
    id: str
    event_id: str
    endpoint_id: str
    state: DeliveryState
    attempt_count: int
    next_attempt_at: _timestamp_pb2.Timestamp
    last_error: str
    replay_of: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    attempts: _containers.RepeatedCompositeFieldContainer[Attempt]
    event_type: str
    ordering_key: str
    waiting_for_ordering_key: bool
    def __init__(self, id: _Optional[str] = ..., event_id: _Optional[str] = ..., endpoint_id: _Optional[str] = ..., state: _Optional[_Union[DeliveryState, str]] = ..., attempt_count: _Optional[int] = ..., next_attempt_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_error: _Optional[str] = ..., replay_of: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., attempts: _Optional[_Iterable[_Union[Attempt, _Mapping]]] = ..., event_type: _Optional[str] = ..., ordering_key: _Optional[str] = ..., waiting_for_ordering_key: bool = ...) -> None: ...

class GetEventRequest(_message.Message):
    __slots__ = ("event_id",)
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    def __init__(self, event_id: _Optional[str] = ...) -> None: ...

class GetEventResponse(_message.Message):
    __slots__ = ("event", "deliveries")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    event: Event
    deliveries: _containers.RepeatedCompositeFieldContainer[Delivery]
    def __init__(self, event: _Optional[_Union[Event, _Mapping]] = ..., deliveries: _Optional[_Iterable[_Union[Delivery, _Mapping]]] = ...) -> None: ...

class ListEventsRequest(_message.Message):
    __slots__ = ("start_time", "end_time", "event_types", "endpoint_id", "page_size", "page_token")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    event_types: _containers.RepeatedScalarFieldContainer[str]
    endpoint_id: str
    page_size: int
    page_token: str
    def __init__(self, start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., event_types: _Optional[_Iterable[str]] = ..., endpoint_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListEventsResponse(_message.Message):
    __slots__ = ("events", "next_page_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    next_page_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListDeliveriesRequest(_message.Message):
    __slots__ = ("filter", "page_size", "page_token")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    filter: DeliveryFilter
    page_size: int
    page_token: str
    def __init__(self, filter: _Optional[_Union[DeliveryFilter, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDeliveriesResponse(_message.Message):
    __slots__ = ("deliveries", "next_page_token")
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    deliveries: _containers.RepeatedCompositeFieldContainer[Delivery]
    next_page_token: str
    def __init__(self, deliveries: _Optional[_Iterable[_Union[Delivery, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListDeadLettersRequest(_message.Message):
    __slots__ = ("filter", "page_size", "page_token")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    filter: DeliveryFilter
    page_size: int
    page_token: str
    def __init__(self, filter: _Optional[_Union[DeliveryFilter, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class RedriveDeadLettersRequest(_message.Message):
    __slots__ = ("delivery_ids", "filter", "dry_run")
    DELIVERY_IDS_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    delivery_ids: _containers.RepeatedScalarFieldContainer[str]
    filter: DeliveryFilter
    dry_run: bool
    def __init__(self, delivery_ids: _Optional[_Iterable[str]] = ..., filter: _Optional[_Union[DeliveryFilter, _Mapping]] = ..., dry_run: bool = ...) -> None: ...

class RedriveDeadLettersResponse(_message.Message):
    __slots__ = ("count",)
    COUNT_FIELD_NUMBER: _ClassVar[int]
    count: int
    def __init__(self, count: _Optional[int] = ...) -> None: ...

class Endpoint(_message.Message):
    __slots__ = ("id", "url", "event_types", "active", "disabled_reason", "disabled_at", "origin", "secret_hint", "previous_secret_expires_at", "consecutive_failures", "created_at", "updated_at", "circuit_state", "signature_scheme", "public_key", "headers", "retry_policy", "filter")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    DISABLED_REASON_FIELD_NUMBER: _ClassVar[int]
    DISABLED_AT_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    SECRET_HINT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_SECRET_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    CONSECUTIVE_FAILURES_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CIRCUIT_STATE_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_SCHEME_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    RETRY_POLICY_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    id: str
    url: str
    event_types: _containers.RepeatedScalarFieldContainer[str]
    active: bool
    disabled_reason: str
    disabled_at: _timestamp_pb2.Timestamp
    origin: str
    secret_hint: str
    previous_secret_expires_at: _timestamp_pb2.Timestamp
    consecutive_failures: int
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    circuit_state: str
    signature_scheme: SignatureScheme
    public_key: str
    headers: _containers.ScalarMap[str, str]
    retry_policy: EndpointRetryPolicy
    filter: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., url: _Optional[str] = ..., event_types: _Optional[_Iterable[str]] = ..., active: bool = ..., disabled_reason: _Optional[str] = ..., disabled_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., origin: _Optional[str] = ..., secret_hint: _Optional[str] = ..., previous_secret_expires_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., consecutive_failures: _Optional[int] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., circuit_state: _Optional[str] = ..., signature_scheme: _Optional[_Union[SignatureScheme, str]] = ..., public_key: _Optional[str] = ..., headers: _Optional[_Mapping[str, str]] = ..., retry_policy: _Optional[_Union[EndpointRetryPolicy, _Mapping]] = ..., filter: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class EndpointRetryPolicy(_message.Message):
    __slots__ = ("max_attempts", "delays_seconds")
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    DELAYS_SECONDS_FIELD_NUMBER: _ClassVar[int]
    max_attempts: int
    delays_seconds: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, max_attempts: _Optional[int] = ..., delays_seconds: _Optional[_Iterable[float]] = ...) -> None: ...

class CreateEndpointRequest(_message.Message):
    __slots__ = ("id", "url", "event_types", "secret", "disabled", "signature_scheme", "headers", "retry_policy", "filter")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_SCHEME_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    RETRY_POLICY_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    id: str
    url: str
    event_types: _containers.RepeatedScalarFieldContainer[str]
    secret: str
    disabled: bool
    signature_scheme: SignatureScheme
    headers: _containers.ScalarMap[str, str]
    retry_policy: EndpointRetryPolicy
    filter: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., url: _Optional[str] = ..., event_types: _Optional[_Iterable[str]] = ..., secret: _Optional[str] = ..., disabled: bool = ..., signature_scheme: _Optional[_Union[SignatureScheme, str]] = ..., headers: _Optional[_Mapping[str, str]] = ..., retry_policy: _Optional[_Union[EndpointRetryPolicy, _Mapping]] = ..., filter: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class GetEndpointRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListEndpointsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListEndpointsResponse(_message.Message):
    __slots__ = ("endpoints", "next_page_token")
    ENDPOINTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    endpoints: _containers.RepeatedCompositeFieldContainer[Endpoint]
    next_page_token: str
    def __init__(self, endpoints: _Optional[_Iterable[_Union[Endpoint, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateEndpointRequest(_message.Message):
    __slots__ = ("endpoint", "update_mask")
    ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    endpoint: Endpoint
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, endpoint: _Optional[_Union[Endpoint, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteEndpointRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteEndpointResponse(_message.Message):
    __slots__ = ("cancelled_deliveries",)
    CANCELLED_DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    cancelled_deliveries: int
    def __init__(self, cancelled_deliveries: _Optional[int] = ...) -> None: ...

class EnableEndpointRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DisableEndpointRequest(_message.Message):
    __slots__ = ("id", "reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    reason: str
    def __init__(self, id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RotateEndpointSecretRequest(_message.Message):
    __slots__ = ("id", "grace_period_seconds")
    ID_FIELD_NUMBER: _ClassVar[int]
    GRACE_PERIOD_SECONDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    grace_period_seconds: int
    def __init__(self, id: _Optional[str] = ..., grace_period_seconds: _Optional[int] = ...) -> None: ...

class RotateEndpointSecretResponse(_message.Message):
    __slots__ = ("endpoint", "new_secret")
    ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    NEW_SECRET_FIELD_NUMBER: _ClassVar[int]
    endpoint: Endpoint
    new_secret: str
    def __init__(self, endpoint: _Optional[_Union[Endpoint, _Mapping]] = ..., new_secret: _Optional[str] = ...) -> None: ...

class StreamDeliveriesRequest(_message.Message):
    __slots__ = ("endpoint_ids", "event_types", "states", "since_sequence", "since_time")
    ENDPOINT_IDS_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    SINCE_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SINCE_TIME_FIELD_NUMBER: _ClassVar[int]
    endpoint_ids: _containers.RepeatedScalarFieldContainer[str]
    event_types: _containers.RepeatedScalarFieldContainer[str]
    states: _containers.RepeatedScalarFieldContainer[DeliveryState]
    since_sequence: int
    since_time: _timestamp_pb2.Timestamp
    def __init__(self, endpoint_ids: _Optional[_Iterable[str]] = ..., event_types: _Optional[_Iterable[str]] = ..., states: _Optional[_Iterable[_Union[DeliveryState, str]]] = ..., since_sequence: _Optional[int] = ..., since_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeliveryUpdate(_message.Message):
    __slots__ = ("delivery_id", "event_id", "endpoint_id", "event_type", "state", "attempt", "http_status", "error_kind", "latency_ms", "next_attempt_at", "occurred_at", "kind", "sequence", "missed", "detail")
    DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    HTTP_STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_KIND_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    MISSED_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    delivery_id: str
    event_id: str
    endpoint_id: str
    event_type: str
    state: DeliveryState
    attempt: int
    http_status: int
    error_kind: str
    latency_ms: int
    next_attempt_at: _timestamp_pb2.Timestamp
    occurred_at: _timestamp_pb2.Timestamp
    kind: UpdateKind
    sequence: int
    missed: int
    detail: str
    def __init__(self, delivery_id: _Optional[str] = ..., event_id: _Optional[str] = ..., endpoint_id: _Optional[str] = ..., event_type: _Optional[str] = ..., state: _Optional[_Union[DeliveryState, str]] = ..., attempt: _Optional[int] = ..., http_status: _Optional[int] = ..., error_kind: _Optional[str] = ..., latency_ms: _Optional[int] = ..., next_attempt_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., occurred_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[_Union[UpdateKind, str]] = ..., sequence: _Optional[int] = ..., missed: _Optional[int] = ..., detail: _Optional[str] = ...) -> None: ...

class GetMetricsRequest(_message.Message):
    __slots__ = ("window_seconds", "endpoint_id")
    WINDOW_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    window_seconds: int
    endpoint_id: str
    def __init__(self, window_seconds: _Optional[int] = ..., endpoint_id: _Optional[str] = ...) -> None: ...

class LatencySummary(_message.Message):
    __slots__ = ("p50_ms", "p95_ms", "p99_ms", "max_ms")
    P50_MS_FIELD_NUMBER: _ClassVar[int]
    P95_MS_FIELD_NUMBER: _ClassVar[int]
    P99_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_MS_FIELD_NUMBER: _ClassVar[int]
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    def __init__(self, p50_ms: _Optional[float] = ..., p95_ms: _Optional[float] = ..., p99_ms: _Optional[float] = ..., max_ms: _Optional[float] = ...) -> None: ...

class EndpointStatus(_message.Message):
    __slots__ = ("endpoint_id", "active", "disabled_reason", "circuit_state", "consecutive_failures", "attempted", "succeeded", "success_rate", "latency", "pending", "oldest_pending_age_seconds", "concurrency_limit", "concurrency_window")
    ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    DISABLED_REASON_FIELD_NUMBER: _ClassVar[int]
    CIRCUIT_STATE_FIELD_NUMBER: _ClassVar[int]
    CONSECUTIVE_FAILURES_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTED_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDED_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_RATE_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    OLDEST_PENDING_AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CONCURRENCY_LIMIT_FIELD_NUMBER: _ClassVar[int]
    CONCURRENCY_WINDOW_FIELD_NUMBER: _ClassVar[int]
    endpoint_id: str
    active: bool
    disabled_reason: str
    circuit_state: str
    consecutive_failures: int
    attempted: int
    succeeded: int
    success_rate: float
    latency: LatencySummary
    pending: int
    oldest_pending_age_seconds: float
    concurrency_limit: int
    concurrency_window: int
    def __init__(self, endpoint_id: _Optional[str] = ..., active: bool = ..., disabled_reason: _Optional[str] = ..., circuit_state: _Optional[str] = ..., consecutive_failures: _Optional[int] = ..., attempted: _Optional[int] = ..., succeeded: _Optional[int] = ..., success_rate: _Optional[float] = ..., latency: _Optional[_Union[LatencySummary, _Mapping]] = ..., pending: _Optional[int] = ..., oldest_pending_age_seconds: _Optional[float] = ..., concurrency_limit: _Optional[int] = ..., concurrency_window: _Optional[int] = ...) -> None: ...

class GetMetricsResponse(_message.Message):
    __slots__ = ("attempted", "succeeded", "failed", "dead_lettered", "success_rate", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "failures_by_error_kind", "latency_max_ms", "failures_by_status_class", "endpoints", "window_seconds", "retry_budget_slots", "retries_in_flight", "retries_deferred")
    class FailuresByErrorKindEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class FailuresByStatusClassEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    ATTEMPTED_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTERED_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_RATE_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P50_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P95_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P99_MS_FIELD_NUMBER: _ClassVar[int]
    FAILURES_BY_ERROR_KIND_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MAX_MS_FIELD_NUMBER: _ClassVar[int]
    FAILURES_BY_STATUS_CLASS_FIELD_NUMBER: _ClassVar[int]
    ENDPOINTS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RETRY_BUDGET_SLOTS_FIELD_NUMBER: _ClassVar[int]
    RETRIES_IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    RETRIES_DEFERRED_FIELD_NUMBER: _ClassVar[int]
    attempted: int
    succeeded: int
    failed: int
    dead_lettered: int
    success_rate: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    failures_by_error_kind: _containers.ScalarMap[str, int]
    latency_max_ms: float
    failures_by_status_class: _containers.ScalarMap[str, int]
    endpoints: _containers.RepeatedCompositeFieldContainer[EndpointStatus]
    window_seconds: int
    retry_budget_slots: int
    retries_in_flight: int
    retries_deferred: int
    def __init__(self, attempted: _Optional[int] = ..., succeeded: _Optional[int] = ..., failed: _Optional[int] = ..., dead_lettered: _Optional[int] = ..., success_rate: _Optional[float] = ..., latency_p50_ms: _Optional[float] = ..., latency_p95_ms: _Optional[float] = ..., latency_p99_ms: _Optional[float] = ..., failures_by_error_kind: _Optional[_Mapping[str, int]] = ..., latency_max_ms: _Optional[float] = ..., failures_by_status_class: _Optional[_Mapping[str, int]] = ..., endpoints: _Optional[_Iterable[_Union[EndpointStatus, _Mapping]]] = ..., window_seconds: _Optional[int] = ..., retry_budget_slots: _Optional[int] = ..., retries_in_flight: _Optional[int] = ..., retries_deferred: _Optional[int] = ...) -> None: ...

class ApiKey(_message.Message):
    __slots__ = ("name", "role", "origin", "created_at", "revoked_at", "fingerprint")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: ApiKeyRole
    origin: str
    created_at: _timestamp_pb2.Timestamp
    revoked_at: _timestamp_pb2.Timestamp
    fingerprint: str
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[ApiKeyRole, str]] = ..., origin: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., revoked_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., fingerprint: _Optional[str] = ...) -> None: ...

class CreateApiKeyRequest(_message.Message):
    __slots__ = ("name", "role")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: ApiKeyRole
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[ApiKeyRole, str]] = ...) -> None: ...

class CreateApiKeyResponse(_message.Message):
    __slots__ = ("api_key", "key")
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    api_key: ApiKey
    key: str
    def __init__(self, api_key: _Optional[_Union[ApiKey, _Mapping]] = ..., key: _Optional[str] = ...) -> None: ...

class ListApiKeysRequest(_message.Message):
    __slots__ = ("include_revoked",)
    INCLUDE_REVOKED_FIELD_NUMBER: _ClassVar[int]
    include_revoked: bool
    def __init__(self, include_revoked: bool = ...) -> None: ...

class ListApiKeysResponse(_message.Message):
    __slots__ = ("api_keys",)
    API_KEYS_FIELD_NUMBER: _ClassVar[int]
    api_keys: _containers.RepeatedCompositeFieldContainer[ApiKey]
    def __init__(self, api_keys: _Optional[_Iterable[_Union[ApiKey, _Mapping]]] = ...) -> None: ...

class RevokeApiKeyRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListEventTypesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class EventTypeDefinition(_message.Message):
    __slots__ = ("name", "description", "schema")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    schema: _struct_pb2.Struct
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ListEventTypesResponse(_message.Message):
    __slots__ = ("event_types", "unknown_types_allowed")
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_TYPES_ALLOWED_FIELD_NUMBER: _ClassVar[int]
    event_types: _containers.RepeatedCompositeFieldContainer[EventTypeDefinition]
    unknown_types_allowed: bool
    def __init__(self, event_types: _Optional[_Iterable[_Union[EventTypeDefinition, _Mapping]]] = ..., unknown_types_allowed: bool = ...) -> None: ...
