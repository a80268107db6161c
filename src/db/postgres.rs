//! The PostgreSQL backend: the session's statements run on a PostgreSQL server (the
//! synchronous `postgres` client), in a schema of ormscope's own (`ormscope`).
//!
//! Each statement is atomic as on SQLite: outside a transaction its "savepoint" is a
//! `BEGIN … COMMIT`/`ROLLBACK` (PostgreSQL has no savepoint outside a transaction), inside one a
//! real `SAVEPOINT`. Constraint failures are read from the SQLSTATE (23505 unique, 23503 foreign
//! key, 23502 not null, 23514 check) and given the same shape SQLite's messages have, so they
//! are explained in the same plain words. Rows removed by `ON DELETE CASCADE` are found by
//! counting each table's rows before and after a `DELETE` (PostgreSQL has no update hook).
//!
//! A call the server does not answer is freed by the [`watch`]dog when the time is up or Ctrl-C
//! is pressed. A connection found lost (the server restarted, ended the session, or the
//! watchdog shut it) is made again, with the same settings, before the next statement; a
//! transaction that was open on it is said to be lost, never silently replaced.

pub mod sandbox;
mod value;
pub mod watch;

use super::DbError;
use crate::render::{render_in, server, Dialect, Rendered};
use crate::result::{Changes, FirstRows, RowSink, Rows, Stepped};
use crate::schema::MetaData;
use crate::sql::{Expr, Insert, Statement, Value};
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::time::{Duration, Instant};
use value::{Cell as PgCell, Param};
use watch::{Cut, Watch};

/// The schema the School lives in on the server.
pub const SCHEMA: &str = "ormscope";

/// The name of the savepoint each statement runs in.
const SAVEPOINT: &str = "statement";

/// An open connection to a PostgreSQL server, with the School in schema `ormscope`.
pub struct Postgres {
    client: RefCell<Client>,
    prepared: RefCell<HashMap<String, postgres::Statement>>,
    /// The statements' savepoints, innermost last: true where it is a whole transaction.
    levels: RefCell<Vec<bool>>,
    /// Whether the learner opened a transaction (`begin`, or session mode).
    explicit: Cell<bool>,
    /// The School's tables, to count what a delete cascaded to.
    tables: Vec<String>,
    /// Each column CHECK by the name PostgreSQL gives it (`students_year_check`), with its SQL.
    checks: HashMap<String, String>,
    /// Where the server is, without the password (for messages).
    pub place: String,
    /// Whether the roles raw SQL runs as were made (or why not: then raw SQL is refused).
    raw_sql_roles: RefCell<Result<(), String>>,
    /// How to connect again (the URL's settings, with the password).
    config: Config,
    /// Frees a call the server does not answer (see [`watch`]).
    watch: Watch,
    /// Whether the connection was found lost: the next call connects again first.
    dead: Cell<bool>,
    /// The session's settings, made again on a new connection.
    read_only: Cell<bool>,
    timeout: Cell<Option<Duration>>,
}

/// Whether `--db` names a server rather than a file: any `scheme://`.
pub fn is_url(text: &str) -> bool {
    text.contains("://")
}

/// The URL with its password hidden, for anything shown or saved: the password of
/// `user:password@` and every `password=` (or `sslpassword=`) parameter are left out.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some((auth, host)) => (Some(auth), host),
        None => (None, rest),
    };
    let mut shown = match auth.map(|a| a.split_once(':').map_or(a, |(user, _)| user)) {
        Some(user) => format!("{scheme}://{user}@{host}"),
        None => format!("{scheme}://{host}"),
    };
    let kept: Vec<&str> = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
            !key.is_empty() && key != "password" && key != "sslpassword"
        })
        .collect();
    if !kept.is_empty() {
        shown.push('?');
        shown.push_str(&kept.join("&"));
    }
    shown
}

