//! The answer to one statement: what it gave, every SQL statement it sent, and notes for the
//! learner. The session builds answers; the view, the transcripts and the course read them.

use crate::error::{Error, Result};
use crate::mapper::query::{Obj, Query};
use crate::render::Rendered;
use crate::sql::Value;
use std::collections::BTreeMap;

/// One SQL statement as sent to the database: its rendered text and values, and what happened.
/// It reads as the [`Rendered`] statement it holds (`executed.display`, `executed.statement`).
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    /// The statement as rendered: text, bound values, display text and its tree.
    pub rendered: Rendered,
    /// Rows returned (a query) or changed (a write).
    pub rows: u64,
    /// How long the database took.
    pub elapsed: std::time::Duration,
    /// Whether the database refused or stopped it.
    pub failed: bool,
}

impl std::ops::Deref for Executed {
    type Target = Rendered;

    fn deref(&self) -> &Rendered {
        &self.rendered
    }
}

/// Statements of one text sent after an answer's first [`SQL_KEPT`]: counted, not kept, so a
/// loop of a million iterations holds a few lines instead of a million statements.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Folded {
    /// The statement's text, with `?` for its values.
    pub text: String,
    /// How many times it was sent past the first [`SQL_KEPT`] statements.
    pub times: u64,
    /// The rows they gave or changed, summed.
    pub rows: u64,
    /// How many of them the database refused or stopped.
    pub failed: u64,
}

/// How many of an answer's statements are kept whole (`Response::sql`); those sent after them
/// are counted by their text (`Response::sql_folded`).
pub const SQL_KEPT: usize = 1000;

/// What a statement gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Rows: a table's whole rows (`table` set) or selected columns.
    Rows {
        /// The table, when these are its whole rows.
        table: Option<String>,
        /// Column names.
        columns: Vec<String>,
        /// The rows fetched: all of them, or the first ones a view shows.
        rows: Vec<Vec<Value>>,
        /// Rows the query gave after those in `rows`: counted as they went by, not kept
        /// (0 unless the session fetches only what is shown, see `Session::set_window`).
        more: u64,
    },
    /// One row of a table.
    Object {
        /// Its table.
        table: String,
        /// Column names in schema order.
        columns: Vec<String>,
        /// The row.
        row: Vec<Value>,
    },
    /// One value.
    Value(Value),
    /// What a write changed.
    Write {
        /// Rows of `table` changed.
        affected: u64,
        /// The table written.
        table: String,
        /// The id of the row inserted, if one was.
        id: Option<i64>,
        /// Rows of other tables changed by ON DELETE rules.
        cascaded: BTreeMap<String, u64>,
    },
    /// Nothing to show.
    None,
}

/// The answer to one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The statement as typed.
    pub input: String,
    /// Its result, or what went wrong.
    pub outcome: std::result::Result<Outcome, Error>,
    /// Every SQL statement sent, in order (also those of a failed statement): the first
    /// [`SQL_KEPT`] of them.
    pub sql: Vec<Executed>,
    /// The statements sent after the first [`SQL_KEPT`], counted by their text, in the order
    /// each text was first sent past them.
    pub sql_folded: Vec<Folded>,
    /// Plain-words notes: what cascaded, what was loaded.
    pub notes: Vec<Note>,
    /// What the mapper did, step by step, in plain words.
    pub mapping: Vec<String>,
    /// Text a meta command printed (`:help`, `:schema`).
    pub text: Option<String>,
    /// Several faces of one thing to show side by side, each a title and its text
    /// (`:schema students`: the CREATE TABLE, the Core table, the declarative class).
    pub faces: Vec<(String, String)>,
    /// The same work spelled as SQLAlchemy 2.x Python (see [`crate::sqlalchemy`]).
    pub sqlalchemy: String,
}

impl Outcome {
    /// How many rows a rows outcome gave in all (kept or only counted); 0 for the others.
    pub fn row_total(&self) -> u64 {
        match self {
            Outcome::Rows { rows, more, .. } => rows.len() as u64 + more,
            _ => 0,
        }
    }
}

impl Response {
    /// An answer of `outcome` alone: no SQL, notes, steps, text or code yet.
    pub fn of(input: &str, outcome: Result<Outcome>) -> Response {
        Trace::default().into_response(input, outcome)
    }

    /// Whether the statement succeeded.
    pub fn ok(&self) -> bool {
        self.outcome.is_ok()
    }

    /// How many SQL statements the statement sent: those kept and those folded.
    pub fn sql_sent(&self) -> u64 {
        self.sql.len() as u64 + self.sql_folded.iter().map(|f| f.times).sum::<u64>()
    }
}

