//! Payload filters: an endpoint receives an event of its types only when
//! the payload matches. A filter is a JSON object of dotted paths to
//! conditions, all of which must hold:
//!
//! ```json
//! {"order.total": {"$gte": 100}, "order.currency": {"$in": ["EUR", "USD"]}, "test": false}
//! ```
//!
//! A plain value is equality; an object whose keys all start with `$` is a
//! set of operators. Numbers compare by value (`5` equals `5.0`). Checked
//! once when the endpoint is created or changed, evaluated at Dispatch.

use serde_json::{Map, Value};

use crate::limits::{MAX_FILTER_BYTES, MAX_FILTER_CONDITIONS, MAX_FILTER_IN_VALUES};

/// The operators, as the error for an unknown one lists them.
const OPERATORS: &str = "$eq, $ne, $in, $nin, $exists, $gt, $gte, $lt, $lte";

/// Why a filter is refused; `field` names the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("is {0} bytes as JSON, over the limit of {MAX_FILTER_BYTES}")]
    TooLarge(usize),
    #[error("at most {MAX_FILTER_CONDITIONS} paths (got {0})")]
    TooManyConditions(usize),
    #[error("`{0}` is not a path: use dot-separated keys, none of them empty")]
    Path(String),
    #[error("`{operator}` is not an operator; use one of {OPERATORS}")]
    UnknownOperator { path: String, operator: String },
    #[error("mixes operators and plain keys; write {{\"$eq\": {{...}}}} to compare with an object")]
    Mixed { path: String },
    #[error("`{operator}` needs {expected}")]
    Operand {
        path: String,
        operator: &'static str,
        expected: &'static str,
    },
    #[error("has no operator; write at least one, or a plain value for equality")]
    Empty { path: String },
}

impl FilterError {
    /// The field at fault, relative to the filter ("" for the whole).
    pub fn field(&self) -> String {
        match self {
            FilterError::TooLarge(_) | FilterError::TooManyConditions(_) => String::new(),
            FilterError::Path(path) | FilterError::Mixed { path } | FilterError::Empty { path } => {
                path.clone()
            }
            FilterError::UnknownOperator { path, operator } => format!("{path}.{operator}"),
            FilterError::Operand { path, operator, .. } => format!("{path}.{operator}"),
        }
    }
}

/// A checked filter.
#[derive(Debug, Clone)]
pub struct PayloadFilter {
    /// The filter as written, what is stored and read back.
    source: Map<String, Value>,
    conditions: Vec<Condition>,
}

