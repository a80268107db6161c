//! Helpers shared by the behaviour tests: a School database in a temporary file,
//! running the real `ormscope` binary with `--json`, and reading the same file
//! directly with rusqlite so that expected values are computed independently.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde_json::{json, Value};
use tempfile::TempDir;

/// The error kinds JSON may name.
pub const ERROR_KINDS: &[&str] = &[
    "parse",
    "name",
    "type",
    "not_found",
    "constraint",
    "sql",
    "io",
];

/// The real binary.
pub fn bin() -> Command {
    Command::cargo_bin("ormscope").expect("the ormscope binary is built")
}

/// The output of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    /// One parsed JSON object per stdout line (only for `--json` runs).
    pub out: Vec<Value>,
}

impl Run {
    fn from_output(o: std::process::Output, json: bool) -> Run {
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        let out = if json {
            stdout
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    serde_json::from_str(l)
                        .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l:?}"))
                })
                .collect()
        } else {
            Vec::new()
        };
        let status = o.status.code().expect("the process exited with a status");
        assert!(
            !stderr.contains("panicked"),
            "the program panicked: {stderr}"
        );
        Run {
            status,
            stdout,
            stderr,
            out,
        }
    }
}

/// Runs the binary with these arguments (no stdin).
pub fn run_args(args: &[&str], json: bool) -> Run {
    let o = bin().args(args).output().expect("run ormscope");
    Run::from_output(o, json)
}

/// Runs the binary with these arguments and this standard input.
pub fn run_args_stdin(args: &[&str], stdin: impl Into<Vec<u8>>, json: bool) -> Run {
    let o = bin()
        .args(args)
        .write_stdin(stdin.into())
        .output()
        .expect("run ormscope");
    Run::from_output(o, json)
}

/// Runs statements with `-e` on the in-memory database, `--json`.
pub fn mem(stmts: &[&str]) -> Run {
    let mut args = vec!["--json"];
    for s in stmts {
        args.push("-e");
        args.push(s);
    }
    run_args(&args, true)
}

/// A School database in a temporary file, made by the program itself.
pub struct Db {
    _dir: TempDir,
    pub path: PathBuf,
}

impl Default for Db {
    fn default() -> Self {
        Self::new()
    }
}

impl Db {
    /// A fresh file with the default School data.
    pub fn new() -> Db {
        Self::with_args(&[])
    }

    /// A fresh file made with extra arguments (e.g. `--scale 10`).
    pub fn with_args(extra: &[&str]) -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("school.db");
        let p = path.to_str().unwrap().to_string();
        let mut args = vec!["--db", p.as_str()];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-e", "students.count()"]);
        let r = run_args(&args, false);
        assert_eq!(r.status, 0, "making the database failed: {}", r.stderr);
        assert!(path.exists(), "--db did not create the file");
        Db { _dir: dir, path }
    }

    pub fn path_str(&self) -> &str {
        self.path.to_str().unwrap()
    }

    /// Runs statements (each with `-e`) against this file, `--json`.
    pub fn run(&self, stmts: &[&str]) -> Run {
        let mut args = vec!["--db", self.path_str(), "--json"];
        for s in stmts {
            args.push("-e");
            args.push(s);
        }
        run_args(&args, true)
    }

    /// Runs a script given on standard input against this file, `--json`.
    pub fn run_stdin(&self, script: impl Into<Vec<u8>>) -> Run {
        run_args_stdin(&["--db", self.path_str(), "--json"], script, true)
    }

    /// One statement that must succeed: its JSON answer.
    pub fn ok(&self, stmt: &str) -> Value {
        let r = self.run(&[stmt]);
        assert_eq!(r.out.len(), 1, "one JSON line for {stmt:?}: {r:?}");
        let v = r.out.into_iter().next().unwrap();
        assert_eq!(v["ok"], json!(true), "{stmt:?} should succeed: {v}");
        assert_eq!(r.status, 0, "exit status for {stmt:?}");
        assert_eq!(v["input"], json!(stmt), "input is echoed");
        v
    }

    /// One statement that must fail with this error kind, leaving the file as it was.
    pub fn fails(&self, stmt: &str, kind: &str) -> Value {
        let before = self.dump();
        let r = self.run(&[stmt]);
        assert_eq!(r.out.len(), 1, "one JSON line for {stmt:?}: {r:?}");
        let v = r.out.into_iter().next().unwrap();
        assert_eq!(v["ok"], json!(false), "{stmt:?} should fail: {v}");
        assert_eq!(
            v["error"]["kind"],
            json!(kind),
            "error kind of {stmt:?}: {v}"
        );
        assert_error_shape(&v);
        assert_eq!(r.status, 1, "exit status for a failed statement");
        assert_eq!(
            self.dump(),
            before,
            "{stmt:?} failed but changed the database"
        );
        v
    }

    pub fn conn(&self) -> Connection {
        let c = Connection::open(&self.path).expect("open the database file");
        c.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        c
    }

    /// Rows of a hand-written query, as JSON values (the way ormscope renders them).
    pub fn query(&self, sql: &str) -> Vec<Vec<Value>> {
        query_conn(&self.conn(), sql)
    }

    /// The first column of the first row of a hand-written query.
    pub fn scalar(&self, sql: &str) -> Value {
        let rows = self.query(sql);
        rows.into_iter()
            .next()
            .and_then(|r| r.into_iter().next())
            .unwrap_or(Value::Null)
    }

    /// Column names of a table, in schema order (from SQLite itself).
    pub fn columns(&self, table: &str) -> Vec<String> {
        let c = self.conn();
        let mut st = c
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
            ))
            .unwrap();
        let names = st
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        names
    }

    /// Every table's schema and rows, in a stable order: equal dumps mean an unchanged database.
    pub fn dump(&self) -> String {
        dump_path(&self.path)
    }
}

