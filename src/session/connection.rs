//! The session as the translator's database: the one path from a statement tree to SQLite
//! (render → trace → db), with session mode's unit of work in between. Failures come back in
//! the learner's words.

use super::constraint::explain;
use super::identity::{IdentityMap, ObjectKey};
use super::unit::{Change, Pending, UnitOfWork};
use crate::answer::{NoteKind, Trace};
use crate::db::{Database, DbError};
use crate::error::{Error, ErrorKind, Result, Span};
use crate::mapper::query::Obj;
use crate::mapper::Registry;
use crate::render::{render, Rendered};
use crate::result::{Changes, RowSink, Rows};
use crate::schema::OnDelete;
use crate::sql::{Delete, Expr as Sql, Select, Statement, Value};
use crate::translate::{Assignment, Executor, Sending};

/// The database and, in session mode, the unit of work, for the length of one statement.
pub(crate) struct Connection<'s> {
    /// The mapped classes, to explain constraint failures and order a flush.
    pub reg: &'s Registry,
    /// The database.
    pub db: &'s Database,
    /// The unit of work, in session mode.
    pub unit: Option<&'s mut UnitOfWork>,
    /// The objects the session holds.
    pub identity: &'s mut IdentityMap,
}

impl Executor for Connection<'_> {
    fn autoflush(&mut self, trace: &mut Trace, span: Span) -> Result<usize> {
        match self.unit.as_deref_mut() {
            Some(unit) => {
                super::unit::flush_pending(self.reg, self.db, trace, unit, self.identity, span)
            }
            None => Ok(0),
        }
    }

    fn query(&mut self, select: Select, trace: &mut Trace, span: Span) -> Result<Rows> {
        let sql = self
            .db
            .render(Statement::Select(select), &self.reg.metadata);
        run(trace, sql, |sql| self.db.query(sql), |rows| rows.rows.len())
            .map_err(|e| sql_error(&e, span))
    }

    fn query_each(
        &mut self,
        select: Select,
        table: Option<&str>,
        sink: &mut dyn RowSink,
        trace: &mut Trace,
        span: Span,
    ) -> Result<(Rows, u64)> {
        let sql = self
            .db
            .render(Statement::Select(select), &self.reg.metadata);
        run(
            trace,
            sql,
            |sql| self.db.query_each(sql, table, sink),
            |(rows, passed)| rows.rows.len() + *passed as usize,
        )
        .map_err(|e| sql_error(&e, span))
    }

    fn write(
        &mut self,
        statement: Statement,
        sending: Sending,
        written: &[Assignment],
        trace: &mut Trace,
        span: Span,
    ) -> Result<Changes> {
        let table = sending.table();
        match (sending, self.unit.as_deref_mut()) {
            (Sending::Objects(_), Some(unit)) => {
                keep_pending(unit, statement, table, written, trace, span);
                return Ok(Changes {
                    pending: true,
                    ..Changes::default()
                });
            }
            (Sending::Bulk(_), unit) => {
                self.identity.expire_table(table);
                if unit.is_none() {
                    self.identity.committed();
                }
            }
            (Sending::Objects(_), None) => self.identity.committed(),
        }
        send(self.reg, self.db, trace, &statement, table, written, span)
    }

    fn commits(&mut self) {
        if self.unit.is_none() {
            self.identity.committed();
        }
    }

    fn collection(&self, owner: &Obj, relationship: &str) -> Option<Vec<Vec<Value>>> {
        self.identity.collection(&object_key(owner), relationship)
    }

    fn keep_collection(&mut self, owner: &Obj, relationship: &str, members: &[Obj]) {
        let members = members.iter().map(object_key).collect();
        self.identity
            .keep_collection(object_key(owner), relationship, members);
    }

    fn expire_collection(&mut self, owner: &Obj, relationship: &str) {
        self.identity
            .expire_collection(&object_key(owner), relationship);
    }

    fn identity(&self, table: &str, key: &str) -> Option<Vec<Value>> {
        self.identity.get(table, key).cloned()
    }

    fn keep(&mut self, table: &str, key: &str, row: Vec<Value>) {
        self.identity.keep(table, key, row);
    }

    fn release(&mut self, table: &str, key: &str) -> bool {
        self.identity.release(table, key)
    }

    fn changed(&mut self, table: &str, key: &str, row: Option<Vec<Value>>) {
        if self.unit.is_some() {
            self.identity.changed_pending(table, key, row);
        } else {
            self.identity.expire(table, key);
        }
    }

    fn session_mode(&self) -> bool {
        self.unit.is_some()
    }

    fn stopped(&self, span: Span) -> Result<()> {
        self.db.stopped().map_err(|e| sql_error(&e, span))
    }
}

/// An object's place in the identity map.
fn object_key(obj: &Obj) -> ObjectKey {
    (obj.table.clone(), obj.key_text())
}

/// Session mode: a write waits in the unit of work, and the learner is told so.
fn keep_pending(
    unit: &mut UnitOfWork,
    statement: Statement,
    table: &str,
    written: &[Assignment],
    trace: &mut Trace,
    span: Span,
) {
    let change = match statement {
        Statement::Insert(_) => Change::New,
        Statement::Delete(_) => Change::Deleted,
        _ => Change::Dirty,
    };
    let display = render(&statement).display;
    unit.delete_supersedes(&statement);
    unit.pending.push(Pending {
        change,
        table: table.to_string(),
        statement,
        written: written.to_vec(),
        span,
    });
    let list = match change {
        Change::New => "session.new",
        Change::Dirty => "session.dirty",
        Change::Deleted => "session.deleted",
    };
    trace.note(
        NoteKind::Pending,
        format!("pending in {list}, not sent yet: {display}"),
    );
}

