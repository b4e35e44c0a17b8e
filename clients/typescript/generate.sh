#!/usr/bin/env bash
# Regenerates the typed gRPC definitions in src/generated from the contract in
# ../../proto, and refreshes the copy of the proto shipped in proto/ (which the
# client loads at run time). Deterministic: running it twice changes nothing.
#
# The loader flags must match LOADER_OPTIONS in src/client.ts.
set -euo pipefail
cd "$(dirname "$0")"

rm -rf proto src/generated
mkdir -p proto/webhook/v1
cp ../../proto/webhook/v1/webhook.proto proto/webhook/v1/webhook.proto

npx --no-install proto-loader-gen-types \
  --grpcLib=@grpc/grpc-js \
  --longs=String --enums=String --defaults --oneofs \
  --includeComments \
  --includeDirs=proto \
  --outDir=src/generated \
  webhook/v1/webhook.proto
