//! The hostile-SQL corpus (issue 28): hundreds of raw statements per backend that reach for
//! files, roles, settings, names the server decodes differently, queries given as text,
//! temporary objects that hide mapped tables, and the School's own objects, kept in
//! `tests/fixtures/hostile/`. Every one, sent as `:sql <statement>` through one run of the real
//! binary, must be refused (an error with a message) and change nothing: on SQLite no byte of
//! the School's file or of a victim file beside it and no new file; on PostgreSQL no role,
//! membership, setting, relation, function, large object, sequence value, row or server file.
//! After each statement a probe asks the session what it is (its role and search path, its
//! temporary objects and attached databases, whether it may write), so a statement that
//! changes the session is named by its line. The corpus runs three ways: statement by statement
//! as learners type it, inside a transaction (each statement followed by `rollback`, which
//! fails if the statement ended the transaction), and in a read-only session, which also runs
//! a corpus of writes that only `--read-only` refuses.

mod common;
#[path = "common/pg.rs"]
mod pg;

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The fewest statements a backend's corpus may hold (issue 28 asks for 200 or more).
const AT_LEAST: usize = 200;

/// What the corpora write for the folder they attack (the School's folder, or the cluster's).
const DIR: &str = "@DIR@";

/// One statement of a corpus, with where it is written.
struct Hostile {
    file: &'static str,
    line: usize,
    text: String,
}

impl Hostile {
    fn place(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// The statements of a corpus file (blank lines and `--` comments left out), with `@DIR@`
/// replaced by `dir`.
fn corpus(file: &'static str, dir: &Path) -> Vec<Hostile> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let dir = dir.to_str().expect("a folder named in UTF-8");
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with("--"))
        .map(|(i, l)| Hostile {
            file,
            line: i + 1,
            text: l.trim().replace(DIR, dir),
        })
        .collect()
}

/// A backend's main corpus: at least [`AT_LEAST`] statements, no two alike.
fn main_corpus(file: &'static str, dir: &Path) -> Vec<Hostile> {
    let statements = corpus(file, dir);
    assert!(
        statements.len() >= AT_LEAST,
        "{file} holds {} statements; issue 28 asks for at least {AT_LEAST}",
        statements.len()
    );
    let mut seen = BTreeMap::new();
    for s in &statements {
        if let Some(first) = seen.insert(s.text.as_str(), s.line) {
            panic!("{file}:{} repeats line {first}: {}", s.line, s.text);
        }
    }
    statements
}

/// How a corpus is run.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// One statement after another, each on its own (as learners type them).
    Plain,
    /// Inside `begin`: each statement is followed by the probe, `rollback` and `begin`.
    InTransaction,
    /// With `--read-only`.
    ReadOnly,
}

/// What a line of the script sent is, to judge its answer.
enum Step<'a> {
    Setup,
    Hostile(&'a Hostile),
    /// The n-th line of the probe.
    Probe(usize),
    Begin,
    Rollback,
}

/// The lines sent on standard input, and what each is.
struct Script<'a> {
    lines: Vec<String>,
    steps: Vec<Step<'a>>,
}

