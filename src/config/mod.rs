//! Typed configuration: defaults in code, then the YAML file, then
//! `WEBHOOKD_SECTION__KEY` environment overrides, then CLI flags. It is
//! parsed into types once (durations, networks, mailboxes, endpoints) and
//! checked once, at load; an error names the key path and the reason.
//! Files the config names (TLS certificates, CA bundles) are read where
//! they are used, at start (`app`), not here.

mod layers;
mod parse;
mod server;
mod validate;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use lettre::message::Mailbox;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::domain::network::NetworkPolicy;
use crate::domain::{
    CatalogEntry, EndpointSpec, EventCatalog, EventType, Role, SecretKeyError, SecretKeys,
    SignatureScheme, UnknownTypes,
};

pub use server::{InstanceRole, ListenerTlsConfig, ServerConfig};

/// Prefix of environment variables that override config keys, as in
/// `WEBHOOKD_RETRY_POLICY__MAX_ATTEMPTS=3`.
pub const ENV_PREFIX: &str = "WEBHOOKD_";

/// Marker of the placeholder secrets shipped in `config.example.yaml`.
const PLACEHOLDER_MARKER: &str = "_HERE";

/// A config problem, with the dotted key path it concerns.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file is not valid YAML: {0}")]
    Syntax(String),
    #[error("invalid config at `{key}`: {reason}")]
    Invalid { key: String, reason: String },
}

impl ConfigError {
    pub fn invalid(key: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        ConfigError::Invalid {
            key: key.into(),
            reason: reason.to_string(),
        }
    }
}

/// The whole configuration, in the shape of `config.example.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub database: DatabaseConfig,
    pub webhook_engine: EngineConfig,
    #[serde(default)]
    pub retry_policy: RetryPolicyConfig,
    /// Endpoints seeded into the store at start, as written in the file;
    /// `endpoint_specs()` has them checked.
    #[serde(default)]
    pub endpoints: Vec<EndpointConfig>,
    /// The event types producers may send, with their JSON Schemas.
    #[serde(default)]
    pub event_catalog: EventCatalogConfig,
    #[serde(default)]
    pub dead_letter: DeadLetterConfig,
    #[serde(default)]
    pub health: HealthConfig,
    #[serde(default)]
    pub alerts: AlertsConfig,
    #[serde(default)]
    pub security: SecurityConfig,
    #[serde(default)]
    pub logging: LoggingConfig,
    /// Span export over OTLP.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
    /// `endpoints`, checked at load.
    #[serde(skip)]
    endpoint_specs: Vec<EndpointSpec>,
}

/// How SQLite syncs commits to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// Durable across process crashes; a power loss may lose the last
    /// commits (WAL mode).
    Normal,
    /// Durable across power loss too, at the cost of an fsync per commit.
    Full,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://path/to/file.db` (created if missing) or
    /// `postgres://user@host/db`. Default `sqlite://webhookd.db`.
    pub url: String,
    /// Largest number of pooled connections. Default 10.
    pub max_connections: u32,
    /// `acquire_timeout_seconds`: how long to wait for a pooled connection.
    /// Default 5 s.
    #[serde(
        rename = "acquire_timeout_seconds",
        deserialize_with = "parse::positive_seconds"
    )]
    pub acquire_timeout: Duration,
    /// SQLite durability mode, `normal` (default) or `full`.
    pub sqlite_synchronous: SqliteSynchronous,
    /// `group_commit_wait_seconds`: how long a write batch of only a few
    /// dispatches and results waits for more before it commits. Each
    /// commit costs more than the few operations in it; Dispatch answers
    /// after the commit, so this adds to its latency. Default 0.003 s.
    #[serde(
        rename = "group_commit_wait_seconds",
        deserialize_with = "parse::group_commit_wait"
    )]
    pub group_commit_wait: Duration,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://webhookd.db".to_owned(),
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            sqlite_synchronous: SqliteSynchronous::Normal,
            group_commit_wait: Duration::from_millis(3),
        }
    }
}

