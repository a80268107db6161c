//! Stage 5, db: runs rendered SQL on SQLite (rusqlite) and reports rows, changes and failures.
//!
//! Every row change, including those made by `ON DELETE` rules, is counted per table through
//! SQLite's update hook, so a delete can say what cascaded. Raw SQL runs under the [`sandbox`]
//! rules, and a statement that runs too long is stopped.
//!
//! The same `Database` can instead run on a PostgreSQL server ([`postgres`]): then every
//! method below goes to that backend, and statements are rendered in its dialect
//! ([`Database::render`]).

mod math;
pub mod postgres;
pub mod reflect;
pub mod sandbox;

pub use crate::result::{compare_rows, Changes, Rows};
use crate::result::{FirstRows, RowSink, Stepped};

use crate::render::{self, render, Rendered};
use crate::schema::MetaData;
use crate::seed;
use crate::sql::{PragmaValue, Select, Statement, Value};
use rusqlite::config::DbConfig;
use rusqlite::hooks::Action;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A failure reported by SQLite.
#[derive(Debug, Clone, PartialEq)]
pub struct DbError {
    /// SQLite's primary error code, when it gave one.
    pub code: Option<rusqlite::ErrorCode>,
    /// SQLite's message (or the sandbox's reason).
    pub message: String,
    /// Whether the message already says what happened in the learner's words (a refusal by
    /// the sandbox, or the time limit).
    pub explained: bool,
}

impl DbError {
    /// Whether a constraint (NOT NULL, UNIQUE, CHECK, FOREIGN KEY) failed.
    pub fn is_constraint(&self) -> bool {
        self.code == Some(rusqlite::ErrorCode::ConstraintViolation)
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        let code = e.sqlite_error_code();
        let message = match &e {
            rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
            other => other.to_string(),
        };
        DbError {
            code,
            message,
            explained: false,
        }
    }
}

type ChangeLog = Arc<Mutex<BTreeMap<String, u64>>>;

/// An open School database.
pub struct Database {
    conn: Connection,
    changes: ChangeLog,
    refusal: sandbox::Refusal,
    read_only: bool,
    /// Why writes are refused, for the refusal's words.
    read_only_why: &'static str,
    protected: Vec<String>,
    timeout: Option<Duration>,
    deadline: Arc<Mutex<Option<Instant>>>,
    timed_out: Arc<AtomicBool>,
    interrupted: Arc<AtomicBool>,
    /// The PostgreSQL server the session runs on, when it runs on one (`conn` is then an
    /// empty in-memory database nothing is sent to).
    pg: Option<Box<postgres::Postgres>>,
    /// Statement savepoints asked for, and how many of them are open in SQLite.
    savepoints: Cell<Savepoints>,
    /// The file, for a file database (to name it when it cannot be written).
    path: Option<PathBuf>,
    /// Whether the learner's transaction (`begin`, or session mode) is open in SQLite: when a
    /// failed write makes SQLite roll it back, the learner is told.
    begun: Cell<bool>,
}

/// The savepoints around statements: one is opened in SQLite only when the statement first
/// writes (a read needs no undo) or sends its second query (so a loop's many reads share one
/// transaction, one lock of the file and one snapshot), so a single read costs no SAVEPOINT and
/// RELEASE at all.
#[derive(Debug, Clone, Copy, Default)]
struct Savepoints {
    asked: u32,
    opened: u32,
    /// Queries sent since the innermost savepoint was asked for.
    reads: u32,
}

/// The name of the savepoint each statement runs in.
const SAVEPOINT: &str = "statement";

/// The SQL of the savepoint around each statement (open, keep, undo), rendered once.
struct SavepointSql {
    open: String,
    release: String,
    rollback_to: String,
}

fn savepoint_sql() -> &'static SavepointSql {
    static SQL: OnceLock<SavepointSql> = OnceLock::new();
    SQL.get_or_init(|| {
        let text = |s: Statement| render(&s).text;
        SavepointSql {
            open: text(Statement::Savepoint(SAVEPOINT.into())),
            release: text(Statement::Release(SAVEPOINT.into())),
            rollback_to: text(Statement::RollbackTo(SAVEPOINT.into())),
        }
    })
}

/// `PRAGMA name = ON` (or `OFF`), as SQL text.
fn setting(name: &str, on: bool) -> String {
    render::pragma(name, Some(PragmaValue::Switch(on)))
}

/// Stops the statement that is running, from another thread (Ctrl-C): SQLite stops the SQL
/// it is running, and every later SQL of the same statement is refused before it starts, so
/// a loop of many short queries stops at once too. The session then rolls the statement back.
#[derive(Clone)]
pub struct Interrupter {
    handle: Arc<rusqlite::InterruptHandle>,
    interrupted: Arc<AtomicBool>,
    /// On PostgreSQL: has the server cancel the running query (and the connection shut when
    /// the server does not answer).
    cancel: Option<postgres::watch::Stopper>,
}

