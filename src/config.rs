//! Typed configuration: defaults in code, then the YAML file, then
//! `WEBHOOKD_SECTION__KEY` environment overrides, then CLI flags. Everything is
//! validated once, at load, and an error names the key path and the reason.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_norway::Value;

use crate::domain::{EndpointId, EventPattern, Role, SignatureScheme, TargetUrl};
use crate::signing::standard;

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
    fn invalid(key: impl Into<String>, reason: impl std::fmt::Display) -> Self {
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
    /// Endpoints seeded into the store at start.
    #[serde(default)]
    pub endpoints: Vec<EndpointConfig>,
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address of the gRPC API. Default `127.0.0.1:50051`; port 0 picks a
    /// free port.
    pub grpc_addr: SocketAddr,
    /// Address of the HTTP API (health probes). Default `127.0.0.1:8080`.
    pub http_addr: SocketAddr,
    /// How long in-flight deliveries may take to finish on shutdown, in
    /// seconds, before their leases are released. Default 10.
    pub shutdown_grace_seconds: f64,
    /// TLS for both listeners; plaintext when absent.
    pub tls: Option<ListenerTlsConfig>,
    /// Most connections each listener keeps open. At the cap, a new
    /// connection closes the least active one (never one with a call in
    /// progress). Lowered at start if the open file limit cannot hold both
    /// listeners' caps. Default 4096.
    pub max_connections: usize,
    /// Time a new connection has to complete its first request (TLS
    /// handshake included), in seconds. Default 10.
    pub header_read_timeout_seconds: f64,
    /// Time a connection may stay open with nothing to read and no call in
    /// progress, in seconds. gRPC connections are pinged (HTTP/2 keepalive)
    /// at a third of it, so live clients answer in time. Default 120.
    pub idle_timeout_seconds: f64,
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
            shutdown_grace_seconds: 10.0,
            tls: None,
            max_connections: 4096,
            header_read_timeout_seconds: 10.0,
            idle_timeout_seconds: 120.0,
        }
    }
}

/// How SQLite syncs commits to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// WAL with `synchronous=NORMAL`: a commit survives a crash of the
    /// process, but the last commits may be lost if the machine loses power.
    Normal,
    /// `synchronous=FULL`: every commit is fsynced before it is acknowledged.
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
    /// How long to wait for a pooled connection, in seconds. Default 5.
    pub acquire_timeout_seconds: f64,
    /// SQLite durability mode, `normal` (default) or `full`.
    pub sqlite_synchronous: SqliteSynchronous,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://webhookd.db".to_owned(),
            max_connections: 10,
            acquire_timeout_seconds: 5.0,
            sqlite_synchronous: SqliteSynchronous::Normal,
        }
    }
}

impl DatabaseConfig {
    /// Loads only the `database` section (file, environment, flags), for
    /// commands such as `migrate` that need nothing else: the other
    /// sections, and their required keys, are not read.
    pub fn load_file(path: Option<&str>, cli: &CliOverrides) -> Result<Self, ConfigError> {
        #[derive(Deserialize)]
        struct DatabaseOnly {
            #[serde(default)]
            database: DatabaseConfig,
        }
        let text = read_file(path)?;
        let tree = layered_tree(text.as_deref(), std::env::vars(), cli)?;
        // Only this section is interpolated: a `${VAR}` elsewhere (the
        // signing secret, say) need not be set to migrate.
        let mut database = Value::Mapping(Default::default());
        if let Some(section) = tree.get("database") {
            database
                .as_mapping_mut()
                .expect("just built as a mapping")
                .insert(Value::from("database"), section.clone());
        }
        interpolate_env_vars(&mut database, "", &|name| std::env::var(name).ok())?;
        let only: DatabaseOnly = deserialize(database)?;
        only.database.validate()?;
        Ok(only.database)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        positive(
            "database.acquire_timeout_seconds",
            self.acquire_timeout_seconds,
        )?;
        if self.max_connections == 0 {
            return Err(ConfigError::invalid(
                "database.max_connections",
                "must be at least 1",
            ));
        }
        if !(self.url.starts_with("sqlite:") || self.url.starts_with("postgres")) {
            return Err(ConfigError::invalid(
                "database.url",
                "must start with sqlite:// or postgres://",
            ));
        }
        Ok(())
    }
}

fn read_file(path: Option<&str>) -> Result<Option<String>, ConfigError> {
    path.map(|path| {
        std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })
    })
    .transpose()
}

/// The YAML tree after every layer: the file, then `WEBHOOKD_…` variables
/// from `env`, then flags (`${VAR}` interpolation is the caller's).
fn layered_tree(
    yaml: Option<&str>,
    env: impl IntoIterator<Item = (String, String)>,
    cli: &CliOverrides,
) -> Result<Value, ConfigError> {
    let mut tree = match yaml {
        Some(text) => {
            serde_norway::from_str::<Value>(text).map_err(|e| ConfigError::Syntax(e.to_string()))?
        }
        None => Value::Null,
    };
    if tree.is_null() {
        tree = Value::Mapping(Default::default());
    }
    apply_env_overrides(&mut tree, env)?;
    apply_cli_overrides(&mut tree, cli)?;
    Ok(tree)
}

