#!/usr/bin/env bash
# Installs the locked dependencies (which builds dist/ through `prepare`),
# then runs the tests: the shared signature vectors, the client against a
# fake server and the package metadata always; when clients/test.sh provides
# WEBHOOKD_ADDR (its webhookd) and WEBHOOKD_BIN (for webhookds of the tests'
# own), the integration, live and install tests.
set -euo pipefail
cd "$(dirname "$0")"
# clients/test.sh falls back to target/debug/webhookd without exporting it.
if [ -n "${WEBHOOKD_ADDR:-}" ] && [ -z "${WEBHOOKD_BIN:-}" ]; then
  export WEBHOOKD_BIN=$(cd ../.. && pwd)/target/debug/webhookd
fi

npm ci --silent --no-audit --no-fund
npm test --silent
