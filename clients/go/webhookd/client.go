// Package webhookd is a Go client for the webhookd gRPC API: dispatch events
// and watch their deliveries. For the full API use Client.Raw; to check the
// signatures of received deliveries use package
// github.com/webhookd/webhookd/clients/go/verify.
package webhookd

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/webhookd/webhookd/clients/go/webhookv1"
)

// DefaultTimeout is the deadline given to unary calls whose context has none,
// unless WithTimeout says otherwise.
const DefaultTimeout = 30 * time.Second

// Client is a connection to webhookd. It is safe for concurrent use.
type Client struct {
	conn *grpc.ClientConn
	raw  webhookv1.WebhookServiceClient
}

type config struct {
	tls         *tls.Config
	insecure    bool
	apiKey      string
	timeout     time.Duration
	dialOptions []grpc.DialOption
}

// An Option configures Dial.
type Option func(*config)

// WithTLS connects over TLS with the given configuration (nil: the system
// roots). This is the default for non-loopback addresses.
func WithTLS(c *tls.Config) Option {
	return func(cfg *config) {
		cfg.tls = c
		if cfg.tls == nil {
			cfg.tls = &tls.Config{}
		}
		cfg.insecure = false
	}
}

// WithInsecure connects over plaintext HTTP/2. This is the default for
// loopback addresses (localhost, 127.0.0.0/8, ::1) and unix sockets.
func WithInsecure() Option {
	return func(cfg *config) {
		cfg.tls = nil
		cfg.insecure = true
	}
}

// WithAPIKey sends "authorization: Bearer <key>" with every call.
func WithAPIKey(key string) Option {
	return func(cfg *config) { cfg.apiKey = key }
}

// WithTimeout sets the deadline of unary calls whose context has none
// (default DefaultTimeout; 0 for none). Streams are not affected.
func WithTimeout(d time.Duration) Option {
	return func(cfg *config) { cfg.timeout = d }
}

// WithDialOptions passes extra options to grpc.NewClient.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(cfg *config) { cfg.dialOptions = append(cfg.dialOptions, opts...) }
}

