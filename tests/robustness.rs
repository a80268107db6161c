//! "Nothing the user types may crash the program: no panic, no partial write."
//!
//! Property tests feed arbitrary text and arbitrary sequences of language tokens
//! to the real binary, many statements per process (one `-e` each) to stay fast,
//! and check: exit status 0 or 1 (1 exactly when something failed), no panic, one
//! JSON line per statement echoing it, every error with a known kind and a
//! 1-based line/column inside the statement, and — for writes — that a failed
//! statement left the database exactly as it was.

mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

const RESULT_KINDS: &[&str] = &["rows", "object", "value", "write", "none"];

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    }
}

/// Checks one answer's shape against the statement it answers.
fn check_answer(stmt: &str, v: &Value) -> Result<bool, TestCaseError> {
    prop_assert_eq!(&v["input"], &json!(stmt), "input echoed");
    prop_assert!(v["sql"].is_array(), "sql list: {}", v);
    let ok = v["ok"]
        .as_bool()
        .ok_or_else(|| TestCaseError::fail(format!("ok is a boolean: {v}")))?;
    if ok {
        let k = v["result"]["kind"].as_str().unwrap_or("");
        prop_assert!(RESULT_KINDS.contains(&k), "result kind {k}: {v}");
    } else {
        let e = &v["error"];
        let k = e["kind"].as_str().unwrap_or("");
        prop_assert!(ERROR_KINDS.contains(&k), "error kind {k}: {v}");
        prop_assert!(
            e["message"]
                .as_str()
                .map(|m| !m.is_empty())
                .unwrap_or(false),
            "message: {}",
            v
        );
        let script_line = e["line"].as_u64().unwrap_or(0);
        let line = e["statement_line"].as_u64().unwrap_or(script_line);
        prop_assert!(
            script_line >= line,
            "a script's line is at or after the statement's: {}",
            v
        );
        let col = e["column"].as_u64().unwrap_or(0);
        prop_assert!(line >= 1 && col >= 1, "1-based line/column: {}", v);
        let lines: Vec<&str> = stmt.split('\n').collect();
        prop_assert!(
            line as usize <= lines.len().max(1),
            "line {} inside the statement: {}",
            line,
            v
        );
        let width = lines
            .get(line as usize - 1)
            .map(|l| l.chars().count())
            .unwrap_or(0);
        prop_assert!(
            col as usize <= width + 1,
            "column {} inside line {} ({} chars): {}",
            col,
            line,
            width,
            v
        );
    }
    Ok(ok)
}

/// Runs statements with one `-e` each and checks every answer.
fn run_and_check(args: &[&str], stmts: &[String]) -> Result<Run, TestCaseError> {
    let mut all: Vec<&str> = args.to_vec();
    all.push("--json");
    // `--execute=STMT`: a statement may start with '-' (e.g. "-1 < id").
    let owned: Vec<String> = stmts.iter().map(|s| format!("--execute={s}")).collect();
    for s in &owned {
        all.push(s);
    }
    let o = bin().args(&all).output().expect("run ormscope");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    prop_assert!(!stderr.contains("panicked"), "panic: {}", stderr);
    let status = o.status.code();
    prop_assert!(
        status == Some(0) || status == Some(1),
        "exit status {:?}: {}",
        status,
        stderr
    );
    let lines: Vec<&str> = stdout.lines().collect();
    prop_assert_eq!(lines.len(), stmts.len(), "one JSON line per statement");
    let mut out = Vec::new();
    let mut failed = false;
    for (s, l) in stmts.iter().zip(&lines) {
        let v: Value = serde_json::from_str(l)
            .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {l}")))?;
        failed |= !check_answer(s, &v)?;
        out.push(v);
    }
    prop_assert_eq!(
        status == Some(1),
        failed,
        "status 1 exactly when a statement failed"
    );
    Ok(Run {
        status: status.unwrap(),
        stdout,
        stderr,
        out,
    })
}

// ---------------------------------------------------------------- tokens

