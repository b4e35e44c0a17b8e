#!/usr/bin/env bash
# Regenerates src/generated from the contract in ../../proto: the typed gRPC
# definitions (proto-loader-gen-types) and the JSON descriptor module the
# client loads at run time (scripts/descriptor.cjs), both committed.
# Deterministic: running it twice changes nothing.
#
# The loader flags must match LOADER_OPTIONS in src/client.ts.
set -euo pipefail
cd "$(dirname "$0")"

rm -rf src/generated
npx --no-install proto-loader-gen-types \
  --grpcLib=@grpc/grpc-js \
  --longs=String --enums=String --defaults --oneofs \
  --includeComments \
  --includeDirs=../../proto \
  --outDir=src/generated \
  webhook/v1/webhook.proto
node scripts/descriptor.cjs >src/generated/descriptor.ts
