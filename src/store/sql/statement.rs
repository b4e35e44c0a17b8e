//! Statements assembled at run time: filters that depend on the request,
//! multi-row inserts. The values are kept beside the text in order, and the
//! text remembers where each placeholder goes, so assembling a statement
//! needs nothing of the backend; each backend's placeholders are written
//! when the statement runs. (sqlx's own `QueryBuilder` cannot be used in
//! code generic over the backend: its arguments' lifetime is invariant
//! there, and the borrow checker refuses to let a builder be consumed by
//! its own query.)

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

/// How a backend writes the placeholder of the n-th bound value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placeholders {
    /// `$1`, `$2`, …: PostgreSQL's form.
    Numbered,
    /// `?` for each value in turn. SQLite reads `$1` as well, but keeps such
    /// names in a list it searches from the start for each one, once when it
    /// parses the statement and again when sqlx binds each value: quadratic
    /// in the values of a multi-row insert, which has up to 9,000. Plain `?`
    /// are numbered by position and never enter that list.
    Positional,
}

/// The placeholders of a backend.
pub(crate) trait PlaceholderStyle {
    const PLACEHOLDERS: Placeholders;
}

impl PlaceholderStyle for sqlx::Sqlite {
    const PLACEHOLDERS: Placeholders = Placeholders::Positional;
}

impl PlaceholderStyle for sqlx::Postgres {
    const PLACEHOLDERS: Placeholders = Placeholders::Numbered;
}

/// SQL text and the values its placeholders stand for.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Statement {
    /// The text without its placeholders.
    text: String,
    /// Where in `text` each value's placeholder goes, in the order of
    /// `values`.
    holes: Vec<usize>,
    values: Vec<Value>,
}

impl Statement {
    pub(crate) fn new(sql: &str) -> Self {
        Statement {
            text: sql.trim_end().to_owned(),
            holes: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Appends SQL text as it is.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    /// Appends a placeholder for `value`.
    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.holes.push(self.text.len());
        self.values.push(value.into());
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

    /// The text with the placeholders of `style`.
    pub(crate) fn sql(&self, style: Placeholders) -> String {
        let mut sql = String::with_capacity(self.text.len() + 4 * self.holes.len());
        let mut copied = 0;
        for (index, &hole) in self.holes.iter().enumerate() {
            sql.push_str(&self.text[copied..hole]);
            match style {
                Placeholders::Numbered => {
                    let _ = write!(sql, "${}", index + 1);
                }
                Placeholders::Positional => sql.push('?'),
            }
            copied = hole;
        }
        sql.push_str(&self.text[copied..]);
        sql
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
            statement.sql(Placeholders::Numbered),
            "INSERT INTO t (a, b, c) VALUES ($1, $2, 'lit'), ($3, $4, 'lit') WHERE d = $5"
        );
        assert_eq!(
            statement.sql(Placeholders::Positional),
            "INSERT INTO t (a, b, c) VALUES (?, ?, 'lit'), (?, ?, 'lit') WHERE d = ?"
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
