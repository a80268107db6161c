//! A running `ormscope --json` driven one line at a time, as a program drives it through a
//! pipe: its standard input stays open and its answers are read as they come, so a test can
//! act between two statements (on a server, on the input).

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// How long one answer may take before a test calls it missing.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A running `ormscope --json` with its standard input open and its output read line by line.
pub struct Driver {
    /// The process.
    pub child: Child,
    /// Its standard input; `None` once closed.
    pub stdin: Option<ChildStdin>,
    answers: Receiver<String>,
}

impl Driver {
    /// Starts `ormscope --json` with `extra` arguments.
    pub fn start(extra: &[&str]) -> Driver {
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
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").expect("ormscope reads its input");
        stdin.flush().expect("the line is sent");
    }

    /// The next JSON answer, which must come within [`PATIENCE`].
    pub fn answer(&self) -> Value {
        self.answer_in(PATIENCE, "the next statement")
    }

    /// Whether an answer arrives within a short wait (there should be none).
    pub fn answer_within(&self, wait: Duration) -> Option<String> {
        self.answers.recv_timeout(wait).ok()
    }

    /// Sends one statement and waits (at most `patience`) for its answer.
    pub fn ask_within(&mut self, statement: &str, patience: Duration) -> Value {
        self.send(statement);
        self.answer_in(patience, statement)
    }

    /// Sends one statement and waits for its answer.
    pub fn ask(&mut self, statement: &str) -> Value {
        self.ask_within(statement, PATIENCE)
    }

    fn answer_in(&self, patience: Duration, what: &str) -> Value {
        let line = self
            .answers
            .recv_timeout(patience)
            .unwrap_or_else(|_| panic!("no answer to {what} within {patience:?}"));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
