#!/usr/bin/env bash
# Installs the locked dependencies, builds, and runs the unit tests (shared
# signature vectors, the client against a fake server) and, when
# WEBHOOKD_ADDR is set, the integration test. clients/test.sh calls this with
# a live webhookd.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --silent --no-audit --no-fund
npm test --silent
