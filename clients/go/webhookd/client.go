// Package webhookd is the Go client of the webhookd gRPC API: one typed
// method per call of webhook.v1.WebhookService, native Go types in every
// result, one error type (*Error), retries with backoff for the calls that are
// safe to repeat, a default deadline and TLS by default.
//
//	client, err := webhookd.New("webhookd.internal:50051", webhookd.WithAPIKey(key))
//	if err != nil {
//		return err
//	}
//	defer client.Close()
//	result, err := client.Dispatch(ctx, "order.created", map[string]any{"order_id": "ord_1"})
//
// To check the signatures of the deliveries you receive, use package
// github.com/webhookd/webhookd/clients/go/verify. The generated stubs are in
// package github.com/webhookd/webhookd/clients/go/webhookv1 (see Client.Raw).
package webhookd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/webhookd/webhookd/clients/go/webhookv1"
)

// DefaultTimeout is the deadline of each unary call whose context has none,
// unless WithTimeout says otherwise. It applies to every attempt of a retried
// call, and to the unary calls made through Raw.
const DefaultTimeout = 10 * time.Second

// Client is a connection to webhookd. It is safe for concurrent use; create
// one and reuse it.
type Client struct {
	conn               *grpc.ClientConn
	raw                webhookv1.WebhookServiceClient
	retry              RetryPolicy
	autoIdempotencyKey bool
}

// tlsMode says whether to use TLS: decided by the address, or forced.
type tlsMode int

const (
	tlsAuto tlsMode = iota
	tlsOn
	tlsOff
)

type config struct {
	tlsMode            tlsMode
	tlsConfig          *tls.Config
	rootCAs            []byte
	clientCert         []byte
	clientKey          []byte
	apiKey             string
	timeout            time.Duration
	streamTimeout      time.Duration
	retry              RetryPolicy
	autoIdempotencyKey bool
	dialOptions        []grpc.DialOption
}

// An Option configures New and Dial.
type Option func(*config)

// WithAPIKey sends "authorization: Bearer <key>" with every call, the calls
// made through Raw included.
func WithAPIKey(key string) Option {
	return func(cfg *config) { cfg.apiKey = key }
}

// WithTLS forces TLS with the given configuration (nil: the system's
// certificate authorities). Without it, TLS is used unless the address is a
// loopback one (localhost, 127.0.0.0/8, ::1).
func WithTLS(c *tls.Config) Option {
	return func(cfg *config) {
		cfg.tlsMode = tlsOn
		cfg.tlsConfig = c
	}
}

// WithInsecure forces plaintext HTTP/2, even to a remote host: the API key
// then travels in clear. It is the default for loopback addresses only.
func WithInsecure() Option {
	return func(cfg *config) { cfg.tlsMode = tlsOff }
}

// WithRootCAs trusts the certificate authorities in pemCerts (PEM) instead of
// the system's, for a server certificate from a private CA. It implies TLS,
// loopback addresses included.
func WithRootCAs(pemCerts []byte) Option {
	return func(cfg *config) { cfg.rootCAs = pemCerts }
}

// WithClientCertificate presents this certificate (PEM chain) and private key
// (PEM) to the server, for mutual TLS. It implies TLS, loopback addresses
// included.
func WithClientCertificate(certPEM, keyPEM []byte) Option {
	return func(cfg *config) { cfg.clientCert, cfg.clientKey = certPEM, keyPEM }
}

// WithTimeout sets the deadline of each unary call whose context has none
// (default DefaultTimeout; 0 for none). Each attempt of a retried call gets
// the full timeout; a deadline on the context bounds all of them.
func WithTimeout(d time.Duration) Option {
	return func(cfg *config) { cfg.timeout = max(d, 0) }
}

// WithStreamTimeout sets the deadline of each stream whose context has none
// (default none: a stream stays open until it is closed).
func WithStreamTimeout(d time.Duration) Option {
	return func(cfg *config) { cfg.streamTimeout = max(d, 0) }
}

// WithRetry sets the retry policy (default DefaultRetryPolicy). Fields left
// zero take their default; NoRetry disables retries.
func WithRetry(p RetryPolicy) Option {
	return func(cfg *config) { cfg.retry = p.withDefaults() }
}

// WithAutoIdempotencyKey says whether Dispatch generates an idempotency key
// ("sdk-" and a random UUID) when the caller gives none (default true). With
// a key, a Dispatch that failed with UNAVAILABLE or DEADLINE_EXCEEDED is
// retried without the risk of a duplicate event; without one it is not
// retried.
func WithAutoIdempotencyKey(enabled bool) Option {
	return func(cfg *config) { cfg.autoIdempotencyKey = enabled }
}

// WithDialOptions passes extra options to grpc.NewClient, for example
// interceptors for tracing.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(cfg *config) { cfg.dialOptions = append(cfg.dialOptions, opts...) }
}

