package webhookd_test

// The client against an in-process fake webhookd: what it sends, how it
// converts results, retries, deadlines, errors and TLS.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"maps"
	"math/big"
	"net"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/webhookd/webhookd/clients/go/webhookd"
	"github.com/webhookd/webhookd/clients/go/webhookv1"
)

// fakeServer records what the client sends and answers with canned results.
type fakeServer struct {
	webhookv1.UnimplementedWebhookServiceServer

	mu sync.Mutex
	// Requests by method name, in order.
	requests map[string][]any
	// The authorization metadata of every call.
	authorization []string
	// Whether each call had a deadline, by method name.
	deadlines map[string][]bool
	// Errors to return, by method name, before answering normally.
	failures map[string][]error
}

func (s *fakeServer) record(ctx context.Context, method string, req any) error {
	md, _ := metadata.FromIncomingContext(ctx)
	_, hasDeadline := ctx.Deadline()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.requests == nil {
		s.requests = map[string][]any{}
		s.deadlines = map[string][]bool{}
	}
	s.requests[method] = append(s.requests[method], req)
	s.deadlines[method] = append(s.deadlines[method], hasDeadline)
	s.authorization = append(s.authorization, strings.Join(md.Get("authorization"), ","))
	if failures := s.failures[method]; len(failures) > 0 {
		s.failures[method] = failures[1:]
		return failures[0]
	}
	return nil
}

func (s *fakeServer) failNext(method string, errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures == nil {
		s.failures = map[string][]error{}
	}
	s.failures[method] = append(s.failures[method], errs...)
}

func (s *fakeServer) deadlinesOf(method string) []bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deadlines[method]
}

func (s *fakeServer) calls(method string) []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[method]
}

var (
	created = time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC)
	later   = created.Add(time.Hour)
)

func (s *fakeServer) Dispatch(ctx context.Context, req *webhookv1.DispatchRequest) (*webhookv1.DispatchResponse, error) {
	if err := s.record(ctx, "Dispatch", req); err != nil {
		return nil, err
	}
	return &webhookv1.DispatchResponse{EventId: "evt_1", DeliveryIds: []string{"dlv_1", "dlv_2"}, Duplicate: true}, nil
}

func (s *fakeServer) Replay(ctx context.Context, req *webhookv1.ReplayRequest) (*webhookv1.ReplayResponse, error) {
	if err := s.record(ctx, "Replay", req); err != nil {
		return nil, err
	}
	return &webhookv1.ReplayResponse{DeliveryIds: []string{"dlv_9"}, Count: 1 << 40}, nil
}

func (s *fakeServer) GetEndpoint(ctx context.Context, req *webhookv1.GetEndpointRequest) (*webhookv1.Endpoint, error) {
	if err := s.record(ctx, "GetEndpoint", req); err != nil {
		return nil, err
	}
	return &webhookv1.Endpoint{
		Id:                      req.GetId(),
		Url:                     "https://example.com/hook",
		EventTypes:              []string{"order.*"},
		Active:                  false,
		DisabledReason:          "maintenance",
		DisabledAt:              timestamppb.New(later),
		Origin:                  "api",
		SecretHint:              "cdef",
		ConsecutiveFailures:     3,
		CreatedAt:               timestamppb.New(created),
		UpdatedAt:               timestamppb.New(later),
		CircuitState:            "half_open",
		SignatureScheme:         webhookv1.SignatureScheme_SIGNATURE_SCHEME_STANDARD,
		PublicKey:               "whpk_x",
		PreviousSecretExpiresAt: nil,
		Headers:                 map[string]string{"authorization": "***", "x-tenant": "acme"},
		RetryPolicy:             &webhookv1.EndpointRetryPolicy{MaxAttempts: 5, DelaysSeconds: []float64{0.2, 1.1, 90}},
		Filter: &structpb.Struct{Fields: map[string]*structpb.Value{
			"order.total": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"$gte": structpb.NewNumberValue(100)}}),
			"order.currency": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
				"$in": structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{structpb.NewStringValue("EUR"), structpb.NewStringValue("USD")}}),
			}}),
			"order.express": structpb.NewBoolValue(true),
			"order.coupon":  structpb.NewNullValue(),
		}},
	}, nil
}

func (s *fakeServer) CreateEndpoint(ctx context.Context, req *webhookv1.CreateEndpointRequest) (*webhookv1.Endpoint, error) {
	if err := s.record(ctx, "CreateEndpoint", req); err != nil {
		return nil, err
	}
	return &webhookv1.Endpoint{Id: req.GetId(), Url: req.GetUrl(), EventTypes: req.GetEventTypes(), Active: true, Headers: req.GetHeaders(), RetryPolicy: req.GetRetryPolicy(), Filter: req.GetFilter()}, nil
}

func (s *fakeServer) UpdateEndpoint(ctx context.Context, req *webhookv1.UpdateEndpointRequest) (*webhookv1.Endpoint, error) {
	if err := s.record(ctx, "UpdateEndpoint", req); err != nil {
		return nil, err
	}
	return req.GetEndpoint(), nil
}

func (s *fakeServer) GetEvent(ctx context.Context, req *webhookv1.GetEventRequest) (*webhookv1.GetEventResponse, error) {
	if err := s.record(ctx, "GetEvent", req); err != nil {
		return nil, err
	}
	if req.GetEventId() == "evt_ordered" {
		// An event with an ordering key: its delivery to ep_1 is being
		// retried, the one to ep_2 waits for an earlier event's delivery.
		return &webhookv1.GetEventResponse{
			Event: &webhookv1.Event{Id: req.GetEventId(), EventType: "order.updated", PayloadJson: `{}`, CreatedAt: timestamppb.New(created), OrderingKey: "customer-42"},
			Deliveries: []*webhookv1.Delivery{{
				Id: "dlv_o1", EventId: req.GetEventId(), EndpointId: "ep_1", State: webhookv1.DeliveryState_DELIVERY_STATE_PENDING,
				AttemptCount: 1, NextAttemptAt: timestamppb.New(later), CreatedAt: timestamppb.New(created), OrderingKey: "customer-42",
			}, {
				Id: "dlv_o2", EventId: req.GetEventId(), EndpointId: "ep_2", State: webhookv1.DeliveryState_DELIVERY_STATE_PENDING,
				CreatedAt: timestamppb.New(created), OrderingKey: "customer-42", WaitingForOrderingKey: true,
			}},
		}, nil
	}
	return &webhookv1.GetEventResponse{
		Event: &webhookv1.Event{Id: req.GetEventId(), EventType: "order.created", PayloadJson: `{"n":18446744073709551616}`, CreatedAt: timestamppb.New(created)},
		Deliveries: []*webhookv1.Delivery{{
			Id: "dlv_1", EventId: req.GetEventId(), EndpointId: "ep_1", State: webhookv1.DeliveryState_DELIVERY_STATE_IN_FLIGHT,
			AttemptCount: 1, NextAttemptAt: timestamppb.New(later), CreatedAt: timestamppb.New(created), UpdatedAt: timestamppb.New(later),
			Attempts: []*webhookv1.Attempt{{Number: 1, StartedAt: timestamppb.New(created), DurationMs: 1500, HttpStatus: 503, ErrorKind: "http_5xx"}},
		}},
	}, nil
}

