//! What the instructor presses during a demo, from a terminal's line editor, from lines of
//! standard input (so a demo can be driven without a terminal, and tested), or from a clock.

use crate::repl::{is_unfinished, Prompt};
use std::io::BufRead;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

/// One decision at a pause of the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// Enter: run the next statement.
    Next,
    /// `b`: go back one statement.
    Back,
    /// `r`: start again on a fresh School.
    Restart,
    /// `q`: stop.
    Quit,
    /// Anything else: the instructor's own statement.
    Statement(String),
    /// No more input.
    End,
}

impl Key {
    /// What a typed line means.
    pub fn from_line(line: &str) -> Key {
        match line.trim() {
            "" => Key::Next,
            "b" | "B" => Key::Back,
            "r" | "R" => Key::Restart,
            "q" | "Q" | ":quit" | ":q" | ":exit" => Key::Quit,
            _ => Key::Statement(line.to_string()),
        }
    }
}

/// A source of keys.
pub trait Keys {
    /// Waits for the next decision; `prompt` is shown where a prompt can be.
    fn next_key(&mut self, prompt: &str) -> Key;
}

/// Keys as lines of text (an empty line is Enter); a statement continues on more lines
/// while a bracket or quote is open.
pub struct LineKeys<R: BufRead> {
    input: R,
}

impl<R: BufRead> LineKeys<R> {
    /// Keys read from `input`.
    pub fn new(input: R) -> LineKeys<R> {
        LineKeys { input }
    }

    fn line(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
        }
    }
}

impl<R: BufRead> Keys for LineKeys<R> {
    fn next_key(&mut self, _prompt: &str) -> Key {
        let Some(mut text) = self.line() else {
            return Key::End;
        };
        while is_unfinished(&text) {
            match self.line() {
                Some(more) => {
                    text.push('\n');
                    text.push_str(&more);
                }
                None => break,
            }
        }
        Key::from_line(&text)
    }
}

/// Keys typed at a terminal, with the prompt's completion, highlighting and history.
pub struct TerminalKeys {
    prompt: Prompt,
}

impl TerminalKeys {
    /// Keys from the line editor.
    pub fn new(prompt: Prompt) -> TerminalKeys {
        TerminalKeys { prompt }
    }
}

impl Keys for TerminalKeys {
    fn next_key(&mut self, prompt: &str) -> Key {
        match self.prompt.read(prompt) {
            Some(line) => Key::from_line(&line),
            None => Key::End,
        }
    }
}

/// Enter pressed by a clock every `every`, unless a line typed first says otherwise.
/// Lines are read on a thread of their own, so waiting never blocks the clock.
pub struct AutoKeys {
    lines: Receiver<String>,
    every: Duration,
    closed: bool,
}

impl AutoKeys {
    /// Advances every `every`; lines of standard input still count as keys.
    pub fn from_stdin(every: Duration) -> AutoKeys {
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        AutoKeys {
            lines,
            every,
            closed: false,
        }
    }
}

impl Keys for AutoKeys {
    fn next_key(&mut self, _prompt: &str) -> Key {
        if self.closed {
            std::thread::sleep(self.every);
            return Key::Next;
        }
        match self.lines.recv_timeout(self.every) {
            Ok(line) => Key::from_line(&line),
            Err(RecvTimeoutError::Timeout) => Key::Next,
            Err(RecvTimeoutError::Disconnected) => {
                self.closed = true;
                std::thread::sleep(self.every);
                Key::Next
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_keys() {
        let mut keys = LineKeys::new(std::io::Cursor::new(
            "\nb\nr\nq\nstudents.where(\nyear == 2)\n",
        ));
        assert_eq!(keys.next_key(""), Key::Next);
        assert_eq!(keys.next_key(""), Key::Back);
        assert_eq!(keys.next_key(""), Key::Restart);
        assert_eq!(keys.next_key(""), Key::Quit);
        assert_eq!(
            keys.next_key(""),
            Key::Statement("students.where(\nyear == 2)".into())
        );
        assert_eq!(keys.next_key(""), Key::End);
    }

    #[test]
    fn the_clock_presses_enter() {
        let (send, lines) = mpsc::channel::<String>();
        drop(send);
        let mut keys = AutoKeys {
            lines,
            every: Duration::from_millis(1),
            closed: false,
        };
        assert_eq!(keys.next_key(""), Key::Next);
        assert_eq!(keys.next_key(""), Key::Next);
    }
}
