package webhookd_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/webhookd/webhookd/clients/go/webhookd"
)

// TestVersion checks Version against clients/VERSION, where every SDK's
// version comes from.
func TestVersion(t *testing.T) {
	content, err := os.ReadFile("../../VERSION")
	if err != nil {
		t.Skipf("not in the webhookd repository: %v", err)
	}
	if want := strings.TrimSpace(string(content)); webhookd.Version != want {
		t.Errorf("webhookd.Version = %q, clients/VERSION says %q", webhookd.Version, want)
	}
}

// TestLicense checks that the module's LICENSE is the repository's.
func TestLicense(t *testing.T) {
	root, err := os.ReadFile("../../../LICENSE")
	if err != nil {
		t.Skipf("not in the webhookd repository: %v", err)
	}
	module, err := os.ReadFile("../LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(root, module) {
		t.Error("clients/go/LICENSE differs from the repository's LICENSE: copy it again")
	}
}