/// Deserialises `tree`, naming the key at fault in any error.
fn deserialize<T: serde::de::DeserializeOwned>(tree: Value) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(tree).map_err(|e| {
        let parent = match e.path().to_string() {
            root if root == "." => String::new(),
            path => path,
        };
        let reason = e.into_inner().to_string();
        // serde reports a missing key at its parent; name the key itself.
        let key = match missing_field(&reason) {
            Some(field) if parent.is_empty() => field.to_owned(),
            Some(field) => format!("{parent}.{field}"),
            None => parent,
        };
        ConfigError::invalid(key, reason)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// Most HTTP requests in flight at once, across all endpoints. Default 50.
    #[serde(default = "default_max_concurrent_deliveries")]
    pub max_concurrent_deliveries: usize,
    /// Timeout of one delivery request, in seconds. Default 10.
    #[serde(default = "default_timeout_seconds")]
    pub default_timeout_seconds: f64,
    /// Secret used to sign deliveries to endpoints without their own. Required.
    pub signing_secret: SecretString,
    /// Largest accepted payload, in bytes of canonical JSON. Default 262144.
    #[serde(default = "default_max_payload_bytes")]
    pub max_payload_bytes: usize,
    /// How long a claimed delivery stays leased to this instance, in seconds.
    /// Must exceed the request timeout. Default: timeout + 30.
    #[serde(default)]
    pub lease_seconds: Option<f64>,
    /// How often the scheduler looks for due work when nothing woke it, in
    /// seconds (retries coming due, work from other instances). Default 1.
    #[serde(default = "default_poll_interval_seconds")]
    pub poll_interval_seconds: f64,
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
}

fn default_max_concurrent_deliveries() -> usize {
    50
}
fn default_timeout_seconds() -> f64 {
    10.0
}
fn default_max_payload_bytes() -> usize {
    256 * 1024
}
fn default_poll_interval_seconds() -> f64 {
    1.0
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

/// Extra lease time past the request timeout, so a slow but live delivery is
/// never handed to another worker.
const LEASE_MARGIN_SECONDS: f64 = 30.0;

impl EngineConfig {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.default_timeout_seconds)
    }

    pub fn lease_duration(&self) -> Duration {
        Duration::from_secs_f64(
            self.lease_seconds
                .unwrap_or(self.default_timeout_seconds + LEASE_MARGIN_SECONDS),
        )
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_secs_f64(self.poll_interval_seconds)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicyConfig {
    /// Attempts per delivery, the first included. Default 5.
    pub max_attempts: u32,
    /// Wait after the first failure, in seconds (fractions allowed). Default 1.
    pub initial_delay_seconds: f64,
    /// Longest wait between attempts, in seconds. Default 300.
    pub max_delay_seconds: f64,
    /// Growth of the wait per failed attempt. Default 2.
    pub backoff_multiplier: f64,
    /// Multiply each wait by a random factor in [0.75, 1.25]. Default true.
    pub jitter: bool,
}

impl Default for RetryPolicyConfig {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_delay_seconds: 1.0,
            max_delay_seconds: 300.0,
            backoff_multiplier: 2.0,
            jitter: true,
        }
    }
}

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
    pub max_concurrent: Option<usize>,
    /// `webhookd` (default: `X-Webhook-*` headers) or `standard` (Standard
    /// Webhooks; needs its own `whsec_` or `whsk_` secret).
    #[serde(default)]
    pub signature_scheme: SignatureScheme,
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
    /// Interval of the recovery probe of disabled endpoints, in seconds.
    /// Default 60.
    pub check_interval_seconds: f64,
    /// Probe endpoints that webhookd disabled with a signed `webhook.ping`
    /// every `check_interval_seconds`, and re-enable them on 2xx. Default false.
    pub auto_reenable: bool,
    /// Consecutive failures that open an endpoint's circuit. Default 5.
    pub circuit_breaker_failures: u32,
    /// How long an open circuit waits before a trial request, in seconds.
    /// Default 30.
    pub circuit_breaker_cooldown_seconds: f64,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 10,
            check_interval_seconds: 60.0,
            auto_reenable: false,
            circuit_breaker_failures: 5,
            circuit_breaker_cooldown_seconds: 30.0,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// Networks (CIDRs) deliveries may reach although they are private,
    /// loopback or otherwise forbidden, e.g. `["127.0.0.0/8"]`. Empty by
    /// default: only public addresses.
    pub allowed_networks: Vec<String>,
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

impl Config {
    /// The outbound network policy of `security.allowed_networks`
    /// (validated at load).
    pub fn network_policy(&self) -> crate::domain::network::NetworkPolicy {
        crate::domain::network::NetworkPolicy::new(
            self.security
                .allowed_networks
                .iter()
                .filter_map(|cidr| cidr.parse().ok())
                .collect(),
        )
    }
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
    pub from: String,
    /// Recipient mailboxes.
    pub to: Vec<String>,
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
    /// overrides from `env`, then `cli`. Validates the result.
    pub fn load(
        yaml: Option<&str>,
        env: impl IntoIterator<Item = (String, String)>,
        cli: &CliOverrides,
    ) -> Result<Config, ConfigError> {
        let mut tree = layered_tree(yaml, env, cli)?;
        interpolate_env_vars(&mut tree, "", &|name| std::env::var(name).ok())?;
        let config: Config = deserialize(tree)?;
        config.validate()?;
        Ok(config)
    }

