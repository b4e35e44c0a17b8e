//! Canonical JSON payloads: object keys sorted, compact separators, numbers
//! kept exactly as written. The canonical bytes are what is stored, signed
//! and sent, so a receiver can verify the signature over the raw body.

use serde_json::{Map, Number, Value};

/// The largest integer a double holds exactly (2^53).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_992.0;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PayloadError {
    #[error("payload_json is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("payload must be a JSON object, not {0}")]
    NotAnObject(&'static str),
    #[error("payload contains a number that JSON cannot represent ({0}) at {1}")]
    NonFiniteNumber(f64, String),
    #[error("payload is {size} bytes as canonical JSON, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
}

/// A payload in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalPayload(Vec<u8>);

impl CanonicalPayload {
    /// Canonicalises raw JSON text. Numbers keep their exact digits (99.990
    /// stays 99.990, 2^64 + 1 stays exact); exponents are written `e+N`.
    pub fn from_json_text(text: &str, limit: usize) -> Result<Self, PayloadError> {
        // Cheap early rejection: canonical JSON is never longer than compact
        // input plus escapes, but the raw text may carry whitespace, so only
        // reject inputs far beyond the limit before parsing.
        if text.len() > limit.saturating_mul(4).max(1024) {
            return Err(PayloadError::TooLarge {
                size: text.len(),
                limit,
            });
        }
        let value: Value =
            serde_json::from_str(text).map_err(|e| PayloadError::InvalidJson(e.to_string()))?;
        Self::from_value(value, limit)
    }

    /// Canonicalises a structured payload (what gRPC callers send as a
    /// `Struct`, whose numbers are doubles). Whole numbers within ±2^53
    /// become integers, so `5` is never sent as `5.0`.
    pub fn from_object(payload: &PayloadObject, limit: usize) -> Result<Self, PayloadError> {
        let object = object_to_json(payload, "payload")?;
        Self::from_value(Value::Object(object), limit)
    }

    fn from_value(value: Value, limit: usize) -> Result<Self, PayloadError> {
        if !value.is_object() {
            return Err(PayloadError::NotAnObject(kind_of(&value)));
        }
        // serde_json's map is a BTreeMap (no `preserve_order`), so keys
        // serialise sorted by code point at every level.
        let bytes = serde_json::to_vec(&value).expect("a JSON value always serialises");
        if bytes.len() > limit {
            return Err(PayloadError::TooLarge {
                size: bytes.len(),
                limit,
            });
        }
        Ok(CanonicalPayload(bytes))
    }

