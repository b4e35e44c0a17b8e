//! The event-type catalog (`event_catalog`): the event types producers may
//! send, each with a description and optionally a JSON Schema that every
//! dispatched payload of the type must satisfy. Types not in the catalog are
//! dispatched unchecked, or refused when `unknown_types: refuse`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{CanonicalPayload, EventType};

/// How Dispatch treats an event type that is not in the catalog.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownTypes {
    /// Dispatched unchecked (the default, and the only sensible choice
    /// while the catalog is empty).
    #[default]
    Allow,
    /// Refused with INVALID_ARGUMENT.
    Refuse,
}

/// At most this many schema violations are reported for one payload.
const MAX_VIOLATIONS: usize = 10;

/// One type of the catalog.
pub struct CatalogEntry {
    pub event_type: EventType,
    pub description: String,
    /// The schema as written, and compiled.
    schema: Option<(Map<String, Value>, jsonschema::Validator)>,
}

impl CatalogEntry {
    /// Compiles `schema`, if given; the error says why it is not a schema.
    pub fn new(
        event_type: EventType,
        description: String,
        schema: Option<Map<String, Value>>,
    ) -> Result<Self, String> {
        let schema = schema
            .map(|schema| {
                let validator = jsonschema::validator_for(&Value::Object(schema.clone()))
                    .map_err(|e| format!("is not a valid JSON Schema: {e}"))?;
                Ok::<_, String>((schema, validator))
            })
            .transpose()?;
        Ok(CatalogEntry {
            event_type,
            description,
            schema,
        })
    }

    /// The JSON Schema as written, if the type has one.
    pub fn schema(&self) -> Option<&Map<String, Value>> {
        self.schema.as_ref().map(|(schema, _)| schema)
    }
}

impl std::fmt::Debug for CatalogEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogEntry")
            .field("event_type", &self.event_type)
            .field("has_schema", &self.schema.is_some())
            .finish()
    }
}

/// Why a payload may not be dispatched as its type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error(
        "`{event_type}` is not in the event catalog (event_catalog.types), which refuses unknown types"
    )]
    UnknownType { event_type: String },
    /// (JSON pointer into the payload, what is wrong there), at most
    /// `MAX_VIOLATIONS` of them.
    #[error("the payload does not match the JSON Schema of `{event_type}`")]
    SchemaViolation {
        event_type: String,
        violations: Vec<(String, String)>,
    },
}

/// The catalog.
#[derive(Debug, Default)]
pub struct EventCatalog {
    pub unknown_types: UnknownTypes,
    entries: BTreeMap<String, CatalogEntry>,
}

impl EventCatalog {
    pub fn new(unknown_types: UnknownTypes, entries: Vec<CatalogEntry>) -> Self {
        EventCatalog {
            unknown_types,
            entries: entries
                .into_iter()
                .map(|entry| (entry.event_type.to_string(), entry))
                .collect(),
        }
    }

    /// The types, by name.
    pub fn entries(&self) -> impl Iterator<Item = &CatalogEntry> {
        self.entries.values()
    }

    /// Whether `payload` may be dispatched as `event_type`.
    pub fn check(
        &self,
        event_type: &EventType,
        payload: &CanonicalPayload,
    ) -> Result<(), CatalogError> {
        let Some(entry) = self.entries.get(event_type.as_str()) else {
            return match self.unknown_types {
                UnknownTypes::Allow => Ok(()),
                UnknownTypes::Refuse => Err(CatalogError::UnknownType {
                    event_type: event_type.to_string(),
                }),
            };
        };
        let Some((_, validator)) = &entry.schema else {
            return Ok(());
        };
        // Canonical payloads are JSON objects written by webhookd.
        let instance: Value = serde_json::from_slice(payload.as_bytes()).unwrap_or(Value::Null);
        if validator.is_valid(&instance) {
            return Ok(());
        }
        let violations = validator
            .iter_errors(&instance)
            .take(MAX_VIOLATIONS)
            .map(|error| {
                let pointer = error.instance_path().as_str();
                let at = if pointer.is_empty() { "/" } else { pointer };
                (at.to_owned(), error.to_string())
            })
            .collect();
        Err(CatalogError::SchemaViolation {
            event_type: event_type.to_string(),
            violations,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn payload(text: &str) -> CanonicalPayload {
        CanonicalPayload::from_json_text(text, 64 * 1024).unwrap()
    }

    fn order_schema() -> Map<String, Value> {
        json!({
            "type": "object",
            "required": ["order_id", "total"],
            "properties": {
                "order_id": {"type": "string"},
                "total": {"type": "number", "minimum": 0}
            }
        })
        .as_object()
        .unwrap()
        .clone()
    }

    fn catalog(unknown: UnknownTypes) -> EventCatalog {
        let created = CatalogEntry::new(
            EventType::parse("order.created").unwrap(),
            "An order was placed".to_owned(),
            Some(order_schema()),
        )
        .unwrap();
        let free = CatalogEntry::new(
            EventType::parse("order.noted").unwrap(),
            String::new(),
            None,
        )
        .unwrap();
        EventCatalog::new(unknown, vec![created, free])
    }

    #[test]
    fn payloads_of_a_type_with_a_schema_must_match_it() {
        let catalog = catalog(UnknownTypes::Allow);
        let created = EventType::parse("order.created").unwrap();
        assert_eq!(
            catalog.check(&created, &payload(r#"{"order_id":"o1","total":12.5}"#)),
            Ok(())
        );
        let Err(CatalogError::SchemaViolation { violations, .. }) =
            catalog.check(&created, &payload(r#"{"order_id":7,"total":-1}"#))
        else {
            panic!("a violation")
        };
        let pointers: Vec<&str> = violations.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(pointers, ["/order_id", "/total"], "{violations:?}");
        let Err(CatalogError::SchemaViolation { violations, .. }) =
            catalog.check(&created, &payload(r#"{"order_id":"o1"}"#))
        else {
            panic!("a violation")
        };
        assert_eq!(violations[0].0, "/");
        assert!(violations[0].1.contains("total"), "{violations:?}");
    }

    #[test]
    fn unknown_types_pass_or_are_refused_as_configured() {
        let other = EventType::parse("user.created").unwrap();
        let noted = EventType::parse("order.noted").unwrap();
        let anything = payload(r#"{"x":1}"#);
        assert_eq!(
            catalog(UnknownTypes::Allow).check(&other, &anything),
            Ok(())
        );
        assert!(matches!(
            catalog(UnknownTypes::Refuse).check(&other, &anything),
            Err(CatalogError::UnknownType { .. })
        ));
        assert_eq!(
            catalog(UnknownTypes::Refuse).check(&noted, &anything),
            Ok(()),
            "a type without a schema takes any payload"
        );
    }

    #[test]
    fn a_schema_that_is_not_one_is_refused() {
        let bad = json!({"type": "no-such-type"}).as_object().unwrap().clone();
        let error = CatalogEntry::new(EventType::parse("a.b").unwrap(), String::new(), Some(bad))
            .unwrap_err();
        assert!(error.contains("not a valid JSON Schema"), "{error}");
    }
}
