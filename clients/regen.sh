#!/usr/bin/env bash
# Regenerates every SDK's stubs from proto/ with pinned tools fetched from
# each language's registry. `--check` then fails if the committed code
# differs from what the proto generates (CI runs it that way).
set -euo pipefail
cd "$(dirname "$0")/.."

for lang in python go typescript java; do
  echo "==> regenerating clients/$lang"
  if [ "$lang" = typescript ] && [ ! -d clients/typescript/node_modules ]; then
    (cd clients/typescript && npm ci --silent)
  fi
  "clients/$lang/generate.sh"
done

if [ "${1:-}" = "--check" ]; then
  if ! git diff --exit-code --stat -- clients/ || [ -n "$(git status --porcelain --untracked-files=all -- clients/ | grep -v '^ M' || true)" ]; then
    echo "generated SDK code differs from proto/: run clients/regen.sh and commit the result"
    git status --short -- clients/
    exit 1
  fi
  echo "generated SDK code matches proto/"
fi
