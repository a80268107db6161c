//! The session: the one front door every front end uses. It takes a statement's text, runs it
//! through the stages (syntax → mapper → sql → render → db), atomically, and answers with the
//! result, every SQL statement it sent, and notes for the learner.

mod commands;
mod connection;
mod constraint;
mod declare;
mod face;
mod identity;
mod persist;
mod unit;

pub use crate::answer::{Binding, Executed, Note, NoteKind, Outcome, Response};
pub use crate::translate::{OBJECT_METHODS, QUERY_METHODS};

use crate::answer::Trace;
use crate::translate::Eval;
use connection::{send_control, Connection};

use crate::db::Database;
use crate::error::{Error, ErrorKind, Result, Span};
use crate::mapper::Registry;
use crate::result::RowSink;
use crate::seed;
use crate::sql::Statement as SqlStatement;
use crate::syntax::{self, ast};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where the database lives and how big it starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A file, or in memory when none.
    pub db_path: Option<PathBuf>,
    /// Students to make (the default School when none).
    pub scale: Option<u64>,
    /// Refuse every write.
    pub read_only: bool,
}

/// A learner's session on one School database.
pub struct Session {
    registry: Registry,
    db: Database,
    vars: BTreeMap<String, Binding>,
    options: Options,
    /// The unit of work, in session mode.
    unit: Option<unit::UnitOfWork>,
    /// The objects the session holds (in either mode), as SQLAlchemy's identity map.
    identity: identity::IdentityMap,
    /// What to tell the learner on opening.
    notices: Vec<String>,
    /// Whether the file was not made by ormscope (so `:reset` must not rewrite it).
    foreign_file: bool,
    /// How many rows of a statement's final plain query to keep (see [`Session::set_window`]).
    window: Option<usize>,
    /// Where a statement's final plain query sends its rows (see [`Session::set_sink`]).
    sink: Option<Box<dyn RowSink>>,
    /// Statements' SQLAlchemy faces, remembered by their text; forgotten whenever the
    /// registry changes.
    faces: face::FaceMemo,
    /// Whether answers carry the mapper's steps in plain words (see
    /// [`Session::set_mapping_steps`]).
    explain_mapping: bool,
}

impl Session {
    /// Fetches only what a view shows: a statement whose result is a plain query keeps its
    /// first `keep` rows and only counts the rest (`Outcome::Rows::more`), so showing a
    /// million rows takes flat memory. `None` (the default) keeps every row.
    pub fn set_window(&mut self, keep: Option<usize>) {
        self.window = keep;
    }

    /// Sends the rows of every statement's final plain query to `sink` as SQLite gives them,
    /// instead of keeping them in the answer (`--json` writes them straight out); the answer
    /// then holds the rows the sink gave back and counts the others (`Outcome::Rows::more`).
    pub fn set_sink(&mut self, sink: Option<Box<dyn RowSink>>) {
        self.sink = sink;
    }

    /// Whether answers carry what the mapper did in plain words (`Response::mapping`, which
    /// the view and transcripts show); on by default, off for `--json`, which has no place
    /// for them.
    pub fn set_mapping_steps(&mut self, on: bool) {
        self.explain_mapping = on;
    }

    /// The rows kept of a plain query's result, if only a window is fetched.
    pub fn window(&self) -> Option<usize> {
        self.window
    }

    /// Opens the School: in memory, or the file in `options` (made when missing), or any
    /// SQLite file, mapped as automap would (see [`persist`]).
    pub fn open(mut options: Options) -> Result<Session> {
        let opened = persist::open_database(&mut options)?;
        let (registry, mut db) = (opened.registry, opened.db);
        guard(&mut db, &registry, &options)
            .map_err(|e| Error::new(ErrorKind::Io, Span::default(), e.message))?;
        Ok(Session {
            registry,
            db,
            vars: BTreeMap::new(),
            options,
            unit: None,
            identity: identity::IdentityMap::default(),
            notices: opened.notices,
            foreign_file: opened.foreign_file,
            window: None,
            sink: None,
            faces: face::FaceMemo::default(),
            explain_mapping: true,
        })
    }

    /// The database file, when the session is on one (none in memory, also for a database
    /// made from an SQL script).
    pub fn file(&self) -> Option<&std::path::Path> {
        if self.db.server().is_some() {
            return None;
        }
        self.options
            .db_path
            .as_deref()
            .filter(|p| !persist::is_sql_script(p))
    }

    /// The PostgreSQL server the session runs on (its URL without the password), if it does.
    pub fn server(&self) -> Option<&str> {
        self.db.server().map(|s| s.place.as_str())
    }

