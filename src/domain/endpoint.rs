//! Endpoints: where deliveries go, what they subscribe to, how they are
//! signed. `EndpointSpec` is a new or configured endpoint, validated once
//! whether it comes from the config file or the API; `EndpointRecord` is an
//! endpoint as stored, without its secrets.

use secrecy::{ExposeSecret, SecretString};

use super::filter::{FilterError, PayloadFilter};
use super::headers::{CustomHeaders, HeaderError};
use super::network::{NetworkError, NetworkPolicy};
use super::retry_schedule::{RetrySchedule, RetryScheduleError};
use super::secret_keys::SEALED_PREFIX;
use super::{DomainError, EndpointId, EventPattern};
use crate::limits::{MAX_EVENT_TYPES, MAX_URL_BYTES};
use crate::signing::standard;

/// How an endpoint's deliveries are signed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureScheme {
    /// `X-Webhook-Id`, `X-Webhook-Timestamp`, `X-Webhook-Signature: sha256=<hex>`.
    #[default]
    Webhookd,
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`.
    Standard,
}

impl SignatureScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureScheme::Webhookd => "webhookd",
            SignatureScheme::Standard => "standard",
        }
    }

    /// Reads the stored name.
    pub fn from_stored(name: &str) -> Option<Self> {
        match name {
            "webhookd" => Some(SignatureScheme::Webhookd),
            "standard" => Some(SignatureScheme::Standard),
            _ => None,
        }
    }
}

/// Where an endpoint was defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointOrigin {
    /// The config file: rewritten at every start.
    Config,
    /// The API: kept until deleted over the API.
    Api,
}

impl EndpointOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointOrigin::Config => "config",
            EndpointOrigin::Api => "api",
        }
    }

    pub fn from_stored(name: &str) -> Option<Self> {
        match name {
            "config" => Some(EndpointOrigin::Config),
            "api" => Some(EndpointOrigin::Api),
            _ => None,
        }
    }
}

/// A delivery target: an absolute http(s) URL with a host and no
/// credentials, at most `MAX_URL_BYTES` long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUrl(url::Url);

impl TargetUrl {
    /// Errors quote the URL with any credentials masked.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.len() > MAX_URL_BYTES {
            return Err(DomainError::UrlTooLong {
                max: MAX_URL_BYTES,
                got: raw.len(),
            });
        }
        let shown = redact_credentials(raw);
        let url = url::Url::parse(raw).map_err(|e| DomainError::InvalidUrl {
            url: shown.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(DomainError::UrlScheme(shown));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(DomainError::UrlWithoutHost(shown));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(DomainError::UrlWithCredentials(shown));
        }
        Ok(TargetUrl(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn as_url(&self) -> &url::Url {
        &self.0
    }
}

/// `raw` with the user information of a URL (`user:password@`) masked,
/// for messages; works on text that does not parse as a URL too.
pub fn redact_credentials(raw: &str) -> String {
    let Some(scheme_end) = raw.find("://") else {
        return raw.to_owned();
    };
    let authority_start = scheme_end + 3;
    let authority_end = raw[authority_start..]
        .find(['/', '?', '#'])
        .map_or(raw.len(), |offset| authority_start + offset);
    match raw[authority_start..authority_end].rfind('@') {
        Some(at) => format!(
            "{}***@{}",
            &raw[..authority_start],
            &raw[authority_start + at + 1..]
        ),
        None => raw.to_owned(),
    }
}

/// A new endpoint, from the config file (upserted at every start) or the
/// API (created once).
#[derive(Debug, Clone)]
pub struct EndpointSpec {
    pub id: EndpointId,
    pub url: TargetUrl,
    pub event_patterns: Vec<EventPattern>,
    /// `None`: sign with the engine's default secret.
    pub secret: Option<SecretString>,
    pub signature_scheme: SignatureScheme,
    pub active: bool,
    /// The endpoint's own concurrency limit.
    pub max_concurrent: Option<u32>,
    /// Static headers added to every delivery.
    pub headers: CustomHeaders,
    /// Its own retry schedule; `None`: the config's.
    pub retry_schedule: Option<RetrySchedule>,
    /// Which payloads of its event types it receives; `None`: all.
    pub filter: Option<PayloadFilter>,
}

/// An endpoint as the config file or a caller describes it, before it is
/// checked.
#[derive(Debug, Clone, Copy)]
pub struct EndpointInput<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub event_patterns: &'a [String],
    pub secret: Option<&'a SecretString>,
    pub signature_scheme: SignatureScheme,
    pub active: bool,
    pub max_concurrent: Option<u64>,
    /// Custom headers, name and value, as given.
    pub headers: &'a [(String, String)],
    /// Its own retry schedule as written: max attempts (0: the config's)
    /// and the delays in seconds.
    pub retry_schedule: Option<(u32, &'a [f64])>,
    /// Its payload filter as written.
    pub filter: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

/// Why an endpoint description is not a valid endpoint; `field` says which
/// part is at fault, relative to the endpoint (`url`, `events[2]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("{0}")]
    Id(DomainError),
    #[error("{0}")]
    Url(DomainError),
    #[error("{0}")]
    UrlForbidden(NetworkError),
    #[error("list at least one event type or pattern")]
    NoEventTypes,
    #[error("at most {limit} entries (got {got})")]
    TooManyEventTypes { limit: usize, got: usize },
    #[error("{error}")]
    EventPattern { index: usize, error: DomainError },
    #[error("must not be empty; leave it out to sign with webhook_engine.signing_secret")]
    EmptySecret,
    #[error("must be at least {min} characters; leave it empty to use the default signing secret")]
    SecretTooShort { min: usize },
    #[error("must not start with `{SEALED_PREFIX}`, which marks secrets encrypted at rest")]
    SealedPrefix,
    #[error(
        "signature_scheme standard needs the endpoint's own secret: `whsec_` + base64 of at least 24 random bytes, or a `whsk_` ed25519 key"
    )]
    StandardSchemeWithoutSecret,
    #[error("{0}")]
    StandardSecret(String),
    #[error("must be at least 1")]
    NoConcurrency,
    #[error("{0}")]
    Header(HeaderError),
    #[error("{0}")]
    RetrySchedule(RetryScheduleError),
    #[error("{0}")]
    Filter(FilterError),
}