/// What a note for the learner is about. The kind decides what happens to the note, e.g.
/// whether a failed statement's rollback undid the work it tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// Rows of other tables changed by an ON DELETE rule.
    Cascade,
    /// A new row and the id the database gave it.
    Created,
    /// Rows of an association table linking two objects.
    Link,
    /// A change kept pending in the unit of work, not sent yet.
    Pending,
    /// Pending changes sent before a query (autoflush).
    Autoflush,
    /// How many SQL statements a statement sent.
    QueryCount,
    /// A statement that ran once per object (N+1 queries) and how to avoid it.
    NPlusOne,
    /// How objects were loaded: from the identity map, an eager load, or not at all.
    Loading,
    /// What the ORM sent beyond the work itself (loads of what the code reaches through), and
    /// the statement that sends only the work: the ORM's cost, taught rather than hidden.
    Cost,
    /// A name bound to an object.
    Binding,
    /// Session mode and its calls (begin, flush, commit, rollback, expire_all).
    Session,
    /// An explicit transaction opened, committed or rolled back.
    Transaction,
    /// A class or table declared, and where its names are kept.
    Declaration,
    /// Anything else worth telling (a meta command's answer, a transcript stopped).
    Info,
}

impl NoteKind {
    /// Whether the note tells of work a failed statement did, which its rollback undid (such
    /// notes are dropped from a failed statement's answer).
    pub fn undone_by_rollback(self) -> bool {
        matches!(
            self,
            NoteKind::Cascade
                | NoteKind::Created
                | NoteKind::Pending
                | NoteKind::Autoflush
                | NoteKind::QueryCount
        )
    }
}

/// A plain-words note for the learner: its kind and its text. It prints (and serializes in
/// JSON) as its text alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What the note is about.
    pub kind: NoteKind,
    /// The note in plain words.
    pub text: String,
}

