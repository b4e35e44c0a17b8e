//! Domain types, each parsed once at the edge so the rest of the code can
//! trust them: ids, event types and patterns, target URLs, canonical
//! payloads, and the entities webhookd keeps (events, endpoints,
//! deliveries, attempts, API keys). Nothing here knows about protobuf, SQL
//! or HTTP.

mod api_key;
mod catalog;
mod delivery;
mod endpoint;
mod event;
mod filter;
mod headers;
pub mod network;
mod payload;
mod retry_schedule;
mod secret_keys;
mod trace;

pub use api_key::{ApiKeyRecord, Permission, Role};
pub use catalog::{CatalogEntry, CatalogError, EventCatalog, UnknownTypes};
pub use delivery::{AttemptRecord, DeliveryRecord, DeliveryState, ErrorKind, HELD_FOR_ORDERING};
pub use endpoint::{
    EndpointChanges, EndpointError, EndpointInput, EndpointOrigin, EndpointRecord, EndpointSpec,
    SignatureScheme, TargetUrl, check_event_patterns, check_filter, check_headers,
    check_retry_schedule, check_secret, check_url, patterns_json, redact_credentials,
};
pub use event::Event;
pub use filter::{FilterError, PayloadFilter};
pub use headers::{CustomHeaders, HeaderError};
pub use payload::{CanonicalPayload, PayloadError, PayloadObject, PayloadValue, object_to_json};
pub use retry_schedule::{RetrySchedule, RetryScheduleError};
pub use secret_keys::{OpenError, SEALED_PREFIX, SecretKeyError, SecretKeys};
pub use trace::{TraceContext, continue_trace, new_span_id, span_id_of};

use std::fmt;

use uuid::Uuid;

/// Longest endpoint id, idempotency key or event type accepted.
pub const MAX_ID_LEN: usize = 255;

/// Why a value from outside (a request, the config file) is not a valid
/// domain value. The message names the value and says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("{what} must not be empty")]
    Empty { what: &'static str },
    #[error("{what} is longer than {max} characters")]
    TooLong { what: &'static str, max: usize },
    #[error("{what} `{raw}` may only contain {allowed}")]
    InvalidCharacters {
        what: &'static str,
        raw: String,
        allowed: &'static str,
    },
    #[error("event_type is required, e.g. \"order.created\"")]
    MissingEventType,
    #[error(
        "invalid event type `{0}`: use dot-separated segments of lowercase letters, digits and `_`, e.g. \"order.created\""
    )]
    InvalidEventType(String),
    #[error(
        "invalid event type or pattern `{0}`: use an exact type (\"order.created\"), a prefix pattern (\"order.*\") or \"*\""
    )]
    InvalidPattern(String),
    #[error("must be at most {max} bytes (got {got})")]
    UrlTooLong { max: usize, got: usize },
    #[error("`{url}` is not a valid URL: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("`{0}` must use http or https")]
    UrlScheme(String),
    #[error("`{0}` has no host")]
    UrlWithoutHost(String),
    #[error("`{0}` must not carry credentials; use the signature to authenticate deliveries")]
    UrlWithCredentials(String),
    #[error("unknown {what} `{raw}`")]
    Unknown { what: &'static str, raw: String },
}

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Wraps a value read back from the store, which was valid when
            /// it was written.
            pub fn from_stored(raw: String) -> Self {
                $name(raw)
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

/// Checks an id a caller names: 1–255 characters, all `allowed`.
fn check_id(
    what: &'static str,
    raw: &str,
    allowed_chars: impl Fn(char) -> bool,
    allowed: &'static str,
) -> Result<(), DomainError> {
    if raw.is_empty() {
        return Err(DomainError::Empty { what });
    }
    if raw.len() > MAX_ID_LEN {
        return Err(DomainError::TooLong {
            what,
            max: MAX_ID_LEN,
        });
    }
    if !raw.chars().all(allowed_chars) {
        return Err(DomainError::InvalidCharacters {
            what,
            raw: raw.to_owned(),
            allowed,
        });
    }
    Ok(())
}

/// Event and delivery ids that callers name are only checked for length
/// and characters: an id that was never issued is simply not found.
fn is_named_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
}