impl DatabaseConfig {
    /// Whether the url names a SQLite database.
    pub fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }

    /// Loads only the `database` section (file, environment, flags), for
    /// commands such as `migrate` that need nothing else: the other
    /// sections, and their required keys, are not read.
    pub fn load_file(path: Option<&str>, cli: &CliOverrides) -> Result<Self, ConfigError> {
        layers::load_database(path, cli)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// Most HTTP requests in flight at once, across all endpoints. Default 50.
    #[serde(default = "default_max_concurrent_deliveries")]
    pub max_concurrent_deliveries: usize,
    /// `default_timeout_seconds`: timeout of one delivery request.
    /// Default 10 s.
    #[serde(
        rename = "default_timeout_seconds",
        default = "default_request_timeout",
        deserialize_with = "parse::positive_seconds"
    )]
    pub request_timeout: Duration,
    /// Secret used to sign deliveries to endpoints without their own. Required.
    pub signing_secret: SecretString,
    /// Largest accepted payload, in bytes of canonical JSON. Default 262144.
    #[serde(default = "default_max_payload_bytes")]
    pub max_payload_bytes: usize,
    /// `lease_seconds`: how long a claimed delivery stays leased to this
    /// instance. Must exceed the request timeout. Default: the request
    /// timeout + 30 s (see `lease()`).
    #[serde(
        rename = "lease_seconds",
        default,
        deserialize_with = "parse::optional_positive_seconds"
    )]
    pub lease: Option<Duration>,
    /// `poll_interval_seconds`: how often the scheduler looks for due work
    /// when nothing woke it (retries coming due, work from other
    /// instances). Default 1 s.
    #[serde(
        rename = "poll_interval_seconds",
        default = "default_poll_interval",
        deserialize_with = "parse::positive_seconds"
    )]
    pub poll_interval: Duration,
    /// Most deliveries claimed in one database round trip. Default 100.
    #[serde(default = "default_claim_batch_size")]
    pub claim_batch_size: usize,
    /// Most requests in flight to one endpoint, so a slow one holds at most
    /// its own share of `max_concurrent_deliveries`. Default 10; an
    /// endpoint's `max_concurrent` overrides it.
    #[serde(default = "default_max_concurrent_per_endpoint")]
    pub max_concurrent_per_endpoint: usize,
    /// Bytes of the receiver's response body kept with each attempt. Default 1024.
    #[serde(default = "default_response_excerpt_bytes")]
    pub response_excerpt_bytes: usize,
    /// Whether each endpoint's concurrency adapts (AIMD) within its limit:
    /// halved when the receiver pushes back, grown again by successes.
    /// Default true.
    #[serde(default = "default_true")]
    pub adaptive_concurrency: bool,
    /// `slow_response_seconds`: a success slower than this counts as the
    /// receiver pushing back, for adaptive concurrency. Default 5 s.
    #[serde(
        rename = "slow_response_seconds",
        default = "default_slow_response",
        deserialize_with = "parse::positive_seconds"
    )]
    pub slow_response: Duration,
    /// The share of `max_concurrent_deliveries` that retries may hold at
    /// once, in (0, 1]. Default 0.5.
    #[serde(default = "default_retry_budget")]
    pub retry_budget: f64,
}

fn default_max_concurrent_deliveries() -> usize {
    50
}
fn default_request_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_max_payload_bytes() -> usize {
    256 * 1024
}
fn default_poll_interval() -> Duration {
    Duration::from_secs(1)
}
fn default_claim_batch_size() -> usize {
    100
}
fn default_max_concurrent_per_endpoint() -> usize {
    10
}
fn default_response_excerpt_bytes() -> usize {
    1024
}
fn default_slow_response() -> Duration {
    Duration::from_secs(5)
}
fn default_retry_budget() -> f64 {
    0.5
}

/// Extra lease time past the request timeout, so a slow but live delivery is
/// never handed to another worker.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

impl EngineConfig {
    /// The lease of a claimed delivery: `lease_seconds`, or the request
    /// timeout plus a margin.
    pub fn lease(&self) -> Duration {
        self.lease.unwrap_or(self.request_timeout + LEASE_MARGIN)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicyConfig {
    /// Attempts per delivery, the first included. Default 5.
    pub max_attempts: u32,
    /// `initial_delay_seconds`: wait after the first failure (fractions
    /// allowed). Default 1 s.
    #[serde(
        rename = "initial_delay_seconds",
        deserialize_with = "parse::non_negative_seconds"
    )]
    pub initial_delay: Duration,
    /// `max_delay_seconds`: longest wait between attempts. Default 300 s.
    #[serde(
        rename = "max_delay_seconds",
        deserialize_with = "parse::non_negative_seconds"
    )]
    pub max_delay: Duration,
    /// Growth of the wait per failed attempt. Default 2.
    pub backoff_multiplier: f64,
    /// Multiply each wait by a random factor in [0.75, 1.25]. Default true.
    pub jitter: bool,
}