    /// Reads and loads the file at `path` with the process environment.
    pub fn load_file(path: Option<&str>, cli: &CliOverrides) -> Result<Config, ConfigError> {
        let text = read_file(path)?;
        Config::load(text.as_deref(), std::env::vars(), cli)
    }
    fn validate(&self) -> Result<(), ConfigError> {
        let engine = &self.webhook_engine;
        if engine.signing_secret.expose_secret().is_empty() {
            return Err(ConfigError::invalid(
                "webhook_engine.signing_secret",
                "must not be empty",
            ));
        }
        if engine.max_concurrent_deliveries == 0 {
            return Err(ConfigError::invalid(
                "webhook_engine.max_concurrent_deliveries",
                "must be at least 1",
            ));
        }
        positive(
            "webhook_engine.default_timeout_seconds",
            engine.default_timeout_seconds,
        )?;
        positive(
            "webhook_engine.poll_interval_seconds",
            engine.poll_interval_seconds,
        )?;
        if engine.max_payload_bytes == 0 {
            return Err(ConfigError::invalid(
                "webhook_engine.max_payload_bytes",
                "must be at least 1",
            ));
        }
        if engine.claim_batch_size == 0 {
            return Err(ConfigError::invalid(
                "webhook_engine.claim_batch_size",
                "must be at least 1",
            ));
        }
        if let Some(lease) = engine.lease_seconds
            && lease.partial_cmp(&engine.default_timeout_seconds)
                != Some(std::cmp::Ordering::Greater)
        {
            return Err(ConfigError::invalid(
                "webhook_engine.lease_seconds",
                format!(
                    "must be longer than default_timeout_seconds ({}), or a slow delivery could be handed to a second worker while it is still running",
                    engine.default_timeout_seconds
                ),
            ));
        }

        let retry = &self.retry_policy;
        if retry.max_attempts < 1 {
            return Err(ConfigError::invalid(
                "retry_policy.max_attempts",
                "must be at least 1",
            ));
        }
        non_negative(
            "retry_policy.initial_delay_seconds",
            retry.initial_delay_seconds,
        )?;
        non_negative("retry_policy.max_delay_seconds", retry.max_delay_seconds)?;
        if !retry.backoff_multiplier.is_finite() || retry.backoff_multiplier < 1.0 {
            return Err(ConfigError::invalid(
                "retry_policy.backoff_multiplier",
                format!("must be at least 1 (got {})", retry.backoff_multiplier),
            ));
        }
        if retry.initial_delay_seconds > retry.max_delay_seconds {
            return Err(ConfigError::invalid(
                "retry_policy.initial_delay_seconds",
                format!(
                    "must not exceed retry_policy.max_delay_seconds ({} > {})",
                    retry.initial_delay_seconds, retry.max_delay_seconds
                ),
            ));
        }

        non_negative(
            "server.shutdown_grace_seconds",
            self.server.shutdown_grace_seconds,
        )?;
        if self.server.max_connections == 0 {
            return Err(ConfigError::invalid(
                "server.max_connections",
                "must be at least 1",
            ));
        }
        positive(
            "server.header_read_timeout_seconds",
            self.server.header_read_timeout_seconds,
        )?;
        positive(
            "server.idle_timeout_seconds",
            self.server.idle_timeout_seconds,
        )?;
        self.database.validate()?;
        positive(
            "health.check_interval_seconds",
            self.health.check_interval_seconds,
        )?;
        if self.webhook_engine.max_concurrent_per_endpoint == 0 {
            return Err(ConfigError::invalid(
                "webhook_engine.max_concurrent_per_endpoint",
                "must be at least 1",
            ));
        }
        if self.health.circuit_breaker_failures == 0 {
            return Err(ConfigError::invalid(
                "health.circuit_breaker_failures",
                "must be at least 1",
            ));
        }
        non_negative(
            "health.circuit_breaker_cooldown_seconds",
            self.health.circuit_breaker_cooldown_seconds,
        )?;
        if let Some(email) = &self.alerts.email {
            if email.host.trim().is_empty() {
                return Err(ConfigError::invalid(
                    "alerts.email.host",
                    "must not be empty",
                ));
            }
            email
                .from
                .parse::<lettre::message::Mailbox>()
                .map_err(|e| {
                    ConfigError::invalid("alerts.email.from", format!("not a mailbox: {e}"))
                })?;
            if email.to.is_empty() {
                return Err(ConfigError::invalid(
                    "alerts.email.to",
                    "list at least one recipient",
                ));
            }
            for (index, to) in email.to.iter().enumerate() {
                to.parse::<lettre::message::Mailbox>().map_err(|e| {
                    ConfigError::invalid(
                        format!("alerts.email.to[{index}]"),
                        format!("not a mailbox: {e}"),
                    )
                })?;
            }
        }
        if self.health.failure_threshold == 0 {
            return Err(ConfigError::invalid(
                "health.failure_threshold",
                "must be at least 1",
            ));
        }

        for (index, cidr) in self.security.allowed_networks.iter().enumerate() {
            cidr.parse::<ipnet::IpNet>().map_err(|e| {
                ConfigError::invalid(
                    format!("security.allowed_networks[{index}]"),
                    format!("`{cidr}` is not a CIDR such as 127.0.0.0/8: {e}"),
                )
            })?;
        }
        let mut key_names = HashSet::new();
        for (index, key) in self.security.api_keys.iter().enumerate() {
            let field = |name: &str| format!("security.api_keys[{index}].{name}");
            if key.name.trim().is_empty() || !key_names.insert(key.name.as_str()) {
                return Err(ConfigError::invalid(
                    field("name"),
                    "must be a non-empty, unique name",
                ));
            }
            match (&key.key, &key.key_sha256) {
                (Some(_), Some(_)) | (None, None) => {
                    return Err(ConfigError::invalid(
                        field("key"),
                        "give exactly one of key and key_sha256",
                    ));
                }
                (Some(plain), None) if plain.expose_secret().len() < 16 => {
                    return Err(ConfigError::invalid(
                        field("key"),
                        "must be at least 16 characters",
                    ));
                }
                (None, Some(digest)) if digest.len() != 64 || hex::decode(digest).is_err() => {
                    return Err(ConfigError::invalid(
                        field("key_sha256"),
                        "must be 64 hex digits (SHA-256)",
                    ));
                }
                _ => {}
            }
        }
        let listener_tls = self
            .server
            .tls
            .as_ref()
            .map(crate::tls::ListenerTls::load)
            .transpose()
            .map_err(|(key, reason)| ConfigError::invalid(key, reason))?;
        if let Some(path) = &self.security.receiver_ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                ConfigError::invalid(
                    "security.receiver_ca_file",
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            match reqwest::Certificate::from_pem_bundle(&pem) {
                Ok(certs) if !certs.is_empty() => {}
                _ => {
                    return Err(ConfigError::invalid(
                        "security.receiver_ca_file",
                        format!("{} holds no PEM certificate", path.display()),
                    ));
                }
            }
        }
        // Client certificates authenticate callers as well as keys do.
        let clients_verified = listener_tls
            .as_ref()
            .is_some_and(crate::tls::ListenerTls::verifies_clients);
        if self.security.api_keys.is_empty()
            && !self.security.allow_unauthenticated
            && !clients_verified
        {
            for (key, addr) in [
                ("server.grpc_addr", self.server.grpc_addr),
                ("server.http_addr", self.server.http_addr),
            ] {
                if !addr.ip().is_loopback() {
                    return Err(ConfigError::invalid(
                        "security.allow_unauthenticated",
                        format!(
                            "no API keys are configured and {key} ({addr}) is not loopback: add security.api_keys, require client certificates (server.tls.client_ca_file), or set security.allow_unauthenticated: true to serve anyone who can connect"
                        ),
                    ));
                }
            }
        }
        let policy = self.network_policy();
        let mut seen = HashSet::new();
        for (index, endpoint) in self.endpoints.iter().enumerate() {
            let key = |field: &str| format!("endpoints[{index}].{field}");
            EndpointId::parse(&endpoint.id).map_err(|e| ConfigError::invalid(key("id"), e))?;
            if !seen.insert(endpoint.id.as_str()) {
                return Err(ConfigError::invalid(
                    key("id"),
                    format!("duplicate endpoint id `{}`", endpoint.id),
                ));
            }
            let url =
                TargetUrl::parse(&endpoint.url).map_err(|e| ConfigError::invalid(key("url"), e))?;
            policy
                .check_url(url.as_url())
                .map_err(|e| ConfigError::invalid(key("url"), e))?;
            if endpoint.events.is_empty() {
                return Err(ConfigError::invalid(
                    key("events"),
                    "must list at least one event type or pattern",
                ));
            }
            for (event_index, pattern) in endpoint.events.iter().enumerate() {
                EventPattern::parse(pattern).map_err(|e| {
                    ConfigError::invalid(format!("{}[{event_index}]", key("events")), e)
                })?;
            }
            if endpoint.max_concurrent == Some(0) {
                return Err(ConfigError::invalid(
                    key("max_concurrent"),
                    "must be at least 1",
                ));
            }
            if let Some(secret) = &endpoint.secret
                && secret.expose_secret().is_empty()
            {
                return Err(ConfigError::invalid(
                    key("secret"),
                    "must not be empty; remove the key to use webhook_engine.signing_secret",
                ));
            }
            if endpoint.signature_scheme == SignatureScheme::Standard {
                let Some(secret) = &endpoint.secret else {
                    return Err(ConfigError::invalid(
                        key("secret"),
                        "signature_scheme standard needs the endpoint's own secret: `whsec_` + base64 of at least 24 random bytes, or a `whsk_` ed25519 key",
                    ));
                };
                standard::SigningKey::parse(secret.expose_secret())
                    .map_err(|e| ConfigError::invalid(key("secret"), e.to_string()))?;
            }
        }
        Ok(())
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

/// The field named by serde's "missing field `x`" message.
fn missing_field(reason: &str) -> Option<&str> {
    reason
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
}

fn is_placeholder(secret: &SecretString) -> bool {
    let value = secret.expose_secret();
    value.starts_with("YOUR_") && value.ends_with(PLACEHOLDER_MARKER)
}

/// Longest duration any key may give, in seconds (about 31 years): beyond
/// it, time arithmetic would overflow.
const MAX_SECONDS: f64 = 1e9;

fn positive(key: &str, value: f64) -> Result<(), ConfigError> {
    if value > 0.0 && value <= MAX_SECONDS {
        Ok(())
    } else {
        Err(ConfigError::invalid(
            key,
            format!("must be a positive number of seconds, at most {MAX_SECONDS} (got {value})"),
        ))
    }
}

fn non_negative(key: &str, value: f64) -> Result<(), ConfigError> {
    if (0.0..=MAX_SECONDS).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::invalid(
            key,
            format!(
                "must be zero or a positive number of seconds, at most {MAX_SECONDS} (got {value})"
            ),
        ))
    }
}