impl Interrupter {
    /// Stops the running statement.
    pub fn interrupt(&self) {
        self.interrupted.store(true, Ordering::SeqCst);
        self.handle.interrupt();
        if let Some(cancel) = &self.cancel {
            cancel.interrupt();
        }
    }
}

/// What an interrupted statement says.
pub const INTERRUPTED: &str =
    "the statement was stopped (Ctrl-C) before it finished; nothing was changed";

/// How long a statement may run before it is stopped, unless changed with `:timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The first words of a statement stopped by its time limit.
fn ran_too_long(limit: Option<Duration>) -> String {
    let limit = limit.map_or(0, |t| t.as_secs());
    format!("the statement ran longer than {limit} s and was stopped")
}

impl Database {
    /// A fresh in-memory School with `students` students.
    pub fn in_memory(meta: &MetaData, students: u64) -> Result<Database, DbError> {
        let mut db = Database::wrap(Connection::open_in_memory()?)?;
        db.create(meta, students)?;
        Ok(db)
    }

    /// A file database: created and filled when `path` does not exist, opened as it is when it does.
    pub fn file(path: &Path, meta: &MetaData, students: u64) -> Result<Database, DbError> {
        check_path(path)?;
        if path.exists() {
            let mut db = Database::wrap(Connection::open(path).map_err(|e| not_opened(path, e))?)
                .map_err(|e| not_read(path, e))?;
            db.path = Some(path.to_path_buf());
            let probe = render(&Statement::Select(Select::count("sqlite_master")));
            db.conn
                .query_row(&probe.text, [], |_| Ok(()))
                .map_err(|e| not_read(path, DbError::from(e)))?;
            return Ok(db);
        }
        // Made in a file of its own beside `path`, then renamed into place: the School at
        // `path` is complete or absent, however the process ends (Ctrl-C, kill, power).
        let making = making_beside(path);
        forget_unfinished(&making);
        let opened = Connection::open(&making).map_err(|e| not_made(path, e));
        let made = opened.and_then(Database::wrap).and_then(|mut db| {
            db.path = Some(path.to_path_buf());
            db.create(meta, students).map_err(|e| db.written(e))?;
            Ok(db)
        });
        match made {
            Ok(db) => {
                drop(db);
                std::fs::rename(&making, path).map_err(|e| DbError {
                    code: None,
                    message: format!("cannot put the new School at {}: {e}", path.display()),
                    explained: true,
                })?;
                let mut db =
                    Database::wrap(Connection::open(path).map_err(|e| not_opened(path, e))?)?;
                db.path = Some(path.to_path_buf());
                Ok(db)
            }
            Err(e) => {
                forget_unfinished(&making);
                Err(e)
            }
        }
    }