    /// The SQL script the database was made from in memory (`--db library.sql`), if it was.
    pub fn script(&self) -> Option<&std::path::Path> {
        self.options
            .db_path
            .as_deref()
            .filter(|p| persist::is_sql_script(p))
    }

    /// What to tell the learner on opening: what was mapped from a file ormscope did not make,
    /// and options that had no effect.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// The mapped classes and tables.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The names bound so far.
    pub fn variables(&self) -> &BTreeMap<String, Binding> {
        &self.vars
    }

    /// Whether an explicit transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.db.in_transaction()
    }

    /// Rolls back a transaction left open; true when there was one.
    pub fn close(&mut self) -> bool {
        let open = self.db.in_transaction();
        if open {
            let _ = self.db.rollback();
        }
        open
    }

    /// Runs one statement and answers (meta commands such as `:tables` are the shell's).
    pub fn run(&mut self, input: &str) -> Response {
        self.run_parsed(input, syntax::parse_statement(input))
    }

    /// [`Session::run`] for a statement parsed already (read ahead, see
    /// [`syntax::ahead`]): `parsed` is what [`syntax::parse_statement`] gives for `input`.
    pub fn run_parsed(&mut self, input: &str, parsed: Option<Result<ast::Statement>>) -> Response {
        let face = self.remembered_face_of(input, parsed.as_ref());
        let mut trace = Trace::default();
        self.db.start_clock();
        let outcome = match parsed {
            None => Err(meta_command_here(input)),
            Some(parsed) => self.run_statement(input, parsed, &mut trace),
        };
        self.db.stop_clock();
        if outcome.is_err() {
            trace.notes.retain(|n| !n.kind.undone_by_rollback());
        }
        let mut response = trace.into_response(input, outcome);
        response.sqlalchemy = face;
        response
    }

    fn run_statement(
        &mut self,
        input: &str,
        parsed: Result<ast::Statement>,
        trace: &mut Trace,
    ) -> Result<Outcome> {
        let statement = parsed?;
        match statement {
            ast::Statement::Empty => Ok(Outcome::None),
            ast::Statement::Transaction(verb, span) => self.transaction(verb, span, trace),
            other => {
                if let Some(outcome) = self.session_statement(&other, trace) {
                    return outcome;
                }
                if let Some(span) = declaration_span(&other) {
                    if self.db.is_read_only() {
                        return Err(commands::read_only_refusal(span, self.db.read_only_why()));
                    }
                    self.outside_transaction(span)?;
                }
                self.autobegin(Span::default(), trace)?;
                let pending_before = self.unit.clone();
                let held_before = self.identity.clone();
                let result = self.atomically(trace, |session, trace| {
                    session.execute(&other, input, trace)
                });
                if result.is_err() {
                    self.unit = pending_before;
                    self.identity = held_before;
                }
                self.settle_identity();
                result
            }
        }
    }

    /// Runs `work` inside a savepoint: all of it happens, or none of it.
    fn atomically(
        &mut self,
        trace: &mut Trace,
        work: impl FnOnce(&mut Session, &mut Trace) -> Result<Outcome>,
    ) -> Result<Outcome> {
        self.db
            .savepoint()
            .map_err(|e| connection::sql_error(&e, Span::default()))?;
        let result = work(self, trace);
        let finish = if result.is_ok() {
            self.db.release()
        } else {
            self.db.rollback_to()
        };
        match (result, finish) {
            (Ok(_), Err(e)) => {
                let _ = self.db.rollback_to();
                Err(connection::sql_error(&e, Span::default()))
            }
            (result, _) => result,
        }
    }

    /// Runs a statement and then undoes it: its SQL and result, with the database and the
    /// names left exactly as they were (for `:help` examples and translations).
    pub fn preview(&mut self, input: &str) -> Response {
        let face = self.sqlalchemy_face(input);
        let vars = self.vars.clone();
        let unit = self.unit.take();
        let identity = self.identity.clone();
        let mut trace = Trace::default();
        let outcome = match syntax::parse(input) {
            Ok(ast::Statement::Transaction(..)) => Ok(Outcome::None),
            Ok(statement) => match self.db.savepoint() {
                Ok(()) => {
                    let result = self.execute(&statement, input, &mut trace);
                    let _ = self.db.rollback_to();
                    result
                }
                Err(e) => Err(connection::sql_error(&e, Span::default())),
            },
            Err(e) => Err(e),
        };
        self.vars = vars;
        self.unit = unit;
        self.identity = identity;
        let mut response = trace.into_response(input, outcome);
        response.sqlalchemy = face;
        response
    }

    fn transaction(
        &mut self,
        verb: ast::TransactionVerb,
        span: Span,
        trace: &mut Trace,
    ) -> Result<Outcome> {
        if self.unit.is_some() {
            return match verb {
                ast::TransactionVerb::Begin => Err(Error::new(
                    ErrorKind::Sql,
                    span,
                    "session mode already keeps a transaction open",
                )
                .with_hint("session.commit() or session.rollback() end it")),
                ast::TransactionVerb::Commit => self.session_call("commit", span, trace),
                ast::TransactionVerb::Rollback => self.session_call("rollback", span, trace),
            };
        }
        let open = self.db.in_transaction();
        let (statement, problem) = match verb {
            ast::TransactionVerb::Begin => (
                SqlStatement::Begin,
                open.then_some("a transaction is already open: commit or rollback it first"),
            ),
            ast::TransactionVerb::Commit => (
                SqlStatement::Commit,
                (!open).then_some("no transaction is open: start one with begin"),
            ),
            ast::TransactionVerb::Rollback => (
                SqlStatement::Rollback,
                (!open).then_some(
                    "no transaction is open: each statement was already saved on its own",
                ),
            ),
        };
        if let Some(problem) = problem {
            return Err(Error::new(ErrorKind::Sql, span, problem));
        }
        send_control(&self.db, &statement, span, trace)?;
        trace.note(
            NoteKind::Transaction,
            match verb {
                ast::TransactionVerb::Begin => {
                    "transaction open: later statements are kept together until commit or rollback"
                }
                ast::TransactionVerb::Commit => "transaction committed: its changes are saved",
                ast::TransactionVerb::Rollback => {
                    "transaction rolled back: the database is as it was at begin"
                }
            },
        );
        Ok(Outcome::None)
    }

    fn execute(
        &mut self,
        statement: &ast::Statement,
        source: &str,
        trace: &mut Trace,
    ) -> Result<Outcome> {
        match statement {
            ast::Statement::ClassDef {
                name,
                base,
                attributes,
                ..
            } => {
                let declaration = self.registry.declared_class(name, base, attributes)?;
                return self.declare(declaration, trace);
            }
            ast::Statement::Assign { target, value }
                if calls(value, "Table") && matches!(target.kind, ast::ExprKind::Name(_)) =>
            {
                if let ast::ExprKind::Call(_, args) = &value.kind {
                    let declaration = self.registry.declared_table(args, value.span)?;
                    return self.declare(declaration, trace);
                }
            }
            ast::Statement::Expr(value) if calls(value, "mapper") => {
                if let ast::ExprKind::Call(_, args) = &value.kind {
                    let declaration = self.registry.declared_mapper(args, value.span)?;
                    return self.declare(declaration, trace);
                }
            }
            _ => {}
        }
        let mut connection = Connection {
            reg: &self.registry,
            db: &self.db,
            unit: self.unit.as_mut(),
            identity: &mut self.identity,
        };
        let mut ev = Eval::new(&self.registry, &mut connection, &self.vars, trace, source);
        ev.window = self.window;
        ev.explain = self.explain_mapping;
        if let Some(sink) = self.sink.as_deref_mut() {
            ev.sink = Some(sink);
        }
        match statement {
            ast::Statement::Expr(expr) => {
                let val = ev.eval(expr)?;
                ev.outcome(val, expr.span)
            }
            ast::Statement::Delete(target) => ev.delete_statement(target),
            ast::Statement::Loop {
                var,
                iterable,
                body,
            } => ev.run_loop(var, iterable, body),
            ast::Statement::Assign { target, value } => {
                if let ast::ExprKind::Name(name) = &target.kind {
                    let binding = ev.bind(name, target.span, value)?;
                    self.vars.insert(name.clone(), binding);
                    Ok(Outcome::None)
                } else {
                    ev.assign(target, value)
                }
            }
            ast::Statement::Empty
            | ast::Statement::Transaction(..)
            | ast::Statement::ClassDef { .. } => Ok(Outcome::None),
        }
    }

    /// The end of a statement: the identity map forgets the objects no name and no pending
    /// change holds (or everything, when the statement committed a write).
    fn settle_identity(&mut self) {
        let named: Vec<identity::ObjectKey> = self
            .vars
            .values()
            .filter_map(|b| match b {
                Binding::Object(obj) => Some((obj.table.clone(), obj.key_text())),
                _ => None,
            })
            .collect();
        let lists: Vec<identity::CollectionKey> = self
            .vars
            .values()
            .filter_map(|b| match b {
                Binding::Collection(q) => q.parent.as_ref().map(|p| {
                    let owner = (p.obj.table.clone(), p.obj.key_text());
                    (owner, p.relationship.name.clone())
                }),
                _ => None,
            })
            .collect();
        self.identity.settle(named.iter(), lists.iter());
    }

    /// Throws the database away and makes the School again; names are forgotten.
    pub fn reset(&mut self) -> Result<()> {
        if self.db.in_transaction() {
            let _ = self.db.rollback();
        }
        if let Some(done) = self.reset_file_or_script() {
            return done;
        }
        let students = self.options.scale.unwrap_or(seed::DEFAULT_STUDENTS);
        let meta = &self.registry.metadata;
        let on_server = self.db.server().is_some();
        let remade = match self.file() {
            _ if on_server => self.db.create(meta, students),
            Some(_) => self
                .db
                .drop_tables(meta)
                .and_then(|_| self.db.create(meta, students)),
            None => Database::in_memory(meta, students).and_then(|mut db| {
                db.set_timeout(self.db.timeout());
                guard(&mut db, &self.registry, &self.options)?;
                self.db = db;
                Ok(())
            }),
        };
        remade.map_err(|e| connection::sql_error(&e, Span::default()))?;
        self.vars.clear();
        self.unit = None;
        self.identity.expire_all();
        Ok(())
    }
}

