//! Domain types, each parsed once at the edge so the rest of the code can
//! trust them: ids, event types and patterns, target URLs, canonical payloads.

mod delivery;
mod payload;

pub use delivery::{DeliveryState, ErrorKind};
pub use payload::{CanonicalPayload, PayloadError};

use std::fmt;

use uuid::Uuid;

/// Longest endpoint id, idempotency key or event type accepted.
pub const MAX_ID_LEN: usize = 255;

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_newtype!(
    /// An event id, `evt_` and a time-ordered UUIDv7 in hex.
    EventId
);
string_newtype!(
    /// A delivery id, `dlv_` and a time-ordered UUIDv7 in hex.
    DeliveryId
);
string_newtype!(
    /// An endpoint id chosen by the operator, such as `ep_001`.
    EndpointId
);
string_newtype!(
    /// An event type such as `order.created`.
    EventType
);

/// Checks an id a caller names (an event or delivery id): 1–255
/// characters of `[A-Za-z0-9_-]`. Its shape is not checked further: an id
/// that was never issued is simply not found.
fn check_named_id(kind: &str, raw: &str) -> Result<(), String> {
    if raw.is_empty() {
        return Err(format!("{kind} id must not be empty"));
    }
    if raw.len() > MAX_ID_LEN {
        return Err(format!("{kind} id is longer than {MAX_ID_LEN} characters"));
    }
    if !raw
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    {
        return Err(format!(
            "{kind} id may only contain letters, digits, `_` and `-`"
        ));
    }
    Ok(())
}

impl EventId {
    pub fn generate() -> Self {
        EventId(format!("evt_{}", Uuid::now_v7().simple()))
    }

    /// An event id a caller names; see `check_named_id`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        check_named_id("event", raw)?;
        Ok(EventId(raw.to_owned()))
    }

    /// Wraps an id read back from the store.
    pub fn from_stored(id: String) -> Self {
        EventId(id)
    }
}

impl DeliveryId {
    pub fn generate() -> Self {
        DeliveryId(format!("dlv_{}", Uuid::now_v7().simple()))
    }

    /// A delivery id a caller names; see `check_named_id`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        check_named_id("delivery", raw)?;
        Ok(DeliveryId(raw.to_owned()))
    }

    /// Wraps an id read back from the store.
    pub fn from_stored(id: String) -> Self {
        DeliveryId(id)
    }
}

impl EndpointId {
    /// Accepts 1–255 characters of `[A-Za-z0-9_.-]`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Err("endpoint id must not be empty".to_owned());
        }
        if raw.len() > MAX_ID_LEN {
            return Err(format!(
                "endpoint id is longer than {MAX_ID_LEN} characters"
            ));
        }
        if !raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(format!(
                "endpoint id `{raw}` may only contain letters, digits, `_`, `-` and `.`"
            ));
        }
        Ok(EndpointId(raw.to_owned()))
    }

    /// Wraps an id read back from the store.
    pub fn from_stored(id: String) -> Self {
        EndpointId(id)
    }
}

fn is_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl EventType {
    /// Accepts `^[a-z0-9_]+(\.[a-z0-9_]+)*$`, at most 255 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Err("event_type is required, e.g. \"order.created\"".to_owned());
        }
        if raw.len() > MAX_ID_LEN {
            return Err(format!("event_type is longer than {MAX_ID_LEN} characters"));
        }
        if !raw.split('.').all(is_segment) {
            return Err(format!(
                "invalid event type `{raw}`: use dot-separated segments of lowercase letters, digits and `_`, e.g. \"order.created\""
            ));
        }
        Ok(EventType(raw.to_owned()))
    }

    /// Wraps a type read back from the store.
    pub fn from_stored(raw: String) -> Self {
        EventType(raw)
    }
}

/// What an endpoint subscribes to: one exact type, every type under a
/// prefix (`order.*` matches `order.created` and `order.item.added`, not
/// `order`), or everything (`*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventPattern {
    Exact(String),
    Prefix(String),
    All,
}