func (s *fakeServer) GetMetrics(ctx context.Context, req *webhookv1.GetMetricsRequest) (*webhookv1.GetMetricsResponse, error) {
	if err := s.record(ctx, "GetMetrics", req); err != nil {
		return nil, err
	}
	return &webhookv1.GetMetricsResponse{
		Attempted: 10, Succeeded: 7, Failed: 3, SuccessRate: 0.7, LatencyP50Ms: 1.5, LatencyMaxMs: 2000,
		FailuresByErrorKind: map[string]uint64{"connect": 3}, WindowSeconds: req.GetWindowSeconds(),
		Endpoints: []*webhookv1.EndpointStatus{{
			EndpointId: "ep_1", Pending: 4, OldestPendingAgeSeconds: 2.5, Latency: &webhookv1.LatencySummary{P99Ms: 12},
			ConcurrencyLimit: 8, ConcurrencyWindow: 3,
		}},
		RetryBudgetSlots: 12, RetriesInFlight: 5, RetriesDeferred: 1 << 40,
	}, nil
}

func (s *fakeServer) ListApiKeys(ctx context.Context, req *webhookv1.ListApiKeysRequest) (*webhookv1.ListApiKeysResponse, error) {
	if err := s.record(ctx, "ListApiKeys", req); err != nil {
		return nil, err
	}
	return &webhookv1.ListApiKeysResponse{ApiKeys: []*webhookv1.ApiKey{
		{Name: "ops", Role: webhookv1.ApiKeyRole_API_KEY_ROLE_ADMIN, CreatedAt: timestamppb.New(created)},
		{Name: "old", Role: webhookv1.ApiKeyRole_API_KEY_ROLE_READ, CreatedAt: timestamppb.New(created), RevokedAt: timestamppb.New(later)},
	}}, nil
}

// orderSchema is the JSON Schema of order.created in the fake's catalog.
var orderSchema = &structpb.Struct{Fields: map[string]*structpb.Value{
	"type": structpb.NewStringValue("object"),
	"required": structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{
		structpb.NewStringValue("order_id"), structpb.NewStringValue("total"),
	}}),
	"properties": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
		"order_id": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"type": structpb.NewStringValue("string")}}),
		"total": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
			"type": structpb.NewStringValue("number"), "minimum": structpb.NewNumberValue(0),
		}}),
	}}),
	"additionalProperties": structpb.NewBoolValue(false),
	"$comment":             structpb.NewNullValue(),
}}

func (s *fakeServer) ListEventTypes(ctx context.Context, req *webhookv1.ListEventTypesRequest) (*webhookv1.ListEventTypesResponse, error) {
	if err := s.record(ctx, "ListEventTypes", req); err != nil {
		return nil, err
	}
	return &webhookv1.ListEventTypesResponse{
		EventTypes: []*webhookv1.EventTypeDefinition{
			{Name: "order.created", Description: "An order was placed", Schema: orderSchema},
			{Name: "order.noted"},
		},
		UnknownTypesAllowed: false,
	}, nil
}

func (s *fakeServer) StreamDeliveries(req *webhookv1.StreamDeliveriesRequest, stream webhookv1.WebhookService_StreamDeliveriesServer) error {
	if err := s.record(stream.Context(), "StreamDeliveries", req); err != nil {
		return err
	}
	if len(req.GetEndpointIds()) == 0 {
		return status.Error(codes.InvalidArgument, "no endpoint")
	}
	for i, id := range []string{"dlv_1", "dlv_2"} {
		update := &webhookv1.DeliveryUpdate{
			DeliveryId: id, Sequence: uint64(i + 1), Kind: webhookv1.UpdateKind_UPDATE_KIND_RETRY_SCHEDULED,
			State: webhookv1.DeliveryState_DELIVERY_STATE_PENDING, LatencyMs: 250, OccurredAt: timestamppb.New(created),
		}
		if err := stream.Send(update); err != nil {
			return err
		}
	}
	if req.GetEndpointIds()[0] == "ep_forever" {
		<-stream.Context().Done()
		return stream.Context().Err()
	}
	return nil
}

func startFake(t *testing.T, serverOptions ...grpc.ServerOption) (*fakeServer, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeServer{}
	server := grpc.NewServer(serverOptions...)
	webhookv1.RegisterWebhookServiceServer(server, fake)
	go server.Serve(lis)
	t.Cleanup(server.Stop)
	return fake, lis.Addr().String()
}

func newClient(t *testing.T, addr string, opts ...webhookd.Option) *webhookd.Client {
	t.Helper()
	client, err := webhookd.New(addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// fastRetry retries quickly, so that the tests do not wait.
var fastRetry = webhookd.WithRetry(webhookd.RetryPolicy{MaxAttempts: 3, InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})

func TestDispatch(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr, webhookd.WithAPIKey("k3y"))
	ctx := context.Background()

	result, err := client.Dispatch(ctx, "order.created", map[string]any{"total": json.Number("99.990")},
		webhookd.WithIdempotencyKey("idem"), webhookd.WithEndpointIDs("ep_a", "ep_b"), webhookd.WithOrderingKey("customer-42"))
	if err != nil {
		t.Fatal(err)
	}
	if result.EventID != "evt_1" || len(result.DeliveryIDs) != 2 || result.DeliveryIDs[1] != "dlv_2" || !result.Duplicate {
		t.Errorf("Dispatch = %+v", result)
	}
	req := fake.calls("Dispatch")[0].(*webhookv1.DispatchRequest)
	if req.GetEventType() != "order.created" || req.GetPayloadJson() != `{"total":99.990}` ||
		req.GetIdempotencyKey() != "idem" || len(req.GetEndpointIds()) != 2 || req.GetOrderingKey() != "customer-42" {
		t.Errorf("server got %v", req)
	}
	if fake.authorization[0] != "Bearer k3y" {
		t.Errorf("authorization metadata = %q", fake.authorization[0])
	}

	// A json.RawMessage is sent as it is.
	raw := json.RawMessage(`{"n": 18446744073709551616}`)
	if _, err := client.Dispatch(ctx, "order.created", raw); err != nil {
		t.Fatal(err)
	}
	req = fake.calls("Dispatch")[1].(*webhookv1.DispatchRequest)
	if req.GetPayloadJson() != string(raw) {
		t.Errorf("payload_json = %q, want %q", req.GetPayloadJson(), raw)
	}
	if !strings.HasPrefix(req.GetIdempotencyKey(), "sdk-") || len(req.GetIdempotencyKey()) != len("sdk-")+36 {
		t.Errorf("generated idempotency key = %q, want sdk-<uuid>", req.GetIdempotencyKey())
	}
	// Without WithOrderingKey: none is sent.
	if req.GetOrderingKey() != "" {
		t.Errorf("ordering_key = %q without WithOrderingKey, want none", req.GetOrderingKey())
	}
}

func TestDispatchWithoutAutoIdempotencyKeyIsNotRetried(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr, fastRetry, webhookd.WithAutoIdempotencyKey(false))
	fake.failNext("Dispatch", status.Error(codes.Unavailable, "down"))

	_, err := client.Dispatch(context.Background(), "a.b", map[string]any{})
	if status.Code(err) != codes.Unavailable {
		t.Errorf("Dispatch = %v, want Unavailable", err)
	}
	calls := fake.calls("Dispatch")
	if len(calls) != 1 || calls[0].(*webhookv1.DispatchRequest).GetIdempotencyKey() != "" {
		t.Errorf("server got %d calls (%v), want 1 without a key", len(calls), calls)
	}
}