impl Postgres {
    /// Connects to the server the URL names (password from the URL, `PGPASSWORD` or
    /// `.pgpass`), and makes the School in schema `ormscope` when it is missing (or always,
    /// with `reset`).
    pub fn connect(
        url: &str,
        meta: &MetaData,
        students: u64,
        reset: bool,
    ) -> Result<Postgres, DbError> {
        let place = redact(url);
        let scheme = url.split_once("://").map_or("", |(s, _)| s);
        if scheme != "postgresql" && scheme != "postgres" {
            return Err(explained(format!(
                "--db {place}: ormscope runs on SQLite files and on PostgreSQL (postgresql://USER@HOST:PORT/DBNAME); {scheme}:// is not supported"
            )));
        }
        let mut config = Config::from_str(url).map_err(|_| {
            explained(format!(
                "--db {place} is not a PostgreSQL URL: write postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME"
            ))
        })?;
        if config.get_password().is_none() {
            if let Some(password) = libpq_password(&config) {
                config.password(password);
            }
        }
        config.connect_timeout(Duration::from_secs(10));
        let watch = Watch::start();
        let client = open(&config, &watch).map_err(|e| not_connected(&place, &e))?;
        let pg = Postgres {
            client: RefCell::new(client),
            prepared: RefCell::default(),
            levels: RefCell::default(),
            explicit: Cell::new(false),
            tables: meta.tables().iter().map(|t| t.name.clone()).collect(),
            checks: check_names(meta),
            place,
            raw_sql_roles: RefCell::new(Ok(())),
            config,
            watch,
            dead: Cell::new(false),
            read_only: Cell::new(false),
            timeout: Cell::new(None),
        };
        pg.batch(&server::create_schema(SCHEMA))?;
        pg.batch(&server::search_path(SCHEMA))?;
        if reset || !pg.has_school()? {
            pg.create(meta, students)?;
        }
        pg.grant_raw_sql_roles();
        Ok(pg)
    }

    /// A failed CHECK named by its rule (`CHECK constraint failed: year BETWEEN 1 AND 4`), as
    /// SQLite names it, rather than by PostgreSQL's name for it (`students_year_check`).
    pub fn name_check(&self, mut err: DbError) -> DbError {
        let named = err
            .message
            .strip_prefix(CHECK_FAILED)
            .and_then(|name| self.checks.get(name));
        if let Some(sql) = named {
            err.message = format!("{CHECK_FAILED}{sql}");
        }
        err
    }

    /// What stops this connection's running statement from another thread (Ctrl-C), on
    /// whichever connection is then open.
    pub fn stopper(&self) -> watch::Stopper {
        self.watch.stopper()
    }

