//! The rules a parsed config must meet beyond its types: ranges, rules
//! across keys, and the endpoints, checked as the API checks them.

use std::collections::HashSet;

use secrecy::ExposeSecret;

use super::{Config, ConfigError, DatabaseConfig};
use crate::domain::{EndpointError, EndpointInput, EndpointSpec};

/// Secrets of config endpoints may be short (the operator chose them);
/// the API asks for more of secrets set over the network.
const MIN_CONFIG_SECRET_LEN: usize = 1;

/// Checks `config`; returns its endpoints, checked.
pub(super) fn check(config: &Config) -> Result<Vec<EndpointSpec>, ConfigError> {
    check_engine(config)?;
    check_retry(config)?;
    check_counts(config)?;
    config.database.check()?;
    check_alerts(config)?;
    check_api_keys(config)?;
    config.secret_keys()?;
    config.event_catalog()?;
    check_telemetry(config)?;
    check_open_listeners(config)?;
    check_roles(config)?;
    check_endpoints(config)
}

fn check_telemetry(config: &Config) -> Result<(), ConfigError> {
    let telemetry = &config.telemetry;
    let endpoint = url::Url::parse(&telemetry.otlp_endpoint);
    if telemetry.otlp_enabled
        && !endpoint.is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
    {
        return Err(ConfigError::invalid(
            "telemetry.otlp_endpoint",
            format!(
                "`{}` is not an http(s) URL of an OTLP/gRPC collector, such as http://127.0.0.1:4317",
                telemetry.otlp_endpoint
            ),
        ));
    }
    Ok(())
}

fn check_roles(config: &Config) -> Result<(), ConfigError> {
    let server = &config.server;
    if server.roles.is_empty() {
        return Err(ConfigError::invalid(
            "server.roles",
            "list at least one of `api` and `worker`",
        ));
    }
    let split = !(server.serves_api() && server.delivers());
    if split && config.database.is_sqlite() {
        return Err(ConfigError::invalid(
            "server.roles",
            "an instance with only one role needs PostgreSQL: a SQLite file serves one process, so no other instance could take the other role",
        ));
    }
    Ok(())
}

/// Fails with "must be at least 1" at `key` when `value` is zero.
fn at_least_one(key: &str, value: u64) -> Result<(), ConfigError> {
    if value == 0 {
        return Err(ConfigError::invalid(key, "must be at least 1"));
    }
    Ok(())
}

fn check_engine(config: &Config) -> Result<(), ConfigError> {
    let engine = &config.webhook_engine;
    if engine.signing_secret.expose_secret().is_empty() {
        return Err(ConfigError::invalid(
            "webhook_engine.signing_secret",
            "must not be empty",
        ));
    }
    if let Some(lease) = engine.lease
        && lease <= engine.request_timeout
    {
        return Err(ConfigError::invalid(
            "webhook_engine.lease_seconds",
            format!(
                "must be longer than default_timeout_seconds ({}), or a slow delivery could be handed to a second worker while it is still running",
                engine.request_timeout.as_secs_f64()
            ),
        ));
    }
    if !(engine.retry_budget > 0.0 && engine.retry_budget <= 1.0) {
        return Err(ConfigError::invalid(
            "webhook_engine.retry_budget",
            format!(
                "must be a share of max_concurrent_deliveries above 0 and at most 1 (got {})",
                engine.retry_budget
            ),
        ));
    }
    Ok(())
}

fn check_retry(config: &Config) -> Result<(), ConfigError> {
    let retry = &config.retry_policy;
    at_least_one("retry_policy.max_attempts", u64::from(retry.max_attempts))?;
    if !retry.backoff_multiplier.is_finite() || retry.backoff_multiplier < 1.0 {
        return Err(ConfigError::invalid(
            "retry_policy.backoff_multiplier",
            format!("must be at least 1 (got {})", retry.backoff_multiplier),
        ));
    }
    if retry.initial_delay > retry.max_delay {
        return Err(ConfigError::invalid(
            "retry_policy.initial_delay_seconds",
            format!(
                "must not exceed retry_policy.max_delay_seconds ({} > {})",
                retry.initial_delay.as_secs_f64(),
                retry.max_delay.as_secs_f64()
            ),
        ));
    }
    Ok(())
}

