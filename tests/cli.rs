//! The command line of the command line: exit statuses, -e sessions, scripts from a
//! file and from standard input, --db files, the JSON shape, the human view, and
//! the meta commands.

mod common;

use common::*;
use serde_json::json;

#[test]
fn json_answer_shape() {
    let r = mem(&["students[13].classes"]);
    assert_eq!(r.status, 0);
    assert_eq!(r.out.len(), 1);
    assert_eq!(r.stdout.lines().count(), 1, "one line per statement");
    let v = &r.out[0];
    for key in ["input", "ok", "result", "sql", "notes"] {
        assert!(v.get(key).is_some(), "answer has {key}: {v}");
    }
    assert_eq!(v["input"], json!("students[13].classes"));
    let s = &v["sql"][0];
    for key in ["text", "params", "display", "rows"] {
        assert!(s.get(key).is_some(), "sql entry has {key}: {s}");
    }
    assert_eq!(
        v["result"]["columns"],
        json!([
            "id",
            "student_id",
            "teacher_id",
            "name",
            "abbreviation",
            "credits",
            "grade"
        ])
    );
}

#[test]
fn exit_status_zero_when_all_succeed() {
    let r = mem(&["students.count()", "students[13]"]);
    assert_eq!(r.status, 0);
    assert_eq!(r.out.len(), 2);
    assert!(r.out.iter().all(|v| v["ok"] == json!(true)));
}

#[test]
fn exit_status_one_when_one_fails_and_the_rest_still_run() {
    let r = mem(&["students.count()", "studnets", "students[13].name"]);
    assert_eq!(r.status, 1);
    assert_eq!(r.out.len(), 3, "statements after the failure still run");
    assert_eq!(r.out[0]["ok"], json!(true));
    assert_eq!(r.out[1]["ok"], json!(false));
    assert_eq!(r.out[2]["ok"], json!(true));
    assert_eq!(r.out[2]["input"], json!("students[13].name"));
}

#[test]
fn exit_status_two_for_usage_errors() {
    for args in [
        vec!["--no-such-flag"],
        vec!["--json", "--bogus", "-e", "students"],
        vec!["-e"],
        vec!["--scale", "abc", "-e", "students.count()"],
    ] {
        let r = run_args(&args, false);
        assert_eq!(r.status, 2, "{args:?}: {r:?}");
        assert!(!r.stderr.is_empty(), "a usage error says why");
        assert!(r.stdout.trim().is_empty(), "nothing runs: {:?}", r.stdout);
    }
}

#[test]
fn help_and_version_succeed() {
    let r = run_args(&["--help"], false);
    assert_eq!(r.status, 0);
    assert!(r.stdout.contains("--db") && r.stdout.contains("--json"));
    let r = run_args(&["--version"], false);
    assert_eq!(r.status, 0);
    assert!(r.stdout.contains("ormscope"));
}

#[test]
fn several_e_share_one_session() {
    let r = mem(&[
        "students[13].name = \"Shared\"",
        "s = students[13]",
        "s.name",
    ]);
    assert_eq!(r.status, 0);
    assert_eq!(r.out[2]["result"]["value"], json!("Shared"));
}

#[test]
fn script_from_a_file() {
    let db = Db::new();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("lesson.orm");
    std::fs::write(
        &script,
        "students[13].classes\n\nstudents.where(\n    year == 2\n).count()\nstudnets\nstudents.count()\n",
    )
    .unwrap();
    let r = run_args(
        &["--db", db.path_str(), "--json", script.to_str().unwrap()],
        true,
    );
    assert_eq!(r.status, 1, "one statement failed");
    assert_eq!(r.out.len(), 4, "{:?}", r.stdout);
    assert_eq!(r.out[0]["input"], json!("students[13].classes"));
    assert_same_rows(
        rows(&r.out[0]),
        db.query("SELECT * FROM classes WHERE student_id = 13"),
    );
    assert_eq!(
        r.out[1]["input"],
        json!("students.where(\n    year == 2\n).count()")
    );
    assert_eq!(
        r.out[1]["result"]["value"],
        db.scalar("SELECT count(*) FROM students WHERE year = 2")
    );
    assert_eq!(r.out[2]["error"]["kind"], json!("name"));
    assert_eq!(
        r.out[3]["result"]["value"],
        db.scalar("SELECT count(*) FROM students")
    );
}

#[test]
fn missing_script_file_fails() {
    let r = run_args(&["--json", "/definitely/not/here.orm"], false);
    assert_ne!(r.status, 0);
    assert!(!r.stderr.is_empty());
}

