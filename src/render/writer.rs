//! The compiler: walks a statement tree once, writing tagged pieces of SQL for one dialect,
//! values both bound (`?`) and inlined. What differs between dialects is asked of the dialect's
//! backend by name ([`Backend`]). Queries and writes are in `dml.rs`, expressions in
//! `expr.rs`, the schema's statements in `ddl.rs`.

use super::dialect::{Backend, Dialect};
use super::piece::{PieceKind, Tags};
use crate::schema::MetaData;
use crate::sql::*;

/// The tables a SELECT (or a write) reads at its own level, and whether its names are
/// qualified.
pub(super) struct Scope {
    pub(super) tables: Vec<String>,
    pub(super) qualify: bool,
}

/// The writer of one statement in one dialect: one walk of the tree writes its SQL twice, with
/// a placeholder for each value (what is sent) and with the values inline (what a learner
/// reads, tagged piece by piece for a view).
pub(crate) struct Writer<'m> {
    pub(super) dialect: Dialect,
    pub(super) backend: &'static dyn Backend,
    pub(super) metadata: Option<&'m MetaData>,
    /// The SQL written so far, a placeholder for each value.
    pub(crate) text: String,
    /// The same SQL with the values inline.
    pub(crate) display: String,
    /// The display text's pieces.
    pub(crate) tags: Tags,
    /// The values of the placeholders, in order.
    pub(crate) params: Vec<Value>,
    pub(super) scopes: Vec<Scope>,
    pub(super) derived_tables: usize,
}

/// Room made at first for a statement's text: a typical statement fits, so its texts are not
/// copied into larger buffers piece by piece as they grow.
const TEXT_CAPACITY: usize = 128;
/// Room made at first for a statement's pieces.
const PIECES_CAPACITY: usize = 48;

impl<'m> Writer<'m> {
    /// A writer for `dialect`.
    pub(crate) fn new(dialect: Dialect, metadata: Option<&'m MetaData>) -> Writer<'m> {
        Writer {
            dialect,
            backend: dialect.backend(),
            metadata,
            text: String::with_capacity(TEXT_CAPACITY),
            display: String::with_capacity(TEXT_CAPACITY),
            tags: Tags::with_capacity(PIECES_CAPACITY),
            params: Vec::with_capacity(2),
            scopes: Vec::new(),
            derived_tables: 0,
        }
    }

    /// The writer's dialect.
    pub(crate) fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The backend of the writer's dialect.
    pub(crate) fn backend(&self) -> &'static dyn Backend {
        self.backend
    }

    /// Adds a piece, the same in both texts.
    pub(crate) fn piece(&mut self, kind: PieceKind, text: &str) {
        self.text.push_str(text);
        self.display.push_str(text);
        self.tags.push(kind, self.display.len());
    }

    /// Adds a value: a placeholder in the text sent, the value itself in the display text.
    pub(super) fn value(&mut self, v: &Value) {
        self.params.push(v.clone());
        self.text
            .push_str(&self.dialect.placeholder(self.params.len()));
        self.display.push_str(&self.dialect.literal(v));
        self.tags.push(PieceKind::Value, self.display.len());
    }

    /// A word of SQL.
    pub(crate) fn keyword(&mut self, word: &str) {
        self.piece(PieceKind::Keyword, word);
    }

    /// Words of SQL separated by spaces: `ORDER BY`.
    pub(crate) fn keywords(&mut self, words: &str) {
        for (i, word) in words.split(' ').enumerate() {
            if i > 0 {
                self.space();
            }
            self.keyword(word);
        }
    }

    /// One space.
    pub(crate) fn space(&mut self) {
        self.piece(PieceKind::Space, " ");
    }

    /// A main clause's words, after a space where a long outermost statement may break.
    pub(crate) fn clause(&mut self, words: &str) {
        if self.scopes.len() <= 1 {
            self.piece(PieceKind::ClauseBreak, " ");
        } else {
            self.space();
        }
        self.keywords(words);
    }

    /// Parentheses, commas, dots.
    pub(crate) fn punct(&mut self, text: &str) {
        self.piece(PieceKind::Punctuation, text);
    }

    /// A number that is part of the SQL itself.
    pub(crate) fn number(&mut self, text: &str) {
        self.piece(PieceKind::Literal, text);
    }

    /// A table, column or alias name, quoted where the dialect needs it.
    pub(crate) fn ident(&mut self, name: &str) {
        let quoted = self.dialect.identifier(name);
        self.piece(PieceKind::Identifier, &quoted);
    }

    /// `, ` between items of a list.
    pub(super) fn comma(&mut self, i: usize) {
        if i > 0 {
            self.punct(",");
            self.space();
        }
    }

    /// Writes any statement.
    pub(crate) fn statement(&mut self, statement: &Statement) {
        match statement {
            Statement::Select(s) => self.select(s),
            Statement::Insert(i) => self.insert(i),
            Statement::Update(u) => self.update(u),
            Statement::Delete(d) => self.delete(d),
            Statement::Begin => self.keyword("BEGIN"),
            Statement::Commit => self.keyword("COMMIT"),
            Statement::Rollback => self.keyword("ROLLBACK"),
            Statement::Savepoint(name) => self.named("SAVEPOINT", name),
            Statement::Release(name) => self.named("RELEASE", name),
            Statement::RollbackTo(name) => self.named("ROLLBACK TO", name),
            Statement::CreateTable(table) => self.create_table(table),
            Statement::CreateIndex(index) => self.create_index(index),
            Statement::DropTable { table, if_exists } => self.drop_table(table, *if_exists),
            Statement::DropIndex(name) => self.named("DROP INDEX", name),
            Statement::Pragma(pragma) => self.pragma(pragma),
            Statement::Attach { file, schema } => {
                self.keywords("ATTACH DATABASE");
                self.space();
                self.value(file);
                self.space();
                self.named("AS", schema);
            }
            Statement::Detach(schema) => self.named("DETACH DATABASE", schema),
            Statement::CopyRows { table, from } => {
                self.named("INSERT INTO", table);
                self.space();
                self.keyword("SELECT");
                self.space();
                self.punct("*");
                self.space();
                self.named("FROM", from);
                self.punct(".");
                self.ident(table);
            }
            Statement::ExplainQueryPlan(inner) => {
                self.keywords("EXPLAIN QUERY PLAN");
                self.space();
                self.statement(inner);
            }
        }
    }

    /// `WORDS name`.
    pub(crate) fn named(&mut self, words: &str, name: &str) {
        self.keywords(words);
        self.space();
        self.ident(name);
    }

    /// Enters a statement or subquery reading `tables`.
    pub(super) fn enter(&mut self, tables: Vec<String>, qualify: bool) {
        self.scopes.push(Scope { tables, qualify });
    }
}
