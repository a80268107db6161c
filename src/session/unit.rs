//! Session mode: the unit of work and the identity map, as SQLAlchemy's `Session` keeps them.
//!
//! With `:session on` (or `session.begin()`), writes are not sent at once: they wait as pending
//! changes (`session.new`, `session.dirty`, `session.deleted`) until a query needs them
//! (autoflush), `session.flush()`, or `session.commit()`, which sends them in dependency order —
//! new parents before their children, deletes of children before their parents. Objects read
//! once stay in the identity map: reading them again sends no SQL until they are expired.

use super::connection::{send, send_control};
use super::identity::IdentityMap;
use super::{NoteKind, Outcome, Session, Trace};
use crate::error::{suggestion, Error, ErrorKind, Result, Span};
use crate::render::render;
use crate::sql::{Statement, Value};
use crate::translate::Assignment;

/// What a pending change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// A new row (`session.new`).
    New,
    /// A changed row (`session.dirty`).
    Dirty,
    /// A removed row (`session.deleted`).
    Deleted,
}

/// One change waiting to be flushed.
#[derive(Debug, Clone)]
pub struct Pending {
    /// What kind of change.
    pub change: Change,
    /// The table it writes.
    pub table: String,
    /// The statement that will be sent.
    pub statement: Statement,
    /// The values it writes, to explain a failure.
    pub written: Vec<Assignment>,
    /// Where in its statement it was asked for.
    pub span: Span,
}

/// The session's state between statements in session mode (the identity map is the
/// session's in either mode: `identity.rs`).
#[derive(Debug, Clone, Default)]
pub struct UnitOfWork {
    /// Changes not sent yet, in the order they were made.
    pub pending: Vec<Pending>,
}

/// The session's methods that can be called as `session.NAME()` or read as `session.NAME`.
pub const SESSION_METHODS: &[&str] = &[
    "begin",
    "commit",
    "rollback",
    "flush",
    "expire_all",
    "new",
    "dirty",
    "deleted",
];

impl UnitOfWork {
    /// The pending changes in the order SQLAlchemy's unit of work sends them: table by table,
    /// parents first, each table's UPDATEs before its INSERTs; then the DELETEs, children first
    /// (`order` gives each table's place, parents first). Within that, the order they were made.
    pub fn flush_order(&self, order: impl Fn(&str) -> usize) -> Vec<Pending> {
        let mut changes: Vec<(usize, Pending)> = self.pending.iter().cloned().enumerate().collect();
        changes.sort_by_key(|(seq, p)| {
            let place = order(&p.table);
            match p.change {
                Change::Dirty => (0, place, 0, *seq),
                Change::New => (0, place, 1, *seq),
                Change::Deleted => (1, usize::MAX - place, 0, *seq),
            }
        });
        changes.into_iter().map(|(_, p)| p).collect()
    }

    /// A pending DELETE supersedes the pending UPDATEs of the same row: SQLAlchemy deletes an
    /// object it was about to change with the DELETE alone.
    pub fn delete_supersedes(&mut self, delete: &Statement) {
        let Statement::Delete(gone) = delete else {
            return;
        };
        self.pending.retain(|p| match &p.statement {
            Statement::Update(update) => {
                !(p.change == Change::Dirty
                    && update.table == gone.table
                    && update.filter.is_some()
                    && update.filter == gone.filter)
            }
            _ => true,
        });
    }
}

impl Session {
    /// Whether session mode is on.
    pub fn in_session_mode(&self) -> bool {
        self.unit.is_some()
    }

    /// `:session on|off`.
    pub(crate) fn session_switch(
        &mut self,
        argument: &str,
        span: Span,
        trace: &mut Trace,
    ) -> Result<Outcome> {
        match argument {
            "on" => self.session_call("begin", span, trace),
            "off" => {
                if self.unit.as_ref().is_some_and(|u| !u.pending.is_empty()) {
                    return Err(
                        Error::new(ErrorKind::Sql, span, "there are pending changes")
                            .with_hint("session.commit() or session.rollback() first"),
                    );
                }
                if self.db.in_transaction() {
                    self.send_control(Statement::Commit, span, trace)?;
                }
                self.unit = None;
                trace.note(
                    NoteKind::Session,
                    "session mode off: each statement is saved on its own again",
                );
                Ok(Outcome::None)
            }
            "" => {
                let state = if self.unit.is_some() { "on" } else { "off" };
                trace.note(NoteKind::Session, format!("session mode is {state}"));
                Ok(Outcome::None)
            }
            other => Err(Error::new(
                ErrorKind::Type,
                span,
                format!(":session takes on or off, not '{other}'"),
            )),
        }
    }

