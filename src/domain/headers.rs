//! Custom headers of an endpoint: static headers added to every delivery
//! (an API gateway's token, a routing hint). Checked once, when the
//! endpoint is created or changed; the headers webhookd sets itself cannot
//! be overridden.

use std::collections::BTreeMap;

use crate::limits::{MAX_ENDPOINT_HEADERS, MAX_HEADER_NAME_BYTES, MAX_HEADER_VALUE_BYTES};

/// Header names webhookd sets or that belong to the connection.
const RESERVED_NAMES: [&str; 14] = [
    // Trace context, sent on from the producer.
    "traceparent",
    "tracestate",
    "host",
    "content-length",
    "content-type",
    "content-encoding",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "user-agent",
];

/// Prefixes of the signature and delivery headers of both schemes.
const RESERVED_PREFIXES: [&str; 2] = ["x-webhook-", "webhook-"];

/// Headers whose values are credentials: shown as `***` when an endpoint is
/// read back, like secrets (which are never shown).
const CREDENTIAL_NAMES: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "api-key",
];

/// Why a custom header is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("at most {limit} headers (got {got})")]
    TooMany { limit: usize, got: usize },
    #[error(
        "`{0}` is not a header name: use letters, digits and !#$%&'*+-.^_`|~, at most {MAX_HEADER_NAME_BYTES} bytes"
    )]
    Name(String),
    #[error("`{0}` is set by webhookd and cannot be overridden")]
    Reserved(String),
    #[error(
        "the value of `{0}` must be visible ASCII (spaces inside allowed), at most {MAX_HEADER_VALUE_BYTES} bytes"
    )]
    Value(String),
    #[error("`{0}` is given twice (header names are case-insensitive)")]
    Duplicate(String),
}

impl HeaderError {
    /// The header at fault, if one is.
    pub fn name(&self) -> Option<&str> {
        match self {
            HeaderError::TooMany { .. } => None,
            HeaderError::Name(name)
            | HeaderError::Reserved(name)
            | HeaderError::Value(name)
            | HeaderError::Duplicate(name) => Some(name),
        }
    }
}

/// Checked custom headers, by lower-case name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomHeaders(BTreeMap<String, String>);

impl CustomHeaders {
    pub fn parse<'a>(
        raw: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, HeaderError> {
        let raw: Vec<(&str, &str)> = raw.into_iter().collect();
        if raw.len() > MAX_ENDPOINT_HEADERS {
            return Err(HeaderError::TooMany {
                limit: MAX_ENDPOINT_HEADERS,
                got: raw.len(),
            });
        }
        let mut headers = BTreeMap::new();
        for (name, value) in raw {
            if name.is_empty() || name.len() > MAX_HEADER_NAME_BYTES || !name.bytes().all(is_tchar)
            {
                return Err(HeaderError::Name(name.to_owned()));
            }
            let lower = name.to_ascii_lowercase();
            if RESERVED_NAMES.contains(&lower.as_str())
                || RESERVED_PREFIXES.iter().any(|p| lower.starts_with(p))
            {
                return Err(HeaderError::Reserved(name.to_owned()));
            }
            if !is_header_value(value) {
                return Err(HeaderError::Value(name.to_owned()));
            }
            if headers.insert(lower, value.to_owned()).is_some() {
                return Err(HeaderError::Duplicate(name.to_owned()));
            }
        }
        Ok(CustomHeaders(headers))
    }

    /// As the store keeps them: a JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).expect("a map of strings always serialises")
    }

    /// From the store's JSON object; `None` if it does not parse.
    pub fn from_json(json: &str) -> Option<Self> {
        serde_json::from_str(json).ok().map(CustomHeaders)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// For reading back: credential values masked.
    pub fn shown(&self) -> BTreeMap<String, String> {
        self.0
            .iter()
            .map(|(name, value)| {
                let shown = match CREDENTIAL_NAMES.contains(&name.as_str()) {
                    true => "***".to_owned(),
                    false => value.clone(),
                };
                (name.clone(), shown)
            })
            .collect()
    }
}

/// RFC 9110 token characters.
fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Visible ASCII with inner spaces: no control characters (CR, LF), no
/// leading or trailing whitespace, nothing a proxy could read differently.
fn is_header_value(value: &str) -> bool {
    value.len() <= MAX_HEADER_VALUE_BYTES
        && value
            .bytes()
            .all(|b| b == b' ' || b == b'\t' || (0x21..=0x7e).contains(&b))
        && value.trim() == value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_headers_and_lowers_their_names() {
        let headers =
            CustomHeaders::parse([("Authorization", "Bearer abc"), ("X-Tenant", "t 1")]).unwrap();
        let all: Vec<_> = headers.iter().collect();
        assert_eq!(all, [("authorization", "Bearer abc"), ("x-tenant", "t 1")]);
        assert_eq!(
            CustomHeaders::from_json(&headers.to_json()),
            Some(headers.clone())
        );
        assert_eq!(headers.shown()["authorization"], "***");
        assert_eq!(headers.shown()["x-tenant"], "t 1");
    }

    #[test]
    fn refuses_what_could_break_or_forge_a_delivery() {
        let refused = |name: &str, value: &str| CustomHeaders::parse([(name, value)]).unwrap_err();
        assert!(matches!(
            refused("X-Webhook-Signature", "sha256=0"),
            HeaderError::Reserved(_)
        ));
        assert!(matches!(
            refused("webhook-id", "x"),
            HeaderError::Reserved(_)
        ));
        assert!(matches!(
            refused("Content-Type", "text/plain"),
            HeaderError::Reserved(_)
        ));
        assert!(matches!(refused("Host", "evil"), HeaderError::Reserved(_)));
        assert!(matches!(refused("X Bad", "x"), HeaderError::Name(_)));
        assert!(matches!(refused("", "x"), HeaderError::Name(_)));
        assert!(matches!(
            refused("X-A", "a\r\nX-B: b"),
            HeaderError::Value(_)
        ));
        assert!(matches!(refused("X-A", " padded"), HeaderError::Value(_)));
        assert!(matches!(refused("X-A", "é"), HeaderError::Value(_)));
        let twice = CustomHeaders::parse([("X-A", "1"), ("x-a", "2")]).unwrap_err();
        assert!(matches!(twice, HeaderError::Duplicate(_)));
        let many: Vec<(String, String)> = (0..=MAX_ENDPOINT_HEADERS)
            .map(|i| (format!("X-{i}"), "v".to_owned()))
            .collect();
        let many = CustomHeaders::parse(many.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        assert!(matches!(many, Err(HeaderError::TooMany { .. })));
    }
}