impl Default for RetryPolicyConfig {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(300),
            backoff_multiplier: 2.0,
            jitter: true,
        }
    }
}

/// An endpoint as written in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointConfig {
    /// Unique endpoint id, e.g. `ep_001`.
    pub id: String,
    /// Where deliveries are POSTed; http or https.
    pub url: String,
    /// Event types the endpoint subscribes to: exact (`order.created`) or a
    /// prefix pattern (`order.*`, `*`).
    #[serde(default)]
    pub events: Vec<String>,
    /// Signing secret; `webhook_engine.signing_secret` when absent.
    #[serde(default)]
    pub secret: Option<SecretString>,
    /// False: disabled; its deliveries are stored but paused. Default true.
    #[serde(default = "default_true")]
    pub active: bool,
    /// Most requests in flight to this endpoint; default
    /// `webhook_engine.max_concurrent_per_endpoint`.
    #[serde(default)]
    pub max_concurrent: Option<u64>,
    /// `webhookd` (default: `X-Webhook-*` headers) or `standard` (Standard
    /// Webhooks; needs its own `whsec_` or `whsk_` secret).
    #[serde(default)]
    pub signature_scheme: SignatureScheme,
    /// Static headers added to every delivery, e.g. an API gateway's token:
    /// `{ "Authorization": "Bearer ${GATEWAY_TOKEN}" }`. The headers
    /// webhookd sets cannot be overridden.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Its own retry schedule, in place of `retry_policy` for its
    /// deliveries.
    #[serde(default)]
    pub retry_policy: Option<EndpointRetryConfig>,
    /// Deliver only events whose payload matches, e.g.
    /// `{ "order.total": { "$gte": 100 } }` (docs/event-log.md).
    #[serde(default)]
    pub filter: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `endpoints[].retry_policy`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EndpointRetryConfig {
    /// Attempts in all, 1 to 100; absent: `retry_policy.max_attempts`.
    pub max_attempts: u32,
    /// Waits before the first, second, ... retry; the last repeats. Empty:
    /// the exponential backoff of `retry_policy`.
    pub delays_seconds: Vec<f64>,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeadLetterConfig {
    /// Keep exhausted deliveries as `dead` (true) or mark them `failed`.
    /// Default true.
    pub enabled: bool,
    /// Retention of dead-lettered deliveries, in days. Default 30.
    pub max_age_days: u32,
}

impl Default for DeadLetterConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_age_days: 30,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthConfig {
    /// Consecutive failed attempts before an endpoint is disabled. Default 10.
    pub failure_threshold: u32,
    /// `check_interval_seconds`: interval of the recovery probe of disabled
    /// endpoints. Default 60 s.
    #[serde(
        rename = "check_interval_seconds",
        deserialize_with = "parse::positive_seconds"
    )]
    pub check_interval: Duration,
    /// Probe endpoints that webhookd disabled with a signed `webhook.ping`
    /// every `check_interval_seconds`, and re-enable them on 2xx. Default false.
    pub auto_reenable: bool,
    /// Consecutive failures that open an endpoint's circuit. Default 5.
    pub circuit_breaker_failures: u32,
    /// `circuit_breaker_cooldown_seconds`: how long an open circuit waits
    /// before a trial request. Default 30 s.
    #[serde(
        rename = "circuit_breaker_cooldown_seconds",
        deserialize_with = "parse::non_negative_seconds"
    )]
    pub circuit_breaker_cooldown: Duration,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 10,
            check_interval: Duration::from_secs(60),
            auto_reenable: false,
            circuit_breaker_failures: 5,
            circuit_breaker_cooldown: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// Networks (CIDRs) deliveries may reach although they are private,
    /// loopback or otherwise forbidden, e.g. `["127.0.0.0/8"]`. Empty by
    /// default: only public addresses.
    #[serde(deserialize_with = "parse::networks")]
    pub allowed_networks: Vec<IpNet>,
    /// API keys; with none, the API is open (and must listen on loopback
    /// unless `allow_unauthenticated`).
    pub api_keys: Vec<ApiKeyConfig>,
    /// Serve an API without keys on a non-loopback address. Default false.
    pub allow_unauthenticated: bool,
    /// gRPC reflection: `open` (default), `authenticated` (read role) or `off`.
    pub reflection: ReflectionAccess,
    /// Extra PEM CA certificates trusted for HTTPS endpoints, beside the
    /// system's roots (for receivers behind a private CA).
    pub receiver_ca_file: Option<PathBuf>,
    /// Deliver to HTTPS endpoints without checking their certificates.
    /// Anyone on the path can then read and alter deliveries: for tests
    /// only. Logged loudly at start. Default false.
    pub dangerous_accept_invalid_certs: bool,
    /// Accept only `https://` endpoint URLs, in this file and over the API;
    /// deliveries to plain `http://` URLs stored before are refused (error
    /// kind `blocked`). Default false.
    pub https_only: bool,
    /// Keys that encrypt endpoint secrets at rest: the first encrypts, all
    /// decrypt. Empty (default): secrets are stored as given.
    pub secret_keys: Vec<SecretKeyConfig>,
}