    /// `session.begin()`, `session.commit()`, … and `session.new`, ….
    pub(crate) fn session_call(
        &mut self,
        name: &str,
        span: Span,
        trace: &mut Trace,
    ) -> Result<Outcome> {
        if self.unit.is_none() && matches!(name, "commit" | "rollback" | "flush") {
            return self.session_call_outside(name, span, trace);
        }
        if name != "begin" && self.unit.is_none() {
            return Err(Error::new(
                ErrorKind::Sql,
                span,
                format!("session.{name} needs session mode"),
            )
            .with_hint("start it with session.begin() or :session on"));
        }
        match name {
            "begin" => {
                if self.unit.is_some() {
                    return Err(Error::new(
                        ErrorKind::Sql,
                        span,
                        "session mode is already on",
                    ));
                }
                if self.db.in_transaction() {
                    return Err(Error::new(
                        ErrorKind::Sql,
                        span,
                        "a transaction is already open: commit or rollback it first",
                    ));
                }
                self.send_control(Statement::Begin, span, trace)?;
                self.unit = Some(UnitOfWork::default());
                trace.note(
                    NoteKind::Session,
                    "session mode on: writes wait as pending changes until a query (autoflush), session.flush() or session.commit()",
                );
                Ok(Outcome::None)
            }
            "flush" => {
                let sent = self.flush_atomically(span, trace)?;
                trace.note(
                    NoteKind::Session,
                    format!("flush: {sent} pending change(s) sent, in dependency order"),
                );
                Ok(Outcome::None)
            }
            "commit" => {
                let sent = self.flush_atomically(span, trace)?;
                if self.db.in_transaction() {
                    self.send_control(Statement::Commit, span, trace)?;
                }
                self.expire_all();
                trace.note(NoteKind::Session, format!(
                    "commit: {sent} pending change(s) flushed and saved; every object is expired and will be read again"
                ));
                Ok(Outcome::None)
            }
            "rollback" => {
                let discarded = self.unit.as_ref().map_or(0, |u| u.pending.len());
                if let Some(unit) = self.unit.as_mut() {
                    unit.pending.clear();
                }
                if self.db.in_transaction() {
                    self.send_control(Statement::Rollback, span, trace)?;
                }
                self.expire_all();
                trace.note(
                    NoteKind::Session,
                    format!(
                    "rollback: {discarded} pending change(s) discarded; the database is as it was"
                ),
                );
                Ok(Outcome::None)
            }
            "expire_all" => {
                self.expire_all();
                trace.note(
                    NoteKind::Session,
                    "every object is expired: the next read of each sends a query",
                );
                Ok(Outcome::None)
            }
            "new" | "dirty" | "deleted" => Ok(self.pending_rows(name)),
            other => Err(Error::name(span, format!("the session has no '{other}'"))
                .with_hint(suggestion(other, SESSION_METHODS.iter().copied()))),
        }
    }

    fn expire_all(&mut self) {
        self.identity.expire_all();
    }

    fn pending_rows(&self, which: &str) -> Outcome {
        let wanted = match which {
            "new" => Change::New,
            "dirty" => Change::Dirty,
            _ => Change::Deleted,
        };
        let rows = self
            .unit
            .iter()
            .flat_map(|u| u.pending.iter())
            .filter(|p| p.change == wanted)
            .map(|p| {
                vec![
                    Value::Text(p.table.clone()),
                    Value::Text(render(&p.statement).display),
                ]
            })
            .collect();
        Outcome::Rows {
            table: None,
            columns: vec!["table".into(), "pending SQL".into()],
            rows,
            more: 0,
        }
    }

    fn send_control(&mut self, statement: Statement, span: Span, trace: &mut Trace) -> Result<()> {
        send_control(&self.db, &statement, span, trace)
    }

    /// In session mode with no transaction open (after a commit or rollback), opens one, as
    /// SQLAlchemy's session begins again by itself.
    pub(crate) fn autobegin(&mut self, span: Span, trace: &mut Trace) -> Result<()> {
        if self.unit.is_some() && !self.db.in_transaction() {
            self.send_control(Statement::Begin, span, trace)?;
        }
        Ok(())
    }

    /// A flush that happens completely or not at all: on a failure nothing of it stays in the
    /// database and every change is still pending.
    fn flush_atomically(&mut self, span: Span, trace: &mut Trace) -> Result<usize> {
        self.autobegin(span, trace)?;
        let before = self.unit.clone();
        self.db
            .savepoint()
            .map_err(|e| Error::new(ErrorKind::Sql, span, e.message))?;
        match self.flush(span, trace) {
            Ok(sent) => {
                self.db
                    .release()
                    .map_err(|e| Error::new(ErrorKind::Sql, span, e.message))?;
                Ok(sent)
            }
            Err(e) => {
                let _ = self.db.rollback_to();
                self.unit = before;
                Err(e.with_hint("the flush was undone and every change is still pending: fix it, or session.rollback()"))
            }
        }
    }

    /// Sends every pending change in dependency order; the number sent.
    pub(crate) fn flush(&mut self, span: Span, trace: &mut Trace) -> Result<usize> {
        match self.unit.as_mut() {
            Some(unit) => flush_pending(
                &self.registry,
                &self.db,
                trace,
                unit,
                &mut self.identity,
                span,
            ),
            None => Ok(0),
        }
    }
}

