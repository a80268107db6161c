//! Driving ormscope from another program through a pipe: each statement on standard input is
//! answered (and the answer flushed) before the next line is read, a statement whose brackets
//! are still open waits for its last line, and an answered write survives `kill -9`.

mod common;

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// How long one answer may take before the test calls it missing.
const PATIENCE: Duration = Duration::from_secs(30);

/// A running `ormscope --json` with its standard input open and its output read line by line.
struct Driver {
    child: Child,
    stdin: Option<ChildStdin>,
    answers: Receiver<String>,
}

impl Driver {
    fn start(extra: &[&str]) -> Driver {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ormscope"))
            .arg("--json")
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("ormscope starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout is piped");
        let (send, answers) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Driver {
            child,
            stdin,
            answers,
        }
    }

    /// Sends one line, keeping standard input open.
    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").expect("ormscope reads its input");
        stdin.flush().expect("the line is sent");
    }

    /// The next JSON answer, which must come while standard input is still open.
    fn answer(&self) -> Value {
        let line = self
            .answers
            .recv_timeout(PATIENCE)
            .expect("an answer arrives before the input ends");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// Whether an answer arrives within a short wait (there should be none).
    fn answer_within(&self, wait: Duration) -> Option<String> {
        self.answers.recv_timeout(wait).ok()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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