pub fn dump_path(path: &Path) -> String {
    let c = Connection::open(path).expect("open the database file");
    let mut out = String::new();
    let tables: Vec<(String, String)> = {
        let mut st = c
            .prepare("SELECT name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name")
            .unwrap();
        let v = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        v
    };
    for (name, sql) in &tables {
        out.push_str(sql);
        out.push('\n');
        if sql.starts_with("CREATE TABLE") {
            let rows = query_conn(&c, &format!("SELECT * FROM \"{name}\" ORDER BY 1, 2"));
            for r in rows {
                out.push_str(&serde_json::to_string(&r).unwrap());
                out.push('\n');
            }
        }
    }
    out
}

pub fn query_conn(c: &Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut st = c.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let n = st.column_count();
    let mut rows = st.query([]).unwrap();
    let mut out = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        let mut row = Vec::with_capacity(n);
        for i in 0..n {
            row.push(match r.get_ref(i).unwrap() {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(i) => json!(i),
                ValueRef::Real(f) => json!(f),
                ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                ValueRef::Blob(b) => json!(format!("<blob {} bytes>", b.len())),
            });
        }
        out.push(row);
    }
    out
}

/// Every error object has a known kind, a message and a 1-based line and column.
pub fn assert_error_shape(v: &Value) {
    let e = &v["error"];
    let kind = e["kind"]
        .as_str()
        .unwrap_or_else(|| panic!("error kind: {v}"));
    assert!(
        ERROR_KINDS.contains(&kind),
        "unknown error kind {kind}: {v}"
    );
    assert!(
        e["message"]
            .as_str()
            .map(|m| !m.is_empty())
            .unwrap_or(false),
        "error message: {v}"
    );
    let line = e["line"]
        .as_u64()
        .unwrap_or_else(|| panic!("error line: {v}"));
    let col = e["column"]
        .as_u64()
        .unwrap_or_else(|| panic!("error column: {v}"));
    assert!(line >= 1 && col >= 1, "line/column are 1-based: {v}");
    assert!(v["sql"].is_array(), "failed answers carry sql: {v}");
}

/// The `sql` list of an answer, each as (display, text, params).
pub fn sql_list(v: &Value) -> Vec<(String, String, Value)> {
    v["sql"]
        .as_array()
        .unwrap_or_else(|| panic!("no sql list: {v}"))
        .iter()
        .map(|s| {
            (
                s["display"].as_str().unwrap().to_string(),
                s["text"].as_str().unwrap().to_string(),
                s["params"].clone(),
            )
        })
        .collect()
}

/// The answer sent exactly these statements: (display, text with ?, params).
pub fn assert_sql(v: &Value, expected: &[(&str, &str, Value)]) {
    let got = sql_list(v);
    let want: Vec<(String, String, Value)> = expected
        .iter()
        .map(|(d, t, p)| (d.to_string(), t.to_string(), p.clone()))
        .collect();
    assert_eq!(got, want, "sql of {}", v["input"]);
    // The display is the text with each ? replaced by its parameter as an SQL literal.
    for (d, t, p) in &got {
        assert_eq!(
            &inline(t, p),
            d,
            "display should be text with params inlined"
        );
    }
}

/// One statement: display, and text/params derived by the rule "every literal is a ?".
pub fn assert_one_sql(v: &Value, display: &str, text: &str, params: Value) {
    assert_sql(v, &[(display, text, params)]);
}