    /// A fresh in-memory database made by running an SQL script of `CREATE TABLE` and
    /// `INSERT` statements (a course's or a demo's own dataset); the script is only read.
    pub fn from_sql(path: &Path) -> Result<Database, DbError> {
        let text = std::fs::read_to_string(path).map_err(|e| DbError {
            code: None,
            message: format!("cannot read {}: {e}", path.display()),
            explained: true,
        })?;
        let mut db = Database::wrap(Connection::open_in_memory()?)?;
        // A script someone else wrote runs in the sandbox: it makes and fills its in-memory
        // copy, and reaches no file (ATTACH, VACUUM INTO), extension or setting beyond it.
        let rules = sandbox::Rules::dataset();
        db.conn
            .authorizer(Some(sandbox::authorizer(rules, Arc::clone(&db.refusal))))?;
        let ran = db.conn.execute_batch(&text).map_err(|e| {
            let mut err = db.fail(e);
            err.message = format!("{}: its SQL failed: {}", path.display(), err.message);
            err.explained = true;
            err
        });
        db.conn.authorizer(
            None::<fn(rusqlite::hooks::AuthContext<'_>) -> rusqlite::hooks::Authorization>,
        )?;
        ran?;
        Ok(db)
    }

    /// The School on a PostgreSQL server (`postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME`), in
    /// schema `ormscope`: made when missing (or when `reset`), used as it is when present.
    pub fn postgres(
        url: &str,
        meta: &MetaData,
        students: u64,
        reset: bool,
    ) -> Result<Database, DbError> {
        let server = postgres::Postgres::connect(url, meta, students, reset)?;
        server.set_timeout(Some(DEFAULT_TIMEOUT))?;
        let mut db = Database::wrap(Connection::open_in_memory()?)?;
        db.pg = Some(Box::new(server));
        Ok(db)
    }

    /// The PostgreSQL backend, when the session runs on a server.
    pub fn server(&self) -> Option<&postgres::Postgres> {
        self.pg.as_deref()
    }

    /// The SQL dialect statements run in.
    pub fn dialect(&self) -> render::Dialect {
        match self.pg {
            Some(_) => render::Dialect::Postgresql,
            None => render::Dialect::Sqlite,
        }
    }

    /// A statement rendered for this database's dialect.
    pub fn render(&self, statement: Statement, meta: &MetaData) -> Rendered {
        match self.pg {
            Some(_) => render::render_tree(statement, render::Dialect::Postgresql, Some(meta)),
            None => render::render_tree(statement, render::Dialect::Sqlite, None),
        }
    }

    /// A table's `CREATE TABLE` and `CREATE INDEX` statements in this database's dialect.
    pub fn create_table(&self, table: &crate::schema::Table, meta: &MetaData) -> Vec<Rendered> {
        let mut statements = vec![Statement::CreateTable(table.clone())];
        statements.extend(table.indexes().into_iter().map(Statement::CreateIndex));
        statements
            .into_iter()
            .map(|s| self.render(s, meta))
            .collect()
    }

    /// A failure from the server, with the clock's or Ctrl-C's reason when one stopped it.
    fn fail_pg(&self, mut err: DbError) -> DbError {
        if let Some(pg) = &self.pg {
            err = pg.name_check(err);
        }
        if err.code != Some(rusqlite::ErrorCode::OperationInterrupted) || err.explained {
            return err;
        }
        err.explained = true;
        err.message = if self.interrupted.load(Ordering::SeqCst) {
            INTERRUPTED.to_string()
        } else {
            format!(
                "{}; nothing was changed (:timeout changes the limit)",
                ran_too_long(self.timeout)
            )
        };
        err
    }

    fn wrap(conn: Connection) -> Result<Database, DbError> {
        conn.execute_batch(&setting("foreign_keys", true))?;
        // The query planner's stability guarantee: a plan does not depend on the values bound to
        // it. Without it SQLite marks statements such as `... WHERE year = ? LIMIT ?` to be
        // prepared again whenever they are reused from the cache, which cost every paged or
        // filtered statement a fresh compile; and `:explain` shows the one plan that always runs.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        math::register(&conn)?;
        let mut db = Database {
            conn,
            changes: Arc::default(),
            refusal: Arc::default(),
            read_only: false,
            read_only_why: sandbox::READ_ONLY_FLAG,
            protected: Vec::new(),
            timeout: Some(DEFAULT_TIMEOUT),
            deadline: Arc::default(),
            timed_out: Arc::default(),
            interrupted: Arc::default(),
            pg: None,
            savepoints: Cell::default(),
            path: None,
            begun: Cell::new(false),
        };
        db.count_changes(true)?;
        let (deadline, timed_out) = (Arc::clone(&db.deadline), Arc::clone(&db.timed_out));
        let interrupted = Arc::clone(&db.interrupted);
        db.conn.progress_handler(
            10_000,
            Some(move || {
                if interrupted.load(Ordering::SeqCst) {
                    return true;
                }
                let late = deadline
                    .lock()
                    .map(|d| d.is_some_and(|d| Instant::now() > d))
                    .unwrap_or(false);
                if late {
                    timed_out.store(true, Ordering::SeqCst);
                }
                late
            }),
        )?;
        Ok(db)
    }

    /// Sets the tables whose schema raw SQL may not change.
    pub fn protect(&mut self, tables: Vec<String>) {
        self.protected = tables;
    }

    /// Makes every later statement read-only (or not).
    pub fn set_read_only(&mut self, read_only: bool) -> Result<(), DbError> {
        if let Some(pg) = &self.pg {
            self.read_only = read_only;
            return pg.set_read_only(read_only);
        }
        self.read_only = read_only;
        self.apply_rules(false)
    }

    /// Whether writes are refused.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Notes that the session is read-only because its file is (read-only on disk), for
    /// refusals to say so instead of naming `--read-only`.
    pub fn read_only_because_of_the_file(&mut self) {
        self.read_only_why = sandbox::READ_ONLY_FILE;
    }

    /// Why writes are refused: `--read-only`, or the file is read-only on disk.
    pub fn read_only_why(&self) -> &'static str {
        self.read_only_why
    }