// New creates a client of the webhookd gRPC API at address ("host:port", or
// any gRPC target such as "dns:///host:port"). It does not connect: the
// connection is made by the first call, and made again after a failure.
// Use Dial to wait until the server answers.
func New(address string, opts ...Option) (*Client, error) {
	if address == "" {
		return nil, errors.New("webhookd: the address is empty")
	}
	cfg := config{timeout: DefaultTimeout, retry: DefaultRetryPolicy, autoIdempotencyKey: true}
	for _, opt := range opts {
		opt(&cfg)
	}
	creds, err := transportCredentials(address, &cfg)
	if err != nil {
		return nil, err
	}
	dialOptions := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithUserAgent("webhookd-go/" + Version),
	}
	if cfg.apiKey != "" {
		dialOptions = append(dialOptions, grpc.WithPerRPCCredentials(bearer(cfg.apiKey)))
	}
	if cfg.timeout > 0 {
		dialOptions = append(dialOptions, grpc.WithChainUnaryInterceptor(unaryDeadline(cfg.timeout)))
	}
	if cfg.streamTimeout > 0 {
		dialOptions = append(dialOptions, grpc.WithChainStreamInterceptor(streamDeadline(cfg.streamTimeout)))
	}
	conn, err := grpc.NewClient(address, append(dialOptions, cfg.dialOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("webhookd: %w", err)
	}
	return &Client{
		conn:               conn,
		raw:                webhookv1.NewWebhookServiceClient(conn),
		retry:              cfg.retry,
		autoIdempotencyKey: cfg.autoIdempotencyKey,
	}, nil
}

// Dial is New followed by a wait until the connection is ready. It fails
// when the connection attempt fails or ctx ends first.
func Dial(ctx context.Context, address string, opts ...Option) (*Client, error) {
	client, err := New(address, opts...)
	if err != nil {
		return nil, err
	}
	if err := waitReady(ctx, client.conn); err != nil {
		client.conn.Close()
		return nil, fmt.Errorf("webhookd: connecting to %s: %w", address, err)
	}
	return client, nil
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

// transportCredentials picks TLS or plaintext for address and builds the TLS
// configuration from the options.
func transportCredentials(address string, cfg *config) (credentials.TransportCredentials, error) {
	wantsCertificates := cfg.rootCAs != nil || cfg.clientCert != nil || cfg.clientKey != nil
	useTLS := cfg.tlsMode == tlsOn ||
		(cfg.tlsMode == tlsAuto && (wantsCertificates || !isLoopback(address)))
	if !useTLS {
		if wantsCertificates {
			return nil, errors.New("webhookd: WithInsecure conflicts with WithRootCAs and WithClientCertificate")
		}
		return insecure.NewCredentials(), nil
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.tlsConfig != nil {
		tlsConfig = cfg.tlsConfig.Clone()
	}
	if cfg.rootCAs != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(cfg.rootCAs) {
			return nil, errors.New("webhookd: WithRootCAs: no PEM certificate found")
		}
		tlsConfig.RootCAs = pool
	}
	if cfg.clientCert != nil || cfg.clientKey != nil {
		certificate, err := tls.X509KeyPair(cfg.clientCert, cfg.clientKey)
		if err != nil {
			return nil, fmt.Errorf("webhookd: WithClientCertificate: %w", err)
		}
		tlsConfig.Certificates = append(tlsConfig.Certificates, certificate)
	}
	return credentials.NewTLS(tlsConfig), nil
}

// isLoopback reports whether address is on this machine, where plaintext is
// safe: localhost, 127.0.0.0/8, ::1 or a unix socket. Names other than
// localhost are not resolved.
func isLoopback(address string) bool {
	if strings.HasPrefix(address, "unix:") || strings.HasPrefix(address, "unix-abstract:") {
		return true
	}
	if i := strings.Index(address, ":///"); i >= 0 { // dns:///host:port, passthrough:///host:port
		address = address[i+len(":///"):]
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = strings.Trim(address, "[]")
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// bearer sends an API key as per-call metadata. It is sent over plaintext
// connections too: those are loopback ones, or an explicit WithInsecure.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (bearer) RequireTransportSecurity() bool { return false }

// unaryDeadline gives each unary call whose context has no deadline one of d.
func unaryDeadline(d time.Duration) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d)
			defer cancel()
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

// streamDeadline gives each stream whose context has no deadline one of d.
func streamDeadline(d time.Duration) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		if _, ok := ctx.Deadline(); ok {
			return streamer(ctx, desc, cc, method, opts...)
		}
		ctx, cancel := context.WithTimeout(ctx, d)
		stream, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil {
			cancel()
			return nil, err
		}
		return &cancelAtEnd{ClientStream: stream, cancel: cancel}, nil
	}
}

// cancelAtEnd releases the deadline's timer once the stream has ended.
type cancelAtEnd struct {
	grpc.ClientStream
	cancel context.CancelFunc
}

func (s *cancelAtEnd) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil {
		s.cancel()
	}
	return err
}

// Raw returns the generated client, sharing the connection, the API key and
// the default timeouts (but not the retries, nor the error type: its errors
// are gRPC status errors).
func (c *Client) Raw() webhookv1.WebhookServiceClient { return c.raw }

// Close closes the connection, ending the calls and streams still open.
func (c *Client) Close() error { return c.conn.Close() }
