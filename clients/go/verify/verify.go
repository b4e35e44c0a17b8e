// Package verify checks the signatures webhookd puts on its deliveries. It
// uses only the standard library, so receivers need not depend on gRPC.
//
// Each delivery is an HTTP POST whose headers carry the event id
// (X-Webhook-Id), the unix time of signing (X-Webhook-Timestamp) and one or
// more signatures (X-Webhook-Signature: sha256=<hex>[,sha256=<hex>...]). A
// signature is the lowercase hex HMAC-SHA256, keyed with the endpoint secret,
// of the timestamp, a dot and the raw body.
//
// Endpoints on the Standard Webhooks scheme (https://www.standardwebhooks.com)
// send webhook-id, webhook-timestamp and webhook-signature instead; check
// those with VerifyStandard.
package verify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a webhookd delivery.
const (
	HeaderID        = "X-Webhook-Id"
	HeaderTimestamp = "X-Webhook-Timestamp"
	HeaderSignature = "X-Webhook-Signature"
)

// DefaultTolerance is how far the signing time may be from now, in the past
// or the future, when Verify is given a tolerance of zero or less.
const DefaultTolerance = 5 * time.Minute

const schemePrefix = "sha256="

// The categories of verification failure; test with errors.Is.
var (
	// ErrMalformedHeader: the timestamp or signature header is missing or
	// cannot be parsed.
	ErrMalformedHeader = errors.New("malformed signature headers")
	// ErrTimestampOutOfTolerance: the delivery was signed too long ago, or
	// too far in the future (a replayed or forged request).
	ErrTimestampOutOfTolerance = errors.New("timestamp out of tolerance")
	// ErrSignatureMismatch: no signature matches the body with any secret.
	ErrSignatureMismatch = errors.New("signature mismatch")
)

// Sign returns the X-Webhook-Signature value webhookd sends for body signed
// with secret at timestamp (unix seconds).
func Sign(secret string, timestamp int64, body []byte) string {
	return schemePrefix + hex.EncodeToString(mac(secret, timestamp, body))
}

// Verify checks that body, the raw request body exactly as received, was
// signed by webhookd with one of secrets (several during a secret rotation)
// within tolerance of the current time. It returns nil when any signature in
// the headers matches any secret, and otherwise an error that wraps
// ErrMalformedHeader, ErrTimestampOutOfTolerance or ErrSignatureMismatch.
func Verify(body []byte, headers http.Header, secrets []string, tolerance time.Duration) error {
	return VerifyAt(body, headers, secrets, tolerance, time.Now())
}

// VerifyAt is Verify with an explicit current time.
func VerifyAt(body []byte, headers http.Header, secrets []string, tolerance time.Duration, now time.Time) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	rawTimestamp := headers.Get(HeaderTimestamp)
	timestamp, err := strconv.ParseInt(strings.TrimSpace(rawTimestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s %q is not unix seconds", ErrMalformedHeader, HeaderTimestamp, rawTimestamp)
	}
	signatures, err := parseSignatures(strings.Join(headers.Values(HeaderSignature), ","))
	if err != nil {
		return err
	}
	if age := now.Sub(time.Unix(timestamp, 0)); age > tolerance || age < -tolerance {
		return fmt.Errorf("%w: signed at %d, %s from now, tolerance %s", ErrTimestampOutOfTolerance, timestamp, age.Round(time.Second), tolerance)
	}
	for _, secret := range secrets {
		expected := mac(secret, timestamp, body)
		for _, signature := range signatures {
			if hmac.Equal(expected, signature) {
				return nil
			}
		}
	}
	return ErrSignatureMismatch
}

func mac(secret string, timestamp int64, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(strconv.AppendInt(nil, timestamp, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// parseSignatures decodes a comma-separated list of "sha256=<hex>" values.
func parseSignatures(header string) ([][]byte, error) {
	var signatures [][]byte
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		digest, ok := strings.CutPrefix(part, schemePrefix)
		if !ok {
			return nil, fmt.Errorf("%w: %q does not start with %s", ErrMalformedHeader, part, schemePrefix)
		}
		signature, err := hex.DecodeString(digest)
		if err != nil {
			return nil, fmt.Errorf("%w: %q is not hex", ErrMalformedHeader, part)
		}
		signatures = append(signatures, signature)
	}
	if len(signatures) == 0 {
		return nil, fmt.Errorf("%w: no %s", ErrMalformedHeader, HeaderSignature)
	}
	return signatures, nil
}
