//! What the instructor presses during a demo: single keys read in raw mode on a terminal (a
//! presentation remote sends Page Down, Page Up and arrows), lines of standard input (so a demo
//! can be driven without a terminal, and tested), or a clock.

use crate::repl::{is_unfinished, Prompt};
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::terminal;
use std::io::{BufRead, Write};
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
            "q" | "Q" => Key::Quit,
            _ if crate::shell::commands::is_quit(line) => Key::Quit,
            _ => Key::Statement(line.to_string()),
        }
    }
}

/// A source of keys.
pub trait Keys {
    /// Waits for the next decision; `prompt` is shown where a prompt can be.
    fn next_key(&mut self, prompt: &str) -> Key;

    /// Which keys do what, in a line for the opening words.
    fn instructions(&self) -> &'static str {
        "Enter runs the next statement\u{a0}· b goes back one\u{a0}· r restarts\u{a0}· q quits\u{a0}· \
         anything else runs as your own statement"
    }
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

/// Single keys at a terminal, read in raw mode: Space, Enter, Right, Down and Page Down go
/// forward; b, Left, Up and Page Up go back; r restarts; q (or Esc, Ctrl-C, Ctrl-D) quits. Any
/// other character starts a statement of the instructor's own, typed in the line editor with
/// its completion, highlighting and history.
pub struct TerminalKeys {
    prompt: Prompt,
}

/// What one key press means at a pause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Press {
    /// A decision made by the key alone.
    Decided(Key),
    /// The first character of a statement.
    Typed(char),
    /// A key that means nothing here.
    Ignored,
}

impl Press {
    /// What a key event means.
    pub fn of(event: &KeyEvent) -> Press {
        if event.kind == KeyEventKind::Release {
            return Press::Ignored;
        }
        let control = event.modifiers.contains(KeyModifiers::CONTROL);
        match event.code {
            KeyCode::Char('c' | 'd') if control => Press::Decided(Key::Quit),
            _ if control => Press::Ignored,
            KeyCode::Char(' ')
            | KeyCode::Enter
            | KeyCode::Right
            | KeyCode::Down
            | KeyCode::PageDown => Press::Decided(Key::Next),
            KeyCode::Char('b' | 'B') | KeyCode::Left | KeyCode::Up | KeyCode::PageUp => {
                Press::Decided(Key::Back)
            }
            KeyCode::Char('r' | 'R') => Press::Decided(Key::Restart),
            KeyCode::Char('q' | 'Q') | KeyCode::Esc => Press::Decided(Key::Quit),
            KeyCode::Char(c) => Press::Typed(c),
            _ => Press::Ignored,
        }
    }
}

impl TerminalKeys {
    /// Keys from the terminal; statements from the line editor.
    pub fn new(prompt: Prompt) -> TerminalKeys {
        TerminalKeys { prompt }
    }

    /// Waits in raw mode for a key that means something; `None` when the terminal cannot be
    /// read that way.
    fn press(&self) -> Option<Press> {
        terminal::enable_raw_mode().ok()?;
        let press = loop {
            match event::read() {
                Ok(Event::Key(key)) => match Press::of(&key) {
                    Press::Ignored => continue,
                    press => break Some(press),
                },
                Ok(_) => continue,
                Err(_) => break None,
            }
        };
        let _ = terminal::disable_raw_mode();
        press
    }

    /// The characters typed after `first` that have already arrived (a fast typist, a paste),
    /// and whether Enter was among them.
    fn typed_ahead(first: char) -> (String, bool) {
        let mut text = String::from(first);
        if terminal::enable_raw_mode().is_err() {
            return (text, false);
        }
        let mut entered = false;
        while event::poll(Duration::ZERO).unwrap_or(false) {
            match event::read() {
                Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => match key.code {
                    KeyCode::Enter => {
                        entered = true;
                        break;
                    }
                    KeyCode::Char(c) => text.push(c),
                    KeyCode::Backspace => {
                        text.pop();
                    }
                    _ => {}
                },
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let _ = terminal::disable_raw_mode();
        (text, entered)
    }
}

impl Keys for TerminalKeys {
    fn instructions(&self) -> &'static str {
        "Space, Enter, → or Page Down: next\u{a0}· b, ← or Page Up: back\u{a0}· r restarts\u{a0}· q quits\u{a0}· \
         type a statement of your own to run it"
    }

    fn next_key(&mut self, prompt: &str) -> Key {
        let mut out = std::io::stdout();
        let _ = write!(out, "{prompt}");
        let _ = out.flush();
        match self.press() {
            Some(Press::Decided(key)) => {
                let _ = writeln!(out);
                key
            }
            Some(Press::Typed(first)) => {
                let (text, entered) = TerminalKeys::typed_ahead(first);
                let _ = write!(out, "\r");
                if entered && !is_unfinished(&text) {
                    let _ = writeln!(out, "{prompt}{text}");
                    return Key::from_line(&text);
                }
                match self.prompt.read_from(prompt, &text) {
                    Some(line) => Key::from_line(&line),
                    None => Key::End,
                }
            }
            Some(Press::Ignored) | None => {
                let _ = write!(out, "\r");
                match self.prompt.read(prompt) {
                    Some(line) => Key::from_line(&line),
                    None => Key::End,
                }
            }
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
    fn presenter_keys_step_forward_and_back() {
        let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
        for code in [
            KeyCode::Char(' '),
            KeyCode::Enter,
            KeyCode::Right,
            KeyCode::Down,
            KeyCode::PageDown,
        ] {
            assert_eq!(Press::of(&key(code)), Press::Decided(Key::Next), "{code:?}");
        }
        for code in [
            KeyCode::Char('b'),
            KeyCode::Left,
            KeyCode::Up,
            KeyCode::PageUp,
        ] {
            assert_eq!(Press::of(&key(code)), Press::Decided(Key::Back), "{code:?}");
        }
        assert_eq!(
            Press::of(&key(KeyCode::Char('r'))),
            Press::Decided(Key::Restart)
        );
        assert_eq!(
            Press::of(&key(KeyCode::Char('q'))),
            Press::Decided(Key::Quit)
        );
        assert_eq!(Press::of(&key(KeyCode::Char('s'))), Press::Typed('s'));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(Press::of(&ctrl_c), Press::Decided(Key::Quit));
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
