//! Core: the SQL compiler, the one writer of every SQL text the program makes. One walk of
//! the statement tree ([`crate::sql::Statement`]) gives the parameterised text that is
//! executed (`?` and its bound values), the display text with the values inlined, and the
//! display text as tagged [`Piece`]s for a view to colour and break into lines.
//!
//! It writes the mapper's reads and writes, transaction control and savepoints, the
//! schema's `CREATE TABLE` and `CREATE INDEX`, the seed's inserts, and the database's own
//! statements (`PRAGMA`, `EXPLAIN QUERY PLAN`, `DROP`). Nothing outside `render/` writes SQL
//! text (the user's own `:sql` text aside).
//!
//! The dialect is a parameter of the one writer ([`render_in`]); SQLite's is what runs.
//! Where PostgreSQL and MySQL differ, they are written as SQLAlchemy's dialects write them,
//! each difference a named method of the dialect's backend ([`dialect`]):
//! - paging: `LIMIT n OFFSET m` everywhere but MySQL, which says `LIMIT m, n`; an offset
//!   without a limit is `LIMIT -1 OFFSET m` in SQLite, `OFFSET m` in PostgreSQL and
//!   `LIMIT m, 18446744073709551615` in MySQL;
//! - an empty `IN ()` (valid only in SQLite) is `x IN (NULL) AND (1 != 1)`, and an empty
//!   `NOT IN ()` is `(x NOT IN (NULL) OR (1 = 1))`;
//! - PostgreSQL reports the new key of an insert with `RETURNING id` (SQLite and MySQL tell
//!   the driver the last inserted id instead);
//! - the language's LIKE tests ignore ASCII case, as SQLite's `LIKE` does; PostgreSQL's `LIKE`
//!   does not, so there they are `ILIKE`, with a number column cast to text first; and where
//!   a pattern holds a backslash, which PostgreSQL and MySQL read as an escape character and
//!   SQLite as itself, they say `ESCAPE ''`;
//! - MySQL refuses `LIMIT` inside an `IN (SELECT ...)`, and a subquery reading the table an
//!   UPDATE or DELETE writes, so such a subquery is read through a derived table
//!   (`IN (SELECT id FROM (SELECT id ... LIMIT 3) AS anon_1)`), which MySQL materializes;
//! - MySQL has no `DEFAULT VALUES`: an insert of no columns is `() VALUES ()`;
//! - an integer key the database numbers is `INTEGER PRIMARY KEY` in SQLite, `SERIAL` in
//!   PostgreSQL and `AUTO_INCREMENT` in MySQL.
//!
//! Booleans are 1 and 0 (the language's `True`/`False` become `1 = 1`/`1 = 0` conditions,
//! valid in all three), and the language has no string concatenation (`contains('an')`
//! binds one pattern, `'%an%'`), so neither needs a dialect's spelling.

pub mod catalog;
mod ddl;
pub mod dialect;
mod dml;
mod expr;
pub mod piece;
pub mod server;
pub(crate) mod writer;

use crate::schema::{MetaData, Table};
use crate::sql::*;
pub use dialect::Dialect;
use piece::Tags;
pub use piece::{Piece, PieceKind};
use writer::Writer;

/// A statement as text: what runs, what it binds, and what a person reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The SQL with `?` for each value.
    pub text: String,
    /// The values bound to the `?`s, in order.
    pub params: Vec<Value>,
    /// The SQL with the values inlined, quoted as SQL quotes them.
    pub display: String,
    /// The tree it was rendered from, so it can be rendered again for another dialect
    /// (none for raw SQL typed with `:sql`).
    pub statement: Option<Statement>,
    /// The display text's pieces (none for raw SQL).
    tags: Tags,
}

impl Rendered {
    /// Raw SQL as it was typed: no tree, no bound values.
    pub fn raw(sql: &str) -> Rendered {
        Rendered {
            text: sql.to_string(),
            params: Vec::new(),
            display: sql.to_string(),
            statement: None,
            tags: Tags::default(),
        }
    }

    /// The SQL without its tree and pieces: its text, values and display text only (what an
    /// answer keeps of the statements past the first few of a long loop).
    pub fn text_only(self) -> Rendered {
        Rendered {
            statement: None,
            tags: Tags::default(),
            ..self
        }
    }

