package webhookd

// Conversions between the generated messages and this package's types. They
// happen here only: no generated type appears in a method's results.

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/webhookd/webhookd/clients/go/webhookv1"
)

const (
	deliveryStatePrefix   = "DELIVERY_STATE_"
	updateKindPrefix      = "UPDATE_KIND_"
	apiKeyRolePrefix      = "API_KEY_ROLE_"
	signatureSchemePrefix = "SIGNATURE_SCHEME_"
)

// enumName turns a proto enum value name into this package's name:
// DELIVERY_STATE_IN_FLIGHT becomes in_flight. A number the generated code
// does not know stays a number ("17").
func enumName(protoName, prefix string) string {
	return strings.ToLower(strings.TrimPrefix(protoName, prefix))
}

// enumValue finds the proto number of one of this package's names, or fails
// with an INVALID_ARGUMENT *Error naming field.
func enumValue(field, name, prefix string, values map[string]int32) (int32, error) {
	value, ok := values[prefix+strings.ToUpper(name)]
	if !ok {
		return 0, invalidArgument(field, fmt.Errorf("unknown value %q", name))
	}
	return value, nil
}

func deliveryStatesToProto(field string, states []DeliveryState) ([]webhookv1.DeliveryState, error) {
	var out []webhookv1.DeliveryState
	for _, state := range states {
		value, err := enumValue(field, string(state), deliveryStatePrefix, webhookv1.DeliveryState_value)
		if err != nil {
			return nil, err
		}
		out = append(out, webhookv1.DeliveryState(value))
	}
	return out, nil
}

func deliveryStateFromProto(state webhookv1.DeliveryState) DeliveryState {
	return DeliveryState(enumName(state.String(), deliveryStatePrefix))
}

