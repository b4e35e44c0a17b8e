package webhookd_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
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
		deliveries <- received{id: r.Header.Get(verify.HeaderID), body: body, err: err}
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
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