    /// When the running statement's time is up (none: no statement runs), for the watchdog.
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        self.watch.set_deadline(deadline);
    }

    /// Connects again after the connection was lost, and makes the session's settings again
    /// (search path, read-only, time limit); statements prepared on the old one are forgotten.
    /// A transaction that was open is gone with the old connection: said so, as an error.
    fn revive(&self) -> Result<(), DbError> {
        let lost = self.explicit.get();
        let midway = !self.levels.borrow().is_empty();
        let client = open(&self.config, &self.watch).map_err(|e| unreachable(&self.place, &e))?;
        *self.client.borrow_mut() = client;
        self.prepared.borrow_mut().clear();
        let setup = [
            server::search_path(SCHEMA),
            server::read_only(self.read_only.get()),
            server::statement_timeout(millis(self.timeout.get())),
        ]
        .join("; ");
        let made = {
            let _busy = self.watch.call();
            self.client.borrow_mut().batch_execute(&setup)
        };
        made.map_err(|e| unreachable(&self.place, &e))?;
        self.levels.borrow_mut().clear();
        self.explicit.set(false);
        self.dead.set(false);
        if lost || midway {
            return Err(explained(lost_connection(&self.place, lost)));
        }
        Ok(())
    }

    /// Sends what `send` sends on the connection, while the watchdog keeps its time: on a
    /// connection found lost outside any transaction (the server restarted or ended the
    /// session since the last statement) it connects again and sends it once more.
    fn call<T>(
        &self,
        mut send: impl FnMut(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, DbError> {
        if self.dead.get() {
            self.revive()?;
        }
        let fresh = !self.in_transaction();
        let sent = {
            let _busy = self.watch.call();
            send(&mut self.client.borrow_mut())
        };
        match sent {
            Err(e) if fresh && self.watch.cut().is_none() && is_lost(&e) => {
                self.dead.set(true);
                self.revive()?;
                let _busy = self.watch.call();
                let again = send(&mut self.client.borrow_mut());
                again.map_err(|e| self.failed(&e))
            }
            Ok(done) => {
                if self.watch.cut().is_some() {
                    // The answer came as the watchdog shut the socket: the next call connects
                    // again (and says so when a transaction was open).
                    self.dead.set(true);
                }
                Ok(done)
            }
            Err(e) => Err(self.failed(&e)),
        }
    }

    /// A call's failure in the learner's words: the watchdog's stop, a lost connection (and
    /// the transaction lost with it), or what the server said.
    fn failed(&self, e: &postgres::Error) -> DbError {
        let cut = self.watch.cut();
        if cut.is_none() && !is_lost(e) {
            return from_pg(e);
        }
        let first = !self.dead.replace(true);
        let lost = first && self.explicit.replace(false);
        match cut {
            Some(why) => DbError {
                code: Some(rusqlite::ErrorCode::OperationInterrupted),
                message: cut_words(why, self.timeout.get(), lost),
                explained: true,
            },
            None => explained(lost_connection(&self.place, lost)),
        }
    }

    fn has_school(&self) -> Result<bool, DbError> {
        let rows = self.query_text(&server::count_tables(SCHEMA), &[])?;
        Ok(matches!(rows.rows.first().and_then(|r| r.first()), Some(Value::Integer(n)) if *n > 0))
    }

    /// Drops the schema and makes the School again in it, in one transaction, with the same
    /// rows and ids as the SQLite School; each sequence continues after the seeded ids.
    pub fn create(&self, meta: &MetaData, students: u64) -> Result<(), DbError> {
        let school = super::Database::in_memory(meta, students)?;
        let rows = school.dump(&self.tables)?;
        self.batch(&server::begin())?;
        let made = self.fill(meta, &rows);
        self.batch(&if made.is_ok() {
            server::commit()
        } else {
            server::rollback()
        })?;
        self.prepared.borrow_mut().clear();
        self.grant_raw_sql_roles();
        made
    }

    /// Makes the roles raw SQL runs as and gives them their rights on the schema (again after
    /// the schema is made anew), or remembers why that could not be done.
    fn grant_raw_sql_roles(&self) {
        let made = self
            .batch(&server::raw_sql_roles(SCHEMA))
            .map_err(|e| e.message);
        *self.raw_sql_roles.borrow_mut() = made;
    }

    fn fill(
        &self,
        meta: &MetaData,
        rows: &BTreeMap<String, Vec<Vec<Value>>>,
    ) -> Result<(), DbError> {
        self.batch(&server::drop_schema(SCHEMA))?;
        self.batch(&server::create_schema(SCHEMA))?;
        self.batch(&server::search_path(SCHEMA))?;
        for table in meta.tables() {
            let mut ddl = vec![Statement::CreateTable(table.clone())];
            ddl.extend(table.indexes().into_iter().map(Statement::CreateIndex));
            for statement in ddl {
                self.batch(&render_in(&statement, Dialect::Postgresql, meta).text)?;
            }
        }
        for table in meta.tables() {
            let columns = table.column_names();
            for row in rows.get(&table.name).into_iter().flatten() {
                let insert = Statement::Insert(Insert {
                    table: table.name.clone(),
                    columns: columns.clone(),
                    values: row.iter().cloned().map(Expr::value).collect(),
                });
                let sql = render_in(&insert, Dialect::Postgresql, meta);
                self.run(&sql.text, &sql.params)?;
            }
            if table.column_names().iter().any(|c| c == "id") {
                self.query_text(&server::continue_sequence(&table.name, "id"), &[])?;
            }
        }
        Ok(())
    }

    fn batch(&self, sql: &str) -> Result<(), DbError> {
        self.call(|client| client.batch_execute(sql))
    }

    fn statement(&self, text: &str) -> Result<postgres::Statement, DbError> {
        if self.dead.get() {
            self.revive()?;
        }
        if let Some(s) = self.prepared.borrow().get(text) {
            return Ok(s.clone());
        }
        let prepared = self.call(|client| client.prepare(text))?;
        self.prepared
            .borrow_mut()
            .insert(text.to_string(), prepared.clone());
        Ok(prepared)
    }

    fn run(&self, text: &str, params: &[Value]) -> Result<Vec<postgres::Row>, DbError> {
        let statement = self.statement(text)?;
        value::check_fits(statement.params(), params).map_err(explained)?;
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params
            .iter()
            .map(|p| p as &(dyn postgres::types::ToSql + Sync))
            .collect();
        self.call(|client| client.query(&statement, &refs))
    }

    fn query_text(&self, text: &str, params: &[Value]) -> Result<Rows, DbError> {
        let mut all = FirstRows::new(usize::MAX);
        self.rows_into(text, params, None, &mut all)
            .map(|(rows, _)| rows)
    }

    /// Runs a query and hands each row to `sink` as the server sends it: the rows the sink
    /// gives back are kept, the others only counted (the second value). The rows are read
    /// from the connection one by one, so memory stays flat however many the server sends.
    fn rows_into(
        &self,
        text: &str,
        params: &[Value],
        table: Option<&str>,
        sink: &mut dyn RowSink,
    ) -> Result<(Rows, u64), DbError> {
        let statement = self.statement(text)?;
        value::check_fits(statement.params(), params).map_err(explained)?;
        let columns: Vec<String> = statement
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        sink.begin(table, &columns);
        let read = {
            let mut client = self.client.borrow_mut();
            read_all(&mut client, &self.watch, &statement, params, sink)
        };
        read.map(|(rows, passed)| (Rows { columns, rows }, passed))
            .map_err(|e| self.failed(&e))
    }

    /// Runs a query and returns its rows.
    pub fn query(&self, sql: &Rendered) -> Result<Rows, DbError> {
        self.query_text(&sql.text, &sql.params)
    }

    /// Runs a query and hands each row to `sink` as the server sends it (see
    /// [`crate::db::Database::query_each`]).
    pub fn query_each(
        &self,
        sql: &Rendered,
        table: Option<&str>,
        sink: &mut dyn RowSink,
    ) -> Result<(Rows, u64), DbError> {
        self.rows_into(&sql.text, &sql.params, table, sink)
    }

    /// Runs a write and reports what it changed: an insert reads its new key with
    /// `RETURNING`; a delete counts what it cascaded to.
    pub fn execute(&self, sql: &Rendered) -> Result<Changes, DbError> {
        let deleting = matches!(sql.statement, Some(Statement::Delete(_)));
        let before = if deleting {
            self.counts()?
        } else {
            BTreeMap::new()
        };
        let statement = self.statement(&sql.text)?;
        let returns = !statement.columns().is_empty();
        let (affected, last_insert_id) = if returns {
            let rows = self.run(&sql.text, &sql.params)?;
            let id = rows.last().map_or(0, |r| match row_values(r).first() {
                Some(Value::Integer(i)) => *i,
                _ => 0,
            });
            (rows.len() as u64, id)
        } else {
            value::check_fits(statement.params(), &sql.params).map_err(explained)?;
            let params: Vec<Param<'_>> = sql.params.iter().map(Param).collect();
            let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params
                .iter()
                .map(|p| p as &(dyn postgres::types::ToSql + Sync))
                .collect();
            let n = self.call(|client| client.execute(&statement, &refs))?;
            (n, 0)
        };
        let mut per_table = BTreeMap::new();
        if deleting {
            for (table, after) in self.counts()? {
                let gone = before
                    .get(&table)
                    .copied()
                    .unwrap_or(after)
                    .saturating_sub(after);
                if gone > 0 {
                    per_table.insert(table, gone);
                }
            }
        } else if let Some(table) = written_table(sql) {
            per_table.insert(table, affected);
        }
        Ok(Changes {
            affected,
            last_insert_id,
            per_table,
            pending: false,
        })
    }

    /// How many rows each of the School's tables holds.
    fn counts(&self) -> Result<BTreeMap<String, u64>, DbError> {
        let mut out = BTreeMap::new();
        for table in &self.tables {
            let rows = self.query_text(&server::count_rows(table), &[])?;
            if let Some(Value::Integer(n)) = rows.rows.first().and_then(|r| r.first()) {
                out.insert(table.clone(), *n as u64);
            }
        }
        Ok(out)
    }

    /// Runs raw SQL the sandbox let through, as a role that may only read (and, unless
    /// `read_only`, write) the School's rows: its rows, or what it changed. Never as the
    /// connecting user: when the roles could not be made, raw SQL is refused and says why.
    pub fn raw(
        &self,
        text: &str,
        read_only: bool,
        sink: &mut dyn RowSink,
    ) -> Result<(Option<(Rows, u64)>, Changes), DbError> {
        if let Err(why) = &*self.raw_sql_roles.borrow() {
            return Err(explained(format!(
                ":sql on PostgreSQL runs as a role with rights on schema {SCHEMA} only, and {} could not make it ({why}); connect as a user who may create roles (CREATEROLE), or use SQLite",
                self.place
            )));
        }
        self.batch(&server::become_role(server::raw_sql_role(read_only)))?;
        let result = self.raw_as_role(text, sink);
        if result.is_ok() {
            self.batch(server::own_role())?;
        }
        result
    }

    /// The server's plan of a statement that was sent (`EXPLAIN`, never run): asked as the
    /// role raw SQL runs as, since the statement may be one the learner typed, inside a
    /// savepoint of its own that is undone, so nothing it plans can change anything.
    pub fn explain(&self, explain: &Rendered, read_only: bool) -> Result<Rows, DbError> {
        if let Err(why) = &*self.raw_sql_roles.borrow() {
            return Err(explained(format!(
                ":explain on PostgreSQL asks as a role with rights on schema {SCHEMA} only, and {} could not make it ({why}); connect as a user who may create roles (CREATEROLE), or use SQLite",
                self.place
            )));
        }
        self.savepoint()?;
        let asked = self
            .batch(&server::become_role(server::raw_sql_role(read_only)))
            .and_then(|()| self.query(explain));
        self.rollback_to()?;
        asked
    }

    /// Runs raw SQL as whatever role is current (the caller has set it).
    fn raw_as_role(
        &self,
        text: &str,
        sink: &mut dyn RowSink,
    ) -> Result<(Option<(Rows, u64)>, Changes), DbError> {
        let statement = self.statement(text)?;
        if !statement.columns().is_empty() {
            let rows = self.rows_into(text, &[], None, sink)?;
            return Ok((Some(rows), Changes::default()));
        }
        let affected = self.call(|client| client.execute(&statement, &[]))?;
        Ok((
            None,
            Changes {
                affected,
                ..Changes::default()
            },
        ))
    }

    /// Opens the statement's savepoint (a transaction when none is open).
    pub fn savepoint(&self) -> Result<(), DbError> {
        let whole = !self.in_transaction();
        self.batch(&if whole {
            server::begin()
        } else {
            server::savepoint(SAVEPOINT)
        })?;
        self.levels.borrow_mut().push(whole);
        Ok(())
    }

    /// Keeps what the statement did.
    pub fn release(&self) -> Result<(), DbError> {
        let Some(whole) = self.levels.borrow_mut().pop() else {
            return Ok(());
        };
        self.batch(&if whole {
            server::commit()
        } else {
            server::release(SAVEPOINT)
        })
    }

    /// Undoes what the statement did (tried twice: a Ctrl-C may land on the first try). On a
    /// connection found lost there is nothing to undo: the server dropped it all.
    pub fn rollback_to(&self) -> Result<(), DbError> {
        let Some(whole) = self.levels.borrow_mut().pop() else {
            return Ok(());
        };
        let undo = || {
            if self.dead.get() {
                return Ok(());
            }
            if whole {
                return self.batch(&server::rollback());
            }
            self.batch(&server::rollback_to(SAVEPOINT))?;
            self.batch(&server::release(SAVEPOINT))
        };
        undo().or_else(|_| undo())
    }

    /// Runs `BEGIN`, `COMMIT`, `ROLLBACK` or a schema statement.
    pub fn control(&self, sql: &str) -> Result<(), DbError> {
        let sent = sql.trim();
        self.batch(sql)?;
        if sent == server::begin() {
            self.explicit.set(true);
        } else if sent == server::commit() || sent == server::rollback() {
            self.explicit.set(false);
        }
        Ok(())
    }

    /// Whether a transaction is open (the learner's, or a statement's).
    pub fn in_transaction(&self) -> bool {
        self.explicit.get() || !self.levels.borrow().is_empty()
    }

    /// Makes every later transaction read-only (or not), on the server.
    pub fn set_read_only(&self, on: bool) -> Result<(), DbError> {
        self.read_only.set(on);
        self.setting(&server::read_only(on))
    }

    /// Sets the server's `statement_timeout`, and the watchdog's (none: no limit).
    pub fn set_timeout(&self, timeout: Option<Duration>) -> Result<(), DbError> {
        self.timeout.set(timeout);
        self.watch.set_limit(timeout);
        self.setting(&server::statement_timeout(millis(timeout)))
    }

    /// Sends a session setting; on a lost connection it waits for the next one, which is
    /// made with it (and a transaction lost with the old one is said at the next statement).
    fn setting(&self, sql: &str) -> Result<(), DbError> {
        if self.dead.get() {
            return Ok(());
        }
        let sent = {
            let _busy = self.watch.call();
            self.client.borrow_mut().batch_execute(sql)
        };
        match sent {
            Err(e) if self.watch.cut().is_none() && is_lost(&e) => {
                self.dead.set(true);
                Ok(())
            }
            other => other.map_err(|e| self.failed(&e)),
        }
    }
}

/// Opens a connection, and tells the watchdog its cancel token and socket.
fn open(config: &Config, watch: &Watch) -> Result<Client, postgres::Error> {
    let before = watch::socket::before();
    let client = config.connect(NoTls)?;
    watch.connected(client.cancel_token(), watch::socket::added(&before));
    Ok(client)
}

/// Reads a query's rows, handing each to `sink` as it comes: one call for the watchdog, which
/// is told of each row (a server that keeps sending rows is answering).
fn read_all(
    client: &mut Client,
    watch: &Watch,
    statement: &postgres::Statement,
    params: &[Value],
    sink: &mut dyn RowSink,
) -> Result<(Vec<Vec<Value>>, u64), postgres::Error> {
    use postgres::fallible_iterator::FallibleIterator;
    let _busy = watch.call();
    let mut cursor = client.query_raw(statement, params.iter().map(Param))?;
    let mut stepped = Stepped::default();
    while let Some(row) = cursor.next()? {
        watch.progress();
        stepped.step(sink, || Ok::<_, postgres::Error>(row_values(&row)))?;
    }
    Ok((stepped.rows, stepped.passed))
}

/// A time limit in milliseconds, as `statement_timeout` takes it (0: none).
fn millis(limit: Option<Duration>) -> u64 {
    limit.map_or(0, |t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX))
}