/// Applies `WEBHOOKD_SECTION__KEY=value` variables. Path segments are
/// separated by `__`; a numeric segment indexes a list (`WEBHOOKD_ENDPOINTS__0__URL`).
/// Values are parsed as YAML scalars, so `3` is a number and `true` a bool.
fn apply_env_overrides(
    tree: &mut Value,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    let mut overrides: Vec<(String, String)> = env
        .into_iter()
        .filter(|(name, _)| name.starts_with(ENV_PREFIX) && name.contains("__"))
        .collect();
    // Deterministic order, so a later, more specific key wins predictably.
    overrides.sort();
    for (name, raw) in overrides {
        let path: Vec<String> = name[ENV_PREFIX.len()..]
            .split("__")
            .map(str::to_ascii_lowercase)
            .collect();
        if path.iter().any(String::is_empty) {
            return Err(ConfigError::invalid(
                name,
                "environment override has an empty path segment",
            ));
        }
        let value: Value = serde_norway::from_str(&raw).unwrap_or(Value::String(raw.clone()));
        // A YAML scalar that parses to null (an empty string) stays a string.
        let value = if value.is_null() {
            Value::String(raw)
        } else {
            value
        };
        set_path(tree, &path, value).map_err(|reason| ConfigError::invalid(name, reason))?;
    }
    Ok(())
}