    /// How long a statement may run (none: no limit).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
        if let Some(pg) = &self.pg {
            let _ = pg.set_timeout(timeout);
        }
    }

    /// The current limit on a statement's running time.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// What stops this database's running statement from another thread (Ctrl-C).
    pub fn interrupter(&self) -> Interrupter {
        Interrupter {
            handle: Arc::new(self.conn.get_interrupt_handle()),
            interrupted: Arc::clone(&self.interrupted),
            cancel: self.pg.as_ref().map(|pg| pg.stopper()),
        }
    }

    /// The reason the running statement must stop now (Ctrl-C, or its time is up), checked
    /// before each SQL statement and between a loop's rounds.
    pub fn stopped(&self) -> Result<(), DbError> {
        let late = self
            .deadline
            .lock()
            .map(|d| d.is_some_and(|d| Instant::now() > d))
            .unwrap_or(false);
        if !self.interrupted.load(Ordering::SeqCst) && !late {
            return Ok(());
        }
        if late {
            self.timed_out.store(true, Ordering::SeqCst);
        }
        Err(self.fail(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_INTERRUPT),
            None,
        )))
    }

    /// Starts the clock for a statement's time limit (and forgets an earlier Ctrl-C).
    pub fn start_clock(&self) {
        self.timed_out.store(false, Ordering::SeqCst);
        self.interrupted.store(false, Ordering::SeqCst);
        let deadline = self.timeout.and_then(|t| Instant::now().checked_add(t));
        if let Ok(mut d) = self.deadline.lock() {
            *d = deadline;
        }
        if let Some(pg) = &self.pg {
            pg.set_deadline(deadline);
        }
    }

    /// Stops the clock.
    pub fn stop_clock(&self) {
        if let Ok(mut d) = self.deadline.lock() {
            *d = None;
        }
        if let Some(pg) = &self.pg {
            pg.set_deadline(None);
        }
    }

    fn apply_rules(&mut self, raw: bool) -> Result<(), DbError> {
        if !raw && !self.read_only {
            self.conn.authorizer(
                None::<fn(rusqlite::hooks::AuthContext<'_>) -> rusqlite::hooks::Authorization>,
            )?;
            return Ok(());
        }
        let rules = sandbox::Rules {
            protected: self.protected.clone(),
            read_only: self.read_only.then_some(self.read_only_why),
            raw,
            dataset: false,
        };
        self.conn
            .authorizer(Some(sandbox::authorizer(rules, Arc::clone(&self.refusal))))?;
        Ok(())
    }

    /// A failure from SQLite, with the sandbox's or the clock's reason when one of them stopped it.
    fn fail(&self, e: rusqlite::Error) -> DbError {
        let mut err = DbError::from(e);
        if let Some(why) = self.refusal.lock().ok().and_then(|mut r| r.take()) {
            err.message = why;
            err.explained = true;
        } else if self.interrupted.load(Ordering::SeqCst) {
            err.code = Some(rusqlite::ErrorCode::OperationInterrupted);
            err.message = INTERRUPTED.to_string();
            err.explained = true;
        } else if self.timed_out.swap(false, Ordering::SeqCst) {
            err.message = format!(
                "{}; nothing was changed (:timeout changes the limit)",
                ran_too_long(self.timeout)
            );
            err.explained = true;
        }
        self.written(err)
    }

    /// A failure to write the database file, in the learner's words: a file or folder this
    /// user may not write, or a file that cannot grow (a file-size limit, a full disk). The
    /// statement's savepoint is then undone, so nothing of it is left half written.
    fn written(&self, mut err: DbError) -> DbError {
        use rusqlite::ErrorCode::{DiskFull, ReadOnly, SystemIoFailure};
        if err.explained {
            return err;
        }
        let file = self.path.as_deref();
        let full = match err.code {
            Some(ReadOnly) => false,
            Some(DiskFull) => true,
            Some(SystemIoFailure) if self.no_room() => true,
            _ => return err,
        };
        // A failed write may make SQLite roll back the whole transaction, the learner's too.
        let lost = self.begun.get() && self.conn.is_autocommit();
        if lost {
            self.begun.set(false);
        }
        err.message = if full {
            cannot_grow(file, lost)
        } else {
            not_writable(file, lost)
        };
        err.explained = true;
        err
    }

    /// Whether SQLite's last failure was a write the system refused for want of room: past
    /// the file-size limit (EFBIG, with SIGXFSZ ignored), a full disk or a full quota.
    fn no_room(&self) -> bool {
        #[cfg(unix)]
        {
            // SAFETY: the handle is this open connection's and lives as long as `self.conn`;
            // sqlite3_system_errno only reads the error SQLite kept on it.
            let errno = unsafe { rusqlite::ffi::sqlite3_system_errno(self.conn.handle()) };
            [libc::EFBIG, libc::ENOSPC, libc::EDQUOT].contains(&errno)
        }
        #[cfg(not(unix))]
        false
    }

    /// Starts or stops counting changed rows per table (stopped while seeding: millions of rows).
    fn count_changes(&mut self, on: bool) -> Result<(), DbError> {
        if !on {
            self.conn.update_hook(None::<fn(Action, &str, &str, i64)>)?;
            return Ok(());
        }
        let log = Arc::clone(&self.changes);
        self.conn
            .update_hook(Some(move |_: Action, _: &str, table: &str, _: i64| {
                if let Ok(mut map) = log.lock() {
                    *map.entry(table.to_string()).or_default() += 1;
                }
            }))?;
        Ok(())
    }

    /// Creates the tables and their indexes and fills them, in one transaction.
    pub fn create(&mut self, meta: &MetaData, students: u64) -> Result<(), DbError> {
        if let Some(pg) = &self.pg {
            return pg.create(meta, students);
        }
        let tx = self.conn.transaction()?;
        for table in meta.tables() {
            for statement in render::create_table(table) {
                tx.execute_batch(&statement.text)?;
            }
        }
        tx.commit()?;
        self.count_changes(false)?;
        let seeded = seed::seed(&mut self.conn, students);
        self.count_changes(true)?;
        seeded?;
        Ok(())
    }

    /// Drops the given tables (children first) so they can be created again.
    pub fn drop_tables(&mut self, meta: &MetaData) -> Result<(), DbError> {
        if self.pg.is_some() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        tx.execute_batch(&setting("defer_foreign_keys", true))?;
        for table in meta.tables().iter().rev() {
            let drop = Statement::DropTable {
                table: table.name.clone(),
                if_exists: true,
            };
            tx.execute_batch(&render(&drop).text)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Runs a query and returns its rows.
    pub fn query(&self, sql: &Rendered) -> Result<Rows, DbError> {
        if let Some(pg) = &self.pg {
            self.stopped()?;
            return pg.query(sql).map_err(|e| self.fail_pg(e));
        }
        self.query_text(&sql.text, &sql.params)
    }

    /// Runs a query and hands each row to `sink` as SQLite gives it: the rows the sink gives
    /// back are kept, the others only counted (the second value), so memory stays flat however
    /// many rows there are.
    pub fn query_each(
        &self,
        sql: &Rendered,
        table: Option<&str>,
        sink: &mut dyn RowSink,
    ) -> Result<(Rows, u64), DbError> {
        if let Some(pg) = &self.pg {
            self.stopped()?;
            return pg.query_each(sql, table, sink).map_err(|e| self.fail_pg(e));
        }
        self.stopped()?;
        self.read_rows_into(&sql.text, &sql.params, table, sink)
            .map_err(|e| self.fail(e))
    }

    fn query_text(&self, text: &str, params: &[Value]) -> Result<Rows, DbError> {
        self.stopped()?;
        self.read_rows(text, params).map_err(|e| self.fail(e))
    }

    fn read_rows(&self, text: &str, params: &[Value]) -> rusqlite::Result<Rows> {
        let mut all = FirstRows::new(usize::MAX);
        self.read_rows_into(text, params, None, &mut all)
            .map(|(rows, _)| rows)
    }

    fn read_rows_into(
        &self,
        text: &str,
        params: &[Value],
        table: Option<&str>,
        sink: &mut dyn RowSink,
    ) -> rusqlite::Result<(Rows, u64)> {
        self.count_read();
        let mut stmt = self.conn.prepare_cached(text)?;
        let columns: Vec<String> = (0..stmt.column_count())
            .map(|i| {
                stmt.column_name(i)
                    .map_or_else(|_| String::new(), str::to_owned)
            })
            .collect();
        sink.begin(table, &columns);
        let n = columns.len();
        let mut stepped = Stepped::default();
        let mut cursor = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        while let Some(row) = cursor.next()? {
            stepped.step(sink, || {
                (0..n)
                    .map(|i| row.get_ref(i).map(from_sql))
                    .collect::<rusqlite::Result<Vec<Value>>>()
            })?;
        }
        Ok((
            Rows {
                columns,
                rows: stepped.rows,
            },
            stepped.passed,
        ))
    }

    /// Runs a write and reports what it changed.
    pub fn execute(&self, sql: &Rendered) -> Result<Changes, DbError> {
        if let Some(pg) = &self.pg {
            self.stopped()?;
            return pg.execute(sql).map_err(|e| self.fail_pg(e));
        }
        self.stopped()?;
        self.open_savepoints()?;
        self.take_changes();
        let affected = self
            .conn
            .prepare_cached(&sql.text)
            .and_then(|mut stmt| stmt.execute(rusqlite::params_from_iter(sql.params.iter())))
            .map_err(|e| self.fail(e))?;
        Ok(Changes {
            affected: affected as u64,
            last_insert_id: self.conn.last_insert_rowid(),
            per_table: self.take_changes(),
            pending: false,
        })
    }

    /// The server's plan of a statement (an `EXPLAIN` query), asked with no more rights than
    /// raw SQL has; on SQLite the plan is read from the connection itself.
    pub fn explain(&self, explain: &Rendered) -> Result<Rows, DbError> {
        match &self.pg {
            Some(pg) => {
                self.stopped()?;
                pg.explain(explain, self.read_only)
                    .map_err(|e| self.fail_pg(e))
            }
            None => self.query(explain),
        }
    }

    /// Runs one raw SQL statement typed by the user, under the sandbox's rules: for a query,
    /// its rows handed to `sink` as they come (the kept ones, and how many passed); for a
    /// write, what it changed.
    pub fn raw(
        &mut self,
        text: &str,
        sink: &mut dyn RowSink,
    ) -> Result<(Option<(Rows, u64)>, Changes), DbError> {
        if let Some(pg) = &self.pg {
            postgres::sandbox::check(text, self.read_only)?;
            self.stopped()?;
            return pg
                .raw(text, self.read_only, sink)
                .map_err(|e| self.fail_pg(e));
        }
        self.open_savepoints()?;
        self.apply_rules(true)?;
        let result = self.raw_unguarded(text, sink);
        self.apply_rules(false)?;
        result
    }

    fn raw_unguarded(
        &self,
        text: &str,
        sink: &mut dyn RowSink,
    ) -> Result<(Option<(Rows, u64)>, Changes), DbError> {
        self.take_changes();
        let mut stmt = self.conn.prepare(text).map_err(|e| self.fail(e))?;
        if stmt.column_count() > 0 {
            drop(stmt);
            self.stopped()?;
            let rows = self
                .read_rows_into(text, &[], None, sink)
                .map_err(|e| self.fail(e))?;
            let per_table = self.take_changes();
            let affected = per_table.values().sum();
            return Ok((
                Some(rows),
                Changes {
                    affected,
                    last_insert_id: 0,
                    per_table,
                    pending: false,
                },
            ));
        }
        let affected = stmt.execute([]).map_err(|e| self.fail(e))? as u64;
        Ok((
            None,
            Changes {
                affected,
                last_insert_id: self.conn.last_insert_rowid(),
                per_table: self.take_changes(),
                pending: false,
            },
        ))
    }

    fn take_changes(&self) -> BTreeMap<String, u64> {
        self.changes
            .lock()
            .map(|mut m| std::mem::take(&mut *m))
            .unwrap_or_default()
    }

    /// Opens a savepoint around one statement (in SQLite, when the statement first writes).
    pub fn savepoint(&self) -> Result<(), DbError> {
        if let Some(pg) = &self.pg {
            return pg.savepoint();
        }
        let mut sp = self.savepoints.get();
        sp.asked += 1;
        sp.reads = 0;
        self.savepoints.set(sp);
        Ok(())
    }

    /// Opens in SQLite the savepoints asked for: before anything that writes or asks about
    /// the transaction.
    fn open_savepoints(&self) -> Result<(), DbError> {
        let mut sp = self.savepoints.get();
        while sp.opened < sp.asked {
            self.run_cached(&savepoint_sql().open)?;
            sp.opened += 1;
            self.savepoints.set(sp);
        }
        Ok(())
    }

    /// Runs one of the savepoint statements, prepared once and kept in the statement cache.
    fn run_cached(&self, sql: &str) -> Result<(), DbError> {
        let ran = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut statement| statement.execute([]));
        ran.map(|_| ()).map_err(|e| self.written(e.into()))
    }

    /// Counts a query of the current statement; its second opens the statement's savepoint.
    fn count_read(&self) {
        let mut sp = self.savepoints.get();
        if sp.opened < sp.asked {
            sp.reads += 1;
            self.savepoints.set(sp);
            if sp.reads >= 2 {
                let _ = self.open_savepoints();
            }
        }
    }

    /// Whether the innermost savepoint asked for is open in SQLite.
    fn innermost_open(&self) -> bool {
        let sp = self.savepoints.get();
        sp.opened == sp.asked && sp.opened > 0
    }

    /// Forgets the innermost savepoint, once released or rolled back.
    fn close_innermost(&self, was_open: bool) {
        let mut sp = self.savepoints.get();
        sp.asked = sp.asked.saturating_sub(1);
        if was_open {
            sp.opened = sp.opened.saturating_sub(1);
        }
        self.savepoints.set(sp);
    }

    /// Keeps what the statement did.
    pub fn release(&self) -> Result<(), DbError> {
        if let Some(pg) = &self.pg {
            return pg.release();
        }
        let open = self.innermost_open();
        if open {
            self.run_cached(&savepoint_sql().release)?;
        }
        self.close_innermost(open);
        Ok(())
    }

    /// Undoes what the statement did.
    pub fn rollback_to(&self) -> Result<(), DbError> {
        if let Some(pg) = &self.pg {
            return pg.rollback_to();
        }
        let open = self.innermost_open();
        if open {
            let undo = || -> Result<(), DbError> {
                self.conn.execute_batch(&savepoint_sql().rollback_to)?;
                self.run_cached(&savepoint_sql().release)
            };
            // A Ctrl-C that lands on the rollback itself must not leave the statement half done.
            if let Err(e) = undo().or_else(|_| undo()) {
                if !self.conn.is_autocommit() {
                    return Err(e);
                }
                // SQLite rolled the whole transaction back by itself (a write refused past the
                // file-size limit or on a full disk does): no savepoint is left to undo.
                let mut sp = self.savepoints.get();
                sp.opened = 0;
                self.savepoints.set(sp);
                self.close_innermost(false);
                return Ok(());
            }
        }
        self.close_innermost(open);
        Ok(())
    }

    /// Runs a transaction-control or schema statement (`BEGIN`, `COMMIT`, `CREATE TABLE`),
    /// rendered from its tree.
    pub fn control(&self, sql: &str) -> Result<(), DbError> {
        if let Some(pg) = &self.pg {
            return pg.control(sql);
        }
        self.open_savepoints()?;
        self.conn
            .execute_batch(sql)
            .map_err(|e| self.written(e.into()))?;
        let sent = sql.trim();
        if sent == render(&Statement::Begin).text {
            self.begun.set(true);
        } else if self.conn.is_autocommit() {
            self.begun.set(false);
        }
        Ok(())
    }

    /// Rolls back the open transaction.
    pub fn rollback(&self) -> Result<(), DbError> {
        self.control(&render(&Statement::Rollback).text)
    }

    /// Whether an explicit transaction is open.
    pub fn in_transaction(&self) -> bool {
        if let Some(pg) = &self.pg {
            return pg.in_transaction();
        }
        // Inside a statement, its savepoint counts as a transaction, opened or not.
        let _ = self.open_savepoints();
        !self.conn.is_autocommit()
    }

    /// Every row of each of these tables, sorted, to compare two databases.
    pub fn dump(&self, tables: &[String]) -> Result<BTreeMap<String, Vec<Vec<Value>>>, DbError> {
        let mut out = BTreeMap::new();
        for table in tables {
            let mut rows = self
                .query(&render(&Statement::Select(Select::star(table))))?
                .rows;
            rows.sort_by(|a, b| compare_rows(a, b));
            out.insert(table.clone(), rows);
        }
        Ok(out)
    }

    /// The underlying connection, for the schema views and tests (inside a statement, with
    /// its savepoint open, as whatever is done with it may write).
    pub fn connection(&self) -> &Connection {
        let _ = self.open_savepoints();
        &self.conn
    }
}

/// Where a new School for `path` is made before it is renamed into place: a hidden file in the
/// same folder (a rename within one folder is atomic).
fn making_beside(path: &Path) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.ormscope-making"))
}

