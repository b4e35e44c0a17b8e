package webhookd

import (
	"context"
	"encoding/json"

	"github.com/webhookd/webhookd/clients/go/webhookv1"
)

// dispatchOptions are the optional settings of one Dispatch.
type dispatchOptions struct {
	idempotencyKey string
	orderingKey    string
	endpointIDs    []string
}

// A DispatchOption configures Dispatch.
type DispatchOption func(*dispatchOptions)

// WithIdempotencyKey makes Dispatch idempotent: a second Dispatch with the
// same key (at most 255 bytes, UTF-8) returns the original event with
// Duplicate set and delivers nothing new.
func WithIdempotencyKey(key string) DispatchOption {
	return func(o *dispatchOptions) { o.idempotencyKey = key }
}

// WithOrderingKey gives the event an ordering key (at most 255 bytes,
// UTF-8): its deliveries to an endpoint wait until those of the events
// dispatched before it with the same key, to the same endpoint, have
// succeeded or been given up (dead-lettered or failed), so that they arrive
// one at a time, in Dispatch order. Order holds between Dispatch calls made
// one after the other, not between concurrent ones; replays and redrives
// are not ordered. A retried Dispatch sends the same key.
func WithOrderingKey(key string) DispatchOption {
	return func(o *dispatchOptions) { o.orderingKey = key }
}

// WithEndpointIDs delivers the event to these endpoints only, whether or not
// they subscribe to its type.
func WithEndpointIDs(ids ...string) DispatchOption {
	return func(o *dispatchOptions) { o.endpointIDs = append(o.endpointIDs, ids...) }
}

// Dispatch sends an event of eventType (such as "order.created") to every
// active endpoint subscribed to it, or to those of WithEndpointIDs. It
// returns once webhookd has stored the event and its deliveries.
//
// The payload must encode to a JSON object: a map, a struct, or a
// json.RawMessage, which is sent as it is (numbers keep their exact text;
// json.Number does the same inside a map).
//
// Unless WithAutoIdempotencyKey(false) was given, a Dispatch without
// WithIdempotencyKey gets a generated key, so that it is retried safely: a
// retry that reaches webhookd after the first attempt did returns the same
// event with Duplicate set. The retries send the same request: the same
// idempotency key, and the same WithOrderingKey.
//
// When the server's event-type catalog (see ListEventTypes) gives
// eventType a JSON Schema, a payload that does not match it fails with
// codes.InvalidArgument, reason "SCHEMA_VIOLATION", and a field violation
// per mismatch named "payload" and the JSON pointer of the value
// ("payload/order_id"; "payload/" for the payload itself). A type that is
// not in a catalog that refuses unknown types fails with
// codes.InvalidArgument, reason "UNKNOWN_EVENT_TYPE", and a field violation
// on "event_type".
func (c *Client) Dispatch(ctx context.Context, eventType string, payload any, opts ...DispatchOption) (*DispatchResult, error) {
	var options dispatchOptions
	for _, opt := range opts {
		opt(&options)
	}
	payloadJSON, err := encodePayload(payload)
	if err != nil {
		return nil, invalidArgument("payload", err)
	}
	if options.idempotencyKey == "" && c.autoIdempotencyKey {
		options.idempotencyKey = newIdempotencyKey()
	}
	req := &webhookv1.DispatchRequest{
		EventType:      eventType,
		Body:           &webhookv1.DispatchRequest_PayloadJson{PayloadJson: payloadJSON},
		IdempotencyKey: options.idempotencyKey,
		EndpointIds:    options.endpointIDs,
		OrderingKey:    options.orderingKey,
	}
	resp, err := invoke(ctx, c, req.IdempotencyKey != "", func(ctx context.Context) (*webhookv1.DispatchResponse, error) {
		return c.raw.Dispatch(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	return &DispatchResult{
		EventID:     resp.GetEventId(),
		DeliveryIDs: resp.GetDeliveryIds(),
		Duplicate:   resp.GetDuplicate(),
	}, nil
}

func encodePayload(payload any) (string, error) {
	if raw, ok := payload.(json.RawMessage); ok {
		return string(raw), nil
	}
	encoded, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	return string(encoded), nil
}

// ReplayOptions are the optional settings of Replay.
type ReplayOptions struct {
	// The endpoints to send the event to, subscribed or not. When empty, the
	// endpoints of the event's original deliveries.
	EndpointIDs []string
	// Count what would be replayed; create nothing.
	DryRun bool
}

// Replay sends a stored event again, as new deliveries signed afresh with the
// same event id. opts may be nil. It is not retried.
func (c *Client) Replay(ctx context.Context, eventID string, opts *ReplayOptions) (*ReplayResult, error) {
	if opts == nil {
		opts = &ReplayOptions{}
	}
	req := &webhookv1.ReplayRequest{EventId: eventID, EndpointIds: opts.EndpointIDs, DryRun: opts.DryRun}
	return c.replay(ctx, req)
}

// ReplayMatchingOptions are the optional settings of ReplayMatching.
type ReplayMatchingOptions struct {
	// Spread the new deliveries so that at most this many per second become
	// due; 0 means no cap.
	MaxPerSecond float64
	// Count what would be replayed; create nothing.
	DryRun bool
}

// ReplayMatching sends every delivery that matches filter again to its
// endpoint (for example, the dead deliveries of one endpoint in a time
// range). opts may be nil. It is not retried.
func (c *Client) ReplayMatching(ctx context.Context, filter DeliveryFilter, opts *ReplayMatchingOptions) (*ReplayResult, error) {
	if opts == nil {
		opts = &ReplayMatchingOptions{}
	}
	protoFilter, err := filterToProto(filter)
	if err != nil {
		return nil, err
	}
	if protoFilter == nil {
		protoFilter = &webhookv1.DeliveryFilter{}
	}
	req := &webhookv1.ReplayRequest{Filter: protoFilter, MaxPerSecond: opts.MaxPerSecond, DryRun: opts.DryRun}
	return c.replay(ctx, req)
}

func (c *Client) replay(ctx context.Context, req *webhookv1.ReplayRequest) (*ReplayResult, error) {
	resp, err := invoke(ctx, c, false, func(ctx context.Context) (*webhookv1.ReplayResponse, error) {
		return c.raw.Replay(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	return &ReplayResult{DeliveryIDs: resp.GetDeliveryIds(), Count: int64(resp.GetCount())}, nil
}