impl EventPattern {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw == "*" {
            return Ok(EventPattern::All);
        }
        if let Some(prefix) = raw.strip_suffix(".*") {
            return EventType::parse(prefix)
                .map(|_| EventPattern::Prefix(prefix.to_owned()))
                .map_err(|_| invalid_pattern(raw));
        }
        EventType::parse(raw)
            .map(|t| EventPattern::Exact(t.0))
            .map_err(|_| invalid_pattern(raw))
    }

    pub fn matches(&self, event_type: &EventType) -> bool {
        match self {
            EventPattern::All => true,
            EventPattern::Exact(exact) => exact == event_type.as_str(),
            EventPattern::Prefix(prefix) => event_type
                .as_str()
                .strip_prefix(prefix.as_str())
                .is_some_and(|rest| rest.starts_with('.')),
        }
    }
}

fn invalid_pattern(raw: &str) -> String {
    format!(
        "invalid event type or pattern `{raw}`: use an exact type (\"order.created\"), a prefix pattern (\"order.*\") or \"*\""
    )
}

/// A delivery target: an absolute http(s) URL with a host.
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUrl(url::Url);

impl TargetUrl {
    /// Accepts an absolute http(s) URL with a host and no credentials, of
    /// at most `MAX_URL_BYTES`. Errors quote the URL with any credentials
    /// masked.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.len() > crate::limits::MAX_URL_BYTES {
            return Err(format!(
                "must be at most {} bytes (got {})",
                crate::limits::MAX_URL_BYTES,
                raw.len()
            ));
        }
        let shown = redact_credentials(raw);
        let url = url::Url::parse(raw).map_err(|e| format!("`{shown}` is not a valid URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("`{shown}` must use http or https"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("`{shown}` has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "`{shown}` must not carry credentials; use the signature to authenticate deliveries"
            ));
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
            let error = TargetUrl::parse(raw).unwrap_err();
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
                .contains("at most 4096 bytes")
        );
    }

    #[test]
    fn event_types_follow_the_documented_grammar() {
        for ok in ["order.created", "a", "order_v2.item.added", "x.1"] {
            assert!(EventType::parse(ok).is_ok(), "{ok} should be accepted");
        }
        for bad in [
            "",
            "Order.created",
            "order.",
            ".order",
            "order..created",
            "order created",
            "order.*",
            "ordér",
        ] {
            assert!(EventType::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(EventType::parse(&"a".repeat(256)).is_err());
    }

    #[test]
    fn patterns_match_exact_types_and_prefixes() {
        let created = EventType::parse("order.created").unwrap();
        let nested = EventType::parse("order.item.added").unwrap();
        let bare = EventType::parse("order").unwrap();
        let other = EventType::parse("orders.created").unwrap();
        let exact = EventPattern::parse("order.created").unwrap();
        let prefix = EventPattern::parse("order.*").unwrap();
        let all = EventPattern::parse("*").unwrap();
        assert!(exact.matches(&created));
        assert!(!exact.matches(&nested));
        assert!(prefix.matches(&created));
        assert!(prefix.matches(&nested));
        assert!(!prefix.matches(&bare), "order.* must not match order");
        assert!(
            !prefix.matches(&other),
            "order.* must not match orders.created"
        );
        assert!(all.matches(&other));
        for bad in ["order.**", "*.created", "order*", ""] {
            assert!(
                EventPattern::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn target_urls_must_be_http_with_a_host() {
        assert!(TargetUrl::parse("https://api.example.com/hooks").is_ok());
        assert!(TargetUrl::parse("http://127.0.0.1:9000/").is_ok());
        assert!(TargetUrl::parse("ftp://example.com/").is_err());
        assert!(TargetUrl::parse("/relative").is_err());
        assert!(TargetUrl::parse("https://user:pw@example.com/").is_err());
    }

    #[test]
    fn generated_ids_are_prefixed_and_time_ordered() {
        let first = EventId::generate();
        let second = EventId::generate();
        assert!(first.as_str().starts_with("evt_"));
        assert!(first < second, "UUIDv7 ids sort by creation time");
        assert!(DeliveryId::generate().as_str().starts_with("dlv_"));
    }

    #[test]
    fn endpoint_ids_are_restricted() {
        assert!(EndpointId::parse("ep_001").is_ok());
        assert!(EndpointId::parse("").is_err());
        assert!(EndpointId::parse("ep 1").is_err());
    }
}