/// Removes what an unfinished making of a School left (a killed process leaves the file and
/// its journal, which SQLite would otherwise take as a hot journal of the next one).
fn forget_unfinished(making: &Path) {
    let _ = std::fs::remove_file(making);
    for suffix in ["-journal", "-wal", "-shm"] {
        let mut side = making.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(side));
    }
}

/// A path that cannot be a database file: a folder, or a file in a folder that is not there.
fn check_path(path: &Path) -> Result<(), DbError> {
    let problem = if path.is_dir() {
        Some(format!(
            "{} is a folder, not a database file (give a file name, e.g. --db school.db)",
            path.display()
        ))
    } else {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty() && !p.is_dir())
            .map(|p| {
                format!(
                    "cannot make {}: the folder {} does not exist",
                    path.display(),
                    p.display()
                )
            })
    };
    match problem {
        Some(message) => Err(DbError {
            code: None,
            message,
            explained: true,
        }),
        None => Ok(()),
    }
}

/// The error for a new School's file that could not be made: most often a folder this user
/// may not write.
fn not_made(path: &Path, e: rusqlite::Error) -> DbError {
    let folder = folder_of(path);
    let mut err = DbError::from(e);
    if !may_write(folder) {
        err.message = format!(
            "cannot make {}: the folder {} cannot be written by this user; give a path in a folder of your own (or fix the folder's permissions)",
            path.display(),
            folder.display()
        );
        err.explained = true;
    }
    err
}