func TestDispatchWithKeyIsRetried(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr, fastRetry)
	fake.failNext("Dispatch", status.Error(codes.Unavailable, "down"), status.Error(codes.DeadlineExceeded, "slow"))

	result, err := client.Dispatch(context.Background(), "a.b", map[string]any{}, webhookd.WithOrderingKey("customer-42"))
	if err != nil || result.EventID != "evt_1" {
		t.Fatalf("Dispatch = %+v, %v", result, err)
	}
	calls := fake.calls("Dispatch")
	if len(calls) != 3 {
		t.Fatalf("server got %d calls, want 3", len(calls))
	}
	key := calls[0].(*webhookv1.DispatchRequest).GetIdempotencyKey()
	for i, call := range calls {
		req := call.(*webhookv1.DispatchRequest)
		if req.GetIdempotencyKey() != key {
			t.Error("the retries did not reuse the idempotency key")
		}
		// The generated idempotency key does not replace the ordering key.
		if req.GetOrderingKey() != "customer-42" {
			t.Errorf("attempt %d: ordering_key = %q, want customer-42 on every attempt", i+1, req.GetOrderingKey())
		}
	}
}

func TestDispatchRejectsUnencodablePayload(t *testing.T) {
	_, addr := startFake(t)
	client := newClient(t, addr)
	_, err := client.Dispatch(context.Background(), "a.b", make(chan int))
	var werr *webhookd.Error
	if !errors.As(err, &werr) || werr.Code != codes.InvalidArgument || werr.FieldViolations[0].Field != "payload" {
		t.Errorf("Dispatch of a channel = %v, want an InvalidArgument *Error on payload", err)
	}
}

func TestRetries(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr, fastRetry)
	ctx := context.Background()

	fake.failNext("GetEndpoint", status.Error(codes.Unavailable, "down"), status.Error(codes.Unavailable, "down"))
	if _, err := client.GetEndpoint(ctx, "ep_1"); err != nil {
		t.Errorf("GetEndpoint after 2 UNAVAILABLE = %v, want success on the 3rd attempt", err)
	}

	fake.failNext("GetEndpoint", status.Error(codes.Unavailable, "1"), status.Error(codes.Unavailable, "2"), status.Error(codes.Unavailable, "3"))
	if _, err := client.GetEndpoint(ctx, "ep_1"); status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "3") {
		t.Errorf("GetEndpoint after 3 UNAVAILABLE = %v, want the 3rd error (MaxAttempts 3)", err)
	}
	if got := len(fake.calls("GetEndpoint")); got != 6 {
		t.Errorf("GetEndpoint calls = %d, want 6", got)
	}

	fake.failNext("GetEndpoint", status.Error(codes.NotFound, "no"))
	if _, err := client.GetEndpoint(ctx, "ep_1"); status.Code(err) != codes.NotFound || len(fake.calls("GetEndpoint")) != 7 {
		t.Errorf("NOT_FOUND was retried or lost: %v", err)
	}

	fake.failNext("Replay", status.Error(codes.Unavailable, "down"))
	if _, err := client.Replay(ctx, "evt_1", nil); status.Code(err) != codes.Unavailable || len(fake.calls("Replay")) != 1 {
		t.Errorf("Replay was retried: %v, %d calls", err, len(fake.calls("Replay")))
	}

	noRetry := newClient(t, addr, webhookd.WithRetry(webhookd.NoRetry))
	fake.failNext("GetEndpoint", status.Error(codes.Unavailable, "down"))
	if _, err := noRetry.GetEndpoint(ctx, "ep_1"); status.Code(err) != codes.Unavailable {
		t.Errorf("NoRetry GetEndpoint = %v, want UNAVAILABLE", err)
	}
}

func TestRetryStopsWhenTheContextEnds(t *testing.T) {
	fake, addr := startFake(t)
	// Both caps an hour: full jitter then waits past the deadline but for
	// a vanishing chance (a 2 s cap would retry within it 5 % of the time).
	client := newClient(t, addr, webhookd.WithRetry(webhookd.RetryPolicy{MaxAttempts: 10, InitialBackoff: time.Hour, MaxBackoff: time.Hour}))
	fake.failNext("GetEndpoint", status.Error(codes.Unavailable, "down"))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client.GetEndpoint(ctx, "ep_1")
	if status.Code(err) != codes.DeadlineExceeded || time.Since(start) > 5*time.Second {
		t.Errorf("GetEndpoint = %v after %v, want DEADLINE_EXCEEDED promptly", err, time.Since(start))
	}
}

func TestBackoff(t *testing.T) {
	policy := webhookd.DefaultRetryPolicy
	cases := []struct {
		retry  int
		random float64
		want   time.Duration
	}{
		{1, 1, 100 * time.Millisecond},
		{1, 0.5, 50 * time.Millisecond},
		{2, 1, 200 * time.Millisecond},
		{3, 1, 400 * time.Millisecond},
		{5, 1, 1600 * time.Millisecond},
		{6, 1, 2 * time.Second},
		{30, 1, 2 * time.Second},
		{30, 0, 0},
	}
	for _, c := range cases {
		if got := webhookd.Backoff(policy, c.retry, c.random); got != c.want {
			t.Errorf("retry %d with random %v: delay %v, want %v", c.retry, c.random, got, c.want)
		}
	}
	if policy.MaxAttempts != 4 {
		t.Errorf("default MaxAttempts = %d, want 4", policy.MaxAttempts)
	}
}

