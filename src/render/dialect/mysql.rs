//! MySQL (8.0), as SQLAlchemy's MySQL dialect writes it.

use super::Backend;
use crate::render::writer::Writer;
use crate::schema::ColumnType;
use crate::sql::Expr;

/// MySQL's differences.
pub struct Mysql;

/// The largest number MySQL accepts as a row count: its manual's way to say "no limit" when
/// only an offset is given (`LIMIT 10, 18446744073709551615`), as SQLAlchemy renders it.
pub const MYSQL_NO_LIMIT: &str = "18446744073709551615";

impl Backend for Mysql {
    /// `DIV`: MySQL's `/` always gives a decimal, so whole-number division has its own word.
    fn floor_division_operator(&self) -> &'static str {
        "DIV"
    }

    /// Backquotes.
    fn quote_char(&self) -> char {
        '`'
    }

    /// MySQL 8.0's reserved words, as SQLAlchemy's MySQL dialect lists them.
    fn reserved_words(&self) -> &'static str {
        include_str!("reserved/mysql.txt")
    }

    /// MySQL treats a backslash as an escape inside quotes too, so it is doubled.
    fn text_literal(&self, text: &str) -> String {
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
    }

    /// `LIMIT m, n` when there is an offset.
    fn write_paging(&self, w: &mut Writer<'_>, limit: Option<&Expr>, offset: Option<&Expr>) {
        let Some(offset) = offset else {
            if let Some(limit) = limit {
                w.clause("LIMIT");
                w.space();
                w.expr(limit);
            }
            return;
        };
        w.clause("LIMIT");
        w.space();
        w.expr(offset);
        w.punct(",");
        w.space();
        match limit {
            Some(limit) => w.expr(limit),
            None => w.number(MYSQL_NO_LIMIT),
        }
    }

    /// MySQL has no `DEFAULT VALUES`: `() VALUES ()`.
    fn write_default_values(&self, w: &mut Writer<'_>) {
        w.space();
        w.punct("()");
        w.clause("VALUES");
        w.space();
        w.punct("()");
    }

    /// MySQL refuses `LIMIT` inside an `IN (SELECT ...)`, and a subquery reading the table
    /// an UPDATE or DELETE writes; a derived table is materialized, so it is allowed.
    fn limited_in_needs_derived_table(&self) -> bool {
        true
    }

    /// MySQL parses a column's own `REFERENCES` and ignores it: foreign keys are table
    /// constraints there.
    fn inline_references(&self) -> bool {
        false
    }

    /// `VARCHAR(255)` for text: MySQL cannot index or make UNIQUE a `TEXT` column without a
    /// length, so text columns are SQLAlchemy's `String(255)` there.
    fn column_type(&self, ty: ColumnType) -> &'static str {
        match ty {
            ColumnType::Text => "VARCHAR(255)",
            other => other.sql_name(),
        }
    }

    /// `INTEGER PRIMARY KEY AUTO_INCREMENT`.
    fn write_integer_key(&self, w: &mut Writer<'_>) {
        w.keywords("INTEGER PRIMARY KEY AUTO_INCREMENT");
    }
}