/// Filters are the same when written the same: the conditions follow.
impl PartialEq for PayloadFilter {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for PayloadFilter {}

#[derive(Debug, Clone)]
struct Condition {
    path: Vec<String>,
    tests: Vec<Test>,
}

#[derive(Debug, Clone)]
enum Test {
    Eq(Value),
    Ne(Value),
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Exists(bool),
    Compare(Comparison, f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Comparison {
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

impl PayloadFilter {
    /// Checks a filter. An empty object is no filter (`None`).
    pub fn parse(source: Map<String, Value>) -> Result<Option<Self>, FilterError> {
        if source.is_empty() {
            return Ok(None);
        }
        let size = serde_json::to_vec(&source).map_or(usize::MAX, |bytes| bytes.len());
        if size > MAX_FILTER_BYTES {
            return Err(FilterError::TooLarge(size));
        }
        if source.len() > MAX_FILTER_CONDITIONS {
            return Err(FilterError::TooManyConditions(source.len()));
        }
        let conditions = source
            .iter()
            .map(|(path, condition)| parse_condition(path, condition))
            .collect::<Result<_, _>>()?;
        Ok(Some(PayloadFilter { source, conditions }))
    }

    /// Reads a filter back from its stored JSON; `None` if it is not one.
    pub fn from_json(json: &str) -> Option<Self> {
        match serde_json::from_str(json).ok()? {
            Value::Object(source) => PayloadFilter::parse(source).ok().flatten(),
            _ => None,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.source).expect("a JSON object always serialises")
    }

    /// The filter as written.
    pub fn source(&self) -> &Map<String, Value> {
        &self.source
    }

    /// Whether a payload (a JSON object) passes.
    pub fn matches(&self, payload: &Value) -> bool {
        self.conditions.iter().all(|condition| {
            let found = lookup(payload, &condition.path);
            condition.tests.iter().all(|test| test.holds(found))
        })
    }
}

fn parse_condition(path: &str, condition: &Value) -> Result<Condition, FilterError> {
    let segments: Vec<String> = path.split('.').map(str::to_owned).collect();
    if segments.iter().any(|segment| segment.is_empty()) {
        return Err(FilterError::Path(path.chars().take(256).collect()));
    }
    let tests = match condition {
        Value::Object(map) if map.keys().any(|key| key.starts_with('$')) => {
            if !map.keys().all(|key| key.starts_with('$')) {
                return Err(FilterError::Mixed {
                    path: path.to_owned(),
                });
            }
            map.iter()
                .map(|(operator, operand)| parse_test(path, operator, operand))
                .collect::<Result<Vec<_>, _>>()?
        }
        Value::Object(map) if map.is_empty() => {
            return Err(FilterError::Empty {
                path: path.to_owned(),
            });
        }
        plain => vec![Test::Eq(plain.clone())],
    };
    Ok(Condition {
        path: segments,
        tests,
    })
}

fn parse_test(path: &str, operator: &str, operand: &Value) -> Result<Test, FilterError> {
    let operand_error = |operator: &'static str, expected: &'static str| FilterError::Operand {
        path: path.to_owned(),
        operator,
        expected,
    };
    let list = |operator: &'static str| match operand {
        Value::Array(values) if values.len() <= MAX_FILTER_IN_VALUES => Ok(values.clone()),
        _ => Err(operand_error(
            operator,
            "a list of at most 256 values to compare with",
        )),
    };
    let number = |operator: &'static str| {
        operand
            .as_f64()
            .filter(|n| n.is_finite())
            .ok_or_else(|| operand_error(operator, "a number"))
    };
    Ok(match operator {
        "$eq" => Test::Eq(operand.clone()),
        "$ne" => Test::Ne(operand.clone()),
        "$in" => Test::In(list("$in")?),
        "$nin" => Test::NotIn(list("$nin")?),
        "$exists" => Test::Exists(
            operand
                .as_bool()
                .ok_or_else(|| operand_error("$exists", "true or false"))?,
        ),
        "$gt" => Test::Compare(Comparison::Greater, number("$gt")?),
        "$gte" => Test::Compare(Comparison::GreaterOrEqual, number("$gte")?),
        "$lt" => Test::Compare(Comparison::Less, number("$lt")?),
        "$lte" => Test::Compare(Comparison::LessOrEqual, number("$lte")?),
        other => {
            return Err(FilterError::UnknownOperator {
                path: path.to_owned(),
                operator: other.chars().take(64).collect(),
            });
        }
    })
}

impl Test {
    /// Whether the test holds for the value at its path (`None`: absent).
    fn holds(&self, found: Option<&Value>) -> bool {
        match (self, found) {
            (Test::Exists(wanted), found) => *wanted == found.is_some(),
            (Test::Ne(value), found) => found.is_none_or(|found| !same(found, value)),
            (Test::NotIn(values), found) => {
                found.is_none_or(|found| !values.iter().any(|value| same(found, value)))
            }
            (_, None) => false,
            (Test::Eq(value), Some(found)) => same(found, value),
            (Test::In(values), Some(found)) => values.iter().any(|value| same(found, value)),
            (Test::Compare(comparison, bound), Some(found)) => {
                found.as_f64().is_some_and(|n| match comparison {
                    Comparison::Greater => n > *bound,
                    Comparison::GreaterOrEqual => n >= *bound,
                    Comparison::Less => n < *bound,
                    Comparison::LessOrEqual => n <= *bound,
                })
            }
        }
    }
}

/// The value at a dotted path: object keys, or list indexes for lists.
fn lookup<'v>(payload: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(payload, |value, segment| match value {
        Value::Object(map) => map.get(segment),
        Value::Array(list) => segment.parse::<usize>().ok().and_then(|i| list.get(i)),
        _ => None,
    })
}

