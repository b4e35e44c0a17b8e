package webhookd

import (
	"context"
	"errors"
	"io"
	"iter"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	"github.com/webhookd/webhookd/clients/go/webhookv1"
)

// StreamFilter selects the updates of StreamDeliveries. Every field is
// optional; set fields must all match.
type StreamFilter struct {
	// Only updates for these endpoints.
	EndpointIDs []string
	// Only updates for events whose type matches one of these patterns
	// ("order.created" or "order.*").
	EventTypes []string
	// Only updates that move a delivery into one of these states.
	States []DeliveryState
	// Replay stored updates with a sequence number above this one first
	// (resume after the last DeliveryUpdate.Sequence seen).
	SinceSequence uint64
	// Replay stored updates at or after this time first.
	SinceTime time.Time
}

// DeliveryStream is an open StreamDeliveries call. Read it with Recv or All;
// Close it when done. It is not safe for concurrent Recv calls, but Close may
// be called from any goroutine.
type DeliveryStream struct {
	stream grpc.ServerStreamingClient[webhookv1.DeliveryUpdate]
	cancel context.CancelFunc
	closed atomic.Bool
}

// StreamDeliveries watches delivery and endpoint state changes as they
// happen, optionally starting with recent history. The stream ends when ctx
// ends, when it is closed, or after the client's stream timeout
// (WithStreamTimeout). It is not retried: to resume, open a new one with
// SinceSequence set to the last sequence seen.
func (c *Client) StreamDeliveries(ctx context.Context, filter StreamFilter) (*DeliveryStream, error) {
	states, err := deliveryStatesToProto("states", filter.States)
	if err != nil {
		return nil, err
	}
	req := &webhookv1.StreamDeliveriesRequest{
		EndpointIds:   filter.EndpointIDs,
		EventTypes:    filter.EventTypes,
		States:        states,
		SinceSequence: filter.SinceSequence,
		SinceTime:     timestampToProto(filter.SinceTime),
	}
	ctx, cancel := context.WithCancel(ctx)
	stream, err := c.raw.StreamDeliveries(ctx, req)
	if err != nil {
		cancel()
		return nil, newError(err)
	}
	return &DeliveryStream{stream: stream, cancel: cancel}, nil
}

// Recv waits for the next update. It returns io.EOF when the server ended
// the stream or the stream was closed, and an *Error when it failed
// (DEADLINE_EXCEEDED after the stream timeout). Heartbeat and lag updates
// (UpdateKindHeartbeat, UpdateKindLagged) are returned too.
func (s *DeliveryStream) Recv() (*DeliveryUpdate, error) {
	update, err := s.stream.Recv()
	if err == nil {
		return updateFromProto(update), nil
	}
	s.cancel()
	if errors.Is(err, io.EOF) || s.closed.Load() {
		return nil, io.EOF
	}
	return nil, newError(err)
}

// Close ends the stream; a Recv waiting in another goroutine returns io.EOF.
func (s *DeliveryStream) Close() error {
	s.closed.Store(true)
	s.cancel()
	return nil
}

// All returns the remaining updates for a range loop, and closes the stream
// when the loop ends:
//
//	for update, err := range stream.All() {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// A failure is yielded once, as an error with a nil update, and ends the
// sequence; the end of the stream ends it without an error.
func (s *DeliveryStream) All() iter.Seq2[*DeliveryUpdate, error] {
	return func(yield func(*DeliveryUpdate, error) bool) {
		defer s.Close()
		for {
			update, err := s.Recv()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(update, nil) {
				return
			}
		}
	}
}
