//! SQL dialects: the databases the SQL can be written for, and the small named things that
//! differ between them, one backend per database as sea-query's `backend/` keeps them:
//! `sqlite.rs`, `postgres.rs` and `mysql.rs`. The writer (`render/writer.rs`) asks its backend
//! each question by name (how to page, how to write an empty `IN`, whether an insert says
//! `RETURNING`, ...) instead of comparing dialects inline.
//!
//! SQLite is the only database that runs; PostgreSQL and MySQL are renderings of the same
//! statement tree for teaching ("what would this look like on PostgreSQL?").
//!
//! Identifiers are quoted only where needed, as SQLAlchemy's identifier preparers do: a
//! reserved word of that database, a name with upper-case letters, or a name with characters
//! other than letters, digits, `_` and `$` (or starting with a digit or `$`). None of the
//! School's names needs it, so the School's SQL reads the same in every dialect. The reserved
//! words are data, one file per database in `reserved/`.

mod mysql;
mod postgres;
mod sqlite;

use super::writer::Writer;
use crate::schema::ColumnType;
use crate::sql::{format_real, Expr, Value};
use std::borrow::Cow;
use std::sync::OnceLock;

pub use mysql::MYSQL_NO_LIMIT;

/// A database the SQL is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// SQLite: the database that runs every statement.
    Sqlite,
    /// PostgreSQL: rendered for reading, never run here.
    Postgresql,
    /// MySQL (8.0): rendered for reading, never run here.
    Mysql,
}

impl Dialect {
    /// Every dialect, in the order they are shown.
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgresql, Dialect::Mysql];

    /// The dialect's name as typed (`postgresql`).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgresql => "postgresql",
            Dialect::Mysql => "mysql",
        }
    }

    /// The database's name as it is written (`PostgreSQL`).
    pub fn title(self) -> &'static str {
        match self {
            Dialect::Sqlite => "SQLite",
            Dialect::Postgresql => "PostgreSQL",
            Dialect::Mysql => "MySQL",
        }
    }

    /// Reads a dialect's name, ignoring case; `postgres`, `pg` and `mariadb` are accepted too.
    pub fn parse(name: &str) -> Option<Dialect> {
        match name.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => Some(Dialect::Sqlite),
            "postgresql" | "postgres" | "pg" => Some(Dialect::Postgresql),
            "mysql" | "mariadb" => Some(Dialect::Mysql),
            _ => None,
        }
    }

    /// The backend that knows this dialect's differences.
    pub(crate) fn backend(self) -> &'static dyn Backend {
        match self {
            Dialect::Sqlite => &sqlite::Sqlite,
            Dialect::Postgresql => &postgres::Postgres,
            Dialect::Mysql => &mysql::Mysql,
        }
    }

    /// The character that quotes an identifier.
    pub fn quote_char(self) -> char {
        self.backend().quote_char()
    }

    /// Whether `word` is reserved in this dialect (so it must be quoted to be a name), in any
    /// case.
    pub fn is_reserved(self, word: &str) -> bool {
        self.reserved_words().contains(word)
    }

    /// The dialect's reserved words, read once from its data file.
    fn reserved_words(self) -> &'static ReservedWords {
        static LISTS: [OnceLock<ReservedWords>; 3] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        LISTS[self as usize].get_or_init(|| ReservedWords::new(self.backend().reserved_words()))
    }

    /// Whether a name must be quoted: reserved, upper-case letters, or unusual characters.
    pub fn needs_quotes(self, name: &str) -> bool {
        let legal = name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'$');
        let bad_start = name
            .bytes()
            .next()
            .is_none_or(|b| b.is_ascii_digit() || b == b'$');
        !legal || bad_start || self.is_reserved(name)
    }

    /// A table, column or alias name as this dialect writes it: quoted only where needed.
    pub fn identifier(self, name: &str) -> Cow<'_, str> {
        if !self.needs_quotes(name) {
            return Cow::Borrowed(name);
        }
        let q = self.quote_char();
        let doubled = name.replace(q, &format!("{q}{q}"));
        Cow::Owned(format!("{q}{doubled}{q}"))
    }

    /// The placeholder for the `n`th bound value (1-based).
    pub fn placeholder(self, n: usize) -> String {
        self.backend().placeholder(n)
    }

    /// A value as SQL source text in this dialect.
    pub fn literal(self, value: &Value) -> String {
        let backend = self.backend();
        match value {
            Value::Null => "NULL".to_string(),
            Value::Integer(i) => i.to_string(),
            Value::Real(r) => format_real(*r),
            Value::Text(s) => backend.text_literal(s),
            Value::Blob(b) => backend.blob_literal(b),
        }
    }
}

