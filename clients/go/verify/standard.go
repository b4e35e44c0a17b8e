package verify

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery to an endpoint on the Standard Webhooks scheme
// (https://www.standardwebhooks.com).
const (
	StandardHeaderID        = "webhook-id"
	StandardHeaderTimestamp = "webhook-timestamp"
	StandardHeaderSignature = "webhook-signature"
)

const (
	secretPrefix    = "whsec_"
	publicKeyPrefix = "whpk_"
)

// base64Pattern is padded standard base64, the only form accepted for
// secrets, public keys and signatures.
var base64Pattern = regexp.MustCompile(`^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$`)

// standardSignature is one "version,base64" value of a webhook-signature header.
type standardSignature struct {
	version   string
	signature []byte
}

// VerifyStandard checks a delivery signed with the Standard Webhooks scheme:
// id, timestamp and signature are the values of the webhook-id,
// webhook-timestamp and webhook-signature headers, and body the raw request
// body exactly as received.
//
// The signature header holds space-separated "v1,<base64 HMAC-SHA256>" and
// "v1a,<base64 ed25519>" values; other versions and undecodable values never
// match. secrets are "whsec_<base64>" HMAC secrets (several during a
// rotation; the prefix is optional) and publicKeys "whpk_<base64>" ed25519
// public keys; one matching signature is enough. A tolerance of zero or less
// means DefaultTolerance.
//
// It returns nil when the delivery is authentic, an error that wraps
// ErrMalformedHeader, ErrTimestampOutOfTolerance or ErrSignatureMismatch when
// it must be rejected, and an error that wraps none of them when a secret or
// public key is not valid.
func VerifyStandard(body []byte, id, timestamp, signature string, secrets, publicKeys []string, tolerance time.Duration) error {
	return VerifyStandardAt(body, id, timestamp, signature, secrets, publicKeys, tolerance, time.Now())
}

// VerifyStandardAt is VerifyStandard with an explicit current time.
func VerifyStandardAt(body []byte, id, timestamp, signature string, secrets, publicKeys []string, tolerance time.Duration, now time.Time) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	keys := make([][]byte, 0, len(secrets))
	for i, secret := range secrets {
		key, ok := decodeBase64(strings.TrimPrefix(secret, secretPrefix))
		if !ok || len(key) == 0 {
			return fmt.Errorf("verify: secret %d is not whsec_ followed by non-empty base64", i)
		}
		keys = append(keys, key)
	}
	publics := make([]ed25519.PublicKey, 0, len(publicKeys))
	for i, publicKey := range publicKeys {
		key, ok := decodeBase64(strings.TrimPrefix(publicKey, publicKeyPrefix))
		if !ok || len(key) != ed25519.PublicKeySize {
			return fmt.Errorf("verify: public key %d is not whpk_ followed by the base64 of %d bytes", i, ed25519.PublicKeySize)
		}
		publics = append(publics, ed25519.PublicKey(key))
	}

	if id == "" {
		return fmt.Errorf("%w: no %s", ErrMalformedHeader, StandardHeaderID)
	}
	signedAt, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s %q is not unix seconds", ErrMalformedHeader, StandardHeaderTimestamp, timestamp)
	}
	signatures, err := parseStandardSignatures(signature)
	if err != nil {
		return err
	}
	if age := now.Sub(time.Unix(signedAt, 0)); age > tolerance || age < -tolerance {
		return fmt.Errorf("%w: signed at %d, %s from now, tolerance %s", ErrTimestampOutOfTolerance, signedAt, age.Round(time.Second), tolerance)
	}

	message := standardMessage(id, signedAt, body)
	for _, key := range keys {
		expected := standardMAC(key, message)
		for _, s := range signatures {
			if s.version == "v1" && hmac.Equal(expected, s.signature) {
				return nil
			}
		}
	}
	for _, key := range publics {
		for _, s := range signatures {
			if s.version == "v1a" && ed25519.Verify(key, message, s.signature) {
				return nil
			}
		}
	}
	return ErrSignatureMismatch
}

// standardMessage is what the Standard Webhooks scheme signs: the id, a dot,
// the timestamp, a dot and the body.
func standardMessage(id string, timestamp int64, body []byte) []byte {
	message := make([]byte, 0, len(id)+len(body)+22)
	message = append(message, id...)
	message = append(message, '.')
	message = strconv.AppendInt(message, timestamp, 10)
	message = append(message, '.')
	return append(message, body...)
}

// standardMAC is the v1 signature: HMAC-SHA256 keyed with the decoded secret.
func standardMAC(key, message []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(message)
	return h.Sum(nil)
}

// parseStandardSignatures splits a space-separated list of "version,base64"
// values. Values that are not base64 are dropped: they cannot match.
func parseStandardSignatures(header string) ([]standardSignature, error) {
	parts := strings.Fields(header)
	if len(parts) == 0 {
		return nil, fmt.Errorf("%w: no %s", ErrMalformedHeader, StandardHeaderSignature)
	}
	signatures := make([]standardSignature, 0, len(parts))
	for _, part := range parts {
		version, encoded, ok := strings.Cut(part, ",")
		if !ok {
			return nil, fmt.Errorf("%w: %q is not <version>,<base64>", ErrMalformedHeader, part)
		}
		if signature, ok := decodeBase64(encoded); ok {
			signatures = append(signatures, standardSignature{version: version, signature: signature})
		}
	}
	return signatures, nil
}

// decodeBase64 decodes padded standard base64, and nothing else.
func decodeBase64(text string) ([]byte, bool) {
	if !base64Pattern.MatchString(text) {
		return nil, false
	}
	decoded, err := base64.StdEncoding.DecodeString(text)
	return decoded, err == nil
}