impl<'a> Script<'a> {
    fn new(mode: Mode, setup: &[&str], probe: &[&str], statements: &'a [Hostile]) -> Script<'a> {
        let mut script = Script {
            lines: Vec::new(),
            steps: Vec::new(),
        };
        for line in setup {
            script.push(line, Step::Setup);
        }
        if mode == Mode::InTransaction {
            script.push("begin", Step::Begin);
        }
        script.probe(probe);
        for statement in statements {
            script.push(
                &format!(":sql {}", statement.text),
                Step::Hostile(statement),
            );
            script.probe(probe);
            if mode == Mode::InTransaction {
                script.push("rollback", Step::Rollback);
                script.push("begin", Step::Begin);
            }
        }
        if mode == Mode::InTransaction {
            script.push("rollback", Step::Rollback);
        }
        script
    }

    fn push(&mut self, line: &str, step: Step<'a>) {
        self.lines.push(line.to_string());
        self.steps.push(step);
    }

    fn probe(&mut self, probe: &[&str]) {
        for (n, line) in probe.iter().enumerate() {
            self.push(line, Step::Probe(n));
        }
    }

    fn stdin(&self) -> String {
        self.lines.iter().map(|l| format!("{l}\n")).collect()
    }

    /// Judges every answer; each failure names the corpus line it comes from.
    fn judge(&self, mode: Mode, answers: &[Value], failures: &mut Vec<String>) {
        if answers.len() != self.lines.len() {
            failures.push(format!(
                "{mode:?}: {} answers for {} lines sent",
                answers.len(),
                self.lines.len()
            ));
        }
        let mut last: Option<&Hostile> = None;
        let after = |last: Option<&Hostile>| match last {
            Some(h) => format!("{} ({mode:?}) `{}`", h.place(), h.text),
            None => format!("({mode:?}) before the corpus"),
        };
        let probe_lines = probe_len(&self.steps);
        let mut probe: Vec<Value> = Vec::new();
        let mut known: Option<Vec<Value>> = None;
        for ((line, step), answer) in self.lines.iter().zip(&self.steps).zip(answers) {
            if answer["input"].as_str() != Some(line.as_str()) {
                failures.push(format!(
                    "{mode:?}: the answers are out of step: {line:?} was answered by {answer}"
                ));
                return;
            }
            let message = answer["error"]["message"].as_str().unwrap_or("");
            match step {
                Step::Setup => {
                    if answer["ok"] != true {
                        failures.push(format!("({mode:?}) the setup {line:?} failed: {answer}"));
                    }
                }
                Step::Begin | Step::Rollback => {
                    if answer["ok"] != true {
                        failures.push(format!(
                            "{}: the transaction around it was ended or broken: {line} then failed: {message}",
                            after(last)
                        ));
                    }
                }
                Step::Hostile(h) => {
                    last = Some(h);
                    if answer["ok"] != false {
                        failures.push(format!(
                            "{}: was not refused: {}",
                            after(last),
                            answer["result"]
                        ));
                    } else if message.trim().is_empty() {
                        failures.push(format!("{}: was refused without a message", after(last)));
                    } else if answer["result"]["rows"]
                        .as_array()
                        .is_some_and(|rows| !rows.is_empty())
                    {
                        // A refusal may name the columns it would have had (they are known
                        // before the first row), but gives no row.
                        failures.push(format!(
                            "{}: was refused but gave rows: {}",
                            after(last),
                            answer["result"]
                        ));
                    }
                }
                Step::Probe(n) => {
                    if *n == 0 {
                        probe.clear();
                    }
                    probe.push(json!({
                        "ok": answer["ok"],
                        "result": answer["result"],
                        "error": answer["error"]["message"],
                    }));
                    if probe.len() == probe_lines {
                        if let Some(before) = &known {
                            if *before != probe {
                                failures.push(format!(
                                    "{}: changed the session: the probe answered {} before and {} after",
                                    after(last),
                                    json!(before),
                                    json!(probe)
                                ));
                            }
                        }
                        known = Some(probe.clone());
                    }
                }
            }
        }
    }
}

/// How many lines the probe has.
fn probe_len(steps: &[Step<'_>]) -> usize {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Probe(n) => Some(n + 1),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// One run of the binary with these arguments, in `cwd`, with this standard input: its
/// answers (one JSON object per line).
fn run(args: &[&str], cwd: &Path, stdin: String) -> Vec<Value> {
    let output = common::bin()
        .args(args)
        .current_dir(cwd)
        .write_stdin(stdin)
        .output()
        .expect("run ormscope");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "the program panicked: {stderr}"
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l:?}\n{stderr}"))
        })
        .collect()
}

/// Runs `statements` the given way; the failures found.
fn run_corpus(
    mode: Mode,
    args: &[&str],
    cwd: &Path,
    setup: &[&str],
    probe: &[&str],
    statements: &[Hostile],
) -> Vec<String> {
    let script = Script::new(mode, setup, probe, statements);
    let mut args = args.to_vec();
    if mode == Mode::ReadOnly {
        args.push("--read-only");
    }
    let answers = run(&args, cwd, script.stdin());
    let mut failures = Vec::new();
    script.judge(mode, &answers, &mut failures);
    failures
}