/// Whether a failure means the connection is gone: closed, broken, or ended by the server
/// (its shutdown or restart, `pg_terminate_backend`: SQLSTATE class 57P, and class 08).
fn is_lost(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        let code = code.code();
        return code.starts_with("57P") || code.starts_with("08");
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// What the learner is told when the connection was found lost.
fn lost_connection(place: &str, transaction: bool) -> String {
    let lost = if transaction {
        "; the open transaction was lost with it: every change sent in it is gone, none of it was saved"
    } else {
        ""
    };
    format!(
        "the connection to the PostgreSQL server {place} was lost (the server restarted, or ended this session){lost}; nothing of this statement was saved: run it again, ormscope connects again for it"
    )
}

/// What the learner is told when the watchdog shut a connection the server did not answer on.
fn cut_words(why: Cut, limit: Option<Duration>, transaction: bool) -> String {
    let stopped = match why {
        Cut::Timeout => super::ran_too_long(limit),
        Cut::Interrupted => "the statement was stopped (Ctrl-C) before it finished".into(),
    };
    let lost = if transaction {
        "; the open transaction was lost with the connection: every change sent in it is gone"
    } else {
        ""
    };
    let hint = match why {
        Cut::Timeout => " (:timeout changes the limit)",
        Cut::Interrupted => "",
    };
    format!(
        "{stopped}: the PostgreSQL server did not answer, so ormscope closed the connection to it (the next statement connects again); nothing of this statement was saved{lost}{hint}"
    )
}

/// Connecting again failed: the server is not reachable, and what to do.
fn unreachable(place: &str, e: &postgres::Error) -> DbError {
    DbError {
        code: Some(rusqlite::ErrorCode::CannotOpen),
        message: format!(
            "the connection to the PostgreSQL server {place} was lost, and connecting again failed: is the server running and listening there? ({}); start it (or check the network), then run the statement again: ormscope connects again by itself",
            plain_cause(e)
        ),
        explained: true,
    }
}

/// How a failed CHECK's message begins (as SQLite words it).
const CHECK_FAILED: &str = "CHECK constraint failed: ";

/// PostgreSQL's name for each column CHECK of the schema (`{table}_{column}_check`), with the
/// rule's SQL.
fn check_names(meta: &MetaData) -> HashMap<String, String> {
    meta.tables()
        .iter()
        .flat_map(|t| {
            t.columns.iter().filter_map(move |c| {
                let check = c.check.as_ref()?;
                Some((format!("{}_{}_check", t.name, c.name), check.sql.clone()))
            })
        })
        .collect()
}

/// The table an INSERT or UPDATE writes.
fn written_table(sql: &Rendered) -> Option<String> {
    match &sql.statement {
        Some(Statement::Insert(i)) => Some(i.table.clone()),
        Some(Statement::Update(u)) => Some(u.table.clone()),
        _ => None,
    }
}

fn row_values(row: &postgres::Row) -> Vec<Value> {
    (0..row.len())
        .map(|i| {
            row.try_get::<_, PgCell>(i)
                .map(|c| c.0)
                .unwrap_or(Value::Null)
        })
        .collect()
}

/// The password libpq would use: `PGPASSWORD`, else the first matching line of `.pgpass`
/// (`PGPASSFILE`, or `~/.pgpass`).
fn libpq_password(config: &Config) -> Option<String> {
    if let Ok(p) = std::env::var("PGPASSWORD") {
        return Some(p);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let db = config.get_dbname().unwrap_or("").to_string();
    let user = config.get_user().unwrap_or("").to_string();
    let wanted = [host, port, db, user];
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| pgpass_match(line, &wanted))
}

/// The password of a `.pgpass` line `host:port:db:user:password` that matches (`*` = any).
fn pgpass_match(line: &str, wanted: &[String; 4]) -> Option<String> {
    let fields: Vec<&str> = line.splitn(5, ':').collect();
    if fields.len() != 5 {
        return None;
    }
    let matches = fields[..4]
        .iter()
        .zip(wanted)
        .all(|(field, want)| *field == "*" || field == want);
    matches.then(|| fields[4].to_string())
}

fn explained(message: String) -> DbError {
    DbError {
        code: None,
        message,
        explained: true,
    }
}

/// A connection that failed, in plain words (never with the password).
fn not_connected(place: &str, e: &postgres::Error) -> DbError {
    if let Some(db) = e.as_db_error() {
        let why = match *db.code() {
            SqlState::INVALID_PASSWORD | SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                "it refused the login (wrong user or password; give the password in the URL, PGPASSWORD or ~/.pgpass)".to_string()
            }
            SqlState::INVALID_CATALOG_NAME => {
                format!("it has no such database ({})", db.message())
            }
            _ => db.message().to_string(),
        };
        return explained(format!(
            "cannot open the PostgreSQL database {place}: {why}"
        ));
    }
    explained(format!(
        "cannot reach the PostgreSQL server {place}: is it running and listening there? ({})",
        plain_cause(e)
    ))
}

