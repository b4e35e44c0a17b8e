#!/usr/bin/env bash
# Unit tests (shared signature vectors, client against a fake server), then
# the integration test when clients/test.sh has started webhookd
# (WEBHOOKD_ADDR and friends); without it, the integration test is skipped.
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B test
