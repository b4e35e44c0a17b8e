//! Statements assembled at run time: filters that depend on the request,
//! multi-row inserts. The values are kept beside the text in order, and the
//! text remembers where each placeholder goes, so assembling a statement
//! needs nothing of the backend; the placeholders are written when the
//! statement runs, as the backend's arguments write them. (sqlx's own
//! `QueryBuilder` cannot be used in code generic over the backend: its
//! arguments' lifetime is invariant there, and the borrow checker refuses
//! to let a builder be consumed by its own query.)

use sqlx::Arguments;

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

    /// The text and the arguments of a backend: `add` adds each value to
    /// the arguments, which then write its placeholder as their backend
    /// reads it, as sqlx's `QueryBuilder` does: `$n` for PostgreSQL, `?` for
    /// SQLite. (SQLite reads `$n` too, but keeps such names in a list it
    /// searches from the start for each one, once when it parses the
    /// statement and again when sqlx binds each value: quadratic in the
    /// values of a multi-row insert, which has up to 9,000.)
    pub(crate) fn into_query<'q, A, E>(
        self,
        mut add: impl FnMut(&mut A, Value) -> Result<(), E>,
    ) -> Result<(String, A), E>
    where
        A: Arguments<'q>,
    {
        let mut arguments = A::default();
        let sql = self.render(|sql, value| {
            add(&mut arguments, value)?;
            // Writing to a `String` cannot fail.
            let _ = arguments.format_placeholder(sql);
            Ok(())
        })?;
        Ok((sql, arguments))
    }

    /// The text with SQLite's anonymous placeholders (`?`, each the next
    /// value) and the values in order, for SQLite's own interface.
    pub(crate) fn into_positional(self) -> (String, Vec<Value>) {
        let mut values = Vec::with_capacity(self.values.len());
        let sql = self
            .render(|sql, value| {
                values.push(value);
                sql.push('?');
                Ok::<_, std::convert::Infallible>(())
            })
            .unwrap_or_else(|never| match never {});
        (sql, values)
    }

    /// The text with each value's placeholder written by `hole`.
    fn render<E>(
        self,
        mut hole: impl FnMut(&mut String, Value) -> Result<(), E>,
    ) -> Result<String, E> {
        let mut sql = String::with_capacity(self.text.len() + 4 * self.holes.len());
        let mut copied = 0;
        for (at, value) in self.holes.into_iter().zip(self.values) {
            sql.push_str(&self.text[copied..at]);
            hole(&mut sql, value)?;
            copied = at;
        }
        sql.push_str(&self.text[copied..]);
        Ok(sql)
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
        // Each value counts as one argument; which one is beside the point.
        let mut values = Vec::new();
        let (sql, _) = statement
            .clone()
            .into_query(|arguments: &mut sqlx::postgres::PgArguments, value| {
                values.push(value);
                arguments.add(0i64)
            })
            .unwrap();
        assert_eq!(
            sql,
            "INSERT INTO t (a, b, c) VALUES ($1, $2, 'lit'), ($3, $4, 'lit') WHERE d = $5"
        );
        let (sql, _) = statement
            .into_query(|arguments: &mut sqlx::sqlite::SqliteArguments, _| arguments.add(0i64))
            .unwrap();
        assert_eq!(
            sql,
            "INSERT INTO t (a, b, c) VALUES (?, ?, 'lit'), (?, ?, 'lit') WHERE d = ?"
        );
        assert_eq!(
            values,
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
