#!/usr/bin/env bash
# Regenerates webhookv1/ from proto/webhook/v1/webhook.proto with pinned
# tools fetched through the Go module proxy (no system protoc needed; buf
# ships the well-known types). Running it twice leaves no diff.
set -euo pipefail
cd "$(dirname "$0")"

BUF_VERSION=v1.75.0
PROTOC_GEN_GO_VERSION=v1.36.12
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
GOBIN=$bin go install "github.com/bufbuild/buf/cmd/buf@$BUF_VERSION"
GOBIN=$bin go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
GOBIN=$bin go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"

rm -f webhookv1/*.pb.go
PATH=$bin:$PATH buf generate ../../proto --template buf.gen.yaml