/// A dialect's reserved words, grouped by their first letter: a name is checked against the
/// few words that start as it does, without lower-casing it first (every name of every
/// statement is checked when its SQL is written).
struct ReservedWords {
    by_letter: [Vec<&'static str>; 26],
}

impl ReservedWords {
    /// The words of a data file, one lower-case word a line.
    fn new(lines: &'static str) -> ReservedWords {
        let mut by_letter: [Vec<&'static str>; 26] = Default::default();
        for word in lines.lines().filter(|w| !w.is_empty()) {
            if let Some(letter) = letter_index(word) {
                by_letter[letter].push(word);
            }
        }
        ReservedWords { by_letter }
    }

    /// Whether `word` is one of them, in any case.
    fn contains(&self, word: &str) -> bool {
        letter_index(word).is_some_and(|letter| {
            self.by_letter[letter]
                .iter()
                .any(|w| w.len() == word.len() && w.eq_ignore_ascii_case(word))
        })
    }
}

/// Where a word's first letter (a–z, in any case) falls in the alphabet.
fn letter_index(word: &str) -> Option<usize> {
    let first = word.as_bytes().first()?.to_ascii_lowercase();
    first
        .is_ascii_lowercase()
        .then(|| usize::from(first - b'a'))
}

/// The small things a database does its own way. Each default is what SQLite (and most
/// databases) do; a backend overrides only where it differs.
pub(crate) trait Backend: Sync {
    /// The character that quotes an identifier.
    fn quote_char(&self) -> char {
        '"'
    }

    /// The reserved words, one a line, lower case (sorted).
    fn reserved_words(&self) -> &'static str;

    /// The placeholder for the `n`th bound value (1-based): `?` as prepared statements write it.
    fn placeholder(&self, _n: usize) -> String {
        "?".to_string()
    }

    /// Text in quotes: quotes doubled.
    fn text_literal(&self, text: &str) -> String {
        format!("'{}'", text.replace('\'', "''"))
    }

    /// Bytes: `X'AB01'`.
    fn blob_literal(&self, bytes: &[u8]) -> String {
        let hex: String = bytes.iter().map(|byte| format!("{byte:02X}")).collect();
        format!("X'{hex}'")
    }

    /// The operator of division between whole numbers that gives a whole number (Python's
    /// `//` on integers): SQL's own `/`.
    fn floor_division_operator(&self) -> &'static str {
        "/"
    }

    /// The divisor of a true division (Python's `/`), so that whole numbers divide into a
    /// decimal: as it is, where the database's `/` already does that.
    fn write_true_divisor(&self, w: &mut Writer<'_>, divisor: &Expr, wrap: bool) {
        w.arith_operand(divisor, wrap);
    }

    /// LIMIT and OFFSET: `LIMIT n OFFSET m`; an offset alone as [`Backend::offset_alone`].
    fn write_paging(&self, w: &mut Writer<'_>, limit: Option<&Expr>, offset: Option<&Expr>) {
        match (limit, offset) {
            (None, None) => {}
            (Some(limit), offset) => {
                w.clause("LIMIT");
                w.space();
                w.expr(limit);
                if let Some(offset) = offset {
                    w.space();
                    w.keyword("OFFSET");
                    w.space();
                    w.expr(offset);
                }
            }
            (None, Some(offset)) => self.offset_alone(w, offset),
        }
    }

    /// An offset without a limit: `OFFSET m`, as standard SQL (and PostgreSQL) say it.
    fn offset_alone(&self, w: &mut Writer<'_>, offset: &Expr) {
        w.space();
        w.keyword("OFFSET");
        w.space();
        w.expr(offset);
    }

    /// Whether `x IN ()` with an empty list is valid (else it is written as a condition that
    /// is false for every row, as SQLAlchemy writes it).
    fn allows_empty_in(&self) -> bool {
        false
    }

    /// An insert of no columns: ` DEFAULT VALUES`.
    fn write_default_values(&self, w: &mut Writer<'_>) {
        w.space();
        w.keywords("DEFAULT VALUES");
    }

    /// Whether an insert asks for the new integer key back with `RETURNING` (else the driver
    /// reports the last inserted id).
    fn returns_new_key(&self) -> bool {
        false
    }

    /// Whether `LIKE` ignores ASCII case, as the language's LIKE tests do (else `ILIKE`, with
    /// a column that is not text cast to text first).
    fn like_ignores_case(&self) -> bool {
        true
    }

    /// Whether a backslash in a LIKE pattern is an escape character unless `ESCAPE ''` says
    /// otherwise (SQLite reads it as itself).
    fn like_backslash_escapes(&self) -> bool {
        true
    }

    /// Whether a subquery with LIMIT or OFFSET inside `IN (...)` must be read through a
    /// derived table (`IN (SELECT id FROM (SELECT ... LIMIT 3) AS anon_1)`).
    fn limited_in_needs_derived_table(&self) -> bool {
        false
    }

    /// The name of a column type in `CREATE TABLE`.
    fn column_type(&self, ty: ColumnType) -> &'static str {
        ty.sql_name()
    }

    /// Whether a column's `REFERENCES` may be written after it (else a table constraint
    /// `FOREIGN KEY (column) REFERENCES ...` follows the columns).
    fn inline_references(&self) -> bool {
        true
    }

    /// A single integer primary key column's type and key words, numbered by the database
    /// when an insert gives none: `INTEGER PRIMARY KEY` (SQLite's rowid).
    fn write_integer_key(&self, w: &mut Writer<'_>) {
        w.keywords("INTEGER PRIMARY KEY");
    }
}

#[cfg(test)]
mod tests;