/// Puts each parameter into the `?` it stands for, as an SQL literal (independent of the program).
pub fn inline(text: &str, params: &Value) -> String {
    let params = params.as_array().cloned().unwrap_or_default();
    let mut it = params.iter();
    let mut out = String::new();
    let mut in_str = false;
    for ch in text.chars() {
        if ch == '\'' {
            in_str = !in_str;
        }
        if ch == '?' && !in_str {
            let p = it.next().expect("a parameter for each ?");
            out.push_str(&match p {
                Value::Null => "NULL".to_string(),
                Value::String(s) => format!("'{}'", s.replace('\'', "''")),
                Value::Bool(b) => (if *b { "1" } else { "0" }).to_string(),
                other => other.to_string(),
            });
        } else {
            out.push(ch);
        }
    }
    assert!(it.next().is_none(), "more params than ? in {text}");
    out
}

pub fn kind(v: &Value) -> &str {
    v["result"]["kind"].as_str().unwrap_or("")
}

/// The rows of a `rows` result.
pub fn rows(v: &Value) -> Vec<Vec<Value>> {
    assert_eq!(kind(v), "rows", "a rows result: {v}");
    serde_json::from_value(v["result"]["rows"].clone()).unwrap()
}

fn sorted(mut r: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    r.sort_by_key(|row| serde_json::to_string(row).unwrap());
    r
}

/// Same rows in any order (a multiset).
pub fn assert_same_rows(got: Vec<Vec<Value>>, want: Vec<Vec<Value>>) {
    assert_eq!(sorted(got), sorted(want));
}

impl Db {
    /// `stmt` gives a table's rows: kind rows, the table and its columns in schema
    /// order, the same rows (as a multiset) as the hand-written `hand` SQL.
    pub fn check_table_rows(&self, stmt: &str, table: &str, hand: &str) -> Value {
        let v = self.ok(stmt);
        assert_eq!(kind(&v), "rows", "{v}");
        assert_eq!(v["result"]["table"], json!(table), "{v}");
        assert_eq!(v["result"]["columns"], json!(self.columns(table)), "{v}");
        let want = self.query(hand);
        assert_same_rows(rows(&v), want);
        v
    }

    /// Like `check_table_rows`, but the order must match too.
    pub fn check_table_rows_ordered(&self, stmt: &str, table: &str, hand: &str) -> Value {
        let v = self.ok(stmt);
        assert_eq!(kind(&v), "rows", "{v}");
        assert_eq!(v["result"]["table"], json!(table), "{v}");
        assert_eq!(v["result"]["columns"], json!(self.columns(table)), "{v}");
        assert_eq!(rows(&v), self.query(hand), "{stmt}");
        v
    }

    /// `stmt` gives one object: the same row as `hand` (which must give exactly one).
    pub fn check_object(&self, stmt: &str, table: &str, hand: &str) -> Value {
        let v = self.ok(stmt);
        assert_eq!(kind(&v), "object", "{v}");
        assert_eq!(v["result"]["table"], json!(table), "{v}");
        assert_eq!(v["result"]["columns"], json!(self.columns(table)), "{v}");
        let want = self.query(hand);
        assert_eq!(want.len(), 1, "the hand query gives one row");
        assert_eq!(v["result"]["row"], json!(want[0]), "{stmt}");
        v
    }

    /// `stmt` gives a value equal to the hand-written query's scalar.
    pub fn check_value(&self, stmt: &str, hand: &str) -> Value {
        let v = self.ok(stmt);
        assert_eq!(kind(&v), "value", "{v}");
        let want = self.scalar(hand);
        match (&v["result"]["value"], &want) {
            (Value::Number(a), Value::Number(b)) if a.is_f64() || b.is_f64() => {
                let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
                assert!((a - b).abs() < 1e-9, "{stmt}: {a} vs {b}");
            }
            (got, want) => assert_eq!(got, want, "{stmt}"),
        }
        v
    }
}

/// A statement as [`assert_sql`] takes it: its display text, its text with `?`, its values.
pub type Sent = (&'static str, &'static str, Value);

/// Student 13 loaded by its key, as `session.get(Student, 13)` sends it.
pub fn load_student_13() -> Sent {
    (
        "SELECT * FROM students WHERE id = 13",
        "SELECT * FROM students WHERE id = ?",
        json!([13]),
    )
}

/// The lazy load of student 13's classes.
pub fn load_classes_of_13() -> Sent {
    (
        "SELECT * FROM classes WHERE student_id = 13",
        "SELECT * FROM classes WHERE student_id = ?",
        json!([13]),
    )
}

/// The seed's INSERT: Biology 301 for student 13.
pub fn insert_biology_301() -> Sent {
    (
        "INSERT INTO classes (student_id, name, abbreviation) VALUES (13, 'Biology 301', 'BI301')",
        "INSERT INTO classes (student_id, name, abbreviation) VALUES (?, ?, ?)",
        json!([13, "Biology 301", "BI301"]),
    )
}

/// The display text of each statement an answer sent, in order.
pub fn displays(v: &Value) -> Vec<String> {
    sql_list(v).into_iter().map(|s| s.0).collect()
}
