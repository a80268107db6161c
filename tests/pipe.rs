//! Driving ormscope from another program through a pipe: each statement on standard input is
//! answered (and the answer flushed) before the next line is read, a statement whose brackets
//! are still open waits for its last line, and an answered write survives `kill -9`.

mod common;
#[path = "common/driver.rs"]
mod driver;

use driver::Driver;
use std::time::Duration;

#[test]
fn each_statement_is_answered_before_the_next_is_sent() {
    let mut d = Driver::start(&[]);
    d.send("students.count()");
    let first = d.answer();
    assert_eq!(first["ok"], true, "{first}");
    assert_eq!(first["input"], "students.count()");
    assert_eq!(first["result"]["value"], 40);
    d.send("classes.count()");
    let second = d.answer();
    assert_eq!(second["input"], "classes.count()");
    assert_eq!(second["ok"], true, "{second}");
}

#[test]
fn open_brackets_wait_for_the_rest_and_keep_line_numbers() {
    let mut d = Driver::start(&[]);
    d.send("students.count()");
    d.answer();
    d.send("");
    d.send("students.where(");
    assert_eq!(
        d.answer_within(Duration::from_millis(500)),
        None,
        "a statement with an open bracket is not answered yet"
    );
    d.send("  yeer == 2)");
    let answer = d.answer();
    assert_eq!(answer["input"], "students.where(\n  yeer == 2)");
    assert_eq!(answer["ok"], false, "{answer}");
    assert_eq!(answer["error"]["statement_line"], 2, "{answer}");
    assert_eq!(answer["error"]["line"], 4, "{answer}");
    assert_eq!(answer["error"]["column"], 3, "{answer}");
}

#[test]
fn the_last_statement_is_answered_when_the_input_ends() {
    let mut d = Driver::start(&[]);
    d.send("students.count()");
    d.answer();
    d.send("classes.count()");
    d.stdin = None;
    let last = d.answer();
    assert_eq!(last["input"], "classes.count()");
    let status = d.child.wait().expect("ormscope ends");
    assert!(status.success());
}

#[test]
fn an_answered_write_survives_kill_9() {
    let db = common::Db::new();
    let before = db.scalar("SELECT count(*) FROM students");
    let mut d = Driver::start(&["--db", db.path_str()]);
    d.send("students.create(name=\"Grace Hopper\", email=\"grace@example.edu\", year=1)");
    let answer = d.answer();
    assert_eq!(answer["ok"], true, "{answer}");
    d.child.kill().expect("kill -9 (SIGKILL) reaches ormscope");
    d.child.wait().expect("ormscope is gone");
    let after = db.scalar("SELECT count(*) FROM students");
    assert_eq!(after.as_i64(), before.as_i64().map(|n| n + 1));
    let name = db.scalar("SELECT name FROM students WHERE name = 'Grace Hopper'");
    assert_eq!(name, "Grace Hopper");
}

#[test]
fn pythons_exit_and_quit_leave_as_quit_does() {
    for word in ["exit()", "quit()", "exit", "quit", ":quit"] {
        let r = common::run_args_stdin(
            &["--json"],
            format!("students.count()\n{word}\nclasses.count()\n"),
            true,
        );
        assert_eq!(r.status, 0, "{word}: {}", r.stderr);
        let inputs: Vec<&str> = r.out.iter().filter_map(|a| a["input"].as_str()).collect();
        assert_eq!(inputs, ["students.count()", word], "{word} ends the run");
        assert_eq!(r.out[1]["ok"], true, "{}", r.out[1]);
    }
}
