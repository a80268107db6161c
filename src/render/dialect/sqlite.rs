//! SQLite: the database that runs every statement.

use super::Backend;
use crate::render::writer::Writer;
use crate::sql::Expr;

/// SQLite's differences.
pub struct Sqlite;

impl Backend for Sqlite {
    /// SQLite's reserved words, as SQLAlchemy's SQLite dialect lists them.
    fn reserved_words(&self) -> &'static str {
        include_str!("reserved/sqlite.txt")
    }

    /// `LIMIT -1 OFFSET m`: SQLite has no OFFSET without LIMIT.
    fn offset_alone(&self, w: &mut Writer<'_>, offset: &Expr) {
        w.clause("LIMIT");
        w.space();
        w.number("-1");
        w.space();
        w.keyword("OFFSET");
        w.space();
        w.expr(offset);
    }

    /// SQLite accepts `x IN ()`.
    fn allows_empty_in(&self) -> bool {
        true
    }

    /// `a / (b + 0.0)`: SQLite divides whole numbers into a whole number, so the divisor is
    /// made a decimal, as SQLAlchemy 2 writes true division there.
    fn write_true_divisor(&self, w: &mut Writer<'_>, divisor: &Expr, wrap: bool) {
        w.punct("(");
        w.arith_operand(divisor, wrap);
        w.space();
        w.piece(crate::render::piece::PieceKind::Operator, "+");
        w.space();
        w.number("0.0");
        w.punct(")");
    }

    /// SQLite reads a backslash in a pattern as itself.
    fn like_backslash_escapes(&self) -> bool {
        false
    }
}