/// The lines of `after` that `before` lacks and the other way round, for a failure message.
fn difference(before: &str, after: &str) -> String {
    let b: BTreeSet<&str> = before.lines().collect();
    let a: BTreeSet<&str> = after.lines().collect();
    let gone: Vec<&str> = b.difference(&a).copied().collect();
    let new: Vec<&str> = a.difference(&b).copied().collect();
    format!("gone: {gone:?}; new: {new:?}")
}

fn assert_none(failures: &[String], started: Instant, what: &str) {
    eprintln!(
        "{what}: {} failure(s), {:.1} s",
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} hole(s) in the {what} sandbox:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// SQLite

/// Every file of a folder and its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read the folder")
        .map(|e| {
            let e = e.expect("a folder entry");
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

/// What changed in the folder, in words.
fn file_changes(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
    dir: &Path,
) -> Vec<String> {
    let mut changes = Vec::new();
    for name in after.keys().filter(|n| !before.contains_key(*n)) {
        changes.push(format!("a new file appeared: {name}"));
    }
    for name in before.keys().filter(|n| !after.contains_key(*n)) {
        changes.push(format!("a file went away: {name}"));
    }
    for (name, bytes) in before {
        if after.get(name).is_some_and(|b| b != bytes) {
            let what = if name.ends_with(".db") {
                let was = tempfile::NamedTempFile::new().expect("a temporary file");
                std::fs::write(was.path(), bytes).expect("write the old copy");
                let old = common::dump_path(was.path());
                let new = common::dump_path(&dir.join(name));
                if old == new {
                    "its bytes (not its rows or schema)".to_string()
                } else {
                    difference(&old, &new)
                }
            } else {
                "its bytes".to_string()
            };
            changes.push(format!("{name} changed: {what}"));
        }
    }
    changes
}

/// The probe on SQLite: temporary objects, attached databases and foreign keys, then whether
/// the session may write (a delete of no row).
const SQLITE_PROBE: &[&str] = &[
    ":sql SELECT (SELECT count(*) FROM sqlite_temp_master) AS temporary, (SELECT group_concat(name) FROM pragma_database_list) AS databases, (SELECT foreign_keys FROM pragma_foreign_keys) AS foreign_keys",
    "students.where(id == 0).delete()",
];

#[test]
fn the_sqlite_corpus_is_refused_with_no_effect() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    // The School, with a declared class (so ormscope_mapping holds a row) and a table and a
    // view of one's own (mapped, so protected, when the file is opened again).
    let made = run(
        &["--db", "school.db", "--json"],
        dir,
        "class Award(Base):\n    __tablename__ = 'awards'\n    id = Column(Integer, primary_key=True)\n    title = Column(String)\n\n\
         :sql CREATE TABLE mine (id INTEGER PRIMARY KEY, x TEXT)\n\
         :sql CREATE VIEW mine_v AS SELECT * FROM mine\n"
            .to_string(),
    );
    assert_eq!(made.len(), 3, "{made:?}");
    assert!(made.iter().all(|a| a["ok"] == true), "{made:?}");
    let victim = rusqlite::Connection::open(dir.join("victim.db")).expect("victim.db");
    victim
        .execute_batch("CREATE TABLE precious (x); INSERT INTO precious VALUES ('keep me');")
        .expect("fill victim.db");
    drop(victim);

    let statements = main_corpus("sqlite.sql", dir);
    let writes = corpus("sqlite-read-only.sql", dir);
    let args = ["--db", "school.db", "--json"];
    // A temporary table of one's own, which statements try to rename over a mapped table.
    let setup = [":sql CREATE TEMP TABLE scratch (id INTEGER PRIMARY KEY, name TEXT)"];
    let before = files(dir);
    let mut failures = Vec::new();
    for (mode, statements) in [
        (Mode::Plain, &statements),
        (Mode::InTransaction, &statements),
        (Mode::ReadOnly, &statements),
        (Mode::ReadOnly, &writes),
    ] {
        let setup: &[&str] = if mode == Mode::ReadOnly { &[] } else { &setup };
        failures.extend(run_corpus(
            mode,
            &args,
            dir,
            setup,
            SQLITE_PROBE,
            statements,
        ));
        let after = files(dir);
        for change in file_changes(&before, &after, dir) {
            failures.push(format!(
                "after the {mode:?} run of {}: {change}",
                statements[0].file
            ));
        }
        if after != before {
            break;
        }
    }
    eprintln!(
        "sqlite.sql: {} statements, sqlite-read-only.sql: {}",
        statements.len(),
        writes.len()
    );
    assert_none(&failures, started, "SQLite");
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/// The probe on PostgreSQL: the session's role, its user and its search path (with a
/// temporary schema once one is made), then whether it may write (a delete of no row).
const POSTGRESQL_PROBE: &[&str] = &[
    ":sql SELECT current_user, session_user, current_schemas(true)::text",
    "students.where(id == 0).delete()",
];

/// The folder of the throwaway cluster: its socket's, which its URL names.
fn cluster_dir(url: &str) -> PathBuf {
    let host = url
        .split("host=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap_or_else(|| panic!("no host= in {url}"));
    PathBuf::from(host)
}

/// Everything of the cluster the corpus tries to change, as text to compare.
fn cluster_state(server: &pg::Server, dir: &Path) -> String {
    let psql = |sql: &str| {
        server
            .psql(sql)
            .unwrap_or_else(|why| panic!("psql {sql}: {why}"))
    };
    let mut state = String::new();
    for (what, sql) in [
        ("roles", "SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolpassword IS NOT NULL AS password, rolvaliduntil FROM pg_authid ORDER BY rolname"),
        ("memberships", "SELECT r.rolname AS role, m.rolname AS member, a.admin_option FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member ORDER BY 1, 2"),
        ("role and database settings", "SELECT setdatabase, setrole::regrole, setconfig FROM pg_db_role_setting ORDER BY 1, 2"),
        ("settings", "SELECT name, setting FROM pg_settings WHERE name IN ('default_transaction_read_only', 'search_path', 'statement_timeout', 'lock_timeout', 'session_replication_role', 'row_security', 'listen_addresses', 'work_mem') ORDER BY name"),
        ("settings in files", "SELECT sourcefile, name, setting FROM pg_file_settings ORDER BY 1, 2"),
        ("databases", "SELECT datname, datdba::regrole, datacl, datallowconn FROM pg_database ORDER BY 1"),
        ("tablespaces", "SELECT spcname, spcacl FROM pg_tablespace ORDER BY 1"),
        ("schemas", "SELECT nspname, nspowner::regrole, nspacl FROM pg_namespace ORDER BY 1"),
        ("relations", "SELECT n.nspname, c.relname, c.relkind, c.relowner::regrole, c.relacl, c.relpersistence, c.relrowsecurity, c.relhastriggers, c.relhasrules FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 1, 2"),
        ("columns of the School", "SELECT c.relname, a.attname, a.atttypid::regtype, a.attnotnull FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('ormscope', 'public') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2"),
        ("constraints", "SELECT conrelid::regclass, conname, contype FROM pg_constraint WHERE connamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN ('ormscope', 'public')) ORDER BY 1, 2"),
        ("functions", "SELECT n.nspname, count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace GROUP BY 1 ORDER BY 1"),
        ("function rights", "SELECT p.oid::regprocedure, p.proacl FROM pg_proc p WHERE p.proacl IS NOT NULL ORDER BY 1"),
        ("default rights", "SELECT defaclrole::regrole, defaclnamespace, defaclobjtype, defaclacl FROM pg_default_acl ORDER BY 1, 2, 3"),
        ("extensions", "SELECT extname FROM pg_extension ORDER BY 1"),
        ("languages", "SELECT lanname, lanpltrusted FROM pg_language ORDER BY 1"),
        ("types, casts, operators", "SELECT (SELECT count(*) FROM pg_type), (SELECT count(*) FROM pg_cast), (SELECT count(*) FROM pg_operator), (SELECT count(*) FROM pg_aggregate)"),
        ("triggers", "SELECT tgrelid::regclass, tgname, tgenabled FROM pg_trigger ORDER BY 1, 2"),
        ("event triggers", "SELECT evtname FROM pg_event_trigger ORDER BY 1"),
        ("rules", "SELECT schemaname, tablename, rulename FROM pg_rules ORDER BY 1, 2, 3"),
        ("policies", "SELECT schemaname, tablename, policyname FROM pg_policies ORDER BY 1, 2, 3"),
        ("foreign servers", "SELECT (SELECT count(*) FROM pg_foreign_data_wrapper), (SELECT count(*) FROM pg_foreign_server)"),
        ("publications", "SELECT (SELECT count(*) FROM pg_publication), (SELECT count(*) FROM pg_subscription)"),
        ("replication slots", "SELECT slot_name FROM pg_replication_slots ORDER BY 1"),
        ("prepared transactions", "SELECT gid FROM pg_prepared_xacts ORDER BY 1"),
        ("large objects", "SELECT count(*) FROM pg_largeobject_metadata"),
        ("sequences", "SELECT schemaname, sequencename, last_value, increment_by FROM pg_sequences ORDER BY 1, 2"),
    ] {
        state.push_str(&format!("[{what}]\n{}", psql(sql)));
    }
    // The rows of every table of the School and of the table beside it.
    let tables = psql(
        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname IN ('ormscope', 'public') ORDER BY 1",
    );
    let counts: Vec<String> = tables
        .lines()
        .skip(1)
        .map(|t| {
            format!(
                "SELECT '{t}' AS t, count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM {t} r"
            )
        })
        .collect();
    state.push_str(&format!("[rows]\n{}", psql(&counts.join(" UNION ALL "))));
    // The server's files: no new file in its folder or its data folder, its configuration as
    // it was.
    for folder in [dir.to_path_buf(), dir.join("data")] {
        let names: BTreeSet<String> = std::fs::read_dir(&folder)
            .expect("read the cluster's folder")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        state.push_str(&format!("[files in {}]\n{names:?}\n", folder.display()));
    }
    for file in [
        "pg_hba.conf",
        "pg_ident.conf",
        "postgresql.conf",
        "postgresql.auto.conf",
    ] {
        let text = std::fs::read_to_string(dir.join("data").join(file)).unwrap_or_default();
        state.push_str(&format!("[{file}]\n{}\n", text.replace('\n', "⏎")));
    }
    state
}

#[test]
fn the_postgresql_corpus_is_refused_with_no_effect() {
    let started = Instant::now();
    // House rule: a test whose tool is missing fails, it never passes by skipping.
    let server = pg::Server::start().unwrap_or_else(|why| {
        panic!("PostgreSQL is needed for this test (.ci/run installs it): {why}")
    });
    let url = server.url();
    let dir = cluster_dir(&url);
    server
        .psql("CREATE TABLE public.secrets (secret text); INSERT INTO public.secrets VALUES ('hunter2')")
        .expect("a table outside the School");
    let made = run(
        &["--db", &url, "--reset", "--json", "-e", "students.count()"],
        &dir,
        String::new(),
    );
    assert_eq!(
        made.first().map(|a| &a["ok"]),
        Some(&json!(true)),
        "{made:?}"
    );

    let statements = main_corpus("postgresql.sql", &dir);
    let writes = corpus("postgresql-read-only.sql", &dir);
    let args = ["--db", url.as_str(), "--json"];
    let before = cluster_state(&server, &dir);
    let mut failures = Vec::new();
    for (mode, statements) in [
        (Mode::Plain, &statements),
        (Mode::InTransaction, &statements),
        (Mode::ReadOnly, &statements),
        (Mode::ReadOnly, &writes),
    ] {
        failures.extend(run_corpus(
            mode,
            &args,
            &dir,
            &[],
            POSTGRESQL_PROBE,
            statements,
        ));
        let after = cluster_state(&server, &dir);
        if after != before {
            failures.push(format!(
                "after the {mode:?} run of {}, the cluster changed: {}",
                statements[0].file,
                difference(&before, &after)
            ));
            break;
        }
    }
    eprintln!(
        "postgresql.sql: {} statements, postgresql-read-only.sql: {}",
        statements.len(),
        writes.len()
    );
    assert_none(&failures, started, "PostgreSQL");
}