#[test]
fn script_from_stdin_with_multi_line_statements() {
    let db = Db::new();
    let script = "\
students.where(
  year == 2 and
  advisor_id is not None
).order_by(
  name
)
students[13].classes.append({
    'name': 'Biology 301',
    'abbreviation': 'BI301'
})
students[13].classes.count()
";
    let r = db.run_stdin(script);
    assert_eq!(r.status, 0, "{r:?}");
    assert_eq!(r.out.len(), 3, "{:?}", r.stdout);
    assert_eq!(
        rows(&r.out[0]),
        db.query("SELECT * FROM students WHERE year = 2 AND advisor_id IS NOT NULL ORDER BY name")
    );
    assert_one_sql(
        &r.out[0],
        "SELECT * FROM students WHERE year = 2 AND advisor_id IS NOT NULL ORDER BY name",
        "SELECT * FROM students WHERE year = ? AND advisor_id IS NOT NULL ORDER BY name",
        json!([2]),
    );
    // The multi-line append is one statement: it loads the student and its classes, then inserts.
    assert_sql(
        &r.out[1],
        &[
            load_student_13(),
            load_classes_of_13(),
            insert_biology_301(),
        ],
    );
    assert_eq!(
        r.out[2]["result"]["value"],
        db.scalar("SELECT count(*) FROM classes WHERE student_id = 13")
    );
}

#[test]
fn a_string_may_continue_on_the_next_line() {
    let db = Db::new();
    let r = db.run_stdin("students[13].name = 'two\nlines'\nstudents[13].name\n");
    assert_eq!(r.status, 0, "{r:?}");
    assert_eq!(r.out.len(), 2);
    assert_eq!(r.out[1]["result"]["value"], json!("two\nlines"));
}

#[test]
fn crlf_line_endings_in_a_script() {
    let db = Db::new();
    let r = db.run_stdin("students.count()\r\nstudents[1].name\r\n");
    assert_eq!(r.status, 0, "{r:?}");
    assert_eq!(r.out.len(), 2);
    assert_eq!(r.out[0]["input"], json!("students.count()"));
    assert_eq!(
        r.out[1]["result"]["value"],
        db.scalar("SELECT name FROM students WHERE id = 1")
    );
}

#[test]
fn human_view_shows_the_sql_and_the_rows() {
    let r = run_args(&["-e", "students[13].classes"], false);
    assert_eq!(r.status, 0);
    assert!(
        r.stdout
            .contains("SELECT * FROM classes WHERE student_id = 13"),
        "{}",
        r.stdout
    );
    let db = Db::new();
    for row in db.query("SELECT name FROM classes WHERE student_id = 13") {
        assert!(r.stdout.contains(row[0].as_str().unwrap()), "{}", r.stdout);
    }
    let r = run_args(&["-e", "studnets"], false);
    assert_eq!(r.status, 1);
    assert!(
        (r.stdout.clone() + &r.stderr).contains("did you mean 'students'"),
        "{r:?}"
    );
}

