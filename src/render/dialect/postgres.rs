//! PostgreSQL, as SQLAlchemy's PostgreSQL dialect writes it.

use super::Backend;
use crate::render::writer::Writer;
use crate::schema::ColumnType;
use crate::sql::Expr;

/// PostgreSQL's differences.
pub struct Postgres;

impl Backend for Postgres {
    /// `a / CAST(b AS NUMERIC)`: PostgreSQL divides whole numbers into a whole number, so the
    /// divisor is cast, as SQLAlchemy 2 writes true division there.
    fn write_true_divisor(&self, w: &mut Writer<'_>, divisor: &Expr, _wrap: bool) {
        w.piece(crate::render::piece::PieceKind::Function, "CAST");
        w.punct("(");
        w.expr(divisor);
        w.space();
        w.keywords("AS NUMERIC");
        w.punct(")");
    }

    /// PostgreSQL's reserved words (and those reserved as names of tables and columns), as
    /// SQLAlchemy's PostgreSQL dialect lists them.
    fn reserved_words(&self) -> &'static str {
        include_str!("reserved/postgres.txt")
    }

    /// `$n`, as PostgreSQL's prepared statements number them.
    fn placeholder(&self, n: usize) -> String {
        format!("${n}")
    }

    /// `'\xab01'::bytea`.
    fn blob_literal(&self, bytes: &[u8]) -> String {
        let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("'\\x{hex}'::bytea")
    }

    /// PostgreSQL's driver reads a new integer key back with `RETURNING`, as SQLAlchemy's
    /// ORM asks for it.
    fn returns_new_key(&self) -> bool {
        true
    }

    /// PostgreSQL's `LIKE` minds case: the language's LIKE tests are `ILIKE` there.
    fn like_ignores_case(&self) -> bool {
        false
    }

    /// `DOUBLE PRECISION` for decimals, as SQLAlchemy's `Float` is created there.
    fn column_type(&self, ty: ColumnType) -> &'static str {
        match ty {
            ColumnType::Real => "DOUBLE PRECISION",
            other => other.sql_name(),
        }
    }

    /// `SERIAL PRIMARY KEY`: an integer numbered from a sequence.
    fn write_integer_key(&self, w: &mut Writer<'_>) {
        w.keywords("SERIAL PRIMARY KEY");
    }
}
