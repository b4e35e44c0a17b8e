package verify

import (
	"encoding/base64"
	"strings"
)

// SignStandardV1 exposes the v1 (HMAC) code path of VerifyStandard to the
// tests: the "v1,<base64>" signature of body sent with id at timestamp.
func SignStandardV1(secret, id string, timestamp int64, body []byte) (string, bool) {
	key, ok := decodeBase64(strings.TrimPrefix(secret, secretPrefix))
	if !ok {
		return "", false
	}
	return "v1," + base64.StdEncoding.EncodeToString(standardMAC(key, standardMessage(id, timestamp, body))), true
}
