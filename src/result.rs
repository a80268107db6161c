//! What the database gives back for a statement, in the Core's terms: the rows of a query and
//! the changes of a write. The backends in `db` produce them; the translator reads them.

use crate::sql::Value;
use std::collections::BTreeMap;

/// Rows a query returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// Column names, as SQLite reports them.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Value>>,
}

/// Where the rows of a statement's shown query go, one at a time, as the database gives them:
/// a view keeps the first few and counts the rest, `--json` writes each one out at once.
pub trait RowSink {
    /// The query's columns, and the table whose whole rows they are (if so), before any row.
    fn begin(&mut self, table: Option<&str>, columns: &[String]);
    /// One row: given back when the answer should keep it, taken (written out or only
    /// counted) when not.
    fn row(&mut self, row: Vec<Value>) -> Option<Vec<Value>>;

    /// Whether every row from now on is only counted (so it need not be read at all).
    fn only_counting(&self) -> bool {
        false
    }
}

/// What a backend gathers as it steps a query's rows into a [`RowSink`]: the rows the sink
/// gave back, and how many it took or only counted. The one loop both backends share.
#[derive(Debug, Default)]
pub struct Stepped {
    /// The rows the sink gave back, to keep in the answer.
    pub rows: Vec<Vec<Value>>,
    /// The rows it took (wrote out) or only counted.
    pub passed: u64,
}

impl Stepped {
    /// One more row: `read` gives its values, and is not called at all once the sink only
    /// counts (so a long result is stepped without reading its values).
    pub fn step<E>(
        &mut self,
        sink: &mut dyn RowSink,
        read: impl FnOnce() -> Result<Vec<Value>, E>,
    ) -> Result<(), E> {
        if sink.only_counting() {
            self.passed += 1;
            return Ok(());
        }
        match sink.row(read()?) {
            Some(kept) => self.rows.push(kept),
            None => self.passed += 1,
        }
        Ok(())
    }
}

/// A [`RowSink`] that keeps the first `keep` rows and only counts the rest.
#[derive(Debug, Clone, Copy)]
pub struct FirstRows {
    keep: usize,
    seen: usize,
}

impl FirstRows {
    /// Keeps the first `keep` rows.
    pub fn new(keep: usize) -> FirstRows {
        FirstRows { keep, seen: 0 }
    }
}

impl RowSink for FirstRows {
    fn begin(&mut self, _table: Option<&str>, _columns: &[String]) {}

    fn row(&mut self, row: Vec<Value>) -> Option<Vec<Value>> {
        self.seen += 1;
        (self.seen <= self.keep).then_some(row)
    }

    fn only_counting(&self) -> bool {
        self.seen >= self.keep
    }
}

/// What a write changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Changes {
    /// Rows the statement itself changed.
    pub affected: u64,
    /// The rowid of the last row inserted.
    pub last_insert_id: i64,
    /// Every row changed, per table, including cascades.
    pub per_table: BTreeMap<String, u64>,
    /// The write was not sent: it waits in the session's unit of work.
    pub pending: bool,
}

/// A total order on rows (NULL first, then numbers, text, bytes), for sorting dumps.
pub fn compare_rows(a: &[Value], b: &[Value]) -> std::cmp::Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) => 2,
            Value::Blob(_) => 3,
        }
    }
    for (x, y) in a.iter().zip(b) {
        let order = match (x, y) {
            (Value::Integer(i), Value::Integer(j)) => i.cmp(j),
            (Value::Text(s), Value::Text(t)) => s.cmp(t),
            (Value::Blob(s), Value::Blob(t)) => s.cmp(t),
            (Value::Integer(_) | Value::Real(_), Value::Integer(_) | Value::Real(_)) => {
                as_f64(x).total_cmp(&as_f64(y))
            }
            _ => rank(x).cmp(&rank(y)),
        };
        if order.is_ne() {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Integer(i) => *i as f64,
        Value::Real(r) => *r,
        _ => 0.0,
    }
}

#[cfg(test)]
mod first_rows_tests {
    use super::*;

    #[test]
    fn first_rows_keeps_the_window_then_only_counts() {
        let mut window = FirstRows::new(2);
        assert!(!window.only_counting());
        assert!(window.row(vec![Value::Integer(1)]).is_some());
        assert!(window.row(vec![Value::Integer(2)]).is_some());
        assert!(window.only_counting());
        assert_eq!(window.row(vec![Value::Integer(3)]), None);
    }
}
