//! A bulk load on two cores: while the session's thread fills the largest table, `classes`
//! (about three rows a student), a thread of its own fills the School's other tables and makes
//! their indexes in a database file of its own. Their rows are then copied into the School
//! inside its one transaction with `INSERT INTO students SELECT * FROM seed_side.students` and
//! so on, which SQLite carries out record by record, index entries included, without reading
//! any value (the same table and indexes, into an empty table).

use super::{
    insert_rows, made_with_sql, Progress, Sizes, BULK_CACHE_KIB, HERE_TABLE, SCHOOL_TABLES,
};
use crate::render::{pragma, render};
use crate::sql::{PragmaValue, Statement, Value};
use rusqlite::{params_from_iter, Connection};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

/// The tables built aside: all but the one filled on the session's thread, parents before
/// children.
pub(super) fn tables() -> impl Iterator<Item = &'static str> {
    SCHOOL_TABLES
        .into_iter()
        .filter(|table| *table != HERE_TABLE)
}
/// The name its database is attached under.
const SCHEMA: &str = "seed_side";

/// The tables being built on their own thread, in their own file (removed when this is
/// dropped, after the thread has stopped).
pub(super) struct Side {
    /// The file, kept for its removal when this is dropped.
    _file: tempfile::NamedTempFile,
    done: Option<Receiver<rusqlite::Result<()>>>,
    /// Whether building them failed.
    failed: bool,
    /// Rows the thread has inserted so far, for the progress bar.
    pub(super) rows: Arc<AtomicU64>,
    /// Tells the thread its work is no longer wanted (the load failed here first).
    stop: Arc<AtomicBool>,
}

impl Side {
    /// Attaches a new file to `conn` and starts filling the tables in it on a thread of their
    /// own. Call outside a transaction (SQLite attaches only there).
    pub(super) fn start(conn: &Connection, sizes: Sizes) -> rusqlite::Result<Side> {
        let ddl = table_sql(conn)?;
        // Made new, readable by its owner only, in the system's temporary directory.
        let file = tempfile::Builder::new()
            .prefix("ormscope-seed-")
            .suffix(".db")
            .tempfile()
            .map_err(|e| failure(format!("no temporary file for the seed: {e}")))?;
        let name = file
            .path()
            .to_str()
            .ok_or_else(|| failure("the temporary directory's name is not UTF-8".to_string()))?
            .to_string();
        let attach = render(&Statement::Attach {
            file: Value::Text(name),
            schema: SCHEMA.to_string(),
        });
        conn.execute(&attach.text, params_from_iter(attach.params.iter()))?;
        let (sender, done) = channel();
        let rows = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let path = file.path().to_path_buf();
        let (counter, stopped) = (Arc::clone(&rows), Arc::clone(&stop));
        let spawned = std::thread::Builder::new().spawn(move || {
            let _ = sender.send(build(&path, &ddl, sizes, counter, stopped));
        });
        let mut side = Side {
            _file: file,
            done: Some(done),
            failed: false,
            rows,
            stop,
        };
        if let Err(e) = spawned {
            side.done = None;
            let _ = side.detach(conn);
            return Err(failure(format!("no thread for the seed: {e}")));
        }
        Ok(side)
    }

    /// Waits for the tables to be built, drawing `progress` now and then, and copies their rows
    /// into the main database's tables (empty, with the same indexes) in the transaction
    /// `conn` is in.
    pub(super) fn copy_into(
        &mut self,
        conn: &Connection,
        progress: &mut Progress,
    ) -> rusqlite::Result<()> {
        self.wait(progress)?;
        progress.copying();
        for table in tables() {
            let copy = render(&Statement::CopyRows {
                table: table.to_string(),
                from: SCHEMA.to_string(),
            });
            conn.execute(&copy.text, params_from_iter(copy.params.iter()))?;
        }
        Ok(())
    }

    /// Waits for the thread's result.
    fn wait(&mut self, progress: &mut Progress) -> rusqlite::Result<()> {
        let Some(done) = self.done.take() else {
            return Ok(());
        };
        loop {
            match done.recv_timeout(Duration::from_millis(100)) {
                Ok(result) => {
                    self.failed = result.is_err();
                    return result;
                }
                Err(RecvTimeoutError::Timeout) => progress.redraw(),
                Err(RecvTimeoutError::Disconnected) => {
                    self.failed = true;
                    return Err(failure(
                        "the thread building the School's tables stopped".to_string(),
                    ));
                }
            }
        }
    }

    /// The side database's file.
    #[cfg(test)]
    pub(super) fn file(&self) -> &std::path::Path {
        self._file.path()
    }

    /// Whether the tables could not be built (so the load may be done without them).
    pub(super) fn failed(&self) -> bool {
        self.failed
    }

    /// Detaches the file from `conn` (outside a transaction).
    pub(super) fn detach(&self, conn: &Connection) -> rusqlite::Result<()> {
        conn.execute_batch(&render(&Statement::Detach(SCHEMA.to_string())).text)
    }
}

impl Drop for Side {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            // The thread may still be writing the file: ask it to stop, and let it finish
            // before the file is removed (with `self._file`).
            self.stop.store(true, Ordering::Relaxed);
            let _ = done.recv();
        }
    }
}

/// The SQL SQLite stored for each table built aside and then for each of its indexes made with
/// SQL, so the side database's tables are the very same shape (which the copy needs): one
/// list per table, the table's own SQL first.
fn table_sql(conn: &Connection) -> rusqlite::Result<Vec<Vec<String>>> {
    tables()
        .map(|table| {
            let made = made_with_sql(conn, table)?;
            Ok(made.into_iter().map(|m| m.sql).collect())
        })
        .collect()
}

/// Builds the tables in the file at `path`: each table, then every table's rows, then their
/// indexes, with no journal (the file is thrown away if anything fails).
fn build(
    path: &std::path::Path,
    ddl: &[Vec<String>],
    sizes: Sizes,
    rows: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
) -> rusqlite::Result<()> {
    let mut conn = Connection::open(path)?;
    conn.query_row(
        &pragma("journal_mode", Some(PragmaValue::Switch(false))),
        [],
        |_| Ok(()),
    )?;
    conn.execute_batch(&pragma("synchronous", Some(PragmaValue::Switch(false))))?;
    conn.execute_batch(&pragma("foreign_keys", Some(PragmaValue::Switch(false))))?;
    conn.execute_batch(&pragma(
        "cache_size",
        Some(PragmaValue::Number(-BULK_CACHE_KIB)),
    ))?;
    let tx = conn.transaction()?;
    for statements in ddl {
        let table = statements
            .first()
            .ok_or_else(|| failure("a table to seed is missing".to_string()))?;
        tx.execute_batch(table)?;
    }
    let mut progress = Progress::counting(rows, stop);
    insert_rows(&tx, tables(), sizes, &mut progress)?;
    for index in ddl.iter().flat_map(|statements| statements.iter().skip(1)) {
        tx.execute_batch(index)?;
    }
    tx.commit()
}

/// An error of the side build, in SQLite's terms.
pub(super) fn failure(message: String) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
        Some(message),
    )
}