func TestErrorDetails(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr)
	st, err := status.New(codes.ResourceExhausted, "payload too large").WithDetails(
		&errdetails.ErrorInfo{Reason: "PAYLOAD_TOO_LARGE", Domain: "webhookd", Metadata: map[string]string{"limit": "1024"}},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "payload_json", Description: "too big"}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	fake.failNext("Dispatch", st.Err())

	_, err = client.Dispatch(context.Background(), "a.b", map[string]any{})
	var werr *webhookd.Error
	if !errors.As(err, &werr) {
		t.Fatalf("error %T is not a *webhookd.Error", err)
	}
	if werr.Code != codes.ResourceExhausted || werr.Message != "payload too large" || werr.Reason != "PAYLOAD_TOO_LARGE" ||
		werr.Metadata["limit"] != "1024" || len(werr.FieldViolations) != 1 ||
		werr.FieldViolations[0] != (webhookd.FieldViolation{Field: "payload_json", Description: "too big"}) {
		t.Errorf("error = %+v", werr)
	}
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("status.Code = %v", status.Code(err))
	}
	if want := "webhookd: ResourceExhausted: payload too large (PAYLOAD_TOO_LARGE)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestListEventTypes(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr, fastRetry)
	ctx := context.Background()

	// A read: retried on UNAVAILABLE.
	fake.failNext("ListEventTypes", status.Error(codes.Unavailable, "down"))
	catalog, err := client.ListEventTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fake.calls("ListEventTypes")); n != 2 {
		t.Errorf("ListEventTypes calls = %d, want 2 (one retry)", n)
	}
	if catalog.UnknownTypesAllowed || len(catalog.EventTypes) != 2 {
		t.Fatalf("ListEventTypes = %+v", catalog)
	}
	// The schema as JSON values: numbers are float64, null is nil.
	wantSchema := map[string]any{
		"type":     "object",
		"required": []any{"order_id", "total"},
		"properties": map[string]any{
			"order_id": map[string]any{"type": "string"},
			"total":    map[string]any{"type": "number", "minimum": float64(0)},
		},
		"additionalProperties": false,
		"$comment":             nil,
	}
	created := catalog.EventTypes[0]
	if created.Name != "order.created" || created.Description != "An order was placed" || !reflect.DeepEqual(created.Schema, wantSchema) {
		t.Errorf("order.created = %#v, want schema %#v", created, wantSchema)
	}
	// A type without a schema: nil, not an empty map.
	noted := catalog.EventTypes[1]
	if noted.Name != "order.noted" || noted.Description != "" || noted.Schema != nil {
		t.Errorf("order.noted = %#v, want no description and a nil schema", noted)
	}

	// Other errors are not retried.
	fake.failNext("ListEventTypes", status.Error(codes.PermissionDenied, "no"))
	_, err = client.ListEventTypes(ctx)
	var werr *webhookd.Error
	if !errors.As(err, &werr) || werr.Code != codes.PermissionDenied || len(fake.calls("ListEventTypes")) != 3 {
		t.Errorf("ListEventTypes after PERMISSION_DENIED = %v, want the error, not retried", err)
	}
}

func TestDispatchSchemaViolation(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr, fastRetry)
	ctx := context.Background()
	violations := []*errdetails.BadRequest_FieldViolation{
		{Field: "payload/order_id", Description: `7 is not of type "string"`},
		{Field: "payload/total", Description: "-1 is less than the minimum of 0"},
	}
	st, err := status.New(codes.InvalidArgument, "the payload does not match the JSON Schema of `order.created`").WithDetails(
		&errdetails.ErrorInfo{Reason: "SCHEMA_VIOLATION", Domain: "webhookd", Metadata: map[string]string{"event_type": "order.created"}},
		&errdetails.BadRequest{FieldViolations: violations},
	)
	if err != nil {
		t.Fatal(err)
	}
	fake.failNext("Dispatch", st.Err())

	_, err = client.Dispatch(ctx, "order.created", map[string]any{"order_id": 7, "total": -1})
	var werr *webhookd.Error
	if !errors.As(err, &werr) {
		t.Fatalf("error %T is not a *webhookd.Error", err)
	}
	want := []webhookd.FieldViolation{
		{Field: "payload/order_id", Description: `7 is not of type "string"`},
		{Field: "payload/total", Description: "-1 is less than the minimum of 0"},
	}
	if werr.Code != codes.InvalidArgument || werr.Reason != "SCHEMA_VIOLATION" || werr.Metadata["event_type"] != "order.created" ||
		!slices.Equal(werr.FieldViolations, want) || !strings.Contains(werr.Message, "JSON Schema") {
		t.Errorf("error = %+v", werr)
	}
	// INVALID_ARGUMENT is not retried, even with the generated idempotency key.
	if n := len(fake.calls("Dispatch")); n != 1 {
		t.Errorf("Dispatch calls = %d, want 1", n)
	}
	if want := "webhookd: InvalidArgument: the payload does not match the JSON Schema of `order.created` (SCHEMA_VIOLATION)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}

	st, err = status.New(codes.InvalidArgument, "`user.created` is not in the event catalog").WithDetails(
		&errdetails.ErrorInfo{Reason: "UNKNOWN_EVENT_TYPE", Domain: "webhookd"},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "event_type", Description: "not in the catalog"}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	fake.failNext("Dispatch", st.Err())
	_, err = client.Dispatch(ctx, "user.created", map[string]any{})
	if !errors.As(err, &werr) || werr.Code != codes.InvalidArgument || werr.Reason != "UNKNOWN_EVENT_TYPE" ||
		len(werr.FieldViolations) != 1 || werr.FieldViolations[0].Field != "event_type" {
		t.Errorf("unknown event type: %+v", err)
	}
}