func timestampToProto(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// timeFromProto converts a timestamp that is always set; a missing one is
// the zero time.
func timeFromProto(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

// optionalTimeFromProto converts a timestamp that may be missing into nil.
func optionalTimeFromProto(ts *timestamppb.Timestamp) *time.Time {
	if ts == nil {
		return nil
	}
	t := ts.AsTime()
	return &t
}

func milliseconds(ms float64) time.Duration {
	return time.Duration(ms * float64(time.Millisecond))
}

func seconds(s float64) time.Duration {
	return time.Duration(s * float64(time.Second))
}

// pageSize converts a page size, where 0 or less means the server's default.
func pageSize(n int) uint32 {
	if n <= 0 {
		return 0
	}
	return uint32(min(n, 1<<31))
}

// filterToProto converts a filter; the zero filter becomes nil.
func filterToProto(filter DeliveryFilter) (*webhookv1.DeliveryFilter, error) {
	states, err := deliveryStatesToProto("filter.states", filter.States)
	if err != nil {
		return nil, err
	}
	out := &webhookv1.DeliveryFilter{
		StartTime:  timestampToProto(filter.StartTime),
		EndTime:    timestampToProto(filter.EndTime),
		EventTypes: filter.EventTypes,
		EndpointId: filter.EndpointID,
		States:     states,
	}
	if out.StartTime == nil && out.EndTime == nil && len(out.EventTypes) == 0 && out.EndpointId == "" && len(out.States) == 0 {
		return nil, nil
	}
	return out, nil
}

func eventFromProto(event *webhookv1.Event) Event {
	return Event{
		ID:             event.GetId(),
		EventType:      event.GetEventType(),
		PayloadJSON:    json.RawMessage(event.GetPayloadJson()),
		IdempotencyKey: event.GetIdempotencyKey(),
		CreatedAt:      timeFromProto(event.GetCreatedAt()),
		OrderingKey:    event.GetOrderingKey(),
	}
}

func attemptFromProto(attempt *webhookv1.Attempt) Attempt {
	return Attempt{
		Number:          int(attempt.GetNumber()),
		StartedAt:       timeFromProto(attempt.GetStartedAt()),
		Duration:        time.Duration(attempt.GetDurationMs()) * time.Millisecond,
		HTTPStatus:      int(attempt.GetHttpStatus()),
		ErrorKind:       attempt.GetErrorKind(),
		ErrorMessage:    attempt.GetErrorMessage(),
		ResponseExcerpt: attempt.GetResponseExcerpt(),
	}
}

func deliveryFromProto(delivery *webhookv1.Delivery) Delivery {
	out := Delivery{
		ID:                    delivery.GetId(),
		EventID:               delivery.GetEventId(),
		EndpointID:            delivery.GetEndpointId(),
		EventType:             delivery.GetEventType(),
		State:                 deliveryStateFromProto(delivery.GetState()),
		AttemptCount:          int(delivery.GetAttemptCount()),
		NextAttemptAt:         optionalTimeFromProto(delivery.GetNextAttemptAt()),
		LastError:             delivery.GetLastError(),
		ReplayOf:              delivery.GetReplayOf(),
		CreatedAt:             timeFromProto(delivery.GetCreatedAt()),
		UpdatedAt:             timeFromProto(delivery.GetUpdatedAt()),
		OrderingKey:           delivery.GetOrderingKey(),
		WaitingForOrderingKey: delivery.GetWaitingForOrderingKey(),
	}
	for _, attempt := range delivery.GetAttempts() {
		out.Attempts = append(out.Attempts, attemptFromProto(attempt))
	}
	return out
}

func deliveriesFromProto(deliveries []*webhookv1.Delivery) []Delivery {
	out := make([]Delivery, 0, len(deliveries))
	for _, delivery := range deliveries {
		out = append(out, deliveryFromProto(delivery))
	}
	return out
}

func endpointFromProto(endpoint *webhookv1.Endpoint) Endpoint {
	return Endpoint{
		ID:                      endpoint.GetId(),
		URL:                     endpoint.GetUrl(),
		EventTypes:              endpoint.GetEventTypes(),
		Active:                  endpoint.GetActive(),
		DisabledReason:          endpoint.GetDisabledReason(),
		DisabledAt:              optionalTimeFromProto(endpoint.GetDisabledAt()),
		Origin:                  endpoint.GetOrigin(),
		SecretHint:              endpoint.GetSecretHint(),
		PreviousSecretExpiresAt: optionalTimeFromProto(endpoint.GetPreviousSecretExpiresAt()),
		ConsecutiveFailures:     int(endpoint.GetConsecutiveFailures()),
		CreatedAt:               timeFromProto(endpoint.GetCreatedAt()),
		UpdatedAt:               timeFromProto(endpoint.GetUpdatedAt()),
		CircuitState:            endpoint.GetCircuitState(),
		SignatureScheme:         SignatureScheme(enumName(endpoint.GetSignatureScheme().String(), signatureSchemePrefix)),
		PublicKey:               endpoint.GetPublicKey(),
		Headers:                 headersFromProto(endpoint.GetHeaders()),
		RetryPolicy:             retryScheduleFromProto(endpoint.GetRetryPolicy()),
		Filter:                  jsonObjectFromProto(endpoint.GetFilter()),
	}
}

// payloadFilterToProto converts an endpoint's payload filter; nil stays
// nil. field names the filter in the request ("filter", "endpoint.filter")
// in the error of a value that a Struct cannot hold.
func payloadFilterToProto(field string, filter map[string]any) (*structpb.Struct, error) {
	if filter == nil {
		return nil, nil
	}
	out, err := structpb.NewStruct(filter)
	if err != nil {
		return nil, invalidArgument(field, err)
	}
	return out, nil
}

// jsonObjectFromProto converts a Struct, such as an endpoint's payload
// filter or an event type's JSON Schema, into JSON values: map[string]any,
// []any, string, float64, bool and nil. Unset is nil.
func jsonObjectFromProto(object *structpb.Struct) map[string]any {
	if object == nil {
		return nil
	}
	return object.AsMap()
}

// retryScheduleToProto converts a schedule; nil stays nil. field names the
// schedule in the request ("retry_policy", "endpoint.retry_policy") in the
// error of a MaxAttempts that a uint32 cannot hold.
func retryScheduleToProto(field string, schedule *RetrySchedule) (*webhookv1.EndpointRetryPolicy, error) {
	if schedule == nil {
		return nil, nil
	}
	if schedule.MaxAttempts < 0 || int64(schedule.MaxAttempts) > math.MaxUint32 {
		return nil, invalidArgument(field+".max_attempts", fmt.Errorf("%d is out of range (1 to 100, or 0 for the config's)", schedule.MaxAttempts))
	}
	out := &webhookv1.EndpointRetryPolicy{MaxAttempts: uint32(schedule.MaxAttempts)}
	if len(schedule.Delays) > 0 {
		out.DelaysSeconds = make([]float64, len(schedule.Delays))
		for i, delay := range schedule.Delays {
			out.DelaysSeconds[i] = delay.Seconds()
		}
	}
	return out, nil
}

// retryScheduleFromProto converts a schedule; unset is nil, and so are
// empty delays.
func retryScheduleFromProto(policy *webhookv1.EndpointRetryPolicy) *RetrySchedule {
	if policy == nil {
		return nil
	}
	out := &RetrySchedule{MaxAttempts: int(policy.GetMaxAttempts())}
	for _, delay := range policy.GetDelaysSeconds() {
		// Rounded to the nanosecond, so that a delay goes back and forth
		// unchanged.
		out.Delays = append(out.Delays, time.Duration(math.Round(delay*float64(time.Second))))
	}
	return out
}

// headersFromProto copies an endpoint's custom headers; none is an empty,
// non-nil map.
func headersFromProto(headers map[string]string) map[string]string {
	out := make(map[string]string, len(headers))
	for name, value := range headers {
		out[name] = value
	}
	return out
}

func eventCatalogFromProto(resp *webhookv1.ListEventTypesResponse) *EventCatalog {
	out := &EventCatalog{
		EventTypes:          make([]EventType, 0, len(resp.GetEventTypes())),
		UnknownTypesAllowed: resp.GetUnknownTypesAllowed(),
	}
	for _, eventType := range resp.GetEventTypes() {
		out.EventTypes = append(out.EventTypes, EventType{
			Name:        eventType.GetName(),
			Description: eventType.GetDescription(),
			Schema:      jsonObjectFromProto(eventType.GetSchema()),
		})
	}
	return out
}

func apiKeyFromProto(key *webhookv1.ApiKey) APIKey {
	return APIKey{
		Name:        key.GetName(),
		Role:        APIKeyRole(enumName(key.GetRole().String(), apiKeyRolePrefix)),
		Origin:      key.GetOrigin(),
		CreatedAt:   timeFromProto(key.GetCreatedAt()),
		RevokedAt:   optionalTimeFromProto(key.GetRevokedAt()),
		Fingerprint: key.GetFingerprint(),
	}
}

func updateFromProto(update *webhookv1.DeliveryUpdate) *DeliveryUpdate {
	return &DeliveryUpdate{
		Kind:          UpdateKind(enumName(update.GetKind().String(), updateKindPrefix)),
		Sequence:      update.GetSequence(),
		DeliveryID:    update.GetDeliveryId(),
		EventID:       update.GetEventId(),
		EndpointID:    update.GetEndpointId(),
		EventType:     update.GetEventType(),
		State:         deliveryStateFromProto(update.GetState()),
		Attempt:       int(update.GetAttempt()),
		HTTPStatus:    int(update.GetHttpStatus()),
		ErrorKind:     update.GetErrorKind(),
		Latency:       time.Duration(update.GetLatencyMs()) * time.Millisecond,
		NextAttemptAt: optionalTimeFromProto(update.GetNextAttemptAt()),
		OccurredAt:    timeFromProto(update.GetOccurredAt()),
		Missed:        int64(update.GetMissed()),
		Detail:        update.GetDetail(),
	}
}

func countsFromProto(counts map[string]uint64) map[string]int64 {
	out := make(map[string]int64, len(counts))
	for key, count := range counts {
		out[key] = int64(count)
	}
	return out
}

func metricsFromProto(metrics *webhookv1.GetMetricsResponse) *Metrics {
	out := &Metrics{
		Window:       time.Duration(metrics.GetWindowSeconds()) * time.Second,
		Attempted:    int64(metrics.GetAttempted()),
		Succeeded:    int64(metrics.GetSucceeded()),
		Failed:       int64(metrics.GetFailed()),
		DeadLettered: int64(metrics.GetDeadLettered()),
		SuccessRate:  metrics.GetSuccessRate(),
		Latency: LatencySummary{
			P50: milliseconds(metrics.GetLatencyP50Ms()),
			P95: milliseconds(metrics.GetLatencyP95Ms()),
			P99: milliseconds(metrics.GetLatencyP99Ms()),
			Max: milliseconds(metrics.GetLatencyMaxMs()),
		},
		FailuresByErrorKind:   countsFromProto(metrics.GetFailuresByErrorKind()),
		FailuresByStatusClass: countsFromProto(metrics.GetFailuresByStatusClass()),
		RetryBudgetSlots:      int(metrics.GetRetryBudgetSlots()),
		RetriesInFlight:       int(metrics.GetRetriesInFlight()),
		RetriesDeferred:       int64(metrics.GetRetriesDeferred()),
	}
	for _, endpoint := range metrics.GetEndpoints() {
		latency := endpoint.GetLatency()
		out.Endpoints = append(out.Endpoints, EndpointStatus{
			EndpointID:          endpoint.GetEndpointId(),
			Active:              endpoint.GetActive(),
			DisabledReason:      endpoint.GetDisabledReason(),
			CircuitState:        endpoint.GetCircuitState(),
			ConsecutiveFailures: int(endpoint.GetConsecutiveFailures()),
			Attempted:           int64(endpoint.GetAttempted()),
			Succeeded:           int64(endpoint.GetSucceeded()),
			SuccessRate:         endpoint.GetSuccessRate(),
			Latency: LatencySummary{
				P50: milliseconds(latency.GetP50Ms()),
				P95: milliseconds(latency.GetP95Ms()),
				P99: milliseconds(latency.GetP99Ms()),
				Max: milliseconds(latency.GetMaxMs()),
			},
			Pending:           int64(endpoint.GetPending()),
			OldestPendingAge:  seconds(endpoint.GetOldestPendingAgeSeconds()),
			ConcurrencyLimit:  int(endpoint.GetConcurrencyLimit()),
			ConcurrencyWindow: int(endpoint.GetConcurrencyWindow()),
		})
	}
	return out
}
