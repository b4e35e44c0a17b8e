#!/usr/bin/env bash
# Installs the SDK into .venv and runs its tests: the shared signature vectors
# always, the integration tests when WEBHOOKD_ADDR is set (see ../test.sh).
set -euo pipefail
cd "$(dirname "$0")"

[ -x .venv/bin/python ] || python3 -m venv .venv
# setuptools builds in the tree: drop its leftovers so no stale file is packaged.
rm -rf build src/webhookd.egg-info
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt .
.venv/bin/python -m pytest -q
