//! The test config: typed settings a test varies, built into a YAML tree
//! (`ConfigTree`) with the public config keys and serialised once; never
//! templated as text.

use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};
use serde_norway::{Mapping, Value};
use sha2::Digest;
use webhookd::domain::Role;

use super::SECRET;

/// A config document as a YAML tree, built key by key.
///
/// The escape hatch for the few tests that need a key `TestSettings` does
/// not model, such as a config-validation test that writes an invalid value.
/// A misspelt key fails the load: every config section denies unknown keys.
#[derive(Debug, Clone, Default)]
pub struct ConfigTree(Mapping);

impl ConfigTree {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the dotted `path` (`"server.tls.cert_file"`) to `value`,
    /// creating the sections on the way.
    pub fn set(mut self, path: &str, value: impl Serialize) -> Self {
        let value = serde_norway::to_value(value).expect("test config values serialise");
        let (sections, key) = match path.rsplit_once('.') {
            Some((sections, key)) => (sections.split('.').collect(), key),
            None => (Vec::new(), path),
        };
        let mut section = &mut self.0;
        for name in sections {
            let entry = section
                .entry(Value::from(name))
                .or_insert_with(|| Value::Mapping(Mapping::new()));
            section = match entry {
                Value::Mapping(mapping) => mapping,
                other => panic!("{name} in {path} is a value, not a section: {other:?}"),
            };
        }
        section.insert(Value::from(key), value);
        self
    }

    /// Sets `path` to `value` when there is one; leaves it out otherwise,
    /// so the config's default applies.
    pub fn set_some(self, path: &str, value: Option<impl Serialize>) -> Self {
        match value {
            Some(value) => self.set(path, value),
            None => self,
        }
    }

    pub fn to_yaml(&self) -> String {
        serde_norway::to_string(&self.0).expect("a YAML tree serialises")
    }

    /// Writes the YAML document to `path`.
    pub fn write(&self, path: &Path) {
        std::fs::write(path, self.to_yaml()).unwrap();
    }
}

/// An endpoint of the test config (an entry of `endpoints`).
#[derive(Debug, Clone, Serialize)]
pub struct TestEndpoint {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    /// `secret`; `webhook_engine.signing_secret` when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// `headers`: custom headers of every delivery.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub headers: std::collections::BTreeMap<String, String>,
    /// `retry_policy`: the endpoint's own schedule, as (max attempts,
    /// delays in seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<TestRetrySchedule>,
    /// `filter`: the endpoint's payload filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrent: Option<u64>,
}

/// `endpoints[].retry_policy`.
#[derive(Debug, Clone, Serialize)]
pub struct TestRetrySchedule {
    pub max_attempts: u32,
    pub delays_seconds: Vec<f64>,
}

impl TestEndpoint {
    pub fn new(id: &str, url: String, events: &[&str]) -> Self {
        TestEndpoint {
            id: id.to_owned(),
            url,
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            secret: None,
            headers: Default::default(),
            retry_policy: None,
            filter: None,
            max_concurrent: None,
        }
    }
}

/// `server.tls`: the listeners' certificate files.
#[derive(Debug, Clone, Serialize)]
pub struct TlsFiles {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    /// Clients must present a certificate of this CA (mTLS) when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ca_file: Option<PathBuf>,
}

/// An entry of `security.api_keys`.
#[derive(Debug, Clone, Serialize)]
pub struct ApiKey {
    pub name: String,
    #[serde(flatten)]
    pub secret: KeySecret,
    #[serde(serialize_with = "role_name")]
    pub role: Role,
}

/// How a config file gives an API key.
#[derive(Debug, Clone, Serialize)]
pub enum KeySecret {
    /// `key`: the key itself.
    #[serde(rename = "key")]
    Plain(String),
    /// `key_sha256`: the lowercase hex SHA-256 of the key.
    #[serde(rename = "key_sha256")]
    Sha256Hex(String),
}

impl ApiKey {
    /// A key written in the file as itself.
    pub fn plain(name: &str, role: Role, key: &str) -> Self {
        ApiKey {
            name: name.to_owned(),
            secret: KeySecret::Plain(key.to_owned()),
            role,
        }
    }

    /// A key written in the file as its SHA-256 only.
    pub fn sha256_of(name: &str, role: Role, key: &str) -> Self {
        ApiKey {
            name: name.to_owned(),
            secret: KeySecret::Sha256Hex(hex::encode(sha2::Sha256::digest(key.as_bytes()))),
            role,
        }
    }
}

fn role_name<S: Serializer>(role: &Role, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(role.as_str())
}