fn apply_cli_overrides(tree: &mut Value, cli: &CliOverrides) -> Result<(), ConfigError> {
    let mut set = |path: &[&str], value: String| {
        let path: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        set_path(tree, &path, Value::String(value))
            .map_err(|reason| ConfigError::invalid(path.join("."), reason))
    };
    if let Some(addr) = cli.grpc_addr {
        set(&["server", "grpc_addr"], addr.to_string())?;
    }
    if let Some(addr) = cli.http_addr {
        set(&["server", "http_addr"], addr.to_string())?;
    }
    if let Some(url) = &cli.database_url {
        set(&["database", "url"], url.clone())?;
    }
    if let Some(format) = cli.log_format {
        let name = match format {
            LogFormat::Pretty => "pretty",
            LogFormat::Json => "json",
        };
        set(&["logging", "format"], name.to_owned())?;
    }
    Ok(())
}

fn set_path(tree: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    let Some((head, rest)) = path.split_first() else {
        *tree = value;
        return Ok(());
    };
    if let Ok(index) = head.parse::<usize>() {
        let Value::Sequence(items) = tree else {
            return Err(format!(
                "`{head}` indexes a list, but the value there is not a list"
            ));
        };
        let Some(item) = items.get_mut(index) else {
            return Err(format!(
                "list index {index} is out of range (the list has {} items)",
                items.len()
            ));
        };
        return set_path(item, rest, value);
    }
    if tree.is_null() {
        *tree = Value::Mapping(Default::default());
    }
    let Value::Mapping(map) = tree else {
        return Err(format!(
            "cannot set `{head}` inside a value that is not a mapping"
        ));
    };
    let key = Value::String(head.clone());
    let child = map.entry(key).or_insert(Value::Null);
    set_path(child, rest, value)
}