/// Sends a unit of work's pending changes in dependency order (in a transaction, begun when
/// none is open); afterwards nothing is pending, and the unit of work holds no object any more
/// (a flush does not expire: commit does).
pub(crate) fn flush_pending(
    registry: &crate::mapper::Registry,
    db: &crate::db::Database,
    trace: &mut Trace,
    unit: &mut UnitOfWork,
    identity: &mut IdentityMap,
    span: Span,
) -> Result<usize> {
    if unit.pending.is_empty() {
        return Ok(0);
    }
    let order: Vec<String> = registry
        .metadata
        .tables()
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let ordered = unit.flush_order(|t| order.iter().position(|o| o == t).unwrap_or(order.len()));
    if !db.in_transaction() {
        send_control(db, &Statement::Begin, span, trace)?;
    }
    for pending in &ordered {
        send(
            registry,
            db,
            trace,
            &pending.statement,
            &pending.table,
            &pending.written,
            pending.span,
        )?;
    }
    unit.pending.clear();
    identity.flushed();
    Ok(ordered.len())
}

impl Session {
    /// `session.commit()`, `session.rollback()`, `session.flush()` outside session mode, as
    /// SQLAlchemy does them: an open transaction (`begin`) ends; with none, each statement
    /// was already saved as it ran, so there is nothing to do.
    pub(crate) fn session_call_outside(
        &mut self,
        name: &str,
        span: Span,
        trace: &mut Trace,
    ) -> Result<Outcome> {
        let verb = match name {
            "commit" => crate::syntax::ast::TransactionVerb::Commit,
            "rollback" => crate::syntax::ast::TransactionVerb::Rollback,
            _ => {
                trace.note(
                    NoteKind::Session,
                    "flush: nothing is pending outside session mode; each statement is sent as it runs",
                );
                return Ok(Outcome::None);
            }
        };
        if self.db.in_transaction() {
            return self.transaction(verb, span, trace);
        }
        trace.note(NoteKind::Session, format!(
            "session.{name}(): nothing to do: outside session mode (:session on or session.begin()) each statement is saved as it runs"
        ));
        Ok(Outcome::None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{Delete, Insert, Update};

    fn pending(change: Change, table: &str) -> Pending {
        let statement = match change {
            Change::Deleted => Statement::Delete(Delete {
                table: table.into(),
                filter: None,
            }),
            _ => Statement::Insert(Insert {
                table: table.into(),
                columns: Vec::new(),
                values: Vec::new(),
            }),
        };
        Pending {
            change,
            table: table.into(),
            statement,
            written: Vec::new(),
            span: Span::default(),
        }
    }

    /// What a flush sends, in order, with students the parent of classes.
    fn flushed(unit: &UnitOfWork) -> Vec<String> {
        let order = |t: &str| if t == "students" { 0 } else { 1 };
        unit.flush_order(order)
            .into_iter()
            .map(|p| format!("{:?} {}", p.change, p.table))
            .collect()
    }

    #[test]
    fn each_table_is_updated_then_inserted_into_parents_first() {
        let mut dirty = pending(Change::Dirty, "students");
        dirty.statement = Statement::Update(Update {
            table: "students".into(),
            set: Vec::new(),
            filter: None,
        });
        let unit = UnitOfWork {
            pending: vec![
                pending(Change::New, "classes"),
                pending(Change::New, "students"),
                dirty,
                pending(Change::Dirty, "classes"),
            ],
        };
        assert_eq!(
            flushed(&unit),
            [
                "Dirty students",
                "New students",
                "Dirty classes",
                "New classes",
            ]
        );
    }

    #[test]
    fn a_delete_supersedes_the_pending_update_of_its_row_only() {
        let row = |id: i64| {
            Some(crate::sql::Expr::eq(
                crate::sql::Expr::column("students", "id"),
                crate::sql::Expr::value(Value::Integer(id)),
            ))
        };
        let update = |id: i64| Pending {
            statement: Statement::Update(Update {
                table: "students".into(),
                set: Vec::new(),
                filter: row(id),
            }),
            ..pending(Change::Dirty, "students")
        };
        let mut unit = UnitOfWork {
            pending: vec![update(13), update(14)],
        };
        unit.delete_supersedes(&Statement::Delete(Delete {
            table: "students".into(),
            filter: row(13),
        }));
        assert_eq!(unit.pending.len(), 1);
        assert!(matches!(&unit.pending[0].statement, Statement::Update(u) if u.filter == row(14)));
    }

    #[test]
    fn parents_are_inserted_first_and_deleted_last() {
        let unit = UnitOfWork {
            pending: vec![
                pending(Change::Deleted, "students"),
                pending(Change::New, "classes"),
                pending(Change::Deleted, "classes"),
                pending(Change::New, "students"),
            ],
        };
        assert_eq!(
            flushed(&unit),
            [
                "New students",
                "New classes",
                "Deleted classes",
                "Deleted students",
            ]
        );
    }
}
