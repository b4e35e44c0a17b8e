package webhookd_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/webhookd/webhookd/clients/go/verify"
	"github.com/webhookd/webhookd/clients/go/webhookd"
)

// received is one request seen by the test receiver.
type received struct {
	id   string
	body []byte
	err  error
	// The status the receiver answers with.
	status int
}

// orderedPayload is the payload of the ordering key test's events.
type orderedPayload struct {
	SDK      string `json:"sdk"`
	Ordering string `json:"ordering"`
	N        int    `json:"n"`
}

// TestIntegration runs against a live webhookd started by clients/test.sh.
func TestIntegration(t *testing.T) {
	addr := os.Getenv("WEBHOOKD_ADDR")
	if addr == "" {
		t.Skip("WEBHOOKD_ADDR is not set (run clients/test.sh)")
	}
	endpointID := os.Getenv("WEBHOOKD_ENDPOINT_ID")
	secret := os.Getenv("WEBHOOKD_ENDPOINT_SECRET")
	eventType := os.Getenv("WEBHOOKD_EVENT_TYPE")
	port := os.Getenv("WEBHOOKD_RECEIVER_PORT")

	// The ordering key test's first event: its first attempt is held until
	// release is closed (4 s at most, within the config's 5 s timeout), then
	// answered 503, so that it is retried.
	orderingKey := "go-order-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	held := make(chan struct{})
	release := make(chan struct{})
	var heldOnce, releaseOnce sync.Once
	releaseHeld := func() { releaseOnce.Do(func() { close(release) }) }
	defer releaseHeld()

	deliveries := make(chan received, 16)
	lis, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		t.Fatal(err)
	}
	receiver := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err == nil {
			err = verify.Verify(body, r.Header, []string{secret}, 0)
		}
		if err != nil {
			deliveries <- received{id: r.Header.Get(verify.HeaderID), body: body, err: err, status: http.StatusUnauthorized}
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var ordered orderedPayload
		hold := false
		if json.Unmarshal(body, &ordered) == nil && ordered.Ordering == orderingKey && ordered.N == 1 {
			heldOnce.Do(func() { hold = true })
		}
		if hold {
			deliveries <- received{id: r.Header.Get(verify.HeaderID), body: body, status: http.StatusServiceUnavailable}
			close(held)
			select {
			case <-release:
			case <-time.After(4 * time.Second):
			}
			http.Error(w, "held, then failed", http.StatusServiceUnavailable)
			return
		}
		deliveries <- received{id: r.Header.Get(verify.HeaderID), body: body, status: http.StatusNoContent}
		w.WriteHeader(http.StatusNoContent)
	})}
	go receiver.Serve(lis)
	defer receiver.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client, err := webhookd.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	// Watch before dispatching, and replay history from just before, so the
	// update is seen however the two race.
	updates := make(chan *webhookd.DeliveryUpdate, 64)
	streamErr := make(chan error, 1)
	filter := webhookd.StreamFilter{EndpointIDs: []string{endpointID}, SinceTime: time.Now().Add(-time.Second)}
	stream, err := client.StreamDeliveries(ctx, filter)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	go func() {
		for update, err := range stream.All() {
			if err != nil {
				streamErr <- err
				return
			}
			select {
			case updates <- update:
			case <-ctx.Done():
				return
			}
		}
		streamErr <- errors.New("stream ended")
	}()

	payload := map[string]any{"sdk": "go", "n": 1, "at": time.Now().UnixNano()}
	key := "go-sdk-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	result, err := client.Dispatch(ctx, eventType, payload,
		webhookd.WithEndpointIDs(endpointID), webhookd.WithIdempotencyKey(key))
	if err != nil {
		t.Fatalf("Dispatch: %v", err)
	}
	eventID := result.EventID
	if result.Duplicate || len(result.DeliveryIDs) != 1 {
		t.Errorf("Dispatch = %+v, want one delivery, not a duplicate", result)
	}

	t.Run("delivered and verified", func(t *testing.T) {
		select {
		case got := <-deliveries:
			if got.err != nil {
				t.Fatalf("receiver rejected the delivery: %v", got.err)
			}
			if got.id != eventID {
				t.Errorf("X-Webhook-Id = %q, want %q", got.id, eventID)
			}
			want, _ := json.Marshal(payload)
			if !jsonEqual(t, got.body, want) {
				t.Errorf("body = %s, want %s", got.body, want)
			}
		case <-ctx.Done():
			t.Fatal("no delivery within 20 s")
		}
	})

	t.Run("idempotent", func(t *testing.T) {
		again, err := client.Dispatch(ctx, eventType, payload,
			webhookd.WithEndpointIDs(endpointID), webhookd.WithIdempotencyKey(key))
		if err != nil {
			t.Fatalf("second Dispatch: %v", err)
		}
		if again.EventID != eventID || !again.Duplicate || again.DeliveryIDs[0] != result.DeliveryIDs[0] {
			t.Errorf("second Dispatch = %+v; want the duplicate of %+v", again, result)
		}
	})

	t.Run("stream reports success", func(t *testing.T) {
		for {
			select {
			case update := <-updates:
				if update.EventID == eventID && update.State == webhookd.DeliveryStateSucceeded {
					return
				}
			case err := <-streamErr:
				t.Fatalf("StreamDeliveries: %v", err)
			case <-ctx.Done():
				t.Fatal("no SUCCEEDED update within 20 s")
			}
		}
	})

	// Three events with one ordering key, dispatched one after the other:
	// the receiver holds the first one's first attempt and fails it, so
	// that it is retried; the others wait for it, then arrive in order.
	t.Run("ordering key", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		defer cancel()
		var eventIDs []string
		for n := 1; n <= 3; n++ {
			result, err := client.Dispatch(ctx, eventType, orderedPayload{SDK: "go", Ordering: orderingKey, N: n},
				webhookd.WithEndpointIDs(endpointID), webhookd.WithOrderingKey(orderingKey))
			if err != nil {
				t.Fatalf("Dispatch %d: %v", n, err)
			}
			if result.Duplicate || len(result.DeliveryIDs) != 1 {
				t.Fatalf("Dispatch %d = %+v, want one delivery, not a duplicate", n, result)
			}
			eventIDs = append(eventIDs, result.EventID)
		}

		select {
		case <-held:
		case <-ctx.Done():
			t.Fatal("the first event was not delivered")
		}
		// While the first one is in flight, the later ones wait for it:
		// pending, with no next attempt.
		deadline := time.Now().Add(3 * time.Second)
		for _, eventID := range eventIDs[1:] {
			for {
				detail, err := client.GetEvent(ctx, eventID)
				if err != nil {
					t.Fatalf("GetEvent(%s): %v", eventID, err)
				}
				var delivery webhookd.Delivery
				if len(detail.Deliveries) == 1 {
					delivery = detail.Deliveries[0]
				}
				if detail.Event.OrderingKey == orderingKey && delivery.OrderingKey == orderingKey &&
					delivery.State == webhookd.DeliveryStatePending && delivery.WaitingForOrderingKey && delivery.NextAttemptAt == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("while the first event's delivery is held, GetEvent(%s): event ordering key %q, deliveries %+v; want the ordering key %q and a pending delivery waiting for it, without a next attempt",
						eventID, detail.Event.OrderingKey, detail.Deliveries, orderingKey)
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		releaseHeld()

		want := []string{eventIDs[0] + " 503", eventIDs[0] + " 204", eventIDs[1] + " 204", eventIDs[2] + " 204"}
		var got []string
		for len(got) < len(want) {
			select {
			case r := <-deliveries:
				if !slices.Contains(eventIDs, r.id) {
					continue
				}
				if r.err != nil {
					t.Fatalf("receiver rejected the delivery of %s: %v", r.id, r.err)
				}
				got = append(got, r.id+" "+strconv.Itoa(r.status))
			case <-ctx.Done():
				t.Fatalf("the receiver got %v, want %v", got, want)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("the receiver got %v, want %v (in dispatch order, the first one retried)", got, want)
		}

		for i, eventID := range eventIDs {
			var detail *webhookd.EventDetail
			eventually(t, "the delivery of "+eventID+" succeeded", func() bool {
				var err error
				detail, err = client.GetEvent(ctx, eventID)
				return err == nil && len(detail.Deliveries) == 1 && detail.Deliveries[0].State == webhookd.DeliveryStateSucceeded
			})
			wantAttempts := 1
			if i == 0 {
				wantAttempts = 2
			}
			delivery := detail.Deliveries[0]
			if detail.Event.OrderingKey != orderingKey || delivery.OrderingKey != orderingKey || delivery.WaitingForOrderingKey ||
				delivery.AttemptCount != wantAttempts || delivery.EndpointID != endpointID {
				t.Errorf("GetEvent(%s): event ordering key %q, delivery %+v; want ordering key %q, %d attempts, not waiting",
					eventID, detail.Event.OrderingKey, delivery, orderingKey, wantAttempts)
			}
		}
	})
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return string(xs) == string(ys)
}
