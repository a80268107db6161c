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