/// Sends one rendered statement, recording it (or its failure) in the trace.
fn run<T>(
    trace: &mut Trace,
    sql: Rendered,
    send: impl FnOnce(&Rendered) -> std::result::Result<T, DbError>,
    count: impl FnOnce(&T) -> usize,
) -> std::result::Result<T, DbError> {
    trace.start();
    match send(&sql) {
        Ok(done) => {
            trace.record(sql, count(&done) as u64);
            Ok(done)
        }
        Err(e) => {
            trace.record_failure(sql);
            Err(e)
        }
    }
}

/// Sends one write, records it, and explains a failure in the schema's terms.
pub(crate) fn send(
    reg: &Registry,
    db: &Database,
    trace: &mut Trace,
    statement: &Statement,
    table: &str,
    written: &[Assignment],
    span: Span,
) -> Result<Changes> {
    let sql = db.render(statement.clone(), &reg.metadata);
    run(trace, sql, |sql| db.execute(sql), |c| c.affected as usize).map_err(|e| {
        match reg.metadata.table(table) {
            Some(t) if e.is_constraint() => {
                let explained = explain(reg, t, &e, written, span);
                match statement {
                    Statement::Delete(delete) if written.is_empty() => {
                        name_referrers(reg, db, delete, explained)
                    }
                    _ => explained,
                }
            }
            _ => sql_error(&e, span),
        }
    })
}

/// A DELETE that rows of other tables still refer to (no `ON DELETE` rule lets it through):
/// the error names each referring column and how many rows refer, also through rows the
/// delete would have cascaded to (`Track.AlbumId` under an `Album` deleted with its `Artist`).
/// Counted with queries of ormscope's own after the refusal, which are not the learner's SQL
/// and are not listed, as the savepoint around each statement is not.
fn name_referrers(reg: &Registry, db: &Database, delete: &Delete, explained: Error) -> Error {
    let keys = |table: &str, column: &str, filter: Option<Sql>| {
        let mut select = Select::columns(table, &[column]);
        select.filter = filter;
        select
    };
    let mut found = Vec::new();
    let mut deleted = vec![(delete.table.clone(), delete.filter.clone(), 0)];
    while let Some((table, filter, depth)) = deleted.pop() {
        for child in reg.metadata.tables() {
            for column in &child.columns {
                let Some(fk) = column.foreign_key.as_ref().filter(|fk| fk.table == table) else {
                    continue;
                };
                let refers = Sql::InSelect(
                    Box::new(Sql::column(&child.name, &column.name)),
                    Box::new(keys(&table, &fk.column, filter.clone())),
                    false,
                );
                match fk.on_delete {
                    OnDelete::Restrict => {
                        let mut count = Select::count(&child.name);
                        count.filter = Some(refers);
                        let sql = db.render(Statement::Select(count), &reg.metadata);
                        let n = db.query(&sql).ok().and_then(|rows| {
                            match rows.rows.first().and_then(|r| r.first()) {
                                Some(Value::Integer(n)) => Some(*n),
                                _ => None,
                            }
                        });
                        if let Some(n) = n.filter(|n| *n > 0) {
                            let via = if depth > 0 {
                                format!(", through rows of {table} deleted with it")
                            } else {
                                String::new()
                            };
                            found.push(format!(
                                "{}.{} ({n} row{}{via})",
                                reg.class_name(&child.name),
                                column.name,
                                if n == 1 { "" } else { "s" }
                            ));
                        }
                    }
                    OnDelete::Cascade if depth < 4 && child.name != table => {
                        deleted.push((child.name.clone(), Some(refers), depth + 1));
                    }
                    _ => {}
                }
            }
        }
    }
    if found.is_empty() {
        return explained;
    }
    let class = reg.class_name(&delete.table);
    let mut error = Error::new(
        ErrorKind::Constraint,
        explained.span,
        format!(
            "FOREIGN KEY: rows of other tables still refer to the {class} being deleted: {}",
            found.join(", ")
        ),
    );
    error.hint = Some(
        "delete or change those rows first: their ON DELETE rule is NO ACTION, so the database refuses the delete".into(),
    );
    error
}

/// Sends `BEGIN`, `COMMIT` or `ROLLBACK`, recording it.
pub(crate) fn send_control(
    db: &Database,
    statement: &Statement,
    span: Span,
    trace: &mut Trace,
) -> Result<()> {
    let sql = render(statement);
    run(trace, sql, |sql| db.control(&sql.text), |_| 0)
        .map_err(|e| Error::new(ErrorKind::Sql, span, e.message))
}

/// A failure SQLite reported for a query, in plain words.
pub(crate) fn sql_error(e: &DbError, span: Span) -> Error {
    if e.explained {
        // A database that cannot be reached (a server gone, reconnecting failed) is the
        // contract's `io`; the rest of what a backend explained is `sql`.
        let kind = match e.code {
            Some(rusqlite::ErrorCode::CannotOpen) => ErrorKind::Io,
            _ => ErrorKind::Sql,
        };
        return Error::new(kind, span, e.message.clone());
    }
    if matches!(
        e.code,
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    ) {
        return Error::new(
            ErrorKind::Sql,
            span,
            "the database file is locked by another program that is writing to it (ormscope waited a few seconds for it); nothing was changed",
        )
        .with_hint("try the statement again when that program is done");
    }
    if e.code == Some(rusqlite::ErrorCode::OperationInterrupted) {
        return Error::new(
            ErrorKind::Sql,
            span,
            "the statement was interrupted before it finished; nothing was changed",
        );
    }
    let kind = if e.is_constraint() {
        ErrorKind::Constraint
    } else {
        ErrorKind::Sql
    };
    Error::new(
        kind,
        span,
        format!("SQLite refused the statement: {}", e.message),
    )
}
