package webhookd

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	mathrand "math/rand/v2"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// RetryPolicy says how calls that failed with UNAVAILABLE or
// DEADLINE_EXCEEDED are retried: after a delay drawn at random between 0 and
// InitialBackoff * Multiplier^(n-1) (capped at MaxBackoff) before the n-th
// retry ("full jitter"), at most MaxAttempts attempts in all.
//
// Only calls that are safe to repeat are retried: the reads, UpdateEndpoint,
// EnableEndpoint, DisableEndpoint, and Dispatch when it carries an
// idempotency key (see WithAutoIdempotencyKey). Streams are not: resume them
// with StreamFilter.SinceSequence.
type RetryPolicy struct {
	// Attempts in all, the first included; 1 disables retries. Default 4.
	MaxAttempts int
	// The cap of the first delay. Default 100 ms.
	InitialBackoff time.Duration
	// The largest cap of a delay. Default 2 s.
	MaxBackoff time.Duration
	// How much the cap grows from one retry to the next. Default 2.
	Multiplier float64
}

// DefaultRetryPolicy is the policy of a client made without WithRetry.
var DefaultRetryPolicy = RetryPolicy{
	MaxAttempts:    4,
	InitialBackoff: 100 * time.Millisecond,
	MaxBackoff:     2 * time.Second,
	Multiplier:     2,
}

// NoRetry disables retries: WithRetry(NoRetry).
var NoRetry = RetryPolicy{MaxAttempts: 1}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultRetryPolicy.MaxAttempts
	}
	if p.InitialBackoff <= 0 {
		p.InitialBackoff = DefaultRetryPolicy.InitialBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultRetryPolicy.MaxBackoff
	}
	if p.Multiplier < 1 {
		p.Multiplier = DefaultRetryPolicy.Multiplier
	}
	return p
}

// backoff returns the delay before retry number retry (1 for the first),
// for a random number in [0, 1).
func (p RetryPolicy) backoff(retry int, random float64) time.Duration {
	ceiling := float64(p.InitialBackoff) * math.Pow(p.Multiplier, float64(retry-1))
	ceiling = min(ceiling, float64(p.MaxBackoff))
	return time.Duration(random * ceiling)
}

// retryable reports whether a failure with this code may succeed when tried
// again.
func retryable(code codes.Code) bool {
	return code == codes.Unavailable || code == codes.DeadlineExceeded
}

// invoke runs call, retrying it under the client's policy when idempotent is
// true, and returns its result or an *Error.
func invoke[T any](ctx context.Context, c *Client, idempotent bool, call func(context.Context) (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		result, err := call(ctx)
		if err == nil {
			return result, nil
		}
		code := status.Code(err)
		if !idempotent || attempt >= c.retry.MaxAttempts || !retryable(code) || ctx.Err() != nil {
			var zero T
			return zero, newError(err)
		}
		if code == codes.Unavailable {
			// The channel waits before it reconnects after a failure (1 s at
			// first, then longer); a retry should not fail only because of it.
			c.conn.ResetConnectBackoff()
		}
		timer := time.NewTimer(c.retry.backoff(attempt, mathrand.Float64()))
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			var zero T
			return zero, newError(status.FromContextError(ctx.Err()).Err())
		}
	}
}

// newIdempotencyKey returns "sdk-" and a random (version 4) UUID.
func newIdempotencyKey() string {
	var b [16]byte
	rand.Read(b[:]) // crypto/rand.Read never fails (it panics on a broken OS)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("sdk-%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