fn plain_cause(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text
}

/// A failure the server reported, as a [`DbError`]: constraint failures in the shape of
/// SQLite's messages (so they are explained in the same words), others in PostgreSQL's words.
pub(crate) fn from_pg(e: &postgres::Error) -> DbError {
    let Some(db) = e.as_db_error() else {
        return explained(format!(
            "the connection to the PostgreSQL server failed: {} (nothing more was sent)",
            plain_cause(e)
        ));
    };
    let table = db.table().unwrap_or("");
    let constraint = |message: String| DbError {
        code: Some(rusqlite::ErrorCode::ConstraintViolation),
        message,
        explained: false,
    };
    match *db.code() {
        SqlState::UNIQUE_VIOLATION => {
            let columns = key_columns(db.detail().unwrap_or(""));
            let named: Vec<String> = columns.iter().map(|c| format!("{table}.{c}")).collect();
            constraint(format!("UNIQUE constraint failed: {}", named.join(", ")))
        }
        SqlState::NOT_NULL_VIOLATION => constraint(format!(
            "NOT NULL constraint failed: {table}.{}",
            db.column().unwrap_or("")
        )),
        SqlState::CHECK_VIOLATION => {
            constraint(format!("{CHECK_FAILED}{}", db.constraint().unwrap_or("")))
        }
        SqlState::FOREIGN_KEY_VIOLATION => constraint("FOREIGN KEY constraint failed".into()),
        SqlState::READ_ONLY_SQL_TRANSACTION => explained(
            "this session is read-only (--read-only): statements may only look, not change".into(),
        ),
        SqlState::QUERY_CANCELED => DbError {
            code: Some(rusqlite::ErrorCode::OperationInterrupted),
            message: db.message().to_string(),
            explained: false,
        },
        _ => explained(format!(
            "PostgreSQL refused the statement: {}",
            db.message()
        )),
    }
}