/// JSON equality with numbers compared by value, so a filter written with
/// `5` (or sent as the double 5.0) matches a payload's `5.0` and `5`.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(x, y))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(key, x)| ys.get(key).is_some_and(|y| same(x, y)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn filter(source: Value) -> PayloadFilter {
        let Value::Object(map) = source else {
            panic!("a filter is an object")
        };
        PayloadFilter::parse(map).unwrap().unwrap()
    }

    fn refused(source: Value) -> FilterError {
        let Value::Object(map) = source else {
            panic!("a filter is an object")
        };
        PayloadFilter::parse(map).unwrap_err()
    }

    fn payload(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn plain_values_are_equality_on_dotted_paths() {
        let f = filter(json!({"order.currency": "EUR", "test": false}));
        assert!(f.matches(&payload(r#"{"order":{"currency":"EUR"},"test":false}"#)));
        assert!(!f.matches(&payload(r#"{"order":{"currency":"USD"},"test":false}"#)));
        assert!(!f.matches(&payload(r#"{"order":{"currency":"EUR"}}"#)));
        assert!(!f.matches(&payload(r#"{"order":"EUR","test":false}"#)));
    }

    #[test]
    fn numbers_compare_by_value_whatever_their_spelling() {
        let f = filter(json!({"n": 5, "m": {"$in": [1, 2.5]}}));
        assert!(f.matches(&payload(r#"{"n":5.0,"m":2.50}"#)));
        assert!(f.matches(&payload(r#"{"n":5e0,"m":1}"#)));
        assert!(!f.matches(&payload(r#"{"n":"5","m":1}"#)));
    }

    #[test]
    fn comparisons_need_a_number_at_the_path() {
        let f = filter(json!({"total": {"$gte": 100, "$lt": 1000}}));
        assert!(f.matches(&payload(r#"{"total":100}"#)));
        assert!(f.matches(&payload(r#"{"total":999.99}"#)));
        assert!(!f.matches(&payload(r#"{"total":1000}"#)));
        assert!(!f.matches(&payload(r#"{"total":99}"#)));
        assert!(!f.matches(&payload(r#"{"total":"500"}"#)));
        assert!(!f.matches(&payload(r#"{}"#)));
        let exact = filter(json!({"big": {"$gt": 1}}));
        assert!(exact.matches(&payload(r#"{"big":18446744073709551617}"#)));
    }

    #[test]
    fn negations_hold_for_absent_values_and_exists_tests_presence() {
        let f = filter(json!({"kind": {"$ne": "test"}, "tier": {"$nin": ["free", "trial"]}}));
        assert!(f.matches(&payload(r#"{}"#)));
        assert!(f.matches(&payload(r#"{"kind":"live","tier":"pro"}"#)));
        assert!(!f.matches(&payload(r#"{"kind":"test"}"#)));
        assert!(!f.matches(&payload(r#"{"tier":"trial"}"#)));
        let present = filter(json!({"customer.email": {"$exists": true}}));
        assert!(present.matches(&payload(r#"{"customer":{"email":null}}"#)));
        assert!(!present.matches(&payload(r#"{"customer":{}}"#)));
        let absent = filter(json!({"customer.email": {"$exists": false}}));
        assert!(absent.matches(&payload(r#"{"customer":{}}"#)));
    }

    #[test]
    fn objects_lists_and_list_indexes() {
        let f = filter(json!({"items.0.sku": "A-1", "tags": {"$eq": ["x", 1]}, "meta": {"a": 1}}));
        assert!(f.matches(&payload(
            r#"{"items":[{"sku":"A-1"}],"tags":["x",1.0],"meta":{"a":1}}"#
        )));
        assert!(!f.matches(&payload(
            r#"{"items":[{"sku":"B"}],"tags":["x",1],"meta":{"a":1}}"#
        )));
        assert!(!f.matches(&payload(
            r#"{"items":[{"sku":"A-1"}],"tags":["x",1],"meta":{"a":1,"b":2}}"#
        )));
    }

    #[test]
    fn an_empty_filter_is_no_filter_and_round_trips_through_json() {
        assert_eq!(PayloadFilter::parse(Map::new()), Ok(None));
        let f = filter(json!({"a.b": {"$in": ["x"]}, "c": 1}));
        assert_eq!(PayloadFilter::from_json(&f.to_json()), Some(f));
        assert_eq!(PayloadFilter::from_json("[1]"), None);
    }

    #[test]
    fn refuses_bad_filters_naming_the_part_at_fault() {
        let cases = [
            (json!({"a": {"$regex": "x"}}), "a.$regex", "not an operator"),
            (json!({"a..b": 1}), "a..b", "not a path"),
            (json!({"a": {"$gt": "1"}}), "a.$gt", "needs a number"),
            (json!({"a": {"$in": "x"}}), "a.$in", "needs a list"),
            (json!({"a": {"$exists": 1}}), "a.$exists", "true or false"),
            (json!({"a": {"$eq": 1, "b": 2}}), "a", "mixes operators"),
            (json!({"a": {}}), "a", "has no operator"),
        ];
        for (source, field, reason) in cases {
            let error = refused(source.clone());
            assert_eq!(error.field(), field, "{source}");
            assert!(error.to_string().contains(reason), "{source}: {error}");
        }
        let many: Map<String, Value> = (0..=MAX_FILTER_CONDITIONS)
            .map(|i| (format!("k{i}"), json!(i)))
            .collect();
        assert!(matches!(
            PayloadFilter::parse(many),
            Err(FilterError::TooManyConditions(_))
        ));
        let large = json!({"a": {"$in": ["x".repeat(MAX_FILTER_BYTES)]}});
        assert!(matches!(refused(large), FilterError::TooLarge(_)));
    }
}
