//! The session's side of the shell's meta commands: raw SQL run atomically, session mode
//! switched, the time limit, row counts. The commands themselves (their names, help and
//! arguments) live in the shell; these are the small things they ask of a session.

use super::{Outcome, Response, Session, Trace};
use crate::error::{Error, ErrorKind, Result, Span};
use crate::render::{self, Rendered};
use crate::result::{FirstRows, RowSink};
use crate::sql::{Select, Statement};
use std::time::Duration;

impl Session {
    /// Runs one SQL statement as typed (`:sql`), atomically, and answers for `input`; `at` is
    /// where the SQL starts in `input`, for errors.
    pub fn run_raw_sql(&mut self, input: &str, sql: &str, at: Span) -> Response {
        let mut trace = Trace::default();
        self.db.start_clock();
        let outcome = self.raw_sql(sql, at, &mut trace);
        self.db.stop_clock();
        // Outside session mode a write typed by hand is committed, and commit expires what the
        // session holds; in session mode `session.execute(text(...))` expires nothing, as in
        // SQLAlchemy (a held object keeps the values it had).
        if !self.in_session_mode() && matches!(outcome, Ok(Outcome::Write { .. })) {
            self.identity.expire_all();
        }
        trace.into_response(input, outcome)
    }

    /// Turns session mode `on` or `off` (`:session`), or says which it is for an empty
    /// `argument`; `span` is the command's place in `input`.
    pub fn switch_session_mode(&mut self, input: &str, argument: &str, span: Span) -> Response {
        let mut trace = Trace::default();
        let outcome = self.session_switch(argument, span, &mut trace);
        trace.into_response(input, outcome)
    }

    /// How long a statement may run before it is stopped, if there is a limit.
    pub fn timeout(&self) -> Option<Duration> {
        self.db.timeout()
    }

    /// Stops statements that run longer than `limit` (none: no limit).
    pub fn set_timeout(&mut self, limit: Option<Duration>) {
        self.db.set_timeout(limit);
    }

    /// How many rows `table` holds now, or why they could not be counted.
    pub fn row_count(&self, table: &str) -> std::result::Result<i64, String> {
        let count = render::render(&Statement::Select(Select::count(table)));
        let rows = self.db.query(&count).map_err(|e| e.message)?;
        match rows.rows.first().and_then(|r| r.first()) {
            Some(crate::sql::Value::Integer(n)) => Ok(*n),
            _ => Err("no count came back".to_string()),
        }
    }

    /// Whether every write is refused (`--read-only`).
    pub fn is_read_only(&self) -> bool {
        self.db.is_read_only()
    }

    fn raw_sql(&mut self, sql: &str, at: Span, trace: &mut Trace) -> Result<Outcome> {
        let words = leading_words(sql, 4);
        let first = words.first().map(String::as_str).unwrap_or("");
        if ["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"].contains(&first) {
            return Err(Error::new(
                ErrorKind::Sql,
                at,
                format!(
                    "{first} is not run through :sql: ormscope keeps each statement atomic itself"
                ),
            )
            .with_hint("use the statements begin, commit and rollback"));
        }
        if first == "VACUUM" {
            return Err(Error::new(
                ErrorKind::Sql,
                at,
                "VACUUM is refused in raw SQL: it rewrites the database and VACUUM INTO writes new files",
            ));
        }
        let written_table = target_table(&words);
        self.atomically(trace, |session, trace| {
            let record = Rendered::raw(sql);
            trace.start();
            let mut window = FirstRows::new(session.window.unwrap_or(usize::MAX));
            let sink: &mut dyn RowSink = match session.sink.as_deref_mut() {
                Some(sink) => sink,
                None => &mut window,
            };
            match session.db.raw(sql, sink) {
                Ok((Some((rows, more)), _)) => {
                    trace.record(record, rows.rows.len() as u64 + more);
                    Ok(Outcome::Rows {
                        table: None,
                        columns: rows.columns,
                        rows: rows.rows,
                        more,
                    })
                }
                Ok((None, changes)) => {
                    let rows = written_table.as_ref().map_or(0, |_| changes.affected);
                    trace.record(record, rows);
                    let Some(table) = written_table else {
                        return Ok(Outcome::None);
                    };
                    let cascaded = changes
                        .per_table
                        .iter()
                        .filter(|(t, n)| **t != table && **n > 0)
                        .map(|(t, n)| (t.clone(), *n))
                        .collect();
                    let id =
                        (first == "INSERT" || first == "REPLACE").then_some(changes.last_insert_id);
                    Ok(Outcome::Write {
                        affected: changes.affected,
                        table,
                        id,
                        cascaded,
                    })
                }
                Err(e) => {
                    trace.record_failure(record);
                    Err(super::connection::sql_error(&e, at))
                }
            }
        })
    }
}

/// The refusal of a write in a read-only session, in the learner's words.
pub(crate) fn read_only_refusal(span: Span, why: &str) -> Error {
    let hint = if why == crate::db::sandbox::READ_ONLY_FILE {
        "make the file writable (chmod u+w FILE), or work on a copy of it"
    } else {
        "start ormscope without --read-only to change the database"
    };
    Error::new(
        ErrorKind::Sql,
        span,
        format!("this session is read-only ({why}): writes are refused"),
    )
    .with_hint(hint)
}

/// The first few words of a SQL statement, upper-cased, skipping `--` comments.
fn leading_words(sql: &str, n: usize) -> Vec<String> {
    sql.lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .flat_map(|l| l.split(|c: char| c.is_whitespace() || c == '('))
        .filter(|w| !w.is_empty())
        .take(n)
        .map(|w| w.to_ascii_uppercase())
        .collect()
}

/// The table an INSERT, UPDATE, DELETE or REPLACE writes, from its first words.
fn target_table(words: &[String]) -> Option<String> {
    let name = match words {
        [w, rest @ ..] if w == "UPDATE" => rest.iter().find(|w| {
            *w != "OR" && !["ROLLBACK", "ABORT", "REPLACE", "FAIL", "IGNORE"].contains(&w.as_str())
        }),
        [w, rest @ ..] if w == "DELETE" => rest.iter().find(|w| *w != "FROM"),
        [w, rest @ ..] if w == "INSERT" || w == "REPLACE" => {
            rest.iter().skip_while(|w| *w != "INTO").nth(1)
        }
        _ => None,
    }?;
    Some(
        name.trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']')
            .to_ascii_lowercase(),
    )
}