/// `event_catalog`: the event types producers may send.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventCatalogConfig {
    /// `allow` (default): types not listed are dispatched unchecked;
    /// `refuse`: Dispatch refuses them.
    pub unknown_types: UnknownTypes,
    pub types: Vec<EventTypeConfig>,
}

/// `event_catalog.types[]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventTypeConfig {
    /// An exact event type, e.g. `order.created`.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The JSON Schema its payloads must match, inline.
    #[serde(default)]
    pub schema: Option<serde_json::Map<String, serde_json::Value>>,
    /// The JSON Schema in a file (JSON), instead of inline.
    #[serde(default)]
    pub schema_file: Option<PathBuf>,
}

/// A JSON Schema from a file: a JSON object.
fn read_schema_file(
    path: &std::path::Path,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    match serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))? {
        serde_json::Value::Object(schema) => Ok(schema),
        _ => Err("a JSON Schema here is a JSON object".to_owned()),
    }
}

/// `security.secret_keys[]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretKeyConfig {
    /// Names the key in each secret it encrypts, e.g. `2026-12`.
    pub id: String,
    /// 32 random bytes in base64, best as `${ENV_VAR}`.
    pub key: SecretString,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReflectionAccess {
    #[default]
    Open,
    Authenticated,
    Off,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// Who holds the key, for logs and errors.
    pub name: String,
    /// The key itself, best as `${ENV_VAR}`; or give `key_sha256`.
    #[serde(default)]
    pub key: Option<SecretString>,
    /// Lowercase hex SHA-256 of the key.
    #[serde(default)]
    pub key_sha256: Option<String>,
    pub role: Role,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on localhost or a test server.
    None,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// Email alerts when an endpoint is disabled and when it recovers.
    pub email: Option<EmailAlertsConfig>,
    /// Ids of endpoints of this file that receive webhookd's operational
    /// webhooks (`webhookd.endpoint.disabled`, `webhookd.endpoint.recovered`,
    /// `webhookd.delivery.dead_lettered`). Empty by default.
    pub webhook_endpoints: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailAlertsConfig {
    /// SMTP server host name.
    pub host: String,
    /// SMTP port. Default 587.
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `starttls` (default), `tls` or `none`.
    #[serde(default = "default_smtp_tls")]
    pub tls: SmtpTls,
    /// SMTP user; no authentication when absent.
    #[serde(default)]
    pub username: Option<String>,
    /// SMTP password, best given as `${ENV_VAR}`.
    #[serde(default)]
    pub password: Option<SecretString>,
    /// Sender mailbox, e.g. `webhookd <alerts@example.com>`.
    #[serde(deserialize_with = "parse::mailbox")]
    pub from: Mailbox,
    /// Recipient mailboxes.
    #[serde(deserialize_with = "parse::mailboxes")]
    pub to: Vec<Mailbox>,
}

fn default_smtp_port() -> u16 {
    587
}
fn default_smtp_tls() -> SmtpTls {
    SmtpTls::Starttls
}

/// Log output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetryConfig {
    /// Export spans (Dispatch, each delivery attempt) over OTLP/gRPC.
    /// Default false.
    pub otlp_enabled: bool,
    /// The collector's OTLP/gRPC endpoint. Default `http://127.0.0.1:4317`.
    pub otlp_endpoint: String,
    /// The `service.name` of the exported spans. Default `webhookd`.
    pub service_name: String,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        TelemetryConfig {
            otlp_enabled: false,
            otlp_endpoint: "http://127.0.0.1:4317".to_owned(),
            service_name: "webhookd".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoggingConfig {
    /// `pretty` (default) or `json`.
    pub format: LogFormat,
    /// A tracing filter such as `info` or `webhookd=debug`; `RUST_LOG` wins.
    pub level: String,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
            level: "info".to_owned(),
        }
    }
}