const NAMES: &[&str] = &[
    "students",
    "Student",
    "teachers",
    "Teacher",
    "classes",
    "Class",
    "clubs",
    "Club",
    "memberships",
    "id",
    "name",
    "email",
    "year",
    "advisor_id",
    "student_id",
    "teacher_id",
    "club_id",
    "abbreviation",
    "credits",
    "grade",
    "department",
    "advisor",
    "advisees",
    "student",
    "teacher",
    "members",
    "where",
    "filter",
    "filter_by",
    "order_by",
    "limit",
    "offset",
    "first",
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "select",
    "distinct",
    "group_by",
    "get",
    "any",
    "like",
    "startswith",
    "endswith",
    "contains",
    "between",
    "desc",
    "asc",
    "append",
    "remove",
    "add",
    "create",
    "update",
    "delete",
    "del",
    "begin",
    "commit",
    "rollback",
    "s",
    "x",
    "None",
    "True",
    "False",
    "null",
    "true",
    "false",
    "and",
    "or",
    "not",
    "in",
    "is",
    // wrong names
    "yeer",
    "studnets",
    "foo",
    "_",
    "__class__",
    "self",
    "lambda",
    "ÿ",
    "名前",
    "Ωmega",
];

const OPERATORS: &[&str] = &[
    "==", "!=", "<", "<=", ">", ">=", "=", "===", "+", "-", "*", "/", "%", ".", ",", ":", ";", "(",
    ")", "[", "]", "{", "}", "#", "@", "!", "~", "^", "&", "|", "\\", "->", "**", "..", "\t", " ",
];

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "13",
    "-1",
    "1.5",
    "-0.0",
    "4",
    "99",
    "007",
    "1e10",
    "0x10",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "99999999999999999999999",
    "1.7976931348623157e309",
    "123456789012345678901234567890.5",
];

fn string_literal() -> BoxedStrategy<String> {
    prop_oneof![
        Just("''".to_string()),
        Just("\"\"".to_string()),
        Just("'Chess'".to_string()),
        Just("'liam.brown@school.edu'".to_string()),
        Just("\"a\\\"b\"".to_string()),
        Just("'it\\'s'".to_string()),
        Just("'\\\\'".to_string()),
        Just("'%_'".to_string()),
        Just("\"unterminated".to_string()),
        Just("'🎉 ü 名'".to_string()),
        Just("'\\n\\t\\q\\x'".to_string()),
        Just("'\u{1}\u{7}\u{1b}[31m'".to_string()),
        Just("'); DROP TABLE students; --".to_string()),
        "[a-zA-Z %_'\"\\\\]{0,12}".prop_map(|s| format!("'{}'", s)),
        "[a-z]{0,8}".prop_map(|s| format!("\"{}\"", s)),
    ]
    .boxed()
}

fn token() -> BoxedStrategy<String> {
    prop_oneof![
        4 => prop::sample::select(NAMES).prop_map(str::to_string),
        3 => prop::sample::select(OPERATORS).prop_map(str::to_string),
        2 => prop::sample::select(NUMBERS).prop_map(str::to_string),
        2 => string_literal(),
        1 => "\\PC{1,3}",
    ]
    .boxed()
}

fn token_statement() -> BoxedStrategy<String> {
    prop::collection::vec((token(), prop::bool::weighted(0.3)), 1..14)
        .prop_map(|ts| {
            let mut s = String::new();
            for (t, space) in ts {
                s.push_str(&t);
                if space {
                    s.push(' ');
                }
            }
            s
        })
        .boxed()
}

// ------------------------------------------------- shaped (grammar-like) statements

fn coll() -> BoxedStrategy<String> {
    prop::sample::select(
        &[
            "students",
            "Student",
            "teachers",
            "classes",
            "clubs",
            "memberships",
            "studnets",
        ][..],
    )
    .prop_map(str::to_string)
    .boxed()
}

fn column() -> BoxedStrategy<String> {
    prop::sample::select(
        &[
            "id",
            "name",
            "email",
            "year",
            "advisor_id",
            "student_id",
            "teacher_id",
            "abbreviation",
            "credits",
            "grade",
            "department",
            "yeer",
            "advisor",
            "classes",
            "clubs",
        ][..],
    )
    .prop_map(str::to_string)
    .boxed()
}