impl EndpointError {
    /// The part of the endpoint at fault, as its key or request field.
    pub fn field(&self) -> String {
        match self {
            EndpointError::Id(_) => "id".to_owned(),
            EndpointError::Url(_) | EndpointError::UrlForbidden(_) => "url".to_owned(),
            EndpointError::NoEventTypes | EndpointError::TooManyEventTypes { .. } => {
                "event_types".to_owned()
            }
            EndpointError::EventPattern { index, .. } => format!("event_types[{index}]"),
            EndpointError::EmptySecret
            | EndpointError::SecretTooShort { .. }
            | EndpointError::SealedPrefix
            | EndpointError::StandardSchemeWithoutSecret
            | EndpointError::StandardSecret(_) => "secret".to_owned(),
            EndpointError::NoConcurrency => "max_concurrent".to_owned(),
            EndpointError::Header(error) => match error.name() {
                Some(name) => format!("headers.{name}"),
                None => "headers".to_owned(),
            },
            EndpointError::RetrySchedule(error) => format!("retry_policy.{}", error.field()),
            EndpointError::Filter(error) => match error.field() {
                path if path.is_empty() => "filter".to_owned(),
                path => format!("filter.{path}"),
            },
        }
    }
}

/// Checks a secret an endpoint brings for `scheme`: standard ones must be
/// keys of that scheme, others at least `min_len` characters.
pub fn check_secret(
    scheme: SignatureScheme,
    secret: Option<&SecretString>,
    min_len: usize,
) -> Result<(), EndpointError> {
    let Some(secret) = secret else {
        return match scheme {
            SignatureScheme::Standard => Err(EndpointError::StandardSchemeWithoutSecret),
            SignatureScheme::Webhookd => Ok(()),
        };
    };
    let raw = secret.expose_secret();
    if raw.is_empty() {
        return Err(EndpointError::EmptySecret);
    }
    if raw.starts_with(SEALED_PREFIX) {
        return Err(EndpointError::SealedPrefix);
    }
    match scheme {
        SignatureScheme::Standard => standard::SigningKey::parse(raw)
            .map(drop)
            .map_err(|e| EndpointError::StandardSecret(e.to_string())),
        SignatureScheme::Webhookd if raw.chars().count() < min_len => {
            Err(EndpointError::SecretTooShort { min: min_len })
        }
        SignatureScheme::Webhookd => Ok(()),
    }
}