func TestDeadlines(t *testing.T) {
	fake, addr := startFake(t)
	ctx := context.Background()

	// The default timeout applies to the raw stub too.
	client := newClient(t, addr, webhookd.WithAPIKey("raw-key"))
	if _, err := client.Raw().GetEndpoint(ctx, &webhookv1.GetEndpointRequest{Id: "ep_1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetEndpoint(ctx, "ep_1"); err != nil {
		t.Fatal(err)
	}
	untimed := newClient(t, addr, webhookd.WithTimeout(0))
	if _, err := untimed.GetEndpoint(ctx, "ep_1"); err != nil {
		t.Fatal(err)
	}
	deadlines := fake.deadlinesOf("GetEndpoint")
	if len(deadlines) != 3 || !deadlines[0] || !deadlines[1] || deadlines[2] {
		t.Errorf("deadlines seen = %v, want [true true false]", deadlines)
	}
	if fake.authorization[0] != "Bearer raw-key" {
		t.Errorf("the raw stub sent authorization %q", fake.authorization[0])
	}

	// Streams get none by default, or the stream timeout.
	stream, err := client.StreamDeliveries(ctx, webhookd.StreamFilter{EndpointIDs: []string{"ep_forever"}})
	if err != nil {
		t.Fatal(err)
	}
	stream.Recv()
	stream.Close()
	timed := newClient(t, addr, webhookd.WithStreamTimeout(300*time.Millisecond))
	stream, err = timed.StreamDeliveries(ctx, webhookd.StreamFilter{EndpointIDs: []string{"ep_forever"}})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var last error
	for last == nil {
		_, last = stream.Recv()
	}
	if status.Code(last) != codes.DeadlineExceeded {
		t.Errorf("stream with a timeout ended with %v, want DEADLINE_EXCEEDED", last)
	}
	if streamDeadlines := fake.deadlinesOf("StreamDeliveries"); streamDeadlines[0] || !streamDeadlines[1] {
		t.Errorf("stream deadlines = %v, want [false true]", streamDeadlines)
	}
}

func TestStreamDeliveries(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr)
	ctx := context.Background()

	since := time.Unix(1700000000, 0)
	stream, err := client.StreamDeliveries(ctx, webhookd.StreamFilter{
		EndpointIDs: []string{"ep_a"}, SinceTime: since, States: []webhookd.DeliveryState{webhookd.DeliveryStateDead},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []*webhookd.DeliveryUpdate
	for update, err := range stream.All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, update)
	}
	if len(got) != 2 || got[0].DeliveryID != "dlv_1" || got[1].Sequence != 2 {
		t.Fatalf("updates = %+v, want dlv_1 dlv_2", got)
	}
	want := webhookd.DeliveryUpdate{
		Kind: webhookd.UpdateKindRetryScheduled, Sequence: 1, DeliveryID: "dlv_1",
		State: webhookd.DeliveryStatePending, Latency: 250 * time.Millisecond, OccurredAt: created,
	}
	if *got[0] != want {
		t.Errorf("update = %+v, want %+v", *got[0], want)
	}
	req := fake.calls("StreamDeliveries")[0].(*webhookv1.StreamDeliveriesRequest)
	if !req.GetSinceTime().AsTime().Equal(since) || req.GetStates()[0] != webhookv1.DeliveryState_DELIVERY_STATE_DEAD {
		t.Errorf("request = %v", req)
	}

	// Close ends a Recv waiting in another goroutine with io.EOF.
	stream, err = client.StreamDeliveries(ctx, webhookd.StreamFilter{EndpointIDs: []string{"ep_forever"}})
	if err != nil {
		t.Fatal(err)
	}
	stream.Recv()
	stream.Recv()
	ended := make(chan error, 1)
	go func() {
		_, err := stream.Recv()
		ended <- err
	}()
	time.Sleep(50 * time.Millisecond)
	stream.Close()
	select {
	case err := <-ended:
		if err != io.EOF {
			t.Errorf("Recv after Close = %v, want io.EOF", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end Recv")
	}

	// A server error ends the sequence with an *Error.
	stream, err = client.StreamDeliveries(ctx, webhookd.StreamFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var errs int
	for update, err := range stream.All() {
		var werr *webhookd.Error
		if update != nil || !errors.As(err, &werr) || werr.Code != codes.InvalidArgument {
			t.Errorf("got %v, %v; want nil, InvalidArgument", update, err)
		}
		errs++
	}
	if errs != 1 {
		t.Errorf("got %d errors, want 1", errs)
	}

	if _, err := client.StreamDeliveries(ctx, webhookd.StreamFilter{States: []webhookd.DeliveryState{"sleepy"}}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("unknown state = %v, want InvalidArgument", err)
	}
}

func TestConversions(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr)
	ctx := context.Background()

	endpoint, err := client.GetEndpoint(ctx, "ep_1")
	if err != nil {
		t.Fatal(err)
	}
	if endpoint.ID != "ep_1" || endpoint.Active || endpoint.DisabledAt == nil || !endpoint.DisabledAt.Equal(later) ||
		endpoint.PreviousSecretExpiresAt != nil || !endpoint.CreatedAt.Equal(created) || endpoint.ConsecutiveFailures != 3 ||
		endpoint.SignatureScheme != webhookd.SignatureSchemeStandard || endpoint.CircuitState != "half_open" ||
		!maps.Equal(endpoint.Headers, map[string]string{"authorization": "***", "x-tenant": "acme"}) {
		t.Errorf("endpoint = %+v", endpoint)
	}
	// Seconds become durations, exactly.
	wantSchedule := webhookd.RetrySchedule{MaxAttempts: 5, Delays: []time.Duration{200 * time.Millisecond, 1100 * time.Millisecond, 90 * time.Second}}
	if endpoint.RetryPolicy == nil || !equalSchedules(*endpoint.RetryPolicy, wantSchedule) {
		t.Errorf("endpoint.RetryPolicy = %+v, want %+v", endpoint.RetryPolicy, wantSchedule)
	}
	// The filter becomes JSON values: every number a float64.
	wantFilter := map[string]any{
		"order.total":    map[string]any{"$gte": float64(100)},
		"order.currency": map[string]any{"$in": []any{"EUR", "USD"}},
		"order.express":  true,
		"order.coupon":   nil,
	}
	if !reflect.DeepEqual(endpoint.Filter, wantFilter) {
		t.Errorf("endpoint.Filter = %#v, want %#v", endpoint.Filter, wantFilter)
	}

	detail, err := client.GetEvent(ctx, "evt_1")
	if err != nil {
		t.Fatal(err)
	}
	if string(detail.Event.PayloadJSON) != `{"n":18446744073709551616}` || !detail.Event.CreatedAt.Equal(created) ||
		detail.Event.OrderingKey != "" {
		t.Errorf("event = %+v", detail.Event)
	}
	delivery := detail.Deliveries[0]
	if delivery.State != webhookd.DeliveryStateInFlight || delivery.NextAttemptAt == nil || !delivery.NextAttemptAt.Equal(later) ||
		delivery.OrderingKey != "" || delivery.WaitingForOrderingKey {
		t.Errorf("delivery = %+v", delivery)
	}
	if attempt := delivery.Attempts[0]; attempt.Duration != 1500*time.Millisecond || attempt.HTTPStatus != 503 || attempt.ErrorKind != "http_5xx" {
		t.Errorf("attempt = %+v", attempt)
	}

	metrics, err := client.GetMetrics(ctx, &webhookd.MetricsOptions{Window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if metrics.Window != time.Hour || metrics.Attempted != 10 || metrics.FailuresByErrorKind["connect"] != 3 ||
		metrics.Latency.P50 != 1500*time.Microsecond || metrics.Latency.Max != 2*time.Second ||
		metrics.Endpoints[0].OldestPendingAge != 2500*time.Millisecond || metrics.Endpoints[0].Latency.P99 != 12*time.Millisecond {
		t.Errorf("metrics = %+v", metrics)
	}
	if status := metrics.Endpoints[0]; status.ConcurrencyLimit != 8 || status.ConcurrencyWindow != 3 {
		t.Errorf("concurrency = %d/%d, want 8/3", status.ConcurrencyWindow, status.ConcurrencyLimit)
	}
	if metrics.RetryBudgetSlots != 12 || metrics.RetriesInFlight != 5 || metrics.RetriesDeferred != 1<<40 {
		t.Errorf("retry budget = %d slots, %d in flight, %d deferred; want 12, 5, 1<<40", metrics.RetryBudgetSlots, metrics.RetriesInFlight, metrics.RetriesDeferred)
	}

	keys, err := client.ListAPIKeys(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].Role != webhookd.APIKeyRoleAdmin || keys[0].RevokedAt != nil || keys[1].RevokedAt == nil {
		t.Errorf("keys = %+v", keys)
	}
	if !fake.calls("ListApiKeys")[0].(*webhookv1.ListApiKeysRequest).GetIncludeRevoked() {
		t.Error("include_revoked was not sent")
	}

	replay, err := client.Replay(ctx, "evt_1", &webhookd.ReplayOptions{EndpointIDs: []string{"ep_2"}, DryRun: true})
	if err != nil || replay.Count != 1<<40 || replay.DeliveryIDs[0] != "dlv_9" {
		t.Errorf("Replay = %+v, %v", replay, err)
	}
	if req := fake.calls("Replay")[0].(*webhookv1.ReplayRequest); !req.GetDryRun() || req.GetEndpointIds()[0] != "ep_2" || req.GetFilter() != nil {
		t.Errorf("Replay request = %v", req)
	}
	if _, err := client.ReplayMatching(ctx, webhookd.DeliveryFilter{EndpointID: "ep_1", States: []webhookd.DeliveryState{webhookd.DeliveryStateDead}},
		&webhookd.ReplayMatchingOptions{MaxPerSecond: 2.5}); err != nil {
		t.Fatal(err)
	}
	if req := fake.calls("Replay")[1].(*webhookv1.ReplayRequest); req.GetFilter().GetEndpointId() != "ep_1" || req.GetMaxPerSecond() != 2.5 ||
		req.GetFilter().GetStates()[0] != webhookv1.DeliveryState_DELIVERY_STATE_DEAD {
		t.Errorf("ReplayMatching request = %v", req)
	}
}

func TestOrderingKeyIsMapped(t *testing.T) {
	_, addr := startFake(t)
	client := newClient(t, addr)
	detail, err := client.GetEvent(context.Background(), "evt_ordered")
	if err != nil {
		t.Fatal(err)
	}
	if detail.Event.OrderingKey != "customer-42" {
		t.Errorf("Event.OrderingKey = %q, want customer-42", detail.Event.OrderingKey)
	}
	if len(detail.Deliveries) != 2 {
		t.Fatalf("deliveries = %+v, want 2", detail.Deliveries)
	}
	retrying, waiting := detail.Deliveries[0], detail.Deliveries[1]
	if retrying.OrderingKey != "customer-42" || retrying.WaitingForOrderingKey || retrying.NextAttemptAt == nil ||
		!retrying.NextAttemptAt.Equal(later) || retrying.State != webhookd.DeliveryStatePending {
		t.Errorf("retried delivery = %+v, want ordering key customer-42, not waiting, next attempt %v", retrying, later)
	}
	// Waiting for its predecessor: no next attempt.
	if waiting.OrderingKey != "customer-42" || !waiting.WaitingForOrderingKey || waiting.NextAttemptAt != nil ||
		waiting.State != webhookd.DeliveryStatePending {
		t.Errorf("waiting delivery = %+v, want ordering key customer-42, waiting, no next attempt", waiting)
	}
}

func TestCreateEndpointSendsTheOptions(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr)
	ctx := context.Background()
	headers := map[string]string{"Authorization": "Bearer t", "X-Tenant": "acme"}
	endpoint, err := client.CreateEndpoint(ctx, "https://example.com/hook", []string{"order.*"}, &webhookd.CreateEndpointOptions{
		ID: "ep_1", Secret: "s", Disabled: true, SignatureScheme: webhookd.SignatureSchemeStandard, Headers: headers,
	})
	if err != nil {
		t.Fatal(err)
	}
	req := fake.calls("CreateEndpoint")[0].(*webhookv1.CreateEndpointRequest)
	if req.GetId() != "ep_1" || req.GetSecret() != "s" || !req.GetDisabled() ||
		req.GetSignatureScheme() != webhookv1.SignatureScheme_SIGNATURE_SCHEME_STANDARD || !maps.Equal(req.GetHeaders(), headers) {
		t.Errorf("CreateEndpoint request = %v", req)
	}
	if endpoint.ID != "ep_1" || !maps.Equal(endpoint.Headers, headers) {
		t.Errorf("CreateEndpoint = %+v", endpoint)
	}

	endpoint, err = client.CreateEndpoint(ctx, "https://example.com/hook", []string{"order.*"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if req := fake.calls("CreateEndpoint")[1].(*webhookv1.CreateEndpointRequest); len(req.GetHeaders()) != 0 {
		t.Errorf("CreateEndpoint request without headers = %v", req)
	}
	if endpoint.Headers == nil || len(endpoint.Headers) != 0 {
		t.Errorf("Headers of an endpoint without any = %#v, want an empty map", endpoint.Headers)
	}
}

func equalSchedules(a, b webhookd.RetrySchedule) bool {
	return a.MaxAttempts == b.MaxAttempts && slices.Equal(a.Delays, b.Delays)
}

func TestCreateEndpointSendsTheRetryPolicy(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr)
	ctx := context.Background()
	schedule := &webhookd.RetrySchedule{MaxAttempts: 3, Delays: []time.Duration{200 * time.Millisecond, time.Second, 1500 * time.Microsecond}}
	endpoint, err := client.CreateEndpoint(ctx, "https://example.com/hook", []string{"order.*"}, &webhookd.CreateEndpointOptions{ID: "ep_1", RetryPolicy: schedule})
	if err != nil {
		t.Fatal(err)
	}
	req := fake.calls("CreateEndpoint")[0].(*webhookv1.CreateEndpointRequest)
	if got := req.GetRetryPolicy(); got.GetMaxAttempts() != 3 || !slices.Equal(got.GetDelaysSeconds(), []float64{0.2, 1, 0.0015}) {
		t.Errorf("CreateEndpoint retry_policy = %v", got)
	}
	// The fake answers with the schedule it was sent.
	if endpoint.RetryPolicy == nil || !equalSchedules(*endpoint.RetryPolicy, *schedule) {
		t.Errorf("CreateEndpoint RetryPolicy = %+v, want %+v", endpoint.RetryPolicy, schedule)
	}

	// Only the attempts: no delays are sent, and none come back.
	endpoint, err = client.CreateEndpoint(ctx, "https://example.com/hook", []string{"order.*"}, &webhookd.CreateEndpointOptions{RetryPolicy: &webhookd.RetrySchedule{MaxAttempts: 7}})
	if err != nil {
		t.Fatal(err)
	}
	if got := fake.calls("CreateEndpoint")[1].(*webhookv1.CreateEndpointRequest).GetRetryPolicy(); got == nil || got.GetMaxAttempts() != 7 || len(got.GetDelaysSeconds()) != 0 {
		t.Errorf("CreateEndpoint retry_policy = %v", got)
	}
	if endpoint.RetryPolicy == nil || endpoint.RetryPolicy.MaxAttempts != 7 || len(endpoint.RetryPolicy.Delays) != 0 {
		t.Errorf("CreateEndpoint RetryPolicy = %+v", endpoint.RetryPolicy)
	}

	// Without one: unset in the request, nil in the result.
	endpoint, err = client.CreateEndpoint(ctx, "https://example.com/hook", []string{"order.*"}, &webhookd.CreateEndpointOptions{ID: "ep_3"})
	if err != nil {
		t.Fatal(err)
	}
	if req := fake.calls("CreateEndpoint")[2].(*webhookv1.CreateEndpointRequest); req.RetryPolicy != nil {
		t.Errorf("CreateEndpoint without a schedule sent %v", req.RetryPolicy)
	}
	if endpoint.RetryPolicy != nil {
		t.Errorf("RetryPolicy of an endpoint without one = %+v, want nil", endpoint.RetryPolicy)
	}

	// A number of attempts that the request cannot carry is refused before
	// anything is sent.
	_, err = client.CreateEndpoint(ctx, "https://example.com/hook", []string{"order.*"}, &webhookd.CreateEndpointOptions{RetryPolicy: &webhookd.RetrySchedule{MaxAttempts: -1}})
	var werr *webhookd.Error
	if !errors.As(err, &werr) || werr.Code != codes.InvalidArgument || len(werr.FieldViolations) != 1 ||
		werr.FieldViolations[0].Field != "retry_policy.max_attempts" {
		t.Errorf("MaxAttempts -1: %v", err)
	}
	if n := len(fake.calls("CreateEndpoint")); n != 3 {
		t.Errorf("%d CreateEndpoint calls, want 3", n)
	}
}

func TestUpdateEndpointSetsAndClearsTheRetryPolicy(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr)
	ctx := context.Background()
	schedule := &webhookd.RetrySchedule{MaxAttempts: 3, Delays: []time.Duration{200 * time.Millisecond, time.Second}}
	updates := []struct {
		update   webhookd.EndpointUpdate
		wantMask string
		want     *webhookd.RetrySchedule
	}{
		{webhookd.EndpointUpdate{RetryPolicy: schedule}, "retry_policy", schedule},
		{webhookd.EndpointUpdate{URL: "https://new.example", RetryPolicy: &webhookd.RetrySchedule{Delays: []time.Duration{0}}}, "url,retry_policy", &webhookd.RetrySchedule{Delays: []time.Duration{0}}},
		// Clearing sends the path without a schedule.
		{webhookd.EndpointUpdate{ClearRetryPolicy: true}, "retry_policy", nil},
		{webhookd.EndpointUpdate{Headers: map[string]string{}, ClearRetryPolicy: true}, "headers,retry_policy", nil},
		// Neither: the schedule is not in the mask.
		{webhookd.EndpointUpdate{EventTypes: []string{"a.*"}}, "event_types", nil},
	}
	for i, u := range updates {
		endpoint, err := client.UpdateEndpoint(ctx, "ep_1", u.update)
		if err != nil {
			t.Fatal(err)
		}
		req := fake.calls("UpdateEndpoint")[i].(*webhookv1.UpdateEndpointRequest)
		if got := strings.Join(req.GetUpdateMask().GetPaths(), ","); got != u.wantMask {
			t.Errorf("update %d: mask %q, want %q", i, got, u.wantMask)
		}
		sent := req.GetEndpoint().GetRetryPolicy()
		if (sent == nil) != (u.want == nil) {
			t.Errorf("update %d: retry_policy %v, want %+v", i, sent, u.want)
		}
		// The fake answers with the endpoint it was sent.
		if (endpoint.RetryPolicy == nil) != (u.want == nil) || (u.want != nil && !equalSchedules(*endpoint.RetryPolicy, *u.want)) {
			t.Errorf("update %d: result RetryPolicy %+v, want %+v", i, endpoint.RetryPolicy, u.want)
		}
	}

	// Setting and clearing at once is refused before anything is sent, and
	// so is a number of attempts that the request cannot carry.
	for _, update := range []webhookd.EndpointUpdate{
		{RetryPolicy: schedule, ClearRetryPolicy: true},
		{RetryPolicy: &webhookd.RetrySchedule{MaxAttempts: -3}},
	} {
		_, err := client.UpdateEndpoint(ctx, "ep_1", update)
		var werr *webhookd.Error
		if !errors.As(err, &werr) || werr.Code != codes.InvalidArgument || len(werr.FieldViolations) != 1 ||
			!strings.HasPrefix(werr.FieldViolations[0].Field, "endpoint.retry_policy") {
			t.Errorf("%+v: %v", update, err)
		}
	}
	if n := len(fake.calls("UpdateEndpoint")); n != len(updates) {
		t.Errorf("%d UpdateEndpoint calls, want %d", n, len(updates))
	}
}

func TestCreateEndpointSendsTheFilter(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr)
	ctx := context.Background()
	filter := map[string]any{
		"order.total":    map[string]any{"$gte": 100},
		"order.currency": map[string]any{"$in": []any{"EUR", "USD"}},
		"order.status":   "paid",
	}
	endpoint, err := client.CreateEndpoint(ctx, "https://example.com/hook", []string{"order.*"}, &webhookd.CreateEndpointOptions{ID: "ep_1", Filter: filter})
	if err != nil {
		t.Fatal(err)
	}
	// Sent as a Struct.
	want := &structpb.Struct{Fields: map[string]*structpb.Value{
		"order.total": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"$gte": structpb.NewNumberValue(100)}}),
		"order.currency": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
			"$in": structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{structpb.NewStringValue("EUR"), structpb.NewStringValue("USD")}}),
		}}),
		"order.status": structpb.NewStringValue("paid"),
	}}
	if got := fake.calls("CreateEndpoint")[0].(*webhookv1.CreateEndpointRequest).GetFilter(); !proto.Equal(got, want) {
		t.Errorf("CreateEndpoint filter = %v, want %v", got, want)
	}
	// The fake answers with the filter it was sent; numbers come back as
	// float64.
	wantFilter := map[string]any{
		"order.total":    map[string]any{"$gte": float64(100)},
		"order.currency": map[string]any{"$in": []any{"EUR", "USD"}},
		"order.status":   "paid",
	}
	if !reflect.DeepEqual(endpoint.Filter, wantFilter) {
		t.Errorf("CreateEndpoint Filter = %#v, want %#v", endpoint.Filter, wantFilter)
	}

	// Without one: unset in the request, nil in the result.
	endpoint, err = client.CreateEndpoint(ctx, "https://example.com/hook", []string{"order.*"}, &webhookd.CreateEndpointOptions{ID: "ep_2"})
	if err != nil {
		t.Fatal(err)
	}
	if req := fake.calls("CreateEndpoint")[1].(*webhookv1.CreateEndpointRequest); req.Filter != nil {
		t.Errorf("CreateEndpoint without a filter sent %v", req.Filter)
	}
	if endpoint.Filter != nil {
		t.Errorf("Filter of an endpoint without one = %#v, want nil", endpoint.Filter)
	}

	// A value that a Struct cannot hold is refused before anything is sent.
	_, err = client.CreateEndpoint(ctx, "https://example.com/hook", []string{"order.*"}, &webhookd.CreateEndpointOptions{
		Filter: map[string]any{"order.id": make(chan int)},
	})
	var werr *webhookd.Error
	if !errors.As(err, &werr) || werr.Code != codes.InvalidArgument || len(werr.FieldViolations) != 1 ||
		werr.FieldViolations[0].Field != "filter" {
		t.Errorf("a channel in the filter: %v", err)
	}
	if n := len(fake.calls("CreateEndpoint")); n != 2 {
		t.Errorf("%d CreateEndpoint calls, want 2", n)
	}
}

