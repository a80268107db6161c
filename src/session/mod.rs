//! The session: the one front door every front end uses. It takes a statement's text, runs it
//! through the stages (syntax → mapper → sql → render → db), atomically, and answers with the
//! result, every SQL statement it sent, and notes for the learner.

mod conditions;
mod constraint;
mod declare;
mod eval;
mod face;
mod loops;
mod meta;
mod unit;
mod writes;

pub use eval::{OBJECT_METHODS, QUERY_METHODS};
pub use meta::{COMMANDS as META_COMMANDS, FORMS};

use crate::db::Database;
use crate::error::{Error, ErrorKind, Result, Span};
use crate::mapper::query::{Obj, Query};
use crate::mapper::Registry;
use crate::render::{render, Rendered};
use crate::school;
use crate::seed;
use crate::sql::{Statement as SqlStatement, Value};
use crate::syntax::{self, ast};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One SQL statement as sent to SQLite.
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    /// The text with `?` placeholders.
    pub text: String,
    /// The bound values.
    pub params: Vec<Value>,
    /// The text with values inlined.
    pub display: String,
    /// Rows returned (a query) or changed (a write).
    pub rows: u64,
    /// How long SQLite took.
    pub elapsed: std::time::Duration,
    /// Whether SQLite refused or stopped it.
    pub failed: bool,
    /// The statement tree it was rendered from, to render it for another dialect (none for
    /// raw SQL from `:sql`).
    pub statement: Option<SqlStatement>,
}

