package webhookd

import "time"

// Backoff exposes RetryPolicy.backoff to the tests.
func Backoff(p RetryPolicy, retry int, random float64) time.Duration { return p.backoff(retry, random) }

// IsLoopback exposes isLoopback to the tests.
func IsLoopback(address string) bool { return isLoopback(address) }
