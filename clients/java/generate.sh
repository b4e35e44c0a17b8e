#!/usr/bin/env bash
# Regenerates the committed protobuf and gRPC stubs in src/main/generated from
# ../../proto/webhook/v1/webhook.proto. protoc and protoc-gen-grpc-java come
# from Maven Central at the versions pinned in pom.xml, so the output is the
# same on every machine: running this twice leaves no git diff.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf src/main/generated
mvn -q -B -Pgenerate generate-sources
