package webhookd

import (
	"encoding/json"
	"time"
)

// DeliveryState is the lifecycle state of a delivery: the name of the proto
// value without its prefix, in lower case ("pending", "in_flight", ...).
type DeliveryState string

// The delivery states.
const (
	DeliveryStateUnspecified DeliveryState = "unspecified"
	// Waiting for its next attempt (or paused while its endpoint is disabled
	// or its circuit is open).
	DeliveryStatePending DeliveryState = "pending"
	// An attempt is under way.
	DeliveryStateInFlight DeliveryState = "in_flight"
	// The receiver answered 2xx.
	DeliveryStateSucceeded DeliveryState = "succeeded"
	// Every attempt failed and the dead-letter queue is disabled.
	DeliveryStateFailed DeliveryState = "failed"
	// Every attempt failed; the delivery is in the dead-letter queue.
	DeliveryStateDead DeliveryState = "dead"
	// Its endpoint was deleted before it succeeded.
	DeliveryStateCancelled DeliveryState = "cancelled"
)

// UpdateKind says what a DeliveryUpdate reports ("created", "succeeded",
// "retry_scheduled", "heartbeat", ...).
type UpdateKind string

// The kinds of update.
const (
	UpdateKindUnspecified      UpdateKind = "unspecified"
	UpdateKindCreated          UpdateKind = "created"
	UpdateKindAttemptStarted   UpdateKind = "attempt_started"
	UpdateKindSucceeded        UpdateKind = "succeeded"
	UpdateKindRetryScheduled   UpdateKind = "retry_scheduled"
	UpdateKindDeadLettered     UpdateKind = "dead_lettered"
	UpdateKindFailed           UpdateKind = "failed"
	UpdateKindPaused           UpdateKind = "paused"
	UpdateKindReplayed         UpdateKind = "replayed"
	UpdateKindCancelled        UpdateKind = "cancelled"
	UpdateKindCircuitOpened    UpdateKind = "circuit_opened"
	UpdateKindCircuitClosed    UpdateKind = "circuit_closed"
	UpdateKindEndpointDisabled UpdateKind = "endpoint_disabled"
	UpdateKindEndpointEnabled  UpdateKind = "endpoint_enabled"
	// Sent on idle streams every 15 s.
	UpdateKindHeartbeat UpdateKind = "heartbeat"
	// The stream fell behind and missed DeliveryUpdate.Missed updates.
	UpdateKindLagged UpdateKind = "lagged"
)

// APIKeyRole is what an API key may do: "dispatch", "read" or "admin".
type APIKeyRole string

// The API key roles.
const (
	APIKeyRoleUnspecified APIKeyRole = "unspecified"
	// Dispatch only.
	APIKeyRoleDispatch APIKeyRole = "dispatch"
	// Streams, metrics and the event log.
	APIKeyRoleRead APIKeyRole = "read"
	// Everything.
	APIKeyRoleAdmin APIKeyRole = "admin"
)

// SignatureScheme is how deliveries to an endpoint are signed: "webhookd"
// (X-Webhook-Signature, verify.Verify) or "standard" (Standard Webhooks,
// verify.VerifyStandard).
type SignatureScheme string

// The signature schemes.
const (
	SignatureSchemeUnspecified SignatureScheme = "unspecified"
	SignatureSchemeWebhookd    SignatureScheme = "webhookd"
	SignatureSchemeStandard    SignatureScheme = "standard"
)

// DispatchResult is the outcome of Dispatch.
type DispatchResult struct {
	// The event id ("evt_..."), sent to receivers as X-Webhook-Id.
	EventID string
	// One delivery per endpoint the event was routed to ("dlv_...").
	DeliveryIDs []string
	// True when the idempotency key was seen before: EventID and DeliveryIDs
	// are those of the original event, and nothing new is sent.
	Duplicate bool
}

// ReplayResult is the outcome of Replay and ReplayMatching.
type ReplayResult struct {
	// The new deliveries (for a bulk replay, the first 1000).
	DeliveryIDs []string
	// How many deliveries were created, or would be with DryRun.
	Count int64
}

// DeliveryFilter selects deliveries. Every field is optional; set fields
// must all match. The zero value selects every delivery.
type DeliveryFilter struct {
	// Only deliveries of events created at or after this time.
	StartTime time.Time
	// Only deliveries of events created before this time.
	EndTime time.Time
	// Only events whose type matches one of these ("order.created",
	// "order.*", "*").
	EventTypes []string
	// Only deliveries to this endpoint.
	EndpointID string
	// Only deliveries in one of these states.
	States []DeliveryState
}