/// The folder that holds `path` (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    }
}

/// Whether this user may write `path` (a file, or a folder: make files in it).
fn may_write(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let Ok(name) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
            return true;
        };
        // SAFETY: access reads the NUL-terminated name, which lives across the call.
        unsafe { libc::access(name.as_ptr(), libc::W_OK) == 0 }
    }
    #[cfg(not(unix))]
    {
        !std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly())
    }
}

/// What the learner is told when SQLite may not write the database: the file or its folder
/// this user cannot write, and what to do.
fn not_writable(file: Option<&Path>, lost: bool) -> String {
    let what = match file {
        None => "the database cannot be written (SQLite opened it read-only)".to_string(),
        Some(file) if !may_write(file) => format!(
            "{} cannot be written by this user (its owner or its permissions let you only read it)",
            file.display()
        ),
        Some(file) if !may_write(folder_of(file)) => format!(
            "the folder {} cannot be written by this user, and SQLite writes its journal there, beside {}",
            folder_of(file).display(),
            file.display()
        ),
        Some(file) => format!(
            "{} cannot be written (SQLite found it read-only)",
            file.display()
        ),
    };
    let name = file.map_or_else(|| "it".to_string(), |f| f.display().to_string());
    format!(
        "{what}; nothing was changed{}. To only read {name}, open it with --read-only; to change it, fix the permissions, or copy it to a folder of your own and open the copy",
        rolled_back(lost)
    )
}