/// Values given on the command line; they win over the file and the
/// environment.
#[derive(Debug, Clone, Default)]
pub struct CliOverrides {
    pub grpc_addr: Option<SocketAddr>,
    pub http_addr: Option<SocketAddr>,
    pub database_url: Option<String>,
    pub log_format: Option<LogFormat>,
}

impl Config {
    /// Loads the config: `yaml` (the file's text, if any), then environment
    /// overrides from `env`, then `cli`. Checks the result.
    pub fn load(
        yaml: Option<&str>,
        env: impl IntoIterator<Item = (String, String)>,
        cli: &CliOverrides,
    ) -> Result<Config, ConfigError> {
        let mut config: Config = layers::load(yaml, env, cli)?;
        config.endpoint_specs = validate::check(&config)?;
        Ok(config)
    }

    /// Reads and loads the file at `path` with the process environment.
    pub fn load_file(path: Option<&str>, cli: &CliOverrides) -> Result<Config, ConfigError> {
        let text = layers::read_file(path)?;
        Config::load(text.as_deref(), std::env::vars(), cli)
    }

    /// The endpoints of the file, checked like those created over the API.
    pub fn endpoint_specs(&self) -> &[EndpointSpec] {
        &self.endpoint_specs
    }

    /// The outbound network policy of `security.allowed_networks`.
    pub fn network_policy(&self) -> NetworkPolicy {
        NetworkPolicy::new(self.security.allowed_networks.clone())
            .with_https_only(self.security.https_only)
    }

    /// The catalog of `event_catalog`, schemas read and compiled; the error
    /// names the entry at fault.
    pub fn event_catalog(&self) -> Result<EventCatalog, ConfigError> {
        let mut seen = std::collections::HashSet::new();
        let mut entries = Vec::with_capacity(self.event_catalog.types.len());
        for (index, entry) in self.event_catalog.types.iter().enumerate() {
            let key = |field: &str| format!("event_catalog.types[{index}].{field}");
            let event_type =
                EventType::parse(&entry.name).map_err(|e| ConfigError::invalid(key("name"), e))?;
            if !seen.insert(entry.name.as_str()) {
                return Err(ConfigError::invalid(
                    key("name"),
                    format!("`{}` is listed twice", entry.name),
                ));
            }
            let schema = match (&entry.schema, &entry.schema_file) {
                (Some(_), Some(_)) => {
                    return Err(ConfigError::invalid(
                        key("schema_file"),
                        "give the schema inline (schema) or in a file (schema_file), not both",
                    ));
                }
                (Some(schema), None) => Some(schema.clone()),
                (None, Some(path)) => Some(read_schema_file(path).map_err(|e| {
                    ConfigError::invalid(key("schema_file"), format!("{}: {e}", path.display()))
                })?),
                (None, None) => None,
            };
            let field = if entry.schema_file.is_some() {
                "schema_file"
            } else {
                "schema"
            };
            entries.push(
                CatalogEntry::new(event_type, entry.description.clone(), schema)
                    .map_err(|e| ConfigError::invalid(key(field), e))?,
            );
        }
        Ok(EventCatalog::new(self.event_catalog.unknown_types, entries))
    }

    /// The keys of `security.secret_keys`; the error names the entry at
    /// fault.
    pub fn secret_keys(&self) -> Result<SecretKeys, ConfigError> {
        let raw: Vec<(String, SecretString)> = self
            .security
            .secret_keys
            .iter()
            .map(|entry| (entry.id.clone(), entry.key.clone()))
            .collect();
        SecretKeys::parse(&raw).map_err(|(index, error)| {
            let field = match error {
                SecretKeyError::Key => "key",
                SecretKeyError::Id | SecretKeyError::DuplicateId => "id",
            };
            ConfigError::invalid(format!("security.secret_keys[{index}].{field}"), error)
        })
    }

    /// Keys whose value is still a placeholder from `config.example.yaml`.
    pub fn placeholder_secrets(&self) -> Vec<String> {
        let mut keys = Vec::new();
        if is_placeholder(&self.webhook_engine.signing_secret) {
            keys.push("webhook_engine.signing_secret".to_owned());
        }
        for (index, endpoint) in self.endpoints.iter().enumerate() {
            if endpoint.secret.as_ref().is_some_and(is_placeholder) {
                keys.push(format!("endpoints[{index}].secret"));
            }
        }
        keys
    }
}

fn is_placeholder(secret: &SecretString) -> bool {
    let value = secret.expose_secret();
    value.starts_with("YOUR_") && value.ends_with(PLACEHOLDER_MARKER)
}

#[cfg(test)]
mod tests;