#[test]
fn db_file_is_created_with_the_school_and_then_opened_as_it_is() {
    let db = Db::new();
    for (table, min) in [("students", 40), ("teachers", 6), ("clubs", 5)] {
        let n = db
            .scalar(&format!("SELECT count(*) FROM {table}"))
            .as_i64()
            .unwrap();
        assert!(n >= min, "{table} has {n}");
        assert_eq!(
            db.scalar(&format!("SELECT max(id) FROM {table}")),
            json!(n),
            "ids run 1..N"
        );
    }
    let departments = db
        .scalar("SELECT count(DISTINCT department) FROM teachers")
        .as_i64()
        .unwrap_or(0);
    assert!(departments >= 3, "{departments} departments");
    // foreign-key columns have indexes
    let indexed: Vec<String> = db
        .query("SELECT tbl_name || '.' || (SELECT name FROM pragma_index_info(sqlite_master.name)) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        .into_iter()
        .map(|r| r[0].as_str().unwrap_or("").to_string())
        .collect();
    for col in [
        "students.advisor_id",
        "classes.student_id",
        "classes.teacher_id",
    ] {
        assert!(
            indexed.iter().any(|i| i == col),
            "index on {col}: {indexed:?}"
        );
    }
    // A change made by hand is seen: the file is opened, not rebuilt.
    db.conn()
        .execute("UPDATE students SET name = 'Hand Made' WHERE id = 13", [])
        .unwrap();
    let v = db.ok("students[13].name");
    assert_eq!(v["result"]["value"], json!("Hand Made"));
}

#[test]
fn foreign_keys_are_enforced_on_an_opened_file() {
    let db = Db::new();
    db.fails("students[13].advisor_id = 999", "constraint");
}

#[test]
fn meta_help() {
    let r = mem(&[":help"]);
    assert_eq!(r.status, 0);
    let v = &r.out[0];
    assert_eq!(v["ok"], json!(true));
    assert_eq!(v["result"]["kind"], json!("none"));
    let text = v["text"].as_str().unwrap_or("");
    assert!(text.contains("where"), "help text: {v}");
    assert_eq!(v["sql"], json!([]));
}

#[test]
fn meta_tables_lists_tables_and_counts() {
    let db = Db::new();
    let v = db.ok(":tables");
    let text = v["text"].as_str().unwrap_or("");
    for t in ["teachers", "students", "classes", "clubs", "memberships"] {
        assert!(text.contains(t), "{text}");
        let n = db.scalar(&format!("SELECT count(*) FROM {t}"));
        assert!(
            text.contains(&format!("{n} rows")),
            "{t}: {n} rows in {text}"
        );
    }
}

#[test]
fn meta_schema_of_a_table() {
    let db = Db::new();
    let v = db.ok(":schema students");
    let text = v["faces"][0]["text"].as_str().unwrap_or("");
    assert!(text.contains("CREATE TABLE students"), "{text}");
    assert!(text.contains("CHECK (year BETWEEN 1 AND 4)"), "{text}");
    assert!(text.contains("REFERENCES teachers(id)"), "{text}");
    assert!(
        !text.contains("CREATE TABLE classes"),
        "only students: {text}"
    );
    db.fails(":schema nope", "name");
}

#[test]
fn meta_sql_runs_raw_sql() {
    let db = Db::new();
    let v = db.ok(":sql SELECT id, name FROM clubs WHERE id < 3 ORDER BY id");
    assert_eq!(v["result"]["kind"], json!("rows"));
    assert_eq!(v["result"]["columns"], json!(["id", "name"]));
    assert_eq!(
        rows(&v),
        db.query("SELECT id, name FROM clubs WHERE id < 3 ORDER BY id")
    );
    assert_one_sql(
        &v,
        "SELECT id, name FROM clubs WHERE id < 3 ORDER BY id",
        "SELECT id, name FROM clubs WHERE id < 3 ORDER BY id",
        json!([]),
    );
    let v = db.ok(":sql SELECT count(*) FROM students");
    assert_eq!(rows(&v), db.query("SELECT count(*) FROM students"));
}

#[test]
fn meta_reset_restores_the_school() {
    let fresh = Db::new();
    let r = mem(&[
        "students[13].delete()",
        "teachers[1].name = \"X\"",
        ":reset",
        "students[13].name",
        "teachers[1].name",
    ]);
    assert_eq!(r.status, 0, "{r:?}");
    assert_eq!(r.out[2]["result"]["kind"], json!("none"));
    assert_eq!(
        r.out[3]["result"]["value"],
        fresh.scalar("SELECT name FROM students WHERE id = 13")
    );
    assert_eq!(
        r.out[4]["result"]["value"],
        fresh.scalar("SELECT name FROM teachers WHERE id = 1")
    );
}

#[test]
fn meta_reset_on_a_file_is_refused_in_a_script_naming_the_file() {
    let db = Db::new();
    let r = db.run(&["teachers[1].name = \"X\"", ":reset"]);
    assert_eq!(r.status, 1, "{r:?}");
    let message = r.out[1]["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains(db.path_str()), "{message}");
    assert!(message.contains("in a script it is refused"), "{message}");
    assert_eq!(
        db.scalar("SELECT name FROM teachers WHERE id = 1"),
        json!("X"),
        "the file was not rewritten"
    );
}

#[test]
fn meta_commands_work_in_scripts() {
    let db = Db::new();
    let r =
        db.run_stdin(":tables\n:schema clubs\n:sql SELECT count(*) FROM clubs\nclubs.count()\n");
    assert_eq!(r.status, 0, "{r:?}");
    assert_eq!(r.out.len(), 4);
    assert_eq!(r.out[0]["input"], json!(":tables"));
    assert_eq!(rows(&r.out[2]), db.query("SELECT count(*) FROM clubs"));
    assert_eq!(
        r.out[3]["result"]["value"],
        db.scalar("SELECT count(*) FROM clubs")
    );
}

#[test]
fn answers_that_cannot_be_written_end_the_run_and_say_so() {
    for json in [false, true] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full, a device that is always full");
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ormscope"));
        if json {
            command.arg("--json");
        }
        let output = command
            .args(["-e", "students", "-e", "teachers"])
            .stdout(full)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("could not be written"), "{stderr}");
    }
}

#[test]
fn a_typo_for_a_file_in_the_folder_is_made_a_school_loudly_and_read_only_makes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    rusqlite::Connection::open(dir.path().join("music.db"))
        .and_then(|c| c.execute_batch("CREATE TABLE artists (id INTEGER PRIMARY KEY, name TEXT)"))
        .expect("the learner's file");
    let run = |args: &[&str]| {
        let o = bin()
            .current_dir(dir.path())
            .args(args)
            .output()
            .expect("run ormscope");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (status, stderr) = run(&["--db", "musci.db", "--read-only", "-e", "students.count()"]);
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("musci.db does not exist, and --read-only never creates a file")
            && stderr.contains("did you mean music.db?"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("musci.db").exists(),
        "--read-only made a file"
    );
    let (status, stderr) = run(&["--db", "musci.db", "-e", "students.count()"]);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stderr.contains(
            "ormscope: made a new School database musci.db (no file was there); did you mean music.db?"
        ),
        "{stderr}"
    );
    assert!(
        dir.path().join("musci.db").exists(),
        "the contract: it is made"
    );
}
