# syntax=docker/dockerfile:1
#
# The webhookd container image. Build it from the repository root:
#
#   docker build -t webhookd:0.1.0 .
#
# Two stages: the official Rust image (Debian 12) compiles the release
# binary from the locked dependencies; the final image is distroless "cc"
# (Debian 12: glibc, libgcc, CA certificates, no shell, no package manager)
# with the binary, the config of deploy/config.yaml and an empty state
# directory, running as uid 65532. docs/deployment.md explains the choices;
# deploy/test.sh checks this file against the binary's real command line.

# The toolchain the project is tested with; at least Cargo.toml's
# rust-version. Keep the Debian release of both stages the same: the binary
# links the build stage's glibc dynamically.
ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
# Only what the build reads (.dockerignore allows nothing else in).
COPY Cargo.toml Cargo.lock build.rs ./
COPY proto/ proto/
COPY migrations/ migrations/
COPY src/ src/
# The registry and target caches survive between builds (BuildKit); the
# binary is copied out of the cache mount in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked --bin webhookd \
    && install -D -m 0755 target/release/webhookd /out/usr/local/bin/webhookd \
    && install -d -m 0700 -o 65532 -g 65532 /out/var/lib/webhookd

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/usr/local/bin/webhookd /usr/local/bin/webhookd
# The state directory, owned by the runtime user: a new volume mounted here
# inherits that owner, so SQLite can create its files.
COPY --from=build --chown=65532:65532 /out/var/lib/ /var/lib/
COPY deploy/config.yaml /etc/webhookd/config.yaml
# The SQLite database, its WAL and its lock file live here.
VOLUME ["/var/lib/webhookd"]
# gRPC API (and gRPC health), then HTTP: dashboard, /metrics, /healthz, /readyz.
EXPOSE 50051 8080
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
# webhookd drains on SIGTERM for server.shutdown_grace_seconds (10 s) and
# exits within about 20 s: stop it with `docker stop -t 30` (Compose:
# stop_grace_period: 30s); Docker's default of 10 s cuts the drain short.
STOPSIGNAL SIGTERM
# Read by every subcommand, so `docker run IMAGE migrate` uses the same
# database as `serve`. Mount your own file over it, or override single keys
# with WEBHOOKD_SECTION__KEY variables.
ENV WEBHOOKD_CONFIG=/etc/webhookd/config.yaml
ENTRYPOINT ["/usr/local/bin/webhookd"]
CMD ["serve"]