/// What is said when SQLite rolled the learner's open transaction back with a failed write.
fn rolled_back(lost: bool) -> &'static str {
    if lost {
        ", and SQLite rolled the open transaction back: every change made in it since begin is gone"
    } else {
        ""
    }
}

/// What the learner is told when the database file could not grow.
fn cannot_grow(file: Option<&Path>, lost: bool) -> String {
    let name = file.map_or_else(
        || "the database file".to_string(),
        |f| f.display().to_string(),
    );
    format!(
        "{name} cannot grow: a file-size limit (ulimit -f) or a full disk stopped the write, and nothing of it was kept{} (free some space or raise the limit, then try again)",
        rolled_back(lost)
    )
}

/// The error for a file SQLite could not open.
fn not_opened(path: &Path, e: rusqlite::Error) -> DbError {
    let mut err = DbError::from(e);
    err.message = format!("cannot open {}: {}", path.display(), err.message);
    err
}

/// The error for a file that opened but could not be read as a database.
fn not_read(path: &Path, mut err: DbError) -> DbError {
    use rusqlite::ErrorCode::*;
    err.message = match err.code {
        Some(DatabaseBusy | DatabaseLocked) => format!(
            "{} is locked by another program that is writing to it; try again when it is done",
            path.display()
        ),
        Some(NotADatabase) => format!(
            "{} is not an SQLite database (SQLite says: {}); nothing was changed",
            path.display(),
            err.message
        ),
        _ => format!("cannot read {}: {}", path.display(), err.message),
    };
    err
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Integer(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(r) => ToSqlOutput::Borrowed(ValueRef::Real(*r)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn from_sql(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(match std::str::from_utf8(t) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(t).into_owned(),
        }),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::render;
    use crate::school;
    use crate::sql::{Delete, Expr, Statement};

    fn school() -> Database {
        match Database::in_memory(&school::metadata(), seed::DEFAULT_STUDENTS) {
            Ok(db) => db,
            Err(e) => panic!("could not make the School: {e:?}"),
        }
    }

    fn count(db: &Database, sql: &str) -> i64 {
        db.conn.query_row(sql, [], |r| r.get(0)).unwrap_or(-1)
    }

    fn delete_student(id: i64) -> Rendered {
        render(&Statement::Delete(Delete {
            table: "students".into(),
            filter: Some(Expr::eq(
                Expr::column("students", "id"),
                Expr::value(Value::Integer(id)),
            )),
        }))
    }

    #[test]
    fn a_statement_that_only_reads_opens_no_savepoint_and_a_write_opens_it_first() {
        let db = school();
        db.savepoint().expect("asked");
        let rows = db.query_text("SELECT count(*) FROM students", &[]);
        assert!(rows.is_ok());
        assert!(db.conn.is_autocommit(), "a read alone opened a transaction");
        db.execute(&delete_student(13)).expect("delete works");
        assert!(
            !db.conn.is_autocommit(),
            "the write ran outside the savepoint"
        );
        db.rollback_to().expect("undone");
        assert!(db.conn.is_autocommit());
        assert_eq!(count(&db, "SELECT count(*) FROM students WHERE id = 13"), 1);
    }

    #[test]
    fn a_statement_s_second_query_opens_its_savepoint_so_its_reads_share_one_transaction() {
        let db = school();
        db.savepoint().expect("asked");
        assert!(db.query_text("SELECT count(*) FROM students", &[]).is_ok());
        assert!(db.conn.is_autocommit());
        assert!(db.query_text("SELECT count(*) FROM classes", &[]).is_ok());
        assert!(!db.conn.is_autocommit(), "the second read ran on its own");
        db.release().expect("kept");
        assert!(db.conn.is_autocommit());
    }

    #[test]
    fn nested_savepoints_undo_only_their_own_writes() {
        let db = school();
        db.savepoint().expect("outer");
        db.execute(&delete_student(1)).expect("delete 1");
        db.savepoint().expect("inner");
        db.execute(&delete_student(2)).expect("delete 2");
        db.rollback_to().expect("inner undone");
        db.release().expect("outer kept");
        assert!(db.conn.is_autocommit());
        assert_eq!(
            count(&db, "SELECT count(*) FROM students WHERE id IN (1, 2)"),
            1
        );
        assert_eq!(count(&db, "SELECT count(*) FROM students WHERE id = 2"), 1);
    }

    #[test]
    fn cascaded_rows_are_counted_per_table() {
        let db = school();
        let classes_of_13 = count(&db, "SELECT count(*) FROM classes WHERE student_id = 13");
        let changes = db.execute(&delete_student(13)).expect("delete works");
        assert_eq!(changes.affected, 1);
        assert_eq!(changes.per_table.get("students"), Some(&1));
        assert_eq!(
            changes.per_table.get("classes").copied().unwrap_or(0) as i64,
            classes_of_13
        );
        assert!(classes_of_13 >= 2);
    }

    #[test]
    fn a_rolled_back_savepoint_leaves_nothing() {
        let mut db = school();
        let count = |db: &Database| {
            db.connection()
                .query_row("SELECT count(*) FROM classes", [], |r| r.get::<_, i64>(0))
                .unwrap_or(-1)
        };
        let before = count(&db);
        db.savepoint().expect("savepoint");
        db.raw("DELETE FROM classes", &mut FirstRows::new(usize::MAX))
            .expect("delete");
        assert_eq!(count(&db), 0);
        db.rollback_to().expect("rollback");
        assert_eq!(count(&db), before);
        assert!(!db.in_transaction());
    }

    #[test]
    fn constraint_failures_are_recognised() {
        let mut db = school();
        let err = db
            .raw(
                "UPDATE students SET year = 5 WHERE id = 1",
                &mut FirstRows::new(usize::MAX),
            )
            .expect_err("CHECK");
        assert!(err.is_constraint());
        assert!(err.message.contains("CHECK"), "{}", err.message);
    }
}