fn check_counts(config: &Config) -> Result<(), ConfigError> {
    let engine = &config.webhook_engine;
    for (key, value) in [
        (
            "webhook_engine.max_concurrent_deliveries",
            engine.max_concurrent_deliveries,
        ),
        ("webhook_engine.max_payload_bytes", engine.max_payload_bytes),
        ("webhook_engine.claim_batch_size", engine.claim_batch_size),
        (
            "webhook_engine.max_concurrent_per_endpoint",
            engine.max_concurrent_per_endpoint,
        ),
        ("server.max_connections", config.server.max_connections),
        (
            "server.worker_threads",
            config.server.worker_threads.unwrap_or(1),
        ),
    ] {
        at_least_one(key, value as u64)?;
    }
    at_least_one(
        "health.circuit_breaker_failures",
        u64::from(config.health.circuit_breaker_failures),
    )?;
    at_least_one(
        "health.failure_threshold",
        u64::from(config.health.failure_threshold),
    )
}

impl DatabaseConfig {
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        at_least_one("database.max_connections", u64::from(self.max_connections))?;
        if !(self.url.starts_with("sqlite:") || self.url.starts_with("postgres")) {
            return Err(ConfigError::invalid(
                "database.url",
                "must start with sqlite:// or postgres://",
            ));
        }
        Ok(())
    }
}

fn check_alerts(config: &Config) -> Result<(), ConfigError> {
    for (index, id) in config.alerts.webhook_endpoints.iter().enumerate() {
        if !config.endpoints.iter().any(|endpoint| &endpoint.id == id) {
            return Err(ConfigError::invalid(
                format!("alerts.webhook_endpoints[{index}]"),
                format!(
                    "no endpoint `{id}` among this file's endpoints; list the ids of endpoints configured here"
                ),
            ));
        }
    }
    let Some(email) = &config.alerts.email else {
        return Ok(());
    };
    if email.host.trim().is_empty() {
        return Err(ConfigError::invalid(
            "alerts.email.host",
            "must not be empty",
        ));
    }
    if email.to.is_empty() {
        return Err(ConfigError::invalid(
            "alerts.email.to",
            "list at least one recipient",
        ));
    }
    Ok(())
}

fn check_api_keys(config: &Config) -> Result<(), ConfigError> {
    let mut names = HashSet::new();
    for (index, key) in config.security.api_keys.iter().enumerate() {
        let field = |name: &str| format!("security.api_keys[{index}].{name}");
        if key.name.trim().is_empty() || !names.insert(key.name.as_str()) {
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
    Ok(())
}

/// Without API keys (or client certificates, which authenticate callers as
/// well), the API listens on loopback only, unless told otherwise.
fn check_open_listeners(config: &Config) -> Result<(), ConfigError> {
    let security = &config.security;
    let clients_verified = config
        .server
        .tls
        .as_ref()
        .is_some_and(|tls| tls.client_ca_file.is_some());
    if !security.api_keys.is_empty() || security.allow_unauthenticated || clients_verified {
        return Ok(());
    }
    for (key, addr) in [
        ("server.grpc_addr", config.server.grpc_addr),
        ("server.http_addr", config.server.http_addr),
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
    Ok(())
}

fn check_endpoints(config: &Config) -> Result<Vec<EndpointSpec>, ConfigError> {
    let policy = config.network_policy();
    let mut seen = HashSet::new();
    let mut specs = Vec::with_capacity(config.endpoints.len());
    for (index, endpoint) in config.endpoints.iter().enumerate() {
        let headers: Vec<(String, String)> = endpoint.headers.clone().into_iter().collect();
        let input = EndpointInput {
            id: &endpoint.id,
            url: &endpoint.url,
            event_patterns: &endpoint.events,
            secret: endpoint.secret.as_ref(),
            signature_scheme: endpoint.signature_scheme,
            active: endpoint.active,
            max_concurrent: endpoint.max_concurrent,
            headers: &headers,
            retry_schedule: endpoint
                .retry_policy
                .as_ref()
                .map(|retry| (retry.max_attempts, retry.delays_seconds.as_slice())),
            filter: endpoint.filter.as_ref(),
        };
        let spec = EndpointSpec::from_input(input, &policy, MIN_CONFIG_SECRET_LEN)
            .map_err(|e| endpoint_error(index, &e))?;
        if !seen.insert(endpoint.id.as_str()) {
            return Err(ConfigError::invalid(
                format!("endpoints[{index}].id"),
                format!("duplicate endpoint id `{}`", endpoint.id),
            ));
        }
        specs.push(spec);
    }
    Ok(specs)
}

/// An endpoint error at its config key; the file calls the patterns
/// `events`, the API `event_types`.
fn endpoint_error(index: usize, error: &EndpointError) -> ConfigError {
    let field = error.field().replacen("event_types", "events", 1);
    ConfigError::invalid(format!("endpoints[{index}].{field}"), error)
}