func TestUpdateEndpointSetsAndClearsTheFilter(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr)
	ctx := context.Background()
	filter := map[string]any{"amount": map[string]any{"$gte": 100}}
	wantFilter := map[string]any{"amount": map[string]any{"$gte": float64(100)}}
	updates := []struct {
		update   webhookd.EndpointUpdate
		wantMask string
		want     map[string]any
	}{
		{webhookd.EndpointUpdate{Filter: filter}, "filter", wantFilter},
		{webhookd.EndpointUpdate{URL: "https://new.example", Filter: map[string]any{"kind": "refund"}}, "url,filter", map[string]any{"kind": "refund"}},
		// Clearing sends the path without a filter.
		{webhookd.EndpointUpdate{ClearFilter: true}, "filter", nil},
		{webhookd.EndpointUpdate{ClearRetryPolicy: true, ClearFilter: true}, "retry_policy,filter", nil},
		// Neither: the filter is not in the mask.
		{webhookd.EndpointUpdate{EventTypes: []string{"a.*"}}, "event_types", nil},
	}
	for i, u := range updates {
		endpoint, err := client.UpdateEndpoint(ctx, "ep_1", u.update)
		if err != nil {
			t.Fatal(err)
		}
		req := fake.calls("UpdateEndpoint")[i].(*webhookv1.UpdateEndpointRequest)
		if got := strings.Join(req.GetUpdateMask().GetPaths(), ","); got != u.wantMask {
			t.Errorf("update %d: mask %q, want %q", i, got, u.wantMask)
		}
		sent := req.GetEndpoint().GetFilter()
		if (sent == nil) != (u.want == nil) || (sent != nil && !reflect.DeepEqual(sent.AsMap(), u.want)) {
			t.Errorf("update %d: filter %v, want %v", i, sent, u.want)
		}
		// The fake answers with the endpoint it was sent.
		if !reflect.DeepEqual(endpoint.Filter, u.want) {
			t.Errorf("update %d: result Filter %#v, want %#v", i, endpoint.Filter, u.want)
		}
	}

	// Setting and clearing at once is refused before anything is sent, and
	// so is a value that a Struct cannot hold.
	for _, update := range []webhookd.EndpointUpdate{
		{Filter: filter, ClearFilter: true},
		{Filter: map[string]any{"amount": map[string]any{"$in": []int{1, 2}}}},
	} {
		_, err := client.UpdateEndpoint(ctx, "ep_1", update)
		var werr *webhookd.Error
		if !errors.As(err, &werr) || werr.Code != codes.InvalidArgument || len(werr.FieldViolations) != 1 ||
			werr.FieldViolations[0].Field != "endpoint.filter" {
			t.Errorf("%+v: %v", update, err)
		}
	}
	if n := len(fake.calls("UpdateEndpoint")); n != len(updates) {
		t.Errorf("%d UpdateEndpoint calls, want %d", n, len(updates))
	}
}