/// The columns of a unique key from PostgreSQL's detail `Key (a, b)=(1, 2) already exists.`
fn key_columns(detail: &str) -> Vec<String> {
    detail
        .strip_prefix("Key (")
        .and_then(|rest| rest.split_once(")="))
        .map(|(names, _)| names.split(',').map(|n| n.trim().to_string()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_hidden() {
        assert_eq!(
            redact("postgresql://ann:secret@db.example:5433/school"),
            "postgresql://ann@db.example:5433/school"
        );
        assert_eq!(redact("postgresql://ann@h/s"), "postgresql://ann@h/s");
        assert_eq!(redact("postgresql://h/s"), "postgresql://h/s");
        assert_eq!(
            redact("postgresql://h/s?user=ann&password=secret&sslmode=disable"),
            "postgresql://h/s?user=ann&sslmode=disable"
        );
        assert_eq!(
            redact("postgresql://ann:pw@h/s?PassWord=x&sslpassword=y"),
            "postgresql://ann@h/s"
        );
    }

    #[test]
    fn a_unique_key_names_its_columns() {
        assert_eq!(
            key_columns("Key (abbreviation)=(BI301) already exists."),
            vec!["abbreviation"]
        );
        assert_eq!(
            key_columns("Key (a, b)=(1, 2) already exists."),
            vec!["a", "b"]
        );
    }

    #[test]
    fn pgpass_lines_match_with_wildcards() {
        let wanted = [
            "localhost".to_string(),
            "5432".to_string(),
            "school".to_string(),
            "ann".to_string(),
        ];
        assert_eq!(
            pgpass_match("*:5432:school:ann:pw:with:colons", &wanted),
            Some("pw:with:colons".to_string())
        );
        assert_eq!(pgpass_match("other:5432:school:ann:pw", &wanted), None);
    }
}