    /// The display text as tagged pieces (keywords, names, values, clause breaks), for a view
    /// to colour and break into lines; empty for raw SQL, which only a lexer can read.
    pub fn pieces(&self) -> Vec<Piece<'_>> {
        self.tags.pieces(&self.display)
    }

    /// Whether running it returns rows (raw SQL: judged by its first word).
    pub fn returns_rows(&self) -> bool {
        self.kind().returns_rows()
    }

    /// What kind of work it does (raw SQL: judged by its first word).
    pub fn kind(&self) -> StatementKind {
        statement_kind(self.statement.as_ref(), &self.display)
    }
}

/// What kind of work a statement does: from its tree, or from the text typed with `:sql`.
pub fn statement_kind(statement: Option<&Statement>, text: &str) -> StatementKind {
    statement.map_or_else(|| StatementKind::of_text(text), Statement::kind)
}

/// `PRAGMA name` (reads a setting) or `PRAGMA name = value` (sets one), as SQLite's text.
pub fn pragma(name: &str, set: Option<PragmaValue>) -> String {
    render(&Statement::Pragma(Pragma {
        name: name.to_string(),
        set,
    }))
    .text
}

/// Renders a statement in both forms for SQLite, the database that runs it.
pub fn render(statement: &Statement) -> Rendered {
    render_with(statement, Dialect::Sqlite, None)
}

/// Renders a statement in both forms for `dialect`. The schema says which tables have an
/// integer key to return (`RETURNING id`) and which columns are not text.
pub fn render_in(statement: &Statement, dialect: Dialect, metadata: &MetaData) -> Rendered {
    render_with(statement, dialect, Some(metadata))
}

/// Renders a statement in both forms for `dialect` (with the schema, as [`render_in`], or
/// without, as [`render`]), keeping the tree itself, not a copy of it, in the result.
pub fn render_tree(
    statement: Statement,
    dialect: Dialect,
    metadata: Option<&MetaData>,
) -> Rendered {
    write_tree(statement, dialect, metadata)
}

fn render_with(statement: &Statement, dialect: Dialect, metadata: Option<&MetaData>) -> Rendered {
    write_tree(statement.clone(), dialect, metadata)
}

fn write_tree(statement: Statement, dialect: Dialect, metadata: Option<&MetaData>) -> Rendered {
    let mut w = Writer::new(dialect, metadata);
    w.statement(&statement);
    Rendered {
        text: w.text,
        params: w.params,
        display: w.display,
        statement: Some(statement),
        tags: w.tags,
    }
}

/// Renders a lone condition (for notes and tests), values inlined, for SQLite.
pub fn render_condition(expr: &Expr) -> String {
    let mut w = Writer::new(Dialect::Sqlite, None);
    w.expr(expr);
    w.display
}

/// The SQL that creates a table and then its indexes, in SQLite's words.
pub fn create_table(table: &Table) -> Vec<Rendered> {
    let mut statements = vec![render(&Statement::CreateTable(table.clone()))];
    statements.extend(
        table
            .indexes()
            .into_iter()
            .map(|index| render(&Statement::CreateIndex(index))),
    );
    statements
}

/// The `CREATE TABLE` text of a table alone, in SQLite's words (for `:schema`); for a table
/// read from a file, the statement the file itself holds.
pub fn create_table_sql(table: &Table) -> String {
    match &table.source_sql {
        Some(sql) => sql.clone(),
        None => render(&Statement::CreateTable(table.clone())).display,
    }
}

/// The `CREATE INDEX` texts of a table's indexes, in SQLite's words (for `:schema`).
pub fn create_index_sql(table: &Table) -> Vec<String> {
    table
        .indexes()
        .into_iter()
        .map(|index| render(&Statement::CreateIndex(index)).display)
        .collect()
}

/// `EXPLAIN QUERY PLAN` of a statement that was sent: from its tree when it has one, else
/// put before the text typed with `:sql`. Its bound values are the statement's own.
pub fn explain_query_plan(statement: Option<&Statement>, text: &str) -> String {
    match statement {
        Some(tree) => render(&Statement::ExplainQueryPlan(Box::new(tree.clone()))).text,
        None => {
            let mut w = Writer::new(Dialect::Sqlite, None);
            w.keywords("EXPLAIN QUERY PLAN");
            w.space();
            format!("{}{text}", w.text)
        }
    }
}

#[cfg(test)]
mod tests;
