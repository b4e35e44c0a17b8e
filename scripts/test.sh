#!/usr/bin/env bash
# Runs the whole test suite: Rust unit and integration tests, then the README
# quick start against the real binary with grpcurl. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --locked --all-targets

if ! command -v grpcurl >/dev/null 2>&1; then
  export PATH="$PATH:$(go env GOPATH)/bin"
  command -v grpcurl >/dev/null 2>&1 ||
    go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3
fi
tests/smoke/quickstart.sh