impl Session {
    /// `session.begin()`, `session.commit()`, `session.new`, …: the session object itself.
    fn session_statement(
        &mut self,
        statement: &ast::Statement,
        trace: &mut Trace,
    ) -> Option<Result<Outcome>> {
        let ast::Statement::Expr(expr) = statement else {
            return None;
        };
        let (member, called) = match &expr.kind {
            ast::ExprKind::Call(callee, args) if args.is_empty() => (&**callee, true),
            _ => (expr, false),
        };
        let ast::ExprKind::Member(base, ast::Member::Name(name)) = &member.kind else {
            return None;
        };
        if !matches!(&base.kind, ast::ExprKind::Name(n) if n == "session") {
            return None;
        }
        let is_method = !["new", "dirty", "deleted"].contains(&name.name.as_str());
        if is_method && !called {
            return Some(Err(Error::type_error(
                name.span,
                format!("session.{} is a method: call it with ()", name.name),
            )));
        }
        Some(self.session_call(&name.name, name.span, trace))
    }
}

/// Meta commands (`:tables`, `:sql` …) are the shell's: a bare session runs statements only.
fn meta_command_here(input: &str) -> Error {
    let command = input.split_whitespace().next().unwrap_or(":");
    Error::name(
        Span::new(0, command.len()),
        format!("{command} is a meta command: the shell runs it, not the session"),
    )
    .with_hint("run it through ormscope::shell (Shell::run, or shell::run_in for a bare session)")
}