// Event is an event as stored: never changed after Dispatch.
type Event struct {
	ID        string
	EventType string
	// The canonical JSON exactly as signed and sent.
	PayloadJSON json.RawMessage
	// Empty when Dispatch had no idempotency key.
	IdempotencyKey string
	CreatedAt      time.Time
	// Empty when Dispatch had no ordering key (WithOrderingKey).
	OrderingKey string
}

// Attempt is one HTTP attempt of a delivery.
type Attempt struct {
	// 1 for the first attempt of the delivery.
	Number    int
	StartedAt time.Time
	Duration  time.Duration
	// The receiver's status; 0 when no response was received.
	HTTPStatus int
	// Empty on success; "timeout", "connect", "dns", "tls", "http_4xx",
	// "http_5xx", ...
	ErrorKind    string
	ErrorMessage string
	// The first bytes of the response body.
	ResponseExcerpt string
}

// Delivery is the delivery of one event to one endpoint.
type Delivery struct {
	ID         string
	EventID    string
	EndpointID string
	EventType  string
	State      DeliveryState
	// Attempts made so far.
	AttemptCount int
	// When the next attempt is due (pending deliveries); nil otherwise, and
	// while WaitingForOrderingKey.
	NextAttemptAt *time.Time
	LastError     string
	// The delivery this one replays; empty for an original delivery.
	ReplayOf  string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Filled by GetEvent only.
	Attempts []Attempt
	// The ordering key it is delivered under: its event's (WithOrderingKey);
	// empty when the event has none, and for a replay, which is not ordered.
	OrderingKey string
	// Pending, and waiting until the delivery before it with the same
	// ordering key, to the same endpoint, has succeeded or been given up;
	// NextAttemptAt is then nil.
	WaitingForOrderingKey bool
}

// EventDetail is an event with every delivery (replays included) and every
// attempt.
type EventDetail struct {
	Event      Event
	Deliveries []Delivery
}

// Page is one page of a List call.
type Page[T any] struct {
	Items []T
	// Pass it as PageToken to get the next page; empty on the last page.
	NextPageToken string
}

// Endpoint is a receiver of webhooks.
type Endpoint struct {
	ID  string
	URL string
	// Event types and patterns it subscribes to.
	EventTypes []string
	Active     bool
	// Why it is disabled, when it is.
	DisabledReason string
	DisabledAt     *time.Time
	// "config" (from the config file) or "api".
	Origin string
	// The last 4 characters of its signing secret.
	SecretHint string
	// While a rotated-out secret is still accepted: until when; nil otherwise.
	PreviousSecretExpiresAt *time.Time
	ConsecutiveFailures     int
	CreatedAt               time.Time
	UpdatedAt               time.Time
	// The circuit breaker: "closed", "open" or "half_open".
	CircuitState    string
	SignatureScheme SignatureScheme
	// For Standard Webhooks endpoints with an ed25519 secret: the whpk_
	// public key receivers verify with.
	PublicKey string
	// Static headers added to every delivery, by lower-case name; empty when
	// there are none. Credential values (authorization,
	// proxy-authorization, cookie, x-api-key, api-key) read back as "***".
	Headers map[string]string
	// Its own retry schedule; nil when it follows the config's retry_policy.
	RetryPolicy *RetrySchedule
	// Its payload filter (see CreateEndpointOptions.Filter) as JSON values:
	// map[string]any, []any, string, float64 (every number), bool and nil.
	// nil when it has none: every event of its types is routed to it.
	Filter map[string]any
}

// RetrySchedule is an endpoint's own retry schedule, in place of the
// config's retry_policy for its deliveries. The zero value keeps both of the
// config's settings.
type RetrySchedule struct {
	// Attempts in all, the first included: 1 to 100. 0 keeps the config's
	// retry_policy.max_attempts.
	MaxAttempts int
	// The waits before the first, second, ... retry, each from 0 to 24 h, at
	// most 100 of them; the last one repeats when MaxAttempts asks for more.
	// Empty: the config's exponential backoff. The config's
	// retry_policy.jitter applies to these too. webhookd keeps them to the
	// millisecond.
	Delays []time.Duration
}

// RotatedSecret is the outcome of RotateEndpointSecret.
type RotatedSecret struct {
	Endpoint Endpoint
	// The new secret, shown this once: store it now.
	NewSecret string
}