/// `alerts.email`, for a test SMTP server that speaks plaintext.
#[derive(Debug, Clone, Serialize)]
pub struct EmailAlerts {
    pub host: String,
    pub port: u16,
    /// Always `none`: test SMTP servers have no certificate.
    tls: &'static str,
    pub from: String,
    pub to: Vec<String>,
}

impl EmailAlerts {
    pub fn plaintext(host: &str, port: u16, from: &str, to: &[&str]) -> Self {
        EmailAlerts {
            host: host.to_owned(),
            port,
            tls: "none",
            from: from.to_owned(),
            to: to.iter().map(|mailbox| (*mailbox).to_owned()).collect(),
        }
    }
}

/// Settings a test varies; everything else is fast and fixed. Each field is
/// the config key of the same name unless its comment says otherwise.
#[derive(Debug, Clone)]
pub struct TestSettings {
    pub endpoints: Vec<TestEndpoint>,
    /// `retry_policy.*`
    pub max_attempts: u32,
    pub initial_delay_seconds: f64,
    pub backoff_multiplier: f64,
    /// `webhook_engine.default_timeout_seconds`.
    pub timeout_seconds: f64,
    /// `dead_letter.enabled`.
    pub dead_letter: bool,
    /// `webhook_engine.*`
    pub max_concurrent_deliveries: usize,
    pub max_payload_bytes: usize,
    pub max_concurrent_per_endpoint: usize,
    /// `webhook_engine.lease_seconds`; the default when `None`.
    pub lease_seconds: Option<f64>,
    /// `health.failure_threshold`; high by default, so only the health
    /// tests see endpoints disabled.
    pub failure_threshold: u32,
    /// `health.circuit_breaker_failures`; high by default, likewise.
    pub circuit_breaker_failures: u32,
    pub circuit_breaker_cooldown_seconds: f64,
    /// `health.auto_reenable` (probes every 0.5 s when on).
    pub auto_reenable: bool,
    /// `server.tls`; plaintext listeners when `None`.
    pub tls: Option<TlsFiles>,
    /// `server.max_connections`; the default when `None`.
    pub max_connections: Option<usize>,
    /// `server.roles`; the default (both) when `None`.
    pub roles: Option<Vec<&'static str>>,
    /// `server.header_read_timeout_seconds`; the default when `None`.
    pub header_read_timeout_seconds: Option<f64>,
    /// `security.allowed_networks`: loopback by default, where the test
    /// receivers listen.
    pub allowed_networks: Vec<String>,
    /// `security.api_keys`; none (an open API) by default.
    pub api_keys: Vec<ApiKey>,
    /// `security.receiver_ca_file`.
    pub receiver_ca_file: Option<PathBuf>,
    /// `security.dangerous_accept_invalid_certs`.
    pub dangerous_accept_invalid_certs: bool,
    /// `security.https_only`.
    pub https_only: bool,
    /// `alerts.webhook_endpoints`.
    pub operational_endpoints: Vec<&'static str>,
    /// `alerts.email`; no alerts when `None`.
    pub alerts: Option<EmailAlerts>,
    /// `webhook_engine.adaptive_concurrency`, `slow_response_seconds` and
    /// `retry_budget`; the defaults when `None`.
    pub adaptive_concurrency: Option<bool>,
    pub slow_response_seconds: Option<f64>,
    pub retry_budget: Option<f64>,
    /// `security.secret_keys`: (id, base64 key), the sealing one first.
    pub secret_keys: Vec<SecretKey>,
    /// `event_catalog`, as written; none by default.
    pub event_catalog: Option<serde_json::Value>,
    /// `telemetry.otlp_endpoint`; export off when `None`.
    pub otlp_endpoint: Option<String>,
}

/// An entry of `security.secret_keys`.
#[derive(Debug, Clone, Serialize)]
pub struct SecretKey {
    pub id: &'static str,
    pub key: String,
}

impl SecretKey {
    /// A key of 32 bytes of `byte`, in base64.
    pub fn of(id: &'static str, byte: u8) -> Self {
        use base64::Engine;
        SecretKey {
            id,
            key: base64::engine::general_purpose::STANDARD.encode([byte; 32]),
        }
    }
}