fn value() -> BoxedStrategy<String> {
    prop_oneof![
        prop::sample::select(NUMBERS).prop_map(str::to_string),
        string_literal(),
        prop::sample::select(&["None", "True", "False", "[]", "[1, 2]", "[None]", "{}"][..])
            .prop_map(str::to_string),
        prop::sample::select(
            &[
                "students[1].email",
                "students[13]",
                "teachers[3]",
                "clubs[2]",
                "classes.avg(credits)",
                "students.where(id > 1000).first()",
                "clubs.where(name == 'Chess').first()",
            ][..]
        )
        .prop_map(str::to_string),
    ]
    .boxed()
}

fn key() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(&["1", "2", "3", "13", "40"][..]).prop_map(str::to_string),
        1 => prop::sample::select(NUMBERS).prop_map(str::to_string),
        1 => string_literal(),
    ]
    .boxed()
}

fn condition() -> BoxedStrategy<String> {
    let op = prop::sample::select(
        &[
            "==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not",
        ][..],
    );
    let leaf = (column(), op, value()).prop_map(|(c, o, v)| format!("{c} {o} {v}"));
    let method = (
        column(),
        prop::sample::select(&["like", "startswith", "endswith", "contains"][..]),
        value(),
    )
        .prop_map(|(c, m, v)| format!("{c}.{m}({v})"));
    let special = prop::sample::select(
        &[
            "classes.any()",
            "clubs.any(name == \"Chess\")",
            "advisor.department == 'Arts'",
            "id.between(3, 5)",
            "not advisor.department == 'Arts'",
            "members.any(year == 4)",
        ][..],
    )
    .prop_map(str::to_string);
    let atom = prop_oneof![3 => leaf, 1 => method, 1 => special];
    atom.prop_recursive(3, 8, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(&["and", "or"][..]),
                inner.clone()
            )
                .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            inner.clone().prop_map(|a| format!("not ({a})")),
            inner.prop_map(|a| format!("({a})")),
        ]
    })
    .boxed()
}

fn read_statement() -> BoxedStrategy<String> {
    let tail = prop_oneof![
        Just(String::new()),
        Just(".count()".to_string()),
        Just(".first()".to_string()),
        column().prop_map(|c| format!(".sum({c})")),
        column().prop_map(|c| format!(".order_by(-{c})")),
        column().prop_map(|c| format!(".select({c}).distinct()")),
        column().prop_map(|c| format!(".group_by({c}).count()")),
        key().prop_map(|k| format!(".limit({k}).offset({k})")),
        Just(".classes".to_string()),
        Just(".clubs".to_string()),
        Just(".advisor".to_string()),
    ];
    prop_oneof![
        (coll(), condition(), tail.clone()).prop_map(|(c, w, t)| format!("{c}.where({w}){t}")),
        (coll(), column(), value(), tail.clone())
            .prop_map(|(c, k, v, t)| format!("{c}.filter_by({k}={v}){t}")),
        (coll(), key(), column()).prop_map(|(c, k, a)| format!("{c}[{k}].{a}")),
        (coll(), key()).prop_map(|(c, k)| format!("{c}.get({k})")),
    ]
    .boxed()
}