// APIKey describes an API key, without the key itself.
type APIKey struct {
	Name string
	Role APIKeyRole
	// "config" (from the config file) or "api".
	Origin    string
	CreatedAt time.Time
	// Set once the key is revoked.
	RevokedAt *time.Time
	// The first 8 hex characters of the key's SHA-256.
	Fingerprint string
}

// CreatedAPIKey is the outcome of CreateAPIKey.
type CreatedAPIKey struct {
	APIKey APIKey
	// The key, shown this once: store it now. Pass it to WithAPIKey.
	Key string
}

// EventCatalog is the event-type catalog of ListEventTypes.
type EventCatalog struct {
	// The types of the catalog, sorted by name; empty when the server has
	// no catalog.
	EventTypes []EventType
	// Whether Dispatch accepts event types that are not in the catalog
	// (event_catalog.unknown_types); when false, they are refused with
	// codes.InvalidArgument and reason "UNKNOWN_EVENT_TYPE".
	UnknownTypesAllowed bool
}

// EventType is one event type of the catalog.
type EventType struct {
	// An exact event type, such as "order.created".
	Name        string
	Description string
	// The JSON Schema that every dispatched payload of this type must match
	// (codes.InvalidArgument and reason "SCHEMA_VIOLATION" otherwise), as
	// JSON values: map[string]any, []any, string, float64 (every number),
	// bool and nil. nil when the type has none: any JSON object is accepted.
	Schema map[string]any
}

// DeliveryUpdate is one change reported by StreamDeliveries.
type DeliveryUpdate struct {
	Kind UpdateKind
	// Increases with every update of a webhookd instance; resume with
	// StreamFilter.SinceSequence.
	Sequence   uint64
	DeliveryID string
	EventID    string
	EndpointID string
	EventType  string
	// The state the delivery is in after this update.
	State DeliveryState
	// The 1-based number of the attempt this update reports, 0 if none.
	Attempt int
	// The receiver's HTTP status, 0 when no response was received.
	HTTPStatus int
	// Why the attempt failed ("timeout", "connect", "http_5xx", ...).
	ErrorKind string
	// How long the attempt took.
	Latency time.Duration
	// When the next attempt is due, for a delivery that will be retried.
	NextAttemptAt *time.Time
	// When the change happened.
	OccurredAt time.Time
	// With UpdateKindLagged: how many updates this stream missed.
	Missed int64
	// Free text for endpoint changes, such as the disable reason.
	Detail string
}

// LatencySummary summarises the latency of attempts.
type LatencySummary struct {
	P50 time.Duration
	P95 time.Duration
	P99 time.Duration
	Max time.Duration
}

// EndpointStatus is the health of one endpoint in Metrics.
type EndpointStatus struct {
	EndpointID          string
	Active              bool
	DisabledReason      string
	CircuitState        string
	ConsecutiveFailures int
	Attempted           int64
	Succeeded           int64
	SuccessRate         float64
	Latency             LatencySummary
	// Deliveries waiting for an attempt.
	Pending int64
	// Age of the oldest pending delivery.
	OldestPendingAge time.Duration
	// Requests it may have in flight at once: its max_concurrent or the
	// config's max_concurrent_per_endpoint.
	ConcurrencyLimit int
	// The adaptive window within ConcurrencyLimit on this instance: halved
	// on 429, 503, timeouts and slow answers, grown back by one per window
	// of successes. Equal to ConcurrencyLimit when adaptation is off or the
	// endpoint is healthy; 0 on an instance that delivers nothing.
	ConcurrencyWindow int
}

// Metrics are delivery statistics over a time window.
type Metrics struct {
	Window time.Duration
	// Attempts made in the window.
	Attempted int64
	// Attempts that got a 2xx.
	Succeeded int64
	// Attempts that failed.
	Failed int64
	// Deliveries dead-lettered in the window.
	DeadLettered int64
	// Succeeded / Attempted, in [0, 1]; 0 when nothing was attempted.
	SuccessRate float64
	Latency     LatencySummary
	// Failed attempts by error kind ("connect", "timeout", ...).
	FailuresByErrorKind map[string]int64
	// Failed attempts by HTTP status class ("4xx", "5xx", "none").
	FailuresByStatusClass map[string]int64
	Endpoints             []EndpointStatus
	// The retry budget on this instance (webhook_engine.retry_budget): how
	// many attempts at once may be retries; 0 on an instance that delivers
	// nothing.
	RetryBudgetSlots int
	// Retries in flight now, within RetryBudgetSlots.
	RetriesInFlight int
	// Retries that waited for the budget in the window.
	RetriesDeferred int64
}