    /// Wraps bytes read back from the store, which were canonical when written.
    pub fn from_stored(bytes: Vec<u8>) -> Self {
        CanonicalPayload(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A structured payload: JSON whose numbers are doubles, as a protobuf
/// `Struct` carries it.
pub type PayloadObject = std::collections::BTreeMap<String, PayloadValue>;

/// One value of a structured payload.
#[derive(Debug, Clone, PartialEq)]
pub enum PayloadValue {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<PayloadValue>),
    Object(PayloadObject),
}

/// A structured object as JSON; `path` names it in errors.
pub fn object_to_json(
    input: &PayloadObject,
    path: &str,
) -> Result<Map<String, Value>, PayloadError> {
    input
        .iter()
        .map(|(key, value)| {
            let child_path = format!("{path}.{key}");
            Ok((key.clone(), value_to_json(value, &child_path)?))
        })
        .collect()
}

fn value_to_json(value: &PayloadValue, path: &str) -> Result<Value, PayloadError> {
    Ok(match value {
        PayloadValue::Null => Value::Null,
        PayloadValue::Bool(b) => Value::Bool(*b),
        PayloadValue::String(s) => Value::String(s.clone()),
        PayloadValue::Number(n) => Value::Number(number_from_f64(*n, path)?),
        PayloadValue::Object(object) => Value::Object(object_to_json(object, path)?),
        PayloadValue::List(list) => Value::Array(
            list.iter()
                .enumerate()
                .map(|(index, item)| value_to_json(item, &format!("{path}[{index}]")))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn number_from_f64(n: f64, path: &str) -> Result<Number, PayloadError> {
    if !n.is_finite() {
        return Err(PayloadError::NonFiniteNumber(n, path.to_owned()));
    }
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
        // Exact: the value is a whole number within the range doubles hold
        // exactly, so the cast loses nothing.
        return Ok(Number::from(n as i64));
    }
    Number::from_f64(n).ok_or_else(|| PayloadError::NonFiniteNumber(n, path.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 256 * 1024;

    fn canonical(text: &str) -> String {
        String::from_utf8(
            CanonicalPayload::from_json_text(text, LIMIT)
                .unwrap()
                .into_bytes(),
        )
        .unwrap()
    }

    fn number(n: f64) -> PayloadValue {
        PayloadValue::Number(n)
    }

    #[test]
    fn sorts_keys_at_every_level_and_drops_whitespace() {
        assert_eq!(
            canonical(r#"{ "b": 1, "a": { "z": [3, {"y": 1, "x": 2}], "c": null } }"#),
            r#"{"a":{"c":null,"z":[3,{"x":2,"y":1}]},"b":1}"#
        );
    }

    #[test]
    fn keeps_numbers_exactly_as_written() {
        assert_eq!(
            canonical(
                r#"{"total": 99.990, "big": 18446744073709551617, "neg": -0.0, "exp": 1e400}"#
            ),
            r#"{"big":18446744073709551617,"exp":1e+400,"neg":-0.0,"total":99.990}"#
        );
        // The one normalisation, as docs/receivers.md says: exponents.
        assert_eq!(
            canonical(r#"{"a": 1e2, "b": 1E-5, "c": 2.5E+3}"#),
            r#"{"a":1e+2,"b":1e-5,"c":2.5e+3}"#
        );
    }

    #[test]
    fn keeps_unicode_as_utf8_and_escapes_only_what_json_requires() {
        assert_eq!(
            canonical(r#"{"name": "Zoë \u00e9 😀", "q": "a\"b\\c\n", "é": 1, "z": 2}"#),
            "{\"name\":\"Zoë é 😀\",\"q\":\"a\\\"b\\\\c\\n\",\"z\":2,\"é\":1}"
        );
    }

    #[test]
    fn rejects_non_objects_and_invalid_json() {
        assert_eq!(
            CanonicalPayload::from_json_text("[1]", LIMIT),
            Err(PayloadError::NotAnObject("an array"))
        );
        assert!(matches!(
            CanonicalPayload::from_json_text("{\"a\":", LIMIT),
            Err(PayloadError::InvalidJson(_))
        ));
        assert!(matches!(
            CanonicalPayload::from_json_text("", LIMIT),
            Err(PayloadError::InvalidJson(_))
        ));
    }

    #[test]
    fn enforces_the_size_limit_on_canonical_bytes() {
        let text = format!("{{\"a\":\"{}\"}}", "x".repeat(100));
        assert!(CanonicalPayload::from_json_text(&text, 200).is_ok());
        assert_eq!(
            CanonicalPayload::from_json_text(&text, 50),
            Err(PayloadError::TooLarge {
                size: 108,
                limit: 50
            })
        );
    }

    #[test]
    fn struct_whole_numbers_become_integers() {
        let payload: PayloadObject = [
            ("count".to_owned(), number(5.0)),
            ("total".to_owned(), number(99.99)),
            ("max_safe".to_owned(), number(9_007_199_254_740_992.0)),
            ("huge".to_owned(), number(1e300)),
            ("negative".to_owned(), number(-3.0)),
            (
                "nested".to_owned(),
                PayloadValue::List(vec![number(1.0), number(0.5)]),
            ),
        ]
        .into_iter()
        .collect();
        let bytes = CanonicalPayload::from_object(&payload, LIMIT)
            .unwrap()
            .into_bytes();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"count":5,"huge":1e+300,"max_safe":9007199254740992,"negative":-3,"nested":[1,0.5],"total":99.99}"#
        );
    }

    #[test]
    fn struct_rejects_nan_with_its_path() {
        let payload: PayloadObject = [("bad".to_owned(), number(f64::NAN))].into_iter().collect();
        let err = CanonicalPayload::from_object(&payload, LIMIT).unwrap_err();
        assert!(err.to_string().contains("payload.bad"), "{err}");
    }
}
