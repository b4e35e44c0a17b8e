package verify_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/webhookd/webhookd/clients/go/verify"
)

// standardVectors mirrors tests/vectors/standard_webhooks.json, shared by
// every SDK.
type standardVectors struct {
	Scheme  string            `json:"scheme"`
	Headers map[string]string `json:"headers"`
	Sign    []struct {
		Name              string `json:"name"`
		Secret            string `json:"secret"`
		ID                string `json:"id"`
		Timestamp         int64  `json:"timestamp"`
		Body              string `json:"body"`
		ExpectedSignature string `json:"expected_signature"`
	} `json:"sign"`
	SignEd25519 []struct {
		Name              string `json:"name"`
		PrivateKey        string `json:"private_key"`
		PublicKey         string `json:"public_key"`
		ID                string `json:"id"`
		Timestamp         int64  `json:"timestamp"`
		Body              string `json:"body"`
		ExpectedSignature string `json:"expected_signature"`
	} `json:"sign_ed25519"`
	Verify []struct {
		Name             string   `json:"name"`
		Secrets          []string `json:"secrets"`
		PublicKeys       []string `json:"public_keys"`
		ID               string   `json:"id"`
		Body             string   `json:"body"`
		TimestampHeader  string   `json:"timestamp_header"`
		SignatureHeader  string   `json:"signature_header"`
		Now              int64    `json:"now"`
		ToleranceSeconds int64    `json:"tolerance_seconds"`
		Valid            bool     `json:"valid"`
		Error            string   `json:"error"`
	} `json:"verify"`
}

func loadStandardVectors(t *testing.T) standardVectors {
	t.Helper()
	path := os.Getenv("WEBHOOKD_STANDARD_VECTORS")
	if path == "" {
		path = "../../../tests/vectors/standard_webhooks.json"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the shared vectors (set WEBHOOKD_STANDARD_VECTORS): %v", err)
	}
	var v standardVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	if v.Scheme != "standard" || len(v.Sign) == 0 || len(v.SignEd25519) == 0 || len(v.Verify) == 0 {
		t.Fatalf("%s is not the standard scheme, or holds no sign, sign_ed25519 or verify cases", path)
	}
	want := map[string]string{
		"id":        verify.StandardHeaderID,
		"timestamp": verify.StandardHeaderTimestamp,
		"signature": verify.StandardHeaderSignature,
	}
	for key, name := range want {
		if v.Headers[key] != name {
			t.Fatalf("%s names the %s header %q, want %q", path, key, v.Headers[key], name)
		}
	}
	return v
}

func TestStandardSignVectors(t *testing.T) {
	for _, c := range loadStandardVectors(t).Sign {
		t.Run(c.Name, func(t *testing.T) {
			got, ok := verify.SignStandardV1(c.Secret, c.ID, c.Timestamp, []byte(c.Body))
			if !ok || got != c.ExpectedSignature {
				t.Errorf("v1 signature = %s (%t), want %s", got, ok, c.ExpectedSignature)
			}
			ts := strconv.FormatInt(c.Timestamp, 10)
			now := time.Unix(c.Timestamp, 0)
			if err := verify.VerifyStandardAt([]byte(c.Body), c.ID, ts, c.ExpectedSignature, []string{c.Secret}, nil, 0, now); err != nil {
				t.Errorf("VerifyStandardAt = %v, want nil", err)
			}
			rotated := []string{"whsec_AAAA", strings.TrimPrefix(c.Secret, "whsec_")}
			if err := verify.VerifyStandardAt([]byte(c.Body), c.ID, ts, c.ExpectedSignature, rotated, nil, 0, now); err != nil {
				t.Errorf("VerifyStandardAt with a rotated secret list = %v, want nil", err)
			}
		})
	}
}