func TestUpdateEndpointBuildsTheMask(t *testing.T) {
	fake, addr := startFake(t)
	client := newClient(t, addr)
	ctx := context.Background()
	updates := []struct {
		update      webhookd.EndpointUpdate
		wantMask    string
		wantHeaders map[string]string
	}{
		{webhookd.EndpointUpdate{URL: "https://new.example"}, "url", nil},
		{webhookd.EndpointUpdate{URL: "https://new.example", EventTypes: []string{"a.*"}}, "url,event_types", nil},
		{webhookd.EndpointUpdate{Headers: map[string]string{"X-Tenant": "globex"}}, "headers", map[string]string{"X-Tenant": "globex"}},
		// An empty map removes every custom header: it is still in the mask.
		{webhookd.EndpointUpdate{EventTypes: []string{"a.*"}, Headers: map[string]string{}}, "event_types,headers", map[string]string{}},
	}
	for i, u := range updates {
		endpoint, err := client.UpdateEndpoint(ctx, "ep_1", u.update)
		if err != nil {
			t.Fatal(err)
		}
		req := fake.calls("UpdateEndpoint")[i].(*webhookv1.UpdateEndpointRequest)
		if got := strings.Join(req.GetUpdateMask().GetPaths(), ","); got != u.wantMask || req.GetEndpoint().GetId() != "ep_1" {
			t.Errorf("update %d: mask %q, want %q", i, got, u.wantMask)
		}
		if got := req.GetEndpoint().GetHeaders(); !maps.Equal(got, u.wantHeaders) {
			t.Errorf("update %d: headers %v, want %v", i, got, u.wantHeaders)
		}
		// The fake answers with the endpoint it was sent.
		if endpoint.Headers == nil || !maps.Equal(endpoint.Headers, req.GetEndpoint().GetHeaders()) {
			t.Errorf("update %d: result headers %#v", i, endpoint.Headers)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	cases := map[string]bool{
		"127.0.0.1:50051":           true,
		"127.8.9.10:1":              true,
		"localhost:50051":           true,
		"LOCALHOST:1":               true,
		"[::1]:50051":               true,
		"dns:///localhost:50051":    true,
		"unix:///run/webhookd.sock": true,
		"10.0.0.1:50051":            false,
		"webhookd.internal:443":     false,
		"dns:///example.com:443":    false,
		"localhost.example.com:1":   false,
		"[2001:db8::1]:50051":       false,
	}
	for address, want := range cases {
		if got := webhookd.IsLoopback(address); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", address, got, want)
		}
	}
}

func TestDialFailsFast(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := webhookd.Dial(ctx, addr); err == nil || ctx.Err() != nil {
		t.Errorf("Dial to a closed port = %v (context: %v), want a prompt error", err, ctx.Err())
	}
}

// selfSigned returns a certificate for 127.0.0.1 and localhost, and its PEM.
func selfSigned(t *testing.T) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "webhookd test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certificate, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return certificate, certPEM
}

