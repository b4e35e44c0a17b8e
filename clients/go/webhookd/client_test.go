package webhookd_test

import (
	"context"
	"encoding/json"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/webhookd/webhookd/clients/go/webhookd"
	"github.com/webhookd/webhookd/clients/go/webhookv1"
)

// fakeServer records what the client sends and streams canned updates.
type fakeServer struct {
	webhookv1.UnimplementedWebhookServiceServer

	mu            sync.Mutex
	dispatch      *webhookv1.DispatchRequest
	authorization []string
	hadDeadline   bool
	stream        *webhookv1.StreamDeliveriesRequest
}

func (s *fakeServer) Dispatch(ctx context.Context, req *webhookv1.DispatchRequest) (*webhookv1.DispatchResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	_, hadDeadline := ctx.Deadline()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dispatch, s.authorization, s.hadDeadline = req, md.Get("authorization"), hadDeadline
	return &webhookv1.DispatchResponse{EventId: "evt_1"}, nil
}

func (s *fakeServer) StreamDeliveries(req *webhookv1.StreamDeliveriesRequest, stream webhookv1.WebhookService_StreamDeliveriesServer) error {
	s.mu.Lock()
	s.stream = req
	s.mu.Unlock()
	if len(req.GetEndpointIds()) == 0 {
		return status.Error(codes.InvalidArgument, "no endpoint")
	}
	for _, id := range []string{"dlv_1", "dlv_2"} {
		if err := stream.Send(&webhookv1.DeliveryUpdate{DeliveryId: id, State: webhookv1.DeliveryState_DELIVERY_STATE_SUCCEEDED}); err != nil {
			return err
		}
	}
	return nil
}

func startFake(t *testing.T) (*fakeServer, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeServer{}
	server := grpc.NewServer()
	webhookv1.RegisterWebhookServiceServer(server, fake)
	go server.Serve(lis)
	t.Cleanup(server.Stop)
	return fake, lis.Addr().String()
}

func TestDispatch(t *testing.T) {
	fake, addr := startFake(t)
	ctx := context.Background()
	client, err := webhookd.Dial(ctx, addr, webhookd.WithAPIKey("k3y"), webhookd.WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	id, err := client.Dispatch(ctx, "order.created", map[string]any{"total": json.Number("99.990")},
		webhookd.WithIdempotencyKey("idem"), webhookd.WithEndpointIDs("ep_a", "ep_b"))
	if err != nil || id != "evt_1" {
		t.Fatalf("Dispatch = %q, %v", id, err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	req := fake.dispatch
	if req.GetEventType() != "order.created" || req.GetPayloadJson() != `{"total":99.990}` ||
		req.GetIdempotencyKey() != "idem" || len(req.GetEndpointIds()) != 2 {
		t.Errorf("server got %v", req)
	}
	if len(fake.authorization) != 1 || fake.authorization[0] != "Bearer k3y" {
		t.Errorf("authorization metadata = %q", fake.authorization)
	}
	if !fake.hadDeadline {
		t.Error("WithTimeout gave the call no deadline")
	}
}

func TestDispatchRejectsUnencodablePayload(t *testing.T) {
	_, addr := startFake(t)
	client, err := webhookd.Dial(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := client.Dispatch(context.Background(), "a.b", make(chan int)); err == nil {
		t.Error("Dispatch of a channel succeeded")
	}
}

func TestStreamDeliveries(t *testing.T) {
	fake, addr := startFake(t)
	ctx := context.Background()
	client, err := webhookd.Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	since := time.Unix(1700000000, 0)
	var got []string
	for update, err := range client.StreamDeliveries(ctx, webhookd.StreamFilter{EndpointIDs: []string{"ep_a"}, SinceTime: since}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, update.GetDeliveryId())
	}
	if len(got) != 2 || got[0] != "dlv_1" || got[1] != "dlv_2" {
		t.Errorf("updates = %q, want dlv_1 dlv_2", got)
	}
	fake.mu.Lock()
	if !fake.stream.GetSinceTime().AsTime().Equal(since) {
		t.Errorf("since_time = %v, want %v", fake.stream.GetSinceTime().AsTime(), since)
	}
	fake.mu.Unlock()

	// Breaking out early is fine, and errors end the sequence.
	for range client.StreamDeliveries(ctx, webhookd.StreamFilter{EndpointIDs: []string{"ep_a"}}) {
		break
	}
	var errs int
	for update, err := range client.StreamDeliveries(ctx, webhookd.StreamFilter{}) {
		if update != nil || status.Code(err) != codes.InvalidArgument {
			t.Errorf("got %v, %v; want nil, InvalidArgument", update, err)
		}
		errs++
	}
	if errs != 1 {
		t.Errorf("got %d errors, want 1", errs)
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