fn write_statement() -> BoxedStrategy<String> {
    let obj = (coll(), key())
        .prop_map(|(c, k)| format!("{c}[{k}]"))
        .boxed();
    let kwargs = prop::collection::vec((column(), value()), 1..4)
        .prop_map(|kv| {
            kv.into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .boxed();
    let dict = prop::collection::vec((column(), value()), 0..4)
        .prop_map(|kv| {
            let body = kv
                .into_iter()
                .map(|(k, v)| format!("'{k}': {v}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{{{body}}}")
        })
        .boxed();
    prop_oneof![
        (obj.clone(), column(), value()).prop_map(|(o, c, v)| format!("{o}.{c} = {v}")),
        (obj.clone(), kwargs.clone()).prop_map(|(o, k)| format!("{o}.update({k})")),
        (coll(), kwargs.clone()).prop_map(|(c, k)| format!("{c}.create({k})")),
        (
            prop::sample::select(&["Student", "Class", "Club", "Teacher"][..]),
            kwargs.clone()
        )
            .prop_map(|(c, k)| format!("{c}({k})")),
        (coll(), dict.clone()).prop_map(|(c, d)| format!("{c}.add({d})")),
        (key(), dict).prop_map(|(k, d)| format!("students[{k}].classes.append({d})")),
        (coll(), condition(), kwargs).prop_map(|(c, w, k)| format!("{c}.where({w}).update({k})")),
        (coll(), condition()).prop_map(|(c, w)| format!("{c}.where({w}).delete()")),
        obj.clone().prop_map(|o| format!("{o}.delete()")),
        obj.prop_map(|o| format!("del {o}")),
        (
            key(),
            key(),
            prop::sample::select(&["append", "remove"][..])
        )
            .prop_map(|(s, c, m)| format!("students[{s}].clubs.{m}(clubs[{c}])")),
        (
            key(),
            prop::sample::select(&["teachers[3]", "teachers[99]", "None", "classes[1]", "5"][..])
        )
            .prop_map(|(s, t)| format!("students[{s}].advisor = {t}")),
        (key(), value())
            .prop_map(|(k, v)| format!(":sql UPDATE students SET year = {v} WHERE id = {k}")),
        value().prop_map(|v| format!(":sql INSERT INTO clubs (name) VALUES ({v})")),
        Just("students[13].clubs.append(clubs.where(name == 'Debate').first())".to_string()),
        prop::sample::select(&["begin", "commit", "rollback"][..]).prop_map(str::to_string),
    ]
    .boxed()
}

fn any_statement() -> BoxedStrategy<String> {
    prop_oneof![
        3 => token_statement(),
        2 => read_statement(),
        2 => write_statement(),
        1 => "\\PC{0,40}",
        1 => any::<String>().prop_map(|s| s.chars().take(60).collect()),
    ]
    // A NUL cannot be passed in a command-line argument; stdin tests cover it.
    .prop_map(|s| s.replace('\0', " "))
    .boxed()
}

// ---------------------------------------------------------------- properties

/// 64 statements per process, in memory.
#[test]
fn arbitrary_statements_never_crash() {
    let mut runner = TestRunner::new(config(10));
    runner
        .run(&prop::collection::vec(any_statement(), 64), |stmts| {
            run_and_check(&[], &stmts)?;
            Ok(())
        })
        .unwrap();
}

/// A digest of every row of every table, read with `:sql` inside the same session.
const DIGEST: &str = ":sql SELECT \
ifnull((SELECT group_concat(x, '|') FROM (SELECT quote(id)||','||quote(name)||','||quote(department) AS x FROM teachers ORDER BY id)), '') || '#' || \
ifnull((SELECT group_concat(x, '|') FROM (SELECT quote(id)||','||quote(name)||','||quote(email)||','||quote(year)||','||quote(advisor_id) AS x FROM students ORDER BY id)), '') || '#' || \
ifnull((SELECT group_concat(x, '|') FROM (SELECT quote(id)||','||quote(student_id)||','||quote(teacher_id)||','||quote(name)||','||quote(abbreviation)||','||quote(credits)||','||quote(grade) AS x FROM classes ORDER BY id)), '') || '#' || \
ifnull((SELECT group_concat(x, '|') FROM (SELECT quote(id)||','||quote(name) AS x FROM clubs ORDER BY id)), '') || '#' || \
ifnull((SELECT group_concat(x, '|') FROM (SELECT quote(student_id)||','||quote(club_id) AS x FROM memberships ORDER BY student_id, club_id)), '') AS digest";

/// Write-heavy sequences on a file: between statements the whole database is
/// read back; a statement that failed must leave it exactly as it was.
#[test]
fn failed_writes_change_nothing_within_a_session() {
    let mut runner = TestRunner::new(config(8));
    runner
        .run(&prop::collection::vec(write_statement(), 48), |writes| {
            let db = Db::new();
            let mut stmts = vec![DIGEST.to_string()];
            for w in &writes {
                stmts.push(w.clone());
                stmts.push(DIGEST.to_string());
            }
            let r = run_and_check(&["--db", db.path_str()], &stmts)?;
            let digest = |i: usize| -> Result<Value, TestCaseError> {
                let v = &r.out[i];
                prop_assert_eq!(&v["ok"], &json!(true), "digest query: {}", v);
                Ok(v["result"]["rows"][0][0].clone())
            };
            for (k, write) in writes.iter().enumerate() {
                let answer = &r.out[2 * k + 1];
                if answer["ok"] == json!(false) {
                    prop_assert_eq!(
                        digest(2 * k)?,
                        digest(2 * k + 2)?,
                        "failed statement {:?} changed the database: {}",
                        write,
                        answer
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}

/// One write per process on a file: when it fails, the file is byte-for-byte the same data.
#[test]
fn a_failed_write_leaves_the_file_unchanged() {
    let template = Db::new();
    let mut runner = TestRunner::new(config(24));
    runner
        .run(&write_statement(), |w| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("copy.db");
            std::fs::copy(&template.path, &path).unwrap();
            let before = dump_path(&path);
            let r = run_and_check(&["--db", path.to_str().unwrap()], std::slice::from_ref(&w))?;
            if r.out[0]["ok"] == json!(false) {
                prop_assert_eq!(
                    dump_path(&path),
                    before,
                    "{} changed the file: {}",
                    w,
                    r.out[0]
                );
            }
            Ok(())
        })
        .unwrap();
}

/// Arbitrary text (NUL, control characters, open brackets and quotes that
/// swallow later lines) as a script on standard input. (Invalid UTF-8 is
/// covered separately below.)
#[test]
fn arbitrary_scripts_on_stdin_never_crash() {
    let line = prop_oneof![
        3 => any_statement(),
        1 => "[\\x00-\\x1f\"'()\\[\\]{}a-z .=]{0,30}",
    ];
    let script = prop::collection::vec(line, 1..64).prop_flat_map(|lines| {
        let n = lines.len();
        (Just(lines), prop::collection::vec(0u8..0x80, 0..4), 0..n)
    });
    let mut runner = TestRunner::new(config(10));
    runner
        .run(&script, |(lines, junk, at)| {
            let mut bytes: Vec<u8> = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                if i == at {
                    bytes.extend_from_slice(&junk); // raw ASCII bytes, NUL included
                }
                bytes.extend_from_slice(l.as_bytes());
                bytes.push(b'\n');
            }
            let o = bin()
                .arg("--json")
                .write_stdin(bytes)
                .output()
                .expect("run ormscope");
            let stderr = String::from_utf8_lossy(&o.stderr);
            prop_assert!(!stderr.contains("panicked"), "panic: {}", stderr);
            let status = o.status.code();
            prop_assert!(
                status == Some(0) || status == Some(1),
                "status {:?}: {}",
                status,
                stderr
            );
            let stdout = String::from_utf8_lossy(&o.stdout);
            let answers: Vec<&str> = stdout.lines().collect();
            let physical = lines
                .iter()
                .map(|l| l.matches('\n').count() + 1)
                .sum::<usize>()
                + 1;
            prop_assert!(answers.len() <= physical, "at most one answer per line");
            let mut failed = false;
            for l in answers {
                let v: Value = serde_json::from_str(l)
                    .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {l}")))?;
                let stmt = v["input"].as_str().unwrap_or("").to_string();
                failed |= !check_answer(&stmt, &v)?;
            }
            prop_assert_eq!(
                status == Some(1),
                failed,
                "status 1 exactly when a statement failed"
            );
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------- hostile strings

#[test]
fn hostile_strings_are_stored_and_read_back_verbatim() {
    let db = Db::new();
    let cases: Vec<(&str, &str)> = vec![
        // (how it is written in the language, the stored text)
        (
            "\"'); DROP TABLE students; --\"",
            "'); DROP TABLE students; --",
        ),
        (
            "'Robert\\'); DROP TABLE students;--'",
            "Robert'); DROP TABLE students;--",
        ),
        ("\"\\\"\\\"\\\"\"", "\"\"\""),
        ("'\\'\\''", "''"),
        ("'a\\\\b\\\\'", "a\\b\\"),
        ("'%_*?[]^$'", "%_*?[]^$"),
        ("'🎉 ü 名前 Ω \u{200b}'", "🎉 ü 名前 Ω \u{200b}"),
        ("'line1\\nline2\\ttab'", "line1\nline2\ttab"),
        ("'\u{1}\u{7}\u{1b}[31mred'", "\u{1}\u{7}\u{1b}[31mred"),
        ("'?'", "?"),
        ("':sql DELETE FROM students'", ":sql DELETE FROM students"),
    ];
    for (lit, text) in cases {
        let v = db.ok(&format!("students[13].update(name={lit})"));
        // The student is loaded, then the UPDATE carries the text as a bound parameter.
        let sql: Vec<(String, Value)> = sql_list(&v).into_iter().map(|s| (s.1, s.2)).collect();
        assert_eq!(
            sql,
            [
                (
                    "SELECT * FROM students WHERE id = ?".to_string(),
                    json!([13])
                ),
                (
                    "UPDATE students SET name = ? WHERE id = ?".to_string(),
                    json!([text, 13])
                ),
            ],
            "{lit}"
        );
        assert_eq!(
            db.scalar("SELECT name FROM students WHERE id = 13"),
            json!(text),
            "stored verbatim: {lit}"
        );
        let v = db.ok("students[13].name");
        assert_eq!(v["result"]["value"], json!(text), "read back: {lit}");
        let v = db.ok(&format!("students.where(name == {lit}).count()"));
        assert_eq!(v["result"]["value"], json!(1), "found by equality: {lit}");
        let v = db.ok(&format!("students.where(name.contains({lit})).count()"));
        assert_eq!(v["result"]["value"], json!(1), "found by contains: {lit}");
    }
    assert_eq!(db.scalar("SELECT count(*) FROM students"), json!(40));
}

#[test]
fn a_nul_character_is_stored_verbatim() {
    let db = Db::new();
    let r = db.run_stdin(&b"students[13].update(name='a\0b')\nstudents[13].name\n"[..]);
    assert_eq!(r.status, 0, "{r:?}");
    assert_eq!(r.out[1]["result"]["value"], json!("a\u{0}b"));
    let c = db.conn();
    let (len, text): (i64, String) = c
        .query_row(
            "SELECT length(CAST(name AS BLOB)), name FROM students WHERE id = 13",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(len, 3, "all three bytes stored");
    assert_eq!(text, "a\u{0}b");
}

#[test]
fn a_one_megabyte_string_is_stored_verbatim() {
    let db = Db::new();
    let big: String = (0..1_000_000)
        .map(|i| ["x", "'", "\"", "é", "%"][i % 5])
        .collect::<String>();
    let lit = format!("'{}'", big.replace('\\', "\\\\").replace('\'', "\\'"));
    let script = format!("students[13].update(name={lit})\nstudents[13].name\n");
    let r = db.run_stdin(script);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.out.len(), 2);
    assert_eq!(
        r.out[1]["result"]["value"].as_str().unwrap().len(),
        big.len()
    );
    assert_eq!(r.out[1]["result"]["value"], json!(big));
    assert_eq!(
        db.scalar("SELECT name FROM students WHERE id = 13"),
        json!(big)
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!(
        "students.where({}year == 1{})",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let r = mem(&[&deep, "students.count()"]);
    assert_eq!(r.status, 1);
    assert_eq!(r.out[0]["ok"], json!(false));
    assert_error_shape(&r.out[0]);
    assert_eq!(r.out[1]["ok"], json!(true));
    let long_chain = format!("students{}", ".first()".repeat(2000));
    let r = mem(&[&long_chain]);
    assert!(r.status == 0 || r.status == 1);
    let many_nots = format!("students.where({}year == 1)", "not ".repeat(5000));
    let r = mem(&[&many_nots]);
    assert!(r.status == 0 || r.status == 1);
    assert_eq!(r.out.len(), 1);
}

/// A script that is not valid UTF-8 must not crash; today the whole script is
/// refused (see the ignored test below).
#[test]
fn invalid_utf8_script_does_not_crash() {
    let r = run_args_stdin(
        &["--json"],
        &b"students.count()\n\xff\xfe\nstudents.count()\n"[..],
        false,
    );
    assert!(r.status != 0, "the bad line is reported");
    assert!(!r.stderr.is_empty() || r.stdout.contains("\"ok\":false"));
}

#[test]
fn invalid_utf8_line_is_one_failed_statement() {
    let r = run_args_stdin(
        &["--json"],
        &b"students.count()\n\xff\xfe\nstudents.count()\n"[..],
        true,
    );
    assert_eq!(r.status, 1, "{r:?}");
    assert_eq!(r.out.len(), 3);
    assert_eq!(r.out[0]["ok"], json!(true));
    assert_eq!(r.out[1]["ok"], json!(false));
    assert_error_shape(&r.out[1]);
    assert_eq!(r.out[2]["ok"], json!(true));
}

#[test]
fn a_long_chain_through_standard_input_is_answered_not_a_crash() {
    // The reader thread parses what comes on standard input; on a default 2 MiB stack this
    // chain overflowed it and aborted the program (exit 134) before anything was answered.
    let chain = format!("students{}\n", ".limit(1)".repeat(3622));
    let run = common::run_args_stdin(&["--json"], chain, true);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.out.len(), 1, "{}", run.stdout);
    assert_eq!(run.out[0]["ok"], true, "{}", run.out[0]);
    assert_eq!(
        run.out[0]["result"]["rows"].as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn names_from_a_file_stay_inside_strings_in_the_python_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let marker = dir.path().join("PWNED");
    let hostile = format!(
        "x = 1; __import__('os').mkdir({:?}); y",
        marker.display().to_string()
    );
    let file = dir.path().join("hostile.db");
    rusqlite::Connection::open(&file)
        .and_then(|c| {
            c.execute_batch(&format!(
                "CREATE TABLE \"odd\"\"t\" (id INTEGER PRIMARY KEY, \"{}\" TEXT DEFAULT 'a\"b\\c')",
                hostile.replace('"', "\"\"")
            ))
        })
        .expect("the file is made");
    let run = common::run_args(
        &[
            "--db",
            file.to_str().expect("a path"),
            "--json",
            "-e",
            ":schema odd\"t",
        ],
        true,
    );
    let faces = run.out[0]["faces"].as_array().cloned().unwrap_or_default();
    let face = |title: &str| {
        faces
            .iter()
            .find(|f| f["title"] == title)
            .and_then(|f| f["text"].as_str())
            .unwrap_or_else(|| panic!("no face {title}: {}", run.stdout))
            .to_string()
    };
    let program = format!(
        "from typing import Optional, Any\nfrom sqlalchemy import *\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship\nclass Base(DeclarativeBase):\n    pass\nmetadata = MetaData()\n{}\n{}\nassert [c.name for c in odd_t.columns] == ['id', {hostile:?}], list(odd_t.columns)\nassert [c.name for c in OddT.__table__.columns] == ['id', {hostile:?}]\nassert OddT.__tablename__ == 'odd\"t'\n",
        face("Core: Table and Column"),
        face("ORM: the declarative class"),
    );
    let python = std::process::Command::new("python3")
        .args(["-c", &program])
        .output()
        .expect("python3 runs (CI installs it with SQLAlchemy)");
    assert!(
        python.status.success(),
        "{program}\n{}",
        String::from_utf8_lossy(&python.stderr)
    );
    assert!(
        !marker.exists(),
        "the column's name ran as code:\n{program}"
    );
}