impl Default for TestSettings {
    fn default() -> Self {
        TestSettings {
            endpoints: Vec::new(),
            max_attempts: 5,
            initial_delay_seconds: 0.05,
            backoff_multiplier: 2.0,
            timeout_seconds: 2.0,
            dead_letter: true,
            max_concurrent_deliveries: 50,
            max_payload_bytes: 256 * 1024,
            max_concurrent_per_endpoint: 10,
            lease_seconds: None,
            failure_threshold: 10_000,
            circuit_breaker_failures: 10_000,
            circuit_breaker_cooldown_seconds: 30.0,
            auto_reenable: false,
            tls: None,
            max_connections: None,
            roles: None,
            header_read_timeout_seconds: None,
            allowed_networks: vec!["127.0.0.0/8".to_owned()],
            api_keys: Vec::new(),
            receiver_ca_file: None,
            dangerous_accept_invalid_certs: false,
            https_only: false,
            operational_endpoints: Vec::new(),
            alerts: None,
            adaptive_concurrency: None,
            slow_response_seconds: None,
            retry_budget: None,
            secret_keys: Vec::new(),
            event_catalog: None,
            otlp_endpoint: None,
        }
    }
}

impl TestSettings {
    pub fn with_endpoints(endpoints: Vec<TestEndpoint>) -> Self {
        TestSettings {
            endpoints,
            ..Default::default()
        }
    }

    /// The config for a database at `database_url`, listening on port 0.
    pub fn config_tree(&self, database_url: &str) -> ConfigTree {
        let tree = ConfigTree::new()
            .set("server.grpc_addr", "127.0.0.1:0")
            .set("server.http_addr", "127.0.0.1:0")
            .set("server.shutdown_grace_seconds", 1)
            .set_some("server.tls", self.tls.as_ref())
            .set_some("server.max_connections", self.max_connections)
            .set_some("server.roles", self.roles.as_ref())
            .set_some(
                "server.header_read_timeout_seconds",
                self.header_read_timeout_seconds,
            )
            .set("database.url", database_url)
            .set("database.acquire_timeout_seconds", 1);
        let tree = self.delivery_sections(tree);
        self.security_sections(tree)
            .set("endpoints", &self.endpoints)
    }

    /// The YAML text of `config_tree`.
    pub fn to_yaml(&self, database_url: &str) -> String {
        self.config_tree(database_url).to_yaml()
    }

    /// `webhook_engine`, `retry_policy`, `dead_letter` and `health`.
    fn delivery_sections(&self, tree: ConfigTree) -> ConfigTree {
        tree.set("webhook_engine.signing_secret", SECRET)
            .set(
                "webhook_engine.default_timeout_seconds",
                self.timeout_seconds,
            )
            .set(
                "webhook_engine.max_concurrent_deliveries",
                self.max_concurrent_deliveries,
            )
            .set("webhook_engine.max_payload_bytes", self.max_payload_bytes)
            .set(
                "webhook_engine.max_concurrent_per_endpoint",
                self.max_concurrent_per_endpoint,
            )
            .set("webhook_engine.poll_interval_seconds", 0.2)
            .set_some("webhook_engine.lease_seconds", self.lease_seconds)
            .set_some(
                "webhook_engine.adaptive_concurrency",
                self.adaptive_concurrency,
            )
            .set_some(
                "webhook_engine.slow_response_seconds",
                self.slow_response_seconds,
            )
            .set_some("webhook_engine.retry_budget", self.retry_budget)
            .set("retry_policy.max_attempts", self.max_attempts)
            .set(
                "retry_policy.initial_delay_seconds",
                self.initial_delay_seconds,
            )
            .set("retry_policy.max_delay_seconds", 30)
            .set("retry_policy.backoff_multiplier", self.backoff_multiplier)
            .set("retry_policy.jitter", false)
            .set("dead_letter.enabled", self.dead_letter)
            .set("health.failure_threshold", self.failure_threshold)
            .set(
                "health.circuit_breaker_failures",
                self.circuit_breaker_failures,
            )
            .set(
                "health.circuit_breaker_cooldown_seconds",
                self.circuit_breaker_cooldown_seconds,
            )
            .set("health.check_interval_seconds", 0.5)
            .set("health.auto_reenable", self.auto_reenable)
    }

    /// `security` and `alerts`.
    fn security_sections(&self, tree: ConfigTree) -> ConfigTree {
        tree.set("security.allowed_networks", &self.allowed_networks)
            .set("security.api_keys", &self.api_keys)
            .set_some("security.receiver_ca_file", self.receiver_ca_file.as_ref())
            .set(
                "security.dangerous_accept_invalid_certs",
                self.dangerous_accept_invalid_certs,
            )
            .set("security.https_only", self.https_only)
            .set("security.secret_keys", &self.secret_keys)
            .set_some("event_catalog", self.event_catalog.as_ref())
            .set("telemetry.otlp_enabled", self.otlp_endpoint.is_some())
            .set_some("telemetry.otlp_endpoint", self.otlp_endpoint.as_ref())
            .set("alerts.webhook_endpoints", &self.operational_endpoints)
            .set_some("alerts.email", self.alerts.as_ref())
    }
}
