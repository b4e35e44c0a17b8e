#!/usr/bin/env bash
# Installs the SDK as a user does before it is published, in a fresh module
# outside the repository: `go mod init`, a `replace` directive to this
# checkout, `go mod tidy`. Then builds and runs a small program that calls the
# webhookd at $WEBHOOKD_ADDR (clients/test.sh starts one) and checks that an
# error's details decode without the program importing errdetails.
set -euo pipefail
sdk=$(cd "$(dirname "$0")" && pwd)
: "${WEBHOOKD_ADDR:?set WEBHOOKD_ADDR to the address of a running webhookd}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

go mod init example.com/webhookd-install-test 2>/dev/null
go mod edit -replace "github.com/webhookd/webhookd/clients/go=$sdk"
cat >main.go <<'EOF'
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/webhookd/webhookd/clients/go/webhookd"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := webhookd.New(os.Getenv("WEBHOOKD_ADDR"))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	endpoints, err := client.ListEndpoints(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	metrics, err := client.GetMetrics(ctx, &webhookd.MetricsOptions{Window: time.Minute})
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.GetEndpoint(ctx, "ep_install_test_missing")
	var werr *webhookd.Error
	if !errors.As(err, &werr) || werr.Reason != "ENDPOINT_NOT_FOUND" {
		log.Fatalf("GetEndpoint of a missing endpoint: %v, want reason ENDPOINT_NOT_FOUND", err)
	}
	fmt.Printf("webhookd-go %s: %d endpoints, window %s, missing endpoint: %s\n",
		webhookd.Version, len(endpoints.Items), metrics.Window, werr.Reason)
}
EOF
go mod tidy
grep -q '^require github.com/webhookd/webhookd/clients/go ' go.mod ||
  grep -q '^\s*github.com/webhookd/webhookd/clients/go ' go.mod ||
  { echo "go mod tidy did not add the SDK to go.mod:"; cat go.mod; exit 1; }
go vet .
output=$(go run .)
echo "install test: $output"