/// Checks a new URL: a valid target the network policy lets deliveries
/// reach.
pub fn check_url(raw: &str, policy: &NetworkPolicy) -> Result<TargetUrl, EndpointError> {
    let url = TargetUrl::parse(raw).map_err(EndpointError::Url)?;
    policy
        .check_url(url.as_url())
        .map_err(EndpointError::UrlForbidden)?;
    Ok(url)
}

/// Checks event patterns: at least one, at most `MAX_EVENT_TYPES`.
pub fn check_event_patterns(raw: &[String]) -> Result<Vec<EventPattern>, EndpointError> {
    if raw.is_empty() {
        return Err(EndpointError::NoEventTypes);
    }
    if raw.len() > MAX_EVENT_TYPES {
        return Err(EndpointError::TooManyEventTypes {
            limit: MAX_EVENT_TYPES,
            got: raw.len(),
        });
    }
    raw.iter()
        .enumerate()
        .map(|(index, pattern)| {
            EventPattern::parse(pattern)
                .map_err(|error| EndpointError::EventPattern { index, error })
        })
        .collect()
}

impl EndpointSpec {
    /// Checks `input`, the same way for the config file and the API: a
    /// valid id, a URL the network policy allows, at least one valid event
    /// pattern, a secret fit for the scheme (at least `min_secret_len`
    /// characters for the webhookd scheme), and a concurrency limit of at
    /// least 1. The first problem found is returned.
    pub fn from_input(
        input: EndpointInput<'_>,
        policy: &NetworkPolicy,
        min_secret_len: usize,
    ) -> Result<EndpointSpec, EndpointError> {
        let id = EndpointId::parse(input.id).map_err(EndpointError::Id)?;
        let url = check_url(input.url, policy)?;
        let event_patterns = check_event_patterns(input.event_patterns)?;
        check_secret(input.signature_scheme, input.secret, min_secret_len)?;
        let max_concurrent = match input.max_concurrent {
            Some(0) => return Err(EndpointError::NoConcurrency),
            limit => limit.map(|limit| u32::try_from(limit).unwrap_or(u32::MAX)),
        };
        let headers = check_headers(input.headers)?;
        let retry_schedule = input
            .retry_schedule
            .map(|(max_attempts, delays)| check_retry_schedule(max_attempts, delays))
            .transpose()?;
        let filter = input.filter.map(check_filter).transpose()?.flatten();
        Ok(EndpointSpec {
            id,
            url,
            event_patterns,
            secret: input.secret.cloned(),
            signature_scheme: input.signature_scheme,
            active: input.active,
            max_concurrent,
            headers,
            retry_schedule,
            filter,
        })
    }

    /// The event patterns as the JSON array the store keeps.
    pub fn patterns_json(&self) -> String {
        patterns_json(&self.event_patterns)
    }
}