/// Where a statement declares a class or table, if it does.
fn declaration_span(statement: &ast::Statement) -> Option<Span> {
    match statement {
        ast::Statement::ClassDef { name, .. } => Some(name.span),
        ast::Statement::Assign { value, .. } if calls(value, "Table") => Some(value.span),
        ast::Statement::Expr(value) if calls(value, "mapper") => Some(value.span),
        _ => None,
    }
}

/// Whether an expression is a call of the function `name` (`Table(...)`, `mapper(...)`).
fn calls(expr: &ast::Expr, name: &str) -> bool {
    matches!(&expr.kind, ast::ExprKind::Call(callee, _) if matches!(&callee.kind, ast::ExprKind::Name(n) if n == name))
}

/// Protects the School's tables from raw schema changes and applies `--read-only`.
fn guard(
    db: &mut Database,
    registry: &Registry,
    options: &Options,
) -> std::result::Result<(), crate::db::DbError> {
    db.protect(
        registry
            .metadata
            .tables()
            .iter()
            .map(|t| t.name.clone())
            .collect(),
    );
    db.set_read_only(options.read_only)
}

fn db_failure(message: &str) -> Error {
    Error::new(ErrorKind::Sql, Span::default(), message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mapper_steps_are_kept_unless_switched_off() {
        let mut session = Session::open(Options::default()).expect("the School opens");
        let kept = session.run("students[13].classes");
        assert!(kept.ok());
        assert!(
            kept.mapping.iter().any(|step| step.contains("Student 13")),
            "{:?}",
            kept.mapping
        );
        session.set_mapping_steps(false);
        let dropped = session.run("students[13].classes");
        assert!(dropped.mapping.is_empty(), "{:?}", dropped.mapping);
        assert_eq!(dropped.sql.len(), kept.sql.len(), "the same SQL either way");
    }
}