// Dial connects to the webhookd gRPC API at addr ("host:port" or any gRPC
// target) and waits until the connection is ready. It fails when the
// connection attempt fails or ctx ends first.
func Dial(ctx context.Context, addr string, opts ...Option) (*Client, error) {
	cfg := config{timeout: DefaultTimeout, insecure: isLocal(addr)}
	if !cfg.insecure {
		cfg.tls = &tls.Config{}
	}
	for _, opt := range opts {
		opt(&cfg)
	}

	creds := insecure.NewCredentials()
	if !cfg.insecure {
		creds = credentials.NewTLS(cfg.tls)
	}
	dialOptions := []grpc.DialOption{grpc.WithTransportCredentials(creds)}
	if cfg.apiKey != "" {
		dialOptions = append(dialOptions, grpc.WithPerRPCCredentials(bearer(cfg.apiKey)))
	}
	if cfg.timeout > 0 {
		dialOptions = append(dialOptions, grpc.WithUnaryInterceptor(defaultDeadline(cfg.timeout)))
	}
	conn, err := grpc.NewClient(addr, append(dialOptions, cfg.dialOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("webhookd: %w", err)
	}
	if err := waitReady(ctx, conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("webhookd: connecting to %s: %w", addr, err)
	}
	return &Client{conn: conn, raw: webhookv1.NewWebhookServiceClient(conn)}, nil
}

func waitReady(ctx context.Context, conn *grpc.ClientConn) error {
	conn.Connect()
	for {
		state := conn.GetState()
		switch state {
		case connectivity.Ready:
			return nil
		case connectivity.TransientFailure, connectivity.Shutdown:
			return fmt.Errorf("connection state %s", state)
		}
		if !conn.WaitForStateChange(ctx, state) {
			return ctx.Err()
		}
	}
}

// isLocal reports whether addr is on this machine, where plaintext is safe.
func isLocal(addr string) bool {
	if strings.HasPrefix(addr, "unix:") {
		return true
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// bearer sends an API key as per-call metadata. It is sent over plaintext
// connections too: WithInsecure is an explicit choice.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (bearer) RequireTransportSecurity() bool { return false }

func defaultDeadline(d time.Duration) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d)
			defer cancel()
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

// Raw returns the generated client, for the calls this package does not wrap.
// It shares the connection, the API key and the default timeout.
func (c *Client) Raw() webhookv1.WebhookServiceClient { return c.raw }

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// A DispatchOption configures Dispatch.
type DispatchOption func(*webhookv1.DispatchRequest)

// WithIdempotencyKey makes Dispatch idempotent: a second Dispatch with the
// same key returns the original event id and delivers nothing new.
func WithIdempotencyKey(key string) DispatchOption {
	return func(r *webhookv1.DispatchRequest) { r.IdempotencyKey = key }
}

// WithEndpointIDs delivers the event to these endpoints only, whether or not
// they subscribe to its type.
func WithEndpointIDs(ids ...string) DispatchOption {
	return func(r *webhookv1.DispatchRequest) { r.EndpointIds = append(r.EndpointIds, ids...) }
}

// Dispatch sends an event of eventType (such as "order.created") and returns
// its id, which receivers get as X-Webhook-Id. The payload is encoded with
// encoding/json and must encode to a JSON object; pass a json.RawMessage to
// send JSON that is already encoded, byte for byte. Errors from webhookd are
// gRPC status errors (see status.Code).
func (c *Client) Dispatch(ctx context.Context, eventType string, payload any, opts ...DispatchOption) (string, error) {
	payloadJSON, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("webhookd: encoding the payload: %w", err)
	}
	req := &webhookv1.DispatchRequest{
		EventType: eventType,
		Body:      &webhookv1.DispatchRequest_PayloadJson{PayloadJson: string(payloadJSON)},
	}
	for _, opt := range opts {
		opt(req)
	}
	resp, err := c.raw.Dispatch(ctx, req)
	if err != nil {
		return "", err
	}
	return resp.GetEventId(), nil
}

// StreamFilter selects the updates of StreamDeliveries. Every field is
// optional; set fields must all match.
type StreamFilter struct {
	// Only updates for these endpoints.
	EndpointIDs []string
	// Only updates for events whose type matches one of these patterns
	// ("order.created" or "order.*").
	EventTypes []string
	// Only updates that move a delivery into one of these states.
	States []webhookv1.DeliveryState
	// Replay stored updates with a sequence number above this one first.
	SinceSequence uint64
	// Replay stored updates at or after this time first.
	SinceTime time.Time
}

// StreamDeliveries watches delivery and endpoint state changes. The stream
// opens when the loop starts and closes when the loop ends:
//
//	for update, err := range client.StreamDeliveries(ctx, filter) {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// A failure is yielded once, as an error with a nil update, and ends the
// sequence. The sequence also ends, without error, when webhookd closes the
// stream. Heartbeat and lag updates (UPDATE_KIND_HEARTBEAT,
// UPDATE_KIND_LAGGED) are yielded too.
func (c *Client) StreamDeliveries(ctx context.Context, filter StreamFilter) iter.Seq2[*webhookv1.DeliveryUpdate, error] {
	req := &webhookv1.StreamDeliveriesRequest{
		EndpointIds:   filter.EndpointIDs,
		EventTypes:    filter.EventTypes,
		States:        filter.States,
		SinceSequence: filter.SinceSequence,
	}
	if !filter.SinceTime.IsZero() {
		req.SinceTime = timestamppb.New(filter.SinceTime)
	}
	return func(yield func(*webhookv1.DeliveryUpdate, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stream, err := c.raw.StreamDeliveries(ctx, req)
		if err != nil {
			yield(nil, err)
			return
		}
		for {
			update, err := stream.Recv()
			if err == io.EOF {
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
