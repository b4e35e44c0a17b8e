#!/usr/bin/env bash
# Go SDK tests: gofmt and go vet; the unit tests (shared signature vectors,
# the client against an in-process fake, the version and LICENSE checks); the
# live test of every call against a webhookd of its own (from $WEBHOOKD_BIN,
# or target/debug/webhookd; skipped when there is none); and, when
# clients/test.sh sets WEBHOOKD_ADDR, the integration test against that
# webhookd and the install test from a fresh module.
set -euo pipefail
cd "$(dirname "$0")"
unformatted=$(gofmt -l .)
[ -z "$unformatted" ] || { echo "gofmt needed: $unformatted"; exit 1; }
go vet ./...
go test -count=1 ./...
if [ -n "${WEBHOOKD_ADDR:-}" ]; then
  ./install-test.sh
fi