/// Event patterns as the JSON array of strings the store keeps.
pub fn patterns_json(patterns: &[EventPattern]) -> String {
    let raw: Vec<String> = patterns.iter().map(EventPattern::as_string).collect();
    serde_json::to_string(&raw).expect("a list of strings always serialises")
}

/// Checks custom headers (see `CustomHeaders`).
pub fn check_headers(raw: &[(String, String)]) -> Result<CustomHeaders, EndpointError> {
    CustomHeaders::parse(
        raw.iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    )
    .map_err(EndpointError::Header)
}

/// Checks an endpoint's own retry schedule.
pub fn check_retry_schedule(
    max_attempts: u32,
    delays_seconds: &[f64],
) -> Result<RetrySchedule, EndpointError> {
    RetrySchedule::parse(max_attempts, delays_seconds).map_err(EndpointError::RetrySchedule)
}

/// Checks a payload filter; an empty one is no filter.
pub fn check_filter(
    raw: &serde_json::Map<String, serde_json::Value>,
) -> Result<Option<PayloadFilter>, EndpointError> {
    PayloadFilter::parse(raw.clone()).map_err(EndpointError::Filter)
}

/// Changes to an endpoint; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EndpointChanges {
    pub url: Option<TargetUrl>,
    pub event_patterns: Option<Vec<EventPattern>>,
    /// Replaces all custom headers.
    pub headers: Option<CustomHeaders>,
    /// `Some(None)` goes back to the config's schedule.
    pub retry_schedule: Option<Option<RetrySchedule>>,
    /// `Some(None)` removes the filter.
    pub filter: Option<Option<PayloadFilter>>,
}

/// An endpoint as stored, without its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRecord {
    pub id: EndpointId,
    pub url: String,
    pub event_patterns: Vec<String>,
    pub active: bool,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<i64>,
    pub origin: EndpointOrigin,
    /// The last 4 characters of its own secret; `None` when it signs with
    /// the default secret.
    pub secret_hint: Option<String>,
    pub previous_secret_expires_at: Option<i64>,
    pub signature_scheme: SignatureScheme,
    /// The `whpk_` key receivers verify with, for ed25519 (`whsk_`) secrets.
    pub public_key: Option<String>,
    pub consecutive_failures: u32,
    pub headers: CustomHeaders,
    pub retry_schedule: Option<RetrySchedule>,
    pub filter: Option<PayloadFilter>,
    /// Its own concurrency limit, if it has one.
    pub max_concurrent: Option<u32>,
    /// Disabled by webhookd itself (failures, 410), not by an operator.
    pub auto_disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_appear_in_url_errors() {
        for raw in [
            "https://alice:s3cret@hooks.example.com/x",
            "https://s3cret@hooks.example.com/x",
            "ftp://alice:s3cret@hooks.example.com/x",
            "https://alice:s3cret@/x",
            "https://alice:s3cret@exa mple.com/x",
        ] {
            let error = TargetUrl::parse(raw).unwrap_err().to_string();
            assert!(!error.contains("s3cret"), "{raw}: {error}");
            assert!(error.contains("***@"), "{raw}: {error}");
        }
        assert_eq!(
            redact_credentials("https://hooks.example.com/a@b"),
            "https://hooks.example.com/a@b"
        );
    }

    #[test]
    fn overlong_urls_are_refused_by_length() {
        let long = format!("https://hooks.example.com/{}", "a".repeat(5000));
        assert!(
            TargetUrl::parse(&long)
                .unwrap_err()
                .to_string()
                .contains("at most 4096 bytes")
        );
    }

    #[test]
    fn target_urls_must_be_http_with_a_host() {
        assert!(TargetUrl::parse("https://api.example.com/hooks").is_ok());
        assert!(TargetUrl::parse("http://127.0.0.1:9000/").is_ok());
        assert!(TargetUrl::parse("ftp://example.com/").is_err());
        assert!(TargetUrl::parse("/relative").is_err());
        assert!(TargetUrl::parse("https://user:pw@example.com/").is_err());
    }
}
