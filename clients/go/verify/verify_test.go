package verify_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/webhookd/webhookd/clients/go/verify"
)

// vectors mirrors tests/vectors/signatures.json, shared by every SDK.
type vectors struct {
	Sign []struct {
		Name              string `json:"name"`
		Secret            string `json:"secret"`
		Timestamp         int64  `json:"timestamp"`
		Body              string `json:"body"`
		ExpectedSignature string `json:"expected_signature"`
	} `json:"sign"`
	Verify []struct {
		Name             string `json:"name"`
		Secret           string `json:"secret"`
		Body             string `json:"body"`
		TimestampHeader  string `json:"timestamp_header"`
		SignatureHeader  string `json:"signature_header"`
		Now              int64  `json:"now"`
		ToleranceSeconds int64  `json:"tolerance_seconds"`
		Valid            bool   `json:"valid"`
		Error            string `json:"error"`
	} `json:"verify"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	path := os.Getenv("WEBHOOKD_VECTORS")
	if path == "" {
		path = "../../../tests/vectors/signatures.json"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the shared vectors (set WEBHOOKD_VECTORS): %v", err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	if len(v.Sign) == 0 || len(v.Verify) == 0 {
		t.Fatalf("%s holds no sign or verify cases", path)
	}
	return v
}

var categories = map[string]error{
	"malformed_header":           verify.ErrMalformedHeader,
	"timestamp_out_of_tolerance": verify.ErrTimestampOutOfTolerance,
	"signature_mismatch":         verify.ErrSignatureMismatch,
}

func TestSignVectors(t *testing.T) {
	for _, c := range loadVectors(t).Sign {
		t.Run(c.Name, func(t *testing.T) {
			if got := verify.Sign(c.Secret, c.Timestamp, []byte(c.Body)); got != c.ExpectedSignature {
				t.Errorf("Sign = %s, want %s", got, c.ExpectedSignature)
			}
		})
	}
}

func TestVerifyVectors(t *testing.T) {
	for _, c := range loadVectors(t).Verify {
		t.Run(c.Name, func(t *testing.T) {
			headers := http.Header{}
			headers.Set(verify.HeaderTimestamp, c.TimestampHeader)
			headers.Set(verify.HeaderSignature, c.SignatureHeader)
			err := verify.VerifyAt([]byte(c.Body), headers, []string{c.Secret},
				time.Duration(c.ToleranceSeconds)*time.Second, time.Unix(c.Now, 0))
			if c.Valid {
				if err != nil {
					t.Fatalf("VerifyAt = %v, want nil", err)
				}
				return
			}
			want, ok := categories[c.Error]
			if !ok {
				t.Fatalf("unknown error category %q", c.Error)
			}
			if !errors.Is(err, want) {
				t.Fatalf("VerifyAt = %v, want %s", err, c.Error)
			}
		})
	}
}

func TestVerifyRotation(t *testing.T) {
	body := []byte(`{"ok":true}`)
	now := time.Now()
	headers := http.Header{}
	headers.Set(verify.HeaderTimestamp, " "+strconv.FormatInt(now.Unix(), 10)+" ")
	// Two header lines, as a proxy may split them: the second one is good.
	headers.Add(verify.HeaderSignature, verify.Sign("old-secret", now.Unix(), body))
	headers.Add(verify.HeaderSignature, verify.Sign("new-secret", now.Unix(), body))

	if err := verify.Verify(body, headers, []string{"other", "new-secret"}, 0); err != nil {
		t.Errorf("Verify with the new secret second = %v, want nil", err)
	}
	if err := verify.Verify(body, headers, nil, 0); !errors.Is(err, verify.ErrSignatureMismatch) {
		t.Errorf("Verify without secrets = %v, want ErrSignatureMismatch", err)
	}
	if err := verify.VerifyAt(body, headers, []string{"new-secret"}, 0, now.Add(verify.DefaultTolerance+time.Second)); !errors.Is(err, verify.ErrTimestampOutOfTolerance) {
		t.Errorf("VerifyAt past the default tolerance = %v, want ErrTimestampOutOfTolerance", err)
	}
	if err := verify.Verify(body, http.Header{}, []string{"new-secret"}, 0); !errors.Is(err, verify.ErrMalformedHeader) {
		t.Errorf("Verify without headers = %v, want ErrMalformedHeader", err)
	}
}
