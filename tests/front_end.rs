//! The front end as a learner and an instructor meet it: meta commands within the width
//! given, errors of scripts at the script's lines, `:dialect all` with meta commands and
//! `:params`, read-only refusals in words, and `ormscope sql --json`.

mod common;

use common::*;
use unicode_width::UnicodeWidthStr;

/// The readable view of `-e` statements at `width` columns, without colour.
fn view(width: &str, args: &[&str]) -> String {
    let mut all = vec!["--no-color", "--width", width];
    all.extend_from_slice(args);
    run_args(&all, false).stdout
}

fn widest(text: &str) -> usize {
    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

#[test]
fn schema_lines_never_exceed_the_width_given() {
    for width in ["60", "80", "120"] {
        for command in [":schema", ":schema students", ":mapping Student", ":tables"] {
            let out = view(width, &["-e", command]);
            let w: usize = width.parse().unwrap_or(0);
            assert!(
                widest(&out) <= w,
                "{command} at {width} is {} wide:\n{out}",
                widest(&out)
            );
        }
    }
}

#[test]
fn explain_is_wrapped_to_the_width() {
    let out = view(
        "60",
        &[
            "-e",
            ":explain students.where(name == 'x').include(classes)",
        ],
    );
    assert!(widest(&out) <= 60, "{out}");
    assert!(out.contains("SQLite then planned"), "{out}");
}

#[test]
fn a_wrapped_comment_keeps_its_marker() {
    let out = view("80", &["-e", ":mapping Student"]);
    let lines: Vec<&str> = out.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("# SQLAlchemy 2 spells this"))
        .expect("the comment");
    let continued = &lines[start + 1];
    assert!(
        continued.trim_start().starts_with('#'),
        "the comment goes on with its #: {continued:?}\n{out}"
    );
}

#[test]
fn a_wrapped_class_declaration_keeps_its_indentation() {
    let out = view("60", &["-e", ":schema students"]);
    let body: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("class Student(Base):"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert!(body.len() > 5, "{out}");
    for line in body {
        assert!(
            line.starts_with("    "),
            "{line:?} lost its indentation:\n{out}"
        );
        assert!(line.width() <= 60, "{line:?} is wider than 60 columns");
    }
}

#[test]
fn a_scripts_error_names_the_scripts_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("lesson.orm");
    std::fs::write(
        &script,
        "students[13].name\n\n# a comment\nstudents.yeer\nstudents.where(\n  yeer == 2)\n",
    )
    .expect("script");
    let path = script.to_string_lossy().into_owned();
    let out = view("100", &[&path]);
    assert!(out.contains("name error at line 4, column 10"), "{out}");
    assert!(out.contains("name error at line 6, column 3"), "{out}");
    let json = run_args(&["--json", &path], true);
    assert_eq!(json.out[1]["error"]["line"], 4, "{}", json.out[1]);
    assert_eq!(json.out[1]["error"]["column"], 10, "{}", json.out[1]);
    assert_eq!(json.out[2]["error"]["line"], 6, "{}", json.out[2]);
    assert_eq!(json.out[2]["error"]["statement_line"], 2, "{}", json.out[2]);
}

#[test]
fn dialect_all_shows_meta_commands_once_and_respects_params() {
    let out = view(
        "120",
        &[
            "--dialect",
            "all",
            "-e",
            ":sql SELECT 1",
            "-e",
            ":schema",
            "-e",
            ":params",
            "-e",
            "students.where(year == 2)",
        ],
    );
    let sql_answer = out.split(":schema").next().unwrap_or("");
    assert_eq!(
        sql_answer.matches("SELECT 1").count(),
        2,
        "the ORM panel and one SQL panel:\n{sql_answer}"
    );
    assert_eq!(out.matches("CREATE TABLE students").count(), 1, "{out}");
    assert!(
        out.contains("$1"),
        "PostgreSQL numbers its parameters: {out}"
    );
    assert!(out.contains("params (2)"), "{out}");
}

#[test]
fn read_only_refusals_say_the_session_is_read_only() {
    let r = run_args(
        &[
            "--json",
            "--read-only",
            "-e",
            ":sql CREATE TABLE t (x)",
            "-e",
            "class Award(Base):\n    __tablename__ = 'awards'\n    id = Column(Integer, primary_key=True)",
            "-e",
            ":reset",
        ],
        true,
    );
    for answer in &r.out {
        let message = answer["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains("this session is read-only"), "{}", answer);
        assert!(!message.contains("sqlite_master"), "{answer}");
    }
}

#[test]
fn a_file_read_only_on_disk_is_named_as_the_reason_never_the_flag() {
    let db = Db::new();
    let mut permissions = std::fs::metadata(db.path_str())
        .expect("the file")
        .permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(db.path_str(), permissions).expect("made read-only");
    let r = run_args(
        &[
            "--db",
            db.path_str(),
            "--json",
            "-e",
            "students[13].name = 'X'",
            "-e",
            "class Award(Base):\n    __tablename__ = 'awards'\n    id = Column(Integer, primary_key=True)",
        ],
        true,
    );
    for answer in &r.out {
        let message = answer["error"]["message"].as_str().unwrap_or("");
        assert!(
            message.contains("read-only (the file is read-only on disk)")
                && !message.contains("--read-only"),
            "{answer}"
        );
    }
    assert!(
        r.out[1]["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("chmod u+w"),
        "the hint says how to make it writable: {}",
        r.out[1]
    );
}

#[test]
fn sql_json_is_a_flag_wherever_it_stands() {
    for args in [
        ["sql", "--json", "students[13]"],
        ["sql", "students[13]", "--json"],
    ] {
        let r = run_args(&args, true);
        assert_eq!(r.status, 0, "{}", r.stderr);
        assert_eq!(r.out.len(), 1, "{}", r.stdout);
        assert_eq!(r.out[0]["input"], "students[13]");
        assert_eq!(
            r.out[0]["dialects"]["sqlite"][0],
            "SELECT * FROM students WHERE id = 13"
        );
    }
}

#[test]
fn a_transcript_under_dialect_all_has_raw_sql_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("class.md");
    let file = path.to_string_lossy().into_owned();
    let r = run_args(
        &[
            "--no-color",
            "--dialect",
            "all",
            "--record",
            &file,
            "-e",
            ":sql SELECT 1",
        ],
        false,
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&path).expect("the transcript");
    assert_eq!(text.matches("SELECT 1;").count(), 1, "{text}");
}

#[test]
fn help_has_topics_for_loops_loading_the_session_classes_reset_and_contains() {
    for (topic, says) in [
        ("loops", "for s in students"),
        ("include", "selectinload"),
        ("join_load", "joinedload"),
        ("session", "session.commit()"),
        ("class", "__tablename__"),
        ("reset", "as it was at the start"),
        ("contains", "ASCII letters only"),
    ] {
        let r = run_args(&["--no-color", "-e", &format!(":help {topic}")], false);
        assert_eq!(r.status, 0, ":help {topic}: {}", r.stdout);
        assert!(r.stdout.contains(says), ":help {topic}: {}", r.stdout);
    }
}
