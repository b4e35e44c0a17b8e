#!/usr/bin/env bash
# Go SDK tests: the shared signature vectors, the client against an
# in-process fake, and, when clients/test.sh sets WEBHOOKD_ADDR, the
# integration test against a live webhookd.
set -euo pipefail
cd "$(dirname "$0")"
go vet ./...
go test -count=1 ./...
