#!/usr/bin/env bash
# Installs the SDK into .venv (the newest tested runtime) and runs its tests:
# the shared signature vectors and the client against a fake server always;
# the live tests when WEBHOOKD_ADDR (clients/test.sh's webhookd) and
# WEBHOOKD_BIN (webhookds of the tests' own) are set; ruff and mypy --strict.
# Then the unit tests again in .venv-floor, on the oldest grpcio/protobuf
# the package accepts (requirements-floor.txt).
set -euo pipefail
cd "$(dirname "$0")"
pip_install=(python -m pip install --quiet --disable-pip-version-check)
# clients/test.sh falls back to target/debug/webhookd without exporting it;
# the live tests start webhookds of their own from the same binary.
if [ -n "${WEBHOOKD_ADDR:-}" ] && [ -z "${WEBHOOKD_BIN:-}" ]; then
  export WEBHOOKD_BIN=$(cd ../.. && pwd)/target/debug/webhookd
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
# setuptools builds in the tree: drop its leftovers so no stale file is packaged.
rm -rf build src/webhookd.egg-info
.venv/bin/"${pip_install[@]}" -r requirements-dev.txt .
.venv/bin/ruff format --check --quiet .
.venv/bin/ruff check --quiet .
.venv/bin/python -m mypy
.venv/bin/python -m pytest -q

echo "==> python: unit tests on the floor versions (requirements-floor.txt)"
[ -x .venv-floor/bin/python ] || python3 -m venv .venv-floor
rm -rf build src/webhookd.egg-info
.venv-floor/bin/"${pip_install[@]}" -r requirements-floor.txt .
env -u WEBHOOKD_ADDR -u WEBHOOKD_BIN .venv-floor/bin/python -m pytest -q -p no:cacheprovider