/// What a statement gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Rows: a table's whole rows (`table` set) or selected columns.
    Rows {
        /// The table, when these are its whole rows.
        table: Option<String>,
        /// Column names.
        columns: Vec<String>,
        /// The rows.
        rows: Vec<Vec<Value>>,
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
    /// Every SQL statement sent, in order (also those of a failed statement).
    pub sql: Vec<Executed>,
    /// Plain-words notes: what cascaded, what was loaded.
    pub notes: Vec<String>,
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

impl Response {
    /// Whether the statement succeeded.
    pub fn ok(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// A value a name is bound to.
#[derive(Debug, Clone, PartialEq)]
pub enum Binding {
    /// An object (reloaded when used: each statement commits, which expires it).
    Object(Obj),
    /// A query, run again each time it is used.
    Query(Box<Query>),
    /// A plain value.
    Value(Value),
    /// None.
    Nothing,
}

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
    /// The unit of work and identity map, in session mode.
    unit: Option<unit::UnitOfWork>,
}

/// What a statement's evaluation collected besides its result.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    pub sql: Vec<Executed>,
    pub notes: Vec<String>,
    pub mapping: Vec<String>,
    pub text: Option<String>,
    pub faces: Vec<(String, String)>,
    started: Option<std::time::Instant>,
}

impl Trace {
    /// The answer to `input`, with everything the trace collected.
    fn into_response(self, input: &str, outcome: Result<Outcome>) -> Response {
        Response {
            input: input.to_string(),
            outcome,
            sql: self.sql,
            notes: self.notes,
            mapping: self.mapping,
            text: self.text,
            faces: self.faces,
            sqlalchemy: String::new(),
        }
    }

    /// Notes the time before a statement is sent.
    pub fn start(&mut self) {
        self.started = Some(std::time::Instant::now());
    }

    /// Records a statement sent, with the time since [`Trace::start`].
    pub fn record(&mut self, sql: &Rendered, rows: u64) {
        self.push(sql, rows, false);
    }

    /// Records a statement SQLite refused or stopped.
    pub fn record_failure(&mut self, sql: &Rendered) {
        self.push(sql, 0, true);
    }

    fn push(&mut self, sql: &Rendered, rows: u64, failed: bool) {
        let elapsed = self.started.take().map(|t| t.elapsed()).unwrap_or_default();
        self.sql.push(Executed {
            text: sql.text.clone(),
            params: sql.params.clone(),
            display: sql.display.clone(),
            rows,
            elapsed,
            failed,
            statement: sql.statement.clone(),
        });
    }
}

impl Session {
    /// Opens the School: in memory, or the file in `options` (made when missing).
    pub fn open(options: Options) -> Result<Session> {
        let registry = school::registry();
        let students = options.scale.unwrap_or(seed::DEFAULT_STUDENTS);
        let db = match &options.db_path {
            Some(path) => Database::file(path, &registry.metadata, students),
            None => Database::in_memory(&registry.metadata, students),
        }
        .map_err(|e| Error::new(ErrorKind::Io, Span::default(), e.message))?;
        let mut db = db;
        guard(&mut db, &registry, &options)
            .map_err(|e| Error::new(ErrorKind::Io, Span::default(), e.message))?;
        Ok(Session {
            registry,
            db,
            vars: BTreeMap::new(),
            options,
            unit: None,
        })
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
            let _ = self.db.control("ROLLBACK");
        }
        open
    }

    /// Runs one statement (or meta command) and answers.
    pub fn run(&mut self, input: &str) -> Response {
        let parsed = (!input.trim_start().starts_with(':')).then(|| syntax::parse(input));
        let face = self.face_of(input, parsed.as_ref());
        let mut trace = Trace::default();
        self.db.start_clock();
        let outcome = match parsed {
            None => meta::run(self, input.trim(), &mut trace),
            Some(parsed) => self.run_statement(input, parsed, &mut trace),
        };
        self.db.stop_clock();
        if outcome.is_err() {
            trace
                .notes
                .retain(|n| !UNDONE_NOTES.iter().any(|p| n.starts_with(p)));
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
                    self.outside_transaction(span)?;
                }
                self.autobegin(Span::default(), trace)?;
                let pending_before = self.unit.clone();
                let result = self.atomically(trace, |session, trace| {
                    session.execute(&other, input, trace)
                });
                if result.is_err() {
                    self.unit = pending_before;
                }
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
        self.db.savepoint().map_err(|e| db_failure(&e.message))?;
        let result = work(self, trace);
        let finish = if result.is_ok() {
            self.db.release()
        } else {
            self.db.rollback_to()
        };
        match (result, finish) {
            (Ok(_), Err(e)) => {
                let _ = self.db.rollback_to();
                Err(db_failure(&e.message))
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
        let mut trace = Trace::default();
        let outcome = match syntax::parse(input) {
            Ok(ast::Statement::Transaction(..)) => Ok(Outcome::None),
            Ok(statement) => match self.db.savepoint() {
                Ok(()) => {
                    let result = self.execute(&statement, input, &mut trace);
                    let _ = self.db.rollback_to();
                    result
                }
                Err(e) => Err(db_failure(&e.message)),
            },
            Err(e) => Err(e),
        };
        self.vars = vars;
        self.unit = unit;
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
        trace.notes.push(
            match verb {
                ast::TransactionVerb::Begin => {
                    "transaction open: later statements are kept together until commit or rollback"
                }
                ast::TransactionVerb::Commit => "transaction committed: its changes are saved",
                ast::TransactionVerb::Rollback => {
                    "transaction rolled back: the database is as it was at begin"
                }
            }
            .to_string(),
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
                return self.declare_class(name, base, attributes, trace);
            }
            ast::Statement::Assign { target, value }
                if calls(value, "Table") && matches!(target.kind, ast::ExprKind::Name(_)) =>
            {
                if let ast::ExprKind::Call(_, args) = &value.kind {
                    return self.declare_table(args, value.span, trace);
                }
            }
            ast::Statement::Expr(value) if calls(value, "mapper") => {
                if let ast::ExprKind::Call(_, args) = &value.kind {
                    return self.declare_mapper(args, value.span, trace);
                }
            }
            _ => {}
        }
        let mut ev = eval::Eval::new(
            &self.registry,
            &self.db,
            &self.vars,
            trace,
            source,
            self.unit.as_mut(),
        );
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

    /// Throws the database away and makes the School again; names are forgotten.
    pub fn reset(&mut self) -> Result<()> {
        if self.db.in_transaction() {
            let _ = self.db.control("ROLLBACK");
        }
        let students = self.options.scale.unwrap_or(seed::DEFAULT_STUDENTS);
        let meta = &self.registry.metadata;
        let remade = match self.options.db_path {
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
        remade.map_err(|e| db_failure(&e.message))?;
        self.vars.clear();
        self.unit = None;
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

/// Sends `BEGIN`, `COMMIT` or `ROLLBACK`, recording it.
pub(crate) fn send_control(
    db: &Database,
    statement: &SqlStatement,
    span: Span,
    trace: &mut Trace,
) -> Result<()> {
    let sql = render(statement);
    trace.start();
    db.control(&sql.text)
        .map_err(|e| Error::new(ErrorKind::Sql, span, e.message))?;
    trace.record(&sql, 0);
    Ok(())
}

/// Notes about work a failed statement did, which its rollback undid.
const UNDONE_NOTES: &[&str] = &[
    "ON DELETE",
    "new ",
    "pending in",
    "autoflush",
    "this statement sent",
];

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