impl EventId {
    pub fn generate() -> Self {
        EventId(format!("evt_{}", Uuid::now_v7().simple()))
    }

    /// An event id a caller names.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        check_id(
            "event id",
            raw,
            is_named_id_char,
            "letters, digits, `_` and `-`",
        )?;
        Ok(EventId(raw.to_owned()))
    }
}

impl DeliveryId {
    pub fn generate() -> Self {
        DeliveryId(format!("dlv_{}", Uuid::now_v7().simple()))
    }

    /// A delivery id a caller names.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        check_id(
            "delivery id",
            raw,
            is_named_id_char,
            "letters, digits, `_` and `-`",
        )?;
        Ok(DeliveryId(raw.to_owned()))
    }
}

impl EndpointId {
    /// Accepts 1–255 characters of `[A-Za-z0-9_.-]`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        check_id(
            "endpoint id",
            raw,
            |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'),
            "letters, digits, `_`, `-` and `.`",
        )?;
        Ok(EndpointId(raw.to_owned()))
    }

    /// A new random id for an endpoint created without one.
    pub fn generate() -> Self {
        EndpointId(format!("ep_{}", &Uuid::now_v7().simple().to_string()[16..]))
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
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.is_empty() {
            return Err(DomainError::MissingEventType);
        }
        if raw.len() > MAX_ID_LEN {
            return Err(DomainError::TooLong {
                what: "event_type",
                max: MAX_ID_LEN,
            });
        }
        if !raw.split('.').all(is_segment) {
            return Err(DomainError::InvalidEventType(raw.to_owned()));
        }
        Ok(EventType(raw.to_owned()))
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
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw == "*" {
            return Ok(EventPattern::All);
        }
        let invalid = || DomainError::InvalidPattern(raw.to_owned());
        if let Some(prefix) = raw.strip_suffix(".*") {
            return EventType::parse(prefix)
                .map(|_| EventPattern::Prefix(prefix.to_owned()))
                .map_err(|_| invalid());
        }
        EventType::parse(raw)
            .map(|t| EventPattern::Exact(t.0))
            .map_err(|_| invalid())
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

    /// The pattern as written.
    pub fn as_string(&self) -> String {
        match self {
            EventPattern::All => "*".to_owned(),
            EventPattern::Exact(exact) => exact.clone(),
            EventPattern::Prefix(prefix) => format!("{prefix}.*"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for raw in ["*", "order.*", "order.created"] {
            assert_eq!(EventPattern::parse(raw).unwrap().as_string(), raw);
        }
    }

    #[test]
    fn generated_ids_are_prefixed_and_time_ordered() {
        let first = EventId::generate();
        let second = EventId::generate();
        assert!(first.as_str().starts_with("evt_"));
        assert!(first < second, "UUIDv7 ids sort by creation time");
        assert!(DeliveryId::generate().as_str().starts_with("dlv_"));
        assert!(EndpointId::parse(EndpointId::generate().as_str()).is_ok());
    }

    #[test]
    fn endpoint_ids_are_restricted() {
        assert!(EndpointId::parse("ep_001").is_ok());
        assert!(EndpointId::parse("").is_err());
        assert_eq!(
            EndpointId::parse("ep 1").unwrap_err().to_string(),
            "endpoint id `ep 1` may only contain letters, digits, `_`, `-` and `.`"
        );
    }

    #[test]
    fn named_ids_are_bounded() {
        assert!(EventId::parse("evt_nope").is_ok());
        assert!(EventId::parse(&"e".repeat(256)).is_err());
        assert!(DeliveryId::parse("dlv_1;DROP").is_err());
    }
}
