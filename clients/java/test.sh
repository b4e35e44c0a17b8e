#!/usr/bin/env bash
# Java SDK tests: the unit tests (shared signature vectors, the client against
# a fake server, the version and LICENSE checks), the live test of every call
# against a webhookd of its own (from $WEBHOOKD_BIN, or target/debug/webhookd;
# skipped when there is none), and, when clients/test.sh sets WEBHOOKD_ADDR
# and friends, the integration test against that webhookd and the install
# test (mvn install into a throwaway repository, with the sources and javadoc
# jars, then a fresh project that depends on the SDK).
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B test
if [ -n "${WEBHOOKD_ADDR:-}" ]; then
  ./install-test.sh
fi