func TestTLS(t *testing.T) {
	certificate, certPEM := selfSigned(t)
	_, addr := startFake(t, grpc.Creds(credentials.NewServerTLSFromCert(&certificate)))
	ctx := context.Background()

	// Private CA: TLS even on loopback.
	client := newClient(t, addr, webhookd.WithRootCAs(certPEM), fastRetry)
	if _, err := client.GetEndpoint(ctx, "ep_1"); err != nil {
		t.Errorf("GetEndpoint over TLS: %v", err)
	}
	// Loopback without options: plaintext, which a TLS server refuses.
	plain := newClient(t, addr, webhookd.WithRetry(webhookd.NoRetry))
	if _, err := plain.GetEndpoint(ctx, "ep_1"); status.Code(err) != codes.Unavailable {
		t.Errorf("plaintext to a TLS server = %v, want UNAVAILABLE", err)
	}
	// Forced TLS with the system roots does not trust the test certificate.
	forced := newClient(t, addr, webhookd.WithTLS(nil), webhookd.WithRetry(webhookd.NoRetry))
	if _, err := forced.GetEndpoint(ctx, "ep_1"); status.Code(err) != codes.Unavailable {
		t.Errorf("TLS with the system roots = %v, want UNAVAILABLE", err)
	}

	if _, err := webhookd.New(addr, webhookd.WithRootCAs([]byte("not pem"))); err == nil {
		t.Error("New accepted a root CA that is not PEM")
	}
	if _, err := webhookd.New(addr, webhookd.WithInsecure(), webhookd.WithRootCAs(certPEM)); err == nil {
		t.Error("New accepted WithInsecure with WithRootCAs")
	}
}