func TestStandardSignEd25519Vectors(t *testing.T) {
	for _, c := range loadStandardVectors(t).SignEd25519 {
		t.Run(c.Name, func(t *testing.T) {
			seed, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(c.PrivateKey, "whsk_"))
			if err != nil || len(seed) != ed25519.SeedSize {
				t.Fatalf("private key %q is not a base64 seed: %v", c.PrivateKey, err)
			}
			ts := strconv.FormatInt(c.Timestamp, 10)
			message := []byte(c.ID + "." + ts + "." + c.Body)
			got := "v1a," + base64.StdEncoding.EncodeToString(ed25519.Sign(ed25519.NewKeyFromSeed(seed), message))
			if got != c.ExpectedSignature {
				t.Errorf("v1a signature = %s, want %s", got, c.ExpectedSignature)
			}
			if err := verify.VerifyStandardAt([]byte(c.Body), c.ID, ts, c.ExpectedSignature, nil, []string{c.PublicKey}, 0, time.Unix(c.Timestamp, 0)); err != nil {
				t.Errorf("VerifyStandardAt = %v, want nil", err)
			}
		})
	}
}

func TestStandardVerifyVectors(t *testing.T) {
	for _, c := range loadStandardVectors(t).Verify {
		t.Run(c.Name, func(t *testing.T) {
			err := verify.VerifyStandardAt([]byte(c.Body), c.ID, c.TimestampHeader, c.SignatureHeader,
				c.Secrets, c.PublicKeys, time.Duration(c.ToleranceSeconds)*time.Second, time.Unix(c.Now, 0))
			if c.Valid {
				if err != nil {
					t.Fatalf("VerifyStandardAt = %v, want nil", err)
				}
				return
			}
			want, ok := categories[c.Error]
			if !ok {
				t.Fatalf("unknown error category %q", c.Error)
			}
			if !errors.Is(err, want) {
				t.Fatalf("VerifyStandardAt = %v, want %s", err, c.Error)
			}
		})
	}
}

func TestVerifyStandardEdges(t *testing.T) {
	c := loadStandardVectors(t).Sign[0]
	body := []byte(c.Body)
	ts := strconv.FormatInt(c.Timestamp, 10)
	now := time.Unix(c.Timestamp, 0)
	secrets := []string{c.Secret}

	if err := verify.VerifyStandard(body, c.ID, ts, c.ExpectedSignature, secrets, nil, 0); !errors.Is(err, verify.ErrTimestampOutOfTolerance) {
		t.Errorf("VerifyStandard against the clock = %v, want ErrTimestampOutOfTolerance", err)
	}
	if err := verify.VerifyStandardAt(body, "", ts, c.ExpectedSignature, secrets, nil, 0, now); !errors.Is(err, verify.ErrMalformedHeader) {
		t.Errorf("VerifyStandardAt without an id = %v, want ErrMalformedHeader", err)
	}
	if err := verify.VerifyStandardAt(body, c.ID, "", c.ExpectedSignature, secrets, nil, 0, now); !errors.Is(err, verify.ErrMalformedHeader) {
		t.Errorf("VerifyStandardAt without a timestamp = %v, want ErrMalformedHeader", err)
	}
	if err := verify.VerifyStandardAt(body, c.ID, ts, "  ", secrets, nil, 0, now); !errors.Is(err, verify.ErrMalformedHeader) {
		t.Errorf("VerifyStandardAt with a blank signature = %v, want ErrMalformedHeader", err)
	}
	if err := verify.VerifyStandardAt(body, c.ID, ts, c.ExpectedSignature, nil, nil, 0, now); !errors.Is(err, verify.ErrSignatureMismatch) {
		t.Errorf("VerifyStandardAt without secrets = %v, want ErrSignatureMismatch", err)
	}
	for _, secret := range []string{"whsec_", "whsec_not base64!", "abc"} {
		err := verify.VerifyStandardAt(body, c.ID, ts, c.ExpectedSignature, []string{secret}, nil, 0, now)
		if err == nil || errors.Is(err, verify.ErrMalformedHeader) || errors.Is(err, verify.ErrSignatureMismatch) {
			t.Errorf("VerifyStandardAt with secret %q = %v, want a configuration error", secret, err)
		}
	}
	for _, key := range []string{"whpk_", "whpk_AAAA", "whpk_not base64!"} {
		err := verify.VerifyStandardAt(body, c.ID, ts, c.ExpectedSignature, nil, []string{key}, 0, now)
		if err == nil || errors.Is(err, verify.ErrMalformedHeader) || errors.Is(err, verify.ErrSignatureMismatch) {
			t.Errorf("VerifyStandardAt with public key %q = %v, want a configuration error", key, err)
		}
	}
}