impl Note {
    /// A note of `kind` saying `text`.
    pub fn new(kind: NoteKind, text: impl Into<String>) -> Note {
        Note {
            kind,
            text: text.into(),
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for Note {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// A value a name is bound to.
#[derive(Debug, Clone, PartialEq)]
pub enum Binding {
    /// An object, which the session holds while the name refers to it (until a commit
    /// expires it).
    Object(Obj),
    /// A query, run again each time it is used.
    Query(Box<Query>),
    /// An object's collection read whole (`cs = students[13].classes`): the loaded list, as
    /// SQLAlchemy's is, which the session holds (with its members) while the name refers to it.
    Collection(Box<Query>),
    /// A plain value.
    Value(Value),
    /// None.
    Nothing,
}

/// What a statement's evaluation collected besides its result.
#[derive(Debug, Default)]
pub struct Trace {
    /// Every SQL statement sent, in order: the first [`SQL_KEPT`].
    pub sql: Vec<Executed>,
    /// The statements sent after those, counted by text.
    pub sql_folded: Vec<Folded>,
    /// Where each folded text is in `sql_folded`.
    folded_at: std::collections::HashMap<String, usize>,
    /// Plain-words notes for the learner.
    pub notes: Vec<Note>,
    /// What the mapper did, step by step.
    pub mapping: Vec<String>,
    /// Text a meta command printed.
    pub text: Option<String>,
    /// Faces to show side by side.
    pub faces: Vec<(String, String)>,
    started: Option<std::time::Instant>,
    sent: usize,
}

impl Trace {
    /// The answer to `input`, with everything the trace collected.
    pub fn into_response(self, input: &str, outcome: Result<Outcome>) -> Response {
        Response {
            input: input.to_string(),
            outcome,
            sql: self.sql,
            sql_folded: self.sql_folded,
            notes: self.notes,
            mapping: self.mapping,
            text: self.text,
            faces: self.faces,
            sqlalchemy: String::new(),
        }
    }

    /// Adds a note of `kind` for the learner.
    pub fn note(&mut self, kind: NoteKind, text: impl Into<String>) {
        self.notes.push(Note::new(kind, text));
    }

    /// Adds what the mapper did; past [`STEPS_KEPT`] steps the last one kept is replaced, so
    /// the last step (which views show) is always the latest, and a loop's million steps are
    /// not all kept.
    pub fn step(&mut self, step: String) {
        if self.mapping.len() >= STEPS_KEPT {
            self.mapping.pop();
        }
        self.mapping.push(step);
    }

    /// Notes the time before a statement is sent.
    pub fn start(&mut self) {
        self.started = Some(std::time::Instant::now());
    }

    /// Records a statement sent, with the time since [`Trace::start`].
    pub fn record(&mut self, sql: Rendered, rows: u64) {
        self.push(sql, rows, false);
    }

    /// Records a statement SQLite refused or stopped.
    pub fn record_failure(&mut self, sql: Rendered) {
        self.push(sql, 0, true);
    }

    /// How many SQL statements were sent so far, kept or folded: a place in the statement's
    /// SQL that only grows.
    pub fn sent(&self) -> usize {
        self.sent
    }

    fn push(&mut self, sql: Rendered, rows: u64, failed: bool) {
        self.sent += 1;
        let elapsed = self.started.take().map(|t| t.elapsed()).unwrap_or_default();
        if self.sql.len() >= SQL_KEPT {
            self.fold(sql, rows, failed);
            return;
        }
        let rendered = if self.sql.len() < TREES_KEPT {
            sql
        } else {
            sql.text_only()
        };
        self.sql.push(Executed {
            rendered,
            rows,
            elapsed,
            failed,
        });
    }
}

impl Trace {
    fn fold(&mut self, sql: Rendered, rows: u64, failed: bool) {
        let at = match self.folded_at.get(&sql.text) {
            Some(&at) => at,
            None => {
                self.folded_at
                    .insert(sql.text.clone(), self.sql_folded.len());
                self.sql_folded.push(Folded {
                    text: sql.text.clone(),
                    ..Folded::default()
                });
                self.sql_folded.len() - 1
            }
        };
        let folded = &mut self.sql_folded[at];
        folded.times += 1;
        folded.rows += rows;
        folded.failed += u64::from(failed);
    }
}

/// How many of the mapper's steps an answer keeps (see [`Trace::step`]).
const STEPS_KEPT: usize = 100;

/// How many of an answer's statements keep their tree and pieces (to be shown in another
/// dialect, coloured, explained); the others keep their text, values and display text. A loop
/// of 20,000 iterations would otherwise hold 20,000 trees, and views show only the first few.
const TREES_KEPT: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mappers_steps_are_bounded_and_the_last_is_the_latest() {
        let mut trace = Trace::default();
        for i in 0..STEPS_KEPT * 3 {
            trace.step(format!("step {i}"));
        }
        assert_eq!(trace.mapping.len(), STEPS_KEPT);
        assert_eq!(trace.mapping[0], "step 0");
        assert_eq!(
            trace.mapping.last().map(String::as_str),
            Some(format!("step {}", STEPS_KEPT * 3 - 1).as_str())
        );
    }

    #[test]
    fn statements_past_the_first_kept_are_counted_by_their_text() {
        let mut trace = Trace::default();
        let select = crate::render::render(&crate::sql::Statement::Begin);
        for _ in 0..SQL_KEPT + 7 {
            trace.record(select.clone(), 2);
        }
        assert_eq!(trace.sql.len(), SQL_KEPT);
        assert_eq!(trace.sent(), SQL_KEPT + 7);
        let response = trace.into_response("x", Ok(Outcome::None));
        assert_eq!(response.sql_sent(), (SQL_KEPT + 7) as u64);
        assert_eq!(
            response.sql_folded,
            vec![Folded {
                text: select.text.clone(),
                times: 7,
                rows: 14,
                failed: 0,
            }]
        );
    }

    #[test]
    fn a_long_answer_keeps_trees_for_its_first_statements_only() {
        let tree = crate::sql::Statement::Begin;
        let mut trace = Trace::default();
        for _ in 0..TREES_KEPT + 5 {
            trace.start();
            trace.record(crate::render::render(&tree), 0);
        }
        let kept = trace.sql.iter().filter(|e| e.statement.is_some()).count();
        assert_eq!(kept, TREES_KEPT);
        let last = trace.sql.last().expect("recorded");
        assert_eq!(last.display, "BEGIN");
        assert!(last.pieces().is_empty());
    }

    #[test]
    fn a_note_prints_and_serializes_as_its_text_alone() {
        let note = Note::new(NoteKind::Created, "new Student with id 21");
        assert_eq!(note.to_string(), "new Student with id 21");
        let json = serde_json::to_string(&vec![note]).unwrap();
        assert_eq!(json, r#"["new Student with id 21"]"#);
    }

    #[test]
    fn only_notes_of_undone_work_are_dropped_by_a_rollback() {
        assert!(NoteKind::Cascade.undone_by_rollback());
        assert!(NoteKind::Autoflush.undone_by_rollback());
        assert!(!NoteKind::NPlusOne.undone_by_rollback());
        assert!(!NoteKind::Session.undone_by_rollback());
    }
}
