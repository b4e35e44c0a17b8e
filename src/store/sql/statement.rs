//! Statements assembled at run time: filters that depend on the request,
//! multi-row inserts. The text uses `$n` placeholders, which both backends
//! read as "the n-th bound value", and the values are kept beside it in
//! order, so assembling a statement needs nothing of the backend. (sqlx's
//! own `QueryBuilder` cannot be used in code generic over the backend: its
//! arguments' lifetime is invariant there, and the borrow checker refuses
//! to let a builder be consumed by its own query.)

use std::fmt::Write;

/// One bound value of a statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Vec<u8>),
    Bool(bool),
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(Some(value))
    }
}

impl From<Option<i64>> for Value {
    fn from(value: Option<i64>) -> Self {
        Value::Int(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Text(Some(value.to_owned()))
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(Some(value))
    }
}

impl From<Option<&str>> for Value {
    fn from(value: Option<&str>) -> Self {
        Value::Text(value.map(str::to_owned))
    }
}

impl From<Option<String>> for Value {
    fn from(value: Option<String>) -> Self {
        Value::Text(value)
    }
}

impl From<&[u8]> for Value {
    fn from(value: &[u8]) -> Self {
        Value::Bytes(value.to_vec())
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

/// SQL text and the values its placeholders stand for.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Statement {
    sql: String,
    values: Vec<Value>,
}

impl Statement {
    pub(crate) fn new(sql: &str) -> Self {
        Statement {
            sql: sql.trim_end().to_owned(),
            values: Vec::new(),
        }
    }

    /// Appends SQL text as it is.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder for `value`.
    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        let _ = write!(self.sql, "${}", self.values.len());
        self
    }

    /// Appends `(a, b), (c, d)`: one parenthesised list of placeholders per
    /// item, filled by `row`.
    pub(crate) fn push_tuples<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut row: impl FnMut(&mut Tuple<'_>, T),
    ) -> &mut Self {
        for (index, item) in items.into_iter().enumerate() {
            self.push(if index == 0 { "(" } else { ", (" });
            row(
                &mut Tuple {
                    statement: self,
                    first: true,
                },
                item,
            );
            self.push(")");
        }
        self
    }

    /// Appends `VALUES (…), (…)`.
    pub(crate) fn push_values<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        row: impl FnMut(&mut Tuple<'_>, T),
    ) -> &mut Self {
        self.push(" VALUES ");
        self.push_tuples(items, row)
    }

    pub(crate) fn sql(&self) -> &str {
        &self.sql
    }

    pub(crate) fn into_values(self) -> Vec<Value> {
        self.values
    }
}

/// The placeholders of one parenthesised list.
pub(crate) struct Tuple<'a> {
    statement: &'a mut Statement,
    first: bool,
}

impl Tuple<'_> {
    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.separate();
        self.statement.bind(value);
        self
    }

    /// Appends SQL text (a literal) as the next element.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.separate();
        self.statement.push(sql);
        self
    }

    fn separate(&mut self) {
        if !self.first {
            self.statement.push(", ");
        }
        self.first = false;
    }
}

/// The number of rows a statement changed; sqlx gives every backend's
/// result this method, but no trait to reach it generically.
pub(crate) trait RowsAffected {
    fn rows_affected(&self) -> u64;
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::sqlite::SqliteQueryResult::rows_affected(self)
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::postgres::PgQueryResult::rows_affected(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut statement = Statement::new("INSERT INTO t (a, b, c)\n");
        statement.push_values([(1, "x"), (2, "y")], |row, (n, s)| {
            row.bind(n as i64).bind(s).push("'lit'");
        });
        statement.push(" WHERE d = ").bind(true);
        assert_eq!(
            statement.sql(),
            "INSERT INTO t (a, b, c) VALUES ($1, $2, 'lit'), ($3, $4, 'lit') WHERE d = $5"
        );
        assert_eq!(
            statement.into_values(),
            [
                Value::from(1i64),
                Value::from("x"),
                Value::from(2i64),
                Value::from("y"),
                Value::Bool(true)
            ]
        );
    }
}
