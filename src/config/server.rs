//! `server`: the listeners, their limits, TLS, and the roles of the
//! instance.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::parse;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address of the gRPC API. Default `127.0.0.1:50051`; port 0 picks a
    /// free port.
    pub grpc_addr: SocketAddr,
    /// Address of the HTTP API (health probes). Default `127.0.0.1:8080`.
    pub http_addr: SocketAddr,
    /// `shutdown_grace_seconds`: how long in-flight deliveries may take to
    /// finish on shutdown before their leases are released. Default 10 s.
    #[serde(
        rename = "shutdown_grace_seconds",
        deserialize_with = "parse::non_negative_seconds"
    )]
    pub shutdown_grace: Duration,
    /// TLS for both listeners; plaintext when absent.
    pub tls: Option<ListenerTlsConfig>,
    /// Most connections each listener keeps open. At the cap, a new
    /// connection closes the least active one (never one with a call in
    /// progress). Lowered at start if the open file limit cannot hold both
    /// listeners' caps. Default 4096.
    pub max_connections: usize,
    /// `header_read_timeout_seconds`: time a new connection has to complete
    /// its first request (TLS handshake included). Default 10 s.
    #[serde(
        rename = "header_read_timeout_seconds",
        deserialize_with = "parse::positive_seconds"
    )]
    pub header_read_timeout: Duration,
    /// `idle_timeout_seconds`: time a connection may stay open with nothing
    /// to read and no call in progress. gRPC connections are pinged
    /// (HTTP/2 keepalive) at a third of it, so live clients answer in time.
    /// Default 120 s.
    #[serde(
        rename = "idle_timeout_seconds",
        deserialize_with = "parse::positive_seconds"
    )]
    pub idle_timeout: Duration,
    /// What this instance does: `api` serves the gRPC WebhookService
    /// (Dispatch and the rest), `worker` delivers (the scheduler, recovery
    /// probes, dead-letter retention). Default both. Split roles need
    /// PostgreSQL, where other instances take the other role.
    pub roles: Vec<InstanceRole>,
    /// Threads of the async runtime: the listeners, the attempts, the
    /// write batches. Default: one per core, less one on SQLite (see
    /// `runtime_threads`).
    pub worker_threads: Option<usize>,
}

/// A part an instance plays (`server.roles`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceRole {
    Api,
    Worker,
}

/// Certificate files of the gRPC and HTTP listeners.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerTlsConfig {
    /// PEM certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
    /// PEM CA certificates; when set, clients must present a certificate
    /// signed by one of them (mTLS).
    #[serde(default)]
    pub client_ca_file: Option<PathBuf>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            grpc_addr: SocketAddr::from(([127, 0, 0, 1], 50051)),
            http_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            shutdown_grace: Duration::from_secs(10),
            tls: None,
            max_connections: 4096,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            roles: vec![InstanceRole::Api, InstanceRole::Worker],
            worker_threads: None,
        }
    }
}

impl ServerConfig {
    /// Serves the gRPC WebhookService.
    pub fn serves_api(&self) -> bool {
        self.roles.contains(&InstanceRole::Api)
    }

    /// Delivers.
    pub fn delivers(&self) -> bool {
        self.roles.contains(&InstanceRole::Worker)
    }

    /// The async runtime's threads on a machine with `cores`: the
    /// configured number, or one per core, less one on SQLite. sqlx runs
    /// each SQLite connection on a thread of its own, and the writer's
    /// thread is busy at every commit; a runtime thread per core then
    /// competes with it for the cores, and the runtime's threads mostly
    /// wake each other (`perf` at 1,000 events/s on 2 cores: one runtime
    /// thread cut webhookd's CPU by a sixth; docs/benchmarks.md).
    pub fn runtime_threads(&self, sqlite: bool, cores: usize) -> usize {
        self.worker_threads
            .unwrap_or(if sqlite {
                cores.saturating_sub(1)
            } else {
                cores
            })
            .max(1)
    }
}
