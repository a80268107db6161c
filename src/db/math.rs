//! SQL functions SQLAlchemy's SQL may call that the bundled SQLite lacks (it is built without
//! its math functions): `FLOOR(x)`, which SQLAlchemy 2 writes for Python's `//` on decimals.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

/// Adds `floor(x)` to a connection, as SQLite's math extension defines it: a whole number
/// stays as it is, a decimal is rounded down (and stays a decimal), anything else is NULL.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "floor",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Integer(i) => Value::Integer(i),
                ValueRef::Real(r) => Value::Real(r.floor()),
                _ => Value::Null,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_rounds_decimals_down_and_keeps_whole_numbers() {
        let conn = Connection::open_in_memory().expect("memory database");
        register(&conn).expect("floor registered");
        let row: (f64, i64, Option<i64>) = conn
            .query_row("SELECT floor(-7.5 / 2), floor(7), floor(NULL)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .expect("query runs");
        assert_eq!(row, (-4.0, 7, None));
    }
}