/// Replaces `${NAME}` in string values with the environment variable `NAME`.
fn interpolate_env_vars(
    tree: &mut Value,
    key: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    match tree {
        Value::String(text) if text.contains("${") => {
            *text =
                interpolate(text, lookup).map_err(|reason| ConfigError::invalid(key, reason))?;
        }
        Value::Mapping(map) => {
            for (child_key, child) in map.iter_mut() {
                let name = child_key.as_str().unwrap_or("?");
                let path = if key.is_empty() {
                    name.to_owned()
                } else {
                    format!("{key}.{name}")
                };
                interpolate_env_vars(child, &path, lookup)?;
            }
        }
        Value::Sequence(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                interpolate_env_vars(child, &format!("{key}[{index}]"), lookup)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn interpolate(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err("unterminated `${` in value".to_owned());
        };
        let name = &after[..end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "`${{{name}}}` is not a valid environment variable reference"
            ));
        }
        let value =
            lookup(name).ok_or_else(|| format!("environment variable `{name}` is not set"))?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "webhook_engine:\n  signing_secret: s3cret\n";

    fn load(yaml: &str) -> Result<Config, ConfigError> {
        Config::load(Some(yaml), Vec::new(), &CliOverrides::default())
    }

    fn invalid_key(yaml: &str) -> (String, String) {
        match load(yaml) {
            Err(ConfigError::Invalid { key, reason }) => (key, reason),
            other => panic!("expected an invalid-config error for {yaml:?}, got {other:?}"),
        }
    }

    #[test]
    fn example_config_loads_with_documented_values() {
        let text = include_str!("../config.example.yaml");
        let config = load(text).expect("config.example.yaml must load");
        assert_eq!(config.webhook_engine.max_concurrent_deliveries, 50);
        assert_eq!(config.webhook_engine.default_timeout_seconds, 10.0);
        assert_eq!(config.retry_policy.max_attempts, 5);
        assert_eq!(config.retry_policy.max_delay_seconds, 300.0);
        assert!(config.dead_letter.enabled);
        assert_eq!(config.dead_letter.max_age_days, 30);
        assert_eq!(config.health.failure_threshold, 10);
        assert_eq!(config.endpoints[0].id, "ep_001");
        assert_eq!(config.server.grpc_addr.to_string(), "127.0.0.1:50051");
        assert_eq!(config.database.url, "sqlite://webhookd.db");
        assert!(
            config
                .placeholder_secrets()
                .contains(&"webhook_engine.signing_secret".to_owned())
        );
    }

    #[test]
    fn absent_keys_take_defaults() {
        let config = load(MINIMAL).unwrap();
        assert_eq!(config.webhook_engine.max_concurrent_deliveries, 50);
        assert_eq!(config.webhook_engine.default_timeout_seconds, 10.0);
        assert_eq!(config.webhook_engine.max_payload_bytes, 256 * 1024);
        assert_eq!(config.retry_policy.max_attempts, 5);
        assert_eq!(config.retry_policy.initial_delay_seconds, 1.0);
        assert_eq!(config.retry_policy.backoff_multiplier, 2.0);
        assert!(config.retry_policy.jitter);
        assert!(config.dead_letter.enabled);
        assert_eq!(config.health.failure_threshold, 10);
        assert_eq!(config.server.http_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(
            config.webhook_engine.lease_duration(),
            Duration::from_secs(40)
        );
        assert!(config.placeholder_secrets().is_empty());
    }

    #[test]
    fn fractional_delays_are_accepted() {
        let config = load(&format!(
            "{MINIMAL}retry_policy:\n  initial_delay_seconds: 0.25\n"
        ))
        .unwrap();
        assert_eq!(config.retry_policy.initial_delay_seconds, 0.25);
    }

    #[test]
    fn every_config_error_names_its_key_and_reason() {
        let endpoint = |extra: &str| {
            format!(
                "{MINIMAL}endpoints:\n  - id: ep_1\n    url: https://a.example/hook\n    events: [\"a.b\"]\n{extra}"
            )
        };
        let cases: Vec<(&str, String, &str, &str)> = vec![
            (
                "unknown key",
                format!("{MINIMAL}retry_policy:\n  max_attempt: 3\n"),
                "retry_policy.max_attempt",
                "unknown field `max_attempt`",
            ),
            (
                "unknown section",
                format!("{MINIMAL}webhooks: {{}}\n"),
                "webhooks",
                "unknown field `webhooks`",
            ),
            (
                "wrong type",
                format!("{MINIMAL}retry_policy:\n  max_attempts: many\n"),
                "retry_policy.max_attempts",
                "invalid type",
            ),
            (
                "invalid url",
                format!(
                    "{MINIMAL}endpoints:\n  - id: ep_1\n    url: not a url\n    events: [\"a.b\"]\n"
                ),
                "endpoints[0].url",
                "not a valid URL",
            ),
            (
                "non-http url",
                format!(
                    "{MINIMAL}endpoints:\n  - id: ep_1\n    url: ftp://a.example/\n    events: [\"a.b\"]\n"
                ),
                "endpoints[0].url",
                "http or https",
            ),
            (
                "duplicate endpoint id",
                endpoint("  - id: ep_1\n    url: https://b.example/\n    events: [\"a.b\"]\n"),
                "endpoints[1].id",
                "duplicate endpoint id",
            ),
            (
                "max_attempts below 1",
                format!("{MINIMAL}retry_policy:\n  max_attempts: 0\n"),
                "retry_policy.max_attempts",
                "at least 1",
            ),
            (
                "multiplier below 1",
                format!("{MINIMAL}retry_policy:\n  backoff_multiplier: 0.5\n"),
                "retry_policy.backoff_multiplier",
                "at least 1",
            ),
            (
                "initial delay above max delay",
                format!(
                    "{MINIMAL}retry_policy:\n  initial_delay_seconds: 10\n  max_delay_seconds: 5\n"
                ),
                "retry_policy.initial_delay_seconds",
                "must not exceed",
            ),
            (
                "missing signing secret",
                "webhook_engine:\n  max_concurrent_deliveries: 5\n".to_owned(),
                "webhook_engine.signing_secret",
                "missing field `signing_secret`",
            ),
            (
                "missing engine section",
                "retry_policy:\n  max_attempts: 3\n".to_owned(),
                "webhook_engine",
                "missing field `webhook_engine`",
            ),
            (
                "empty endpoint secret",
                endpoint("    secret: \"\"\n"),
                "endpoints[0].secret",
                "must not be empty",
            ),
            (
                "standard scheme without a secret",
                endpoint("    signature_scheme: standard\n"),
                "endpoints[0].secret",
                "needs the endpoint's own secret",
            ),
            (
                "standard scheme with a plain secret",
                endpoint("    signature_scheme: standard\n    secret: not-base64-at-all\n"),
                "endpoints[0].secret",
                "`whsec_` + base64",
            ),
            (
                "unknown signature scheme",
                endpoint("    signature_scheme: svix\n"),
                "endpoints[0].signature_scheme",
                "unknown variant",
            ),
            (
                "invalid event pattern",
                format!(
                    "{MINIMAL}endpoints:\n  - id: ep_1\n    url: https://a.example/\n    events: [\"Order Created\"]\n"
                ),
                "endpoints[0].events[0]",
                "invalid event",
            ),
            (
                "lease not longer than timeout",
                "webhook_engine:\n  signing_secret: s\n  default_timeout_seconds: 10\n  lease_seconds: 5\n"
                    .to_owned(),
                "webhook_engine.lease_seconds",
                "longer than default_timeout_seconds",
            ),
            (
                "endpoint on loopback without an exception",
                format!(
                    "{MINIMAL}endpoints:\n  - id: ep_1\n    url: http://127.0.0.1:9000/hook\n    events: [\"a.b\"]\n"
                ),
                "endpoints[0].url",
                "security.allowed_networks",
            ),
            (
                "endpoint on the metadata address in decimal",
                format!(
                    "{MINIMAL}endpoints:\n  - id: ep_1\n    url: http://2852039166/latest\n    events: [\"a.b\"]\n"
                ),
                "endpoints[0].url",
                "link-local",
            ),
            (
                "bad CIDR",
                format!("{MINIMAL}security:\n  allowed_networks: [\"127.0.0.1/40\"]\n"),
                "security.allowed_networks[0]",
                "not a CIDR",
            ),
            (
                "open API on a public address",
                format!("{MINIMAL}server:\n  grpc_addr: \"0.0.0.0:50051\"\n"),
                "security.allow_unauthenticated",
                "not loopback",
            ),
            (
                "API key with both forms",
                format!(
                    "{MINIMAL}security:\n  api_keys:\n    - name: a\n      key: k-0123456789abcdef\n      key_sha256: \"00\"\n      role: admin\n"
                ),
                "security.api_keys[0].key",
                "exactly one",
            ),
            (
                "API key with an unknown role",
                format!("{MINIMAL}security:\n  api_keys:\n    - name: a\n      key: k-0123456789abcdef\n      role: root\n"),
                "security.api_keys[0].role",
                "unknown variant",
            ),
            (
                "zero per-endpoint concurrency",
                "webhook_engine:\n  signing_secret: s\n  max_concurrent_per_endpoint: 0\n".to_owned(),
                "webhook_engine.max_concurrent_per_endpoint",
                "at least 1",
            ),
            (
                "alert email without recipients",
                format!(
                    "{MINIMAL}alerts:\n  email:\n    host: smtp.example.com\n    from: a@example.com\n    to: []\n"
                ),
                "alerts.email.to",
                "at least one recipient",
            ),
            (
                "alert email with a bad mailbox",
                format!(
                    "{MINIMAL}alerts:\n  email:\n    host: smtp.example.com\n    from: a@example.com\n    to: [\"not a mailbox\"]\n"
                ),
                "alerts.email.to[0]",
                "not a mailbox",
            ),
            (
                "alert email with an unknown TLS mode",
                format!(
                    "{MINIMAL}alerts:\n  email:\n    host: h\n    tls: maybe\n    from: a@example.com\n    to: [b@example.com]\n"
                ),
                "alerts.email.tls",
                "unknown variant",
            ),
            (
                "zero breaker threshold",
                format!("{MINIMAL}health:\n  circuit_breaker_failures: 0\n"),
                "health.circuit_breaker_failures",
                "at least 1",
            ),
            (
                "bad listen address",
                format!("{MINIMAL}server:\n  grpc_addr: localhost\n"),
                "server.grpc_addr",
                "invalid socket address",
            ),
        ];
        for (case, yaml, expected_key, expected_reason) in cases {
            let (key, reason) = invalid_key(&yaml);
            assert_eq!(
                key, expected_key,
                "case `{case}`: wrong key (reason: {reason})"
            );
            assert!(
                reason.contains(expected_reason),
                "case `{case}`: reason {reason:?} should contain {expected_reason:?}"
            );
        }
    }

    #[test]
    fn env_overrides_win_over_the_file_and_cli_wins_over_env() {
        let env = vec![
            (
                "WEBHOOKD_RETRY_POLICY__MAX_ATTEMPTS".to_owned(),
                "7".to_owned(),
            ),
            (
                "WEBHOOKD_RETRY_POLICY__JITTER".to_owned(),
                "false".to_owned(),
            ),
            (
                "WEBHOOKD_DATABASE__URL".to_owned(),
                "sqlite://env.db".to_owned(),
            ),
            ("WEBHOOKD_CONFIG".to_owned(), "ignored.yaml".to_owned()),
            ("UNRELATED__VAR".to_owned(), "x".to_owned()),
        ];
        let yaml = format!("{MINIMAL}retry_policy:\n  max_attempts: 3\n");
        let cli = CliOverrides {
            database_url: Some("sqlite://cli.db".to_owned()),
            ..Default::default()
        };
        let config = Config::load(Some(&yaml), env, &cli).unwrap();
        assert_eq!(config.retry_policy.max_attempts, 7);
        assert!(!config.retry_policy.jitter);
        assert_eq!(config.database.url, "sqlite://cli.db");
    }

    #[test]
    fn env_override_can_supply_the_only_required_key() {
        let env = vec![(
            "WEBHOOKD_WEBHOOK_ENGINE__SIGNING_SECRET".to_owned(),
            "from-env".to_owned(),
        )];
        let config = Config::load(None, env, &CliOverrides::default()).unwrap();
        assert_eq!(
            config.webhook_engine.signing_secret.expose_secret(),
            "from-env"
        );
    }

    #[test]
    fn env_override_of_a_list_item_by_index() {
        let yaml = format!(
            "{MINIMAL}endpoints:\n  - id: ep_1\n    url: https://a.example/\n    events: [\"a.b\"]\n"
        );
        let env = vec![(
            "WEBHOOKD_ENDPOINTS__0__URL".to_owned(),
            "https://b.example/".to_owned(),
        )];
        let config = Config::load(Some(&yaml), env, &CliOverrides::default()).unwrap();
        assert_eq!(config.endpoints[0].url, "https://b.example/");

        let env = vec![(
            "WEBHOOKD_ENDPOINTS__3__URL".to_owned(),
            "https://b.example/".to_owned(),
        )];
        let err = Config::load(Some(&yaml), env, &CliOverrides::default()).unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
    }

    #[test]
    fn unknown_env_override_is_an_error_with_its_key() {
        let env = vec![(
            "WEBHOOKD_RETRY_POLICY__MAX_TRIES".to_owned(),
            "3".to_owned(),
        )];
        let err = Config::load(Some(MINIMAL), env, &CliOverrides::default()).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `max_tries`"),
            "{err}"
        );
    }

    #[test]
    fn interpolates_environment_variables_in_strings() {
        let lookup = |name: &str| (name == "HOOK_SECRET").then(|| "abc".to_owned());
        assert_eq!(interpolate("${HOOK_SECRET}", &lookup).unwrap(), "abc");
        assert_eq!(
            interpolate("pre-${HOOK_SECRET}-post", &lookup).unwrap(),
            "pre-abc-post"
        );
        assert!(
            interpolate("${MISSING}", &lookup)
                .unwrap_err()
                .contains("`MISSING` is not set")
        );
        assert!(
            interpolate("${HOOK_SECRET", &lookup)
                .unwrap_err()
                .contains("unterminated")
        );
        assert!(
            interpolate("${a-b}", &lookup)
                .unwrap_err()
                .contains("not a valid")
        );
    }

    #[test]
    fn missing_interpolated_variable_names_the_key() {
        let mut tree: Value = serde_norway::from_str(
            "endpoints:\n  - secret: \"${WEBHOOKD_TEST_SURELY_UNSET_VAR}\"\n",
        )
        .unwrap();
        let err = interpolate_env_vars(&mut tree, "", &|_| None).unwrap_err();
        assert!(err.to_string().contains("endpoints[0].secret"), "{err}");
    }

    #[test]
    fn secrets_do_not_appear_in_debug_output() {
        let config = load("webhook_engine:\n  signing_secret: topsecretvalue\n").unwrap();
        assert!(!format!("{config:?}").contains("topsecretvalue"));
    }

    // Fuzz: any text as the config file, and any override, ends in a config
    // or an error, never a panic.
    proptest::proptest! {
        #[test]
        fn fuzz_any_config_text_loads_or_fails_cleanly(text in "\\PC{0,300}") {
            let _ = load(&text);
            let _ = load(&format!("{MINIMAL}{text}"));
        }

        #[test]
        fn fuzz_any_yaml_value_in_any_known_key_fails_cleanly(
            section in proptest::sample::select(vec!["server", "database", "webhook_engine", "retry_policy", "dead_letter", "health", "security", "logging", "alerts"]),
            key in "[a-z_]{1,24}",
            value in "\\PC{0,40}",
        ) {
            let _ = load(&format!("{MINIMAL}{section}:\n  {key}: {value:?}\n"));
        }

        #[test]
        fn fuzz_any_env_override_fails_cleanly(key in "[A-Z_]{1,40}", value in "\\PC{0,40}") {
            let _ = Config::load(
                Some(MINIMAL),
                vec![(format!("{ENV_PREFIX}{key}"), value)],
                &CliOverrides::default(),
            );
        }
    }

    /// The fields of the struct at `path` (`""` for the root), as serde
    /// lists them when it meets an unknown one.
    fn fields_at(path: &str) -> Vec<String> {
        let unknown = "zz_not_a_key: 1\n";
        let yaml = match path {
            "" => format!("{unknown}{MINIMAL}"),
            "endpoints[]" => format!("{MINIMAL}endpoints:\n  - {unknown}"),
            "security.api_keys[]" => format!("{MINIMAL}security:\n  api_keys:\n    - {unknown}"),
            _ => {
                let mut yaml = String::new();
                for (depth, part) in path.split('.').enumerate() {
                    yaml.push_str(&format!("{}{part}:\n", "  ".repeat(depth)));
                }
                let depth = path.split('.').count();
                let unknown = format!("{}{unknown}", "  ".repeat(depth));
                if path == "webhook_engine" {
                    format!("{yaml}{unknown}  signing_secret: s\n")
                } else {
                    format!("{MINIMAL}{yaml}{unknown}")
                }
            }
        };
        let (_, reason) = invalid_key(&yaml);
        let expected = reason
            .split_once("expected")
            .unwrap_or_else(|| panic!("{path}: {reason}"))
            .1;
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn configuration_reference_lists_exactly_the_config_keys() {
        // Keys whose value is itself a struct of keys.
        const NESTED: [&str; 13] = [
            "server",
            "database",
            "webhook_engine",
            "retry_policy",
            "endpoints[]",
            "dead_letter",
            "health",
            "alerts",
            "alerts.email",
            "security",
            "security.api_keys[]",
            "logging",
            "server.tls",
        ];
        let mut leaves = std::collections::BTreeSet::new();
        let mut pending = vec![String::new()];
        while let Some(path) = pending.pop() {
            for field in fields_at(&path) {
                let child = match (path.as_str(), field.as_str()) {
                    ("", "endpoints") => "endpoints[]".to_owned(),
                    ("security", "api_keys") => "security.api_keys[]".to_owned(),
                    ("", _) => field,
                    _ => format!("{path}.{field}"),
                };
                if NESTED.contains(&child.as_str()) {
                    pending.push(child);
                } else {
                    leaves.insert(child);
                }
            }
        }
        let documented: std::collections::BTreeSet<String> =
            include_str!("../docs/configuration.md")
                .lines()
                .filter_map(|line| line.strip_prefix("| `"))
                .filter_map(|rest| rest.split_once('`'))
                .map(|(key, _)| key.to_owned())
                .filter(|key| !key.starts_with("--"))
                .collect();
        assert!(leaves.len() > 40, "found only {leaves:?}");
        let undocumented: Vec<_> = leaves.difference(&documented).collect();
        let unknown: Vec<_> = documented.difference(&leaves).collect();
        assert!(
            undocumented.is_empty() && unknown.is_empty(),
            "docs/configuration.md is out of step with src/config.rs:\n  keys missing from the docs: {undocumented:?}\n  documented keys that do not exist: {unknown:?}"
        );
    }
}
