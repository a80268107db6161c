//! Reading ahead: a script or a pipe is read, split into statements and parsed on a thread of
//! its own, while the session runs the statement before. Parsing is a pure function of the
//! text, so it can run on another core; everything that depends on the session (names, the
//! mapping, the database) still happens one statement at a time, in order.

use super::ast::Statement;
use super::lines::Splitter;
use crate::error::Result;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::sync::mpsc::{sync_channel, Receiver, TryRecvError};

/// The most statements sent to the session at once: a script read from a file goes over in
/// batches (one hand-over costs more than a short statement's parse), a pipe a line at a time.
const BATCH: usize = 64;
/// How many batches may wait for the session (bounds the memory read ahead): enough that a
/// script of a few thousand statements is read and parsed in one go at the start. A reader kept
/// only a few batches ahead is woken for every batch the session takes, and on two cores it
/// then ran on the session's core half the time, putting the session off each time.
const BATCHES_AHEAD: usize = 64;

/// One statement of the input, as read ahead.
#[derive(Debug)]
pub struct Read {
    /// The 1-based line it starts on.
    pub line: usize,
    /// Its text.
    pub text: String,
    /// Its parse, for a statement of the language; `None` for a meta command (`:rows 5`).
    pub parsed: Option<Result<Statement>>,
}

impl Read {
    /// The statement `text`, starting on `line`, parsed.
    pub fn parsed(line: usize, text: String) -> Read {
        let parsed = super::parse_statement(&text);
        Read { line, text, parsed }
    }
}

/// The statements of an input, read and parsed ahead of the session on their own thread.
pub struct Ahead {
    batches: Receiver<Vec<Read>>,
    ready: std::vec::IntoIter<Read>,
}

impl Ahead {
    /// Starts reading `input` on a thread of its own; `on_error` is told (on that thread) when
    /// the input cannot be read, which ends it.
    pub fn spawn(
        input: impl std::io::Read + Send + 'static,
        on_error: impl FnOnce(std::io::Error) + Send + 'static,
    ) -> Ahead {
        let (sender, batches) = sync_channel(BATCHES_AHEAD);
        // The reader parses, so it needs the statements' deep stack: on the default 2 MiB a long
        // chain of calls (`students.limit(1).limit(1)…`) overflowed it and aborted the program.
        let reader = std::thread::Builder::new()
            .stack_size(crate::STACK_SIZE)
            .spawn(move || {
                let input = BufReader::with_capacity(1 << 16, input);
                if let Err(e) = read_batches(input, |batch| sender.send(batch).is_ok()) {
                    on_error(e);
                }
            });
        if let Err(e) = reader {
            eprintln!("ormscope: cannot start the thread that reads the input: {e}");
        }
        Ahead {
            batches,
            ready: Vec::new().into_iter(),
        }
    }

    /// The next statement, and whether none is ready after it (the moment to flush answers,
    /// since the input's writer may be waiting for them); `None` at the end of the input.
    pub fn next_statement(&mut self) -> Option<(Read, bool)> {
        let current = match self.ready.next() {
            Some(read) => read,
            None => {
                self.ready = self.batches.recv().ok()?.into_iter();
                self.ready.next()?
            }
        };
        if self.ready.len() == 0 {
            match self.batches.try_recv() {
                Ok(batch) => self.ready = batch.into_iter(),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => {}
            }
        }
        let waiting = self.ready.len() == 0;
        Some((current, waiting))
    }
}

/// Reads `input` line by line and gives `send` the statements parsed, in batches: a batch goes
/// when it is full or when no whole line is left in the buffer (the next read may wait for the
/// input's writer, who may be waiting for the answers). Stops when `send` says so; an input that
/// cannot be read further ends as if it ended there, and the failure is given back.
fn read_batches<R: std::io::Read>(
    mut input: BufReader<R>,
    mut send: impl FnMut(Vec<Read>) -> bool,
) -> std::io::Result<()> {
    let mut splitter = Splitter::new();
    let mut memo = ParseMemo::default();
    let mut bytes = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut failure = None;
    loop {
        bytes.clear();
        match input.read_until(b'\n', &mut bytes) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        let line = String::from_utf8_lossy(&bytes);
        let line = line.strip_suffix('\n').unwrap_or(&line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        for (line, text) in splitter.push_line(line) {
            batch.push(memo.read(line, text));
        }
        let waiting = !input.buffer().contains(&b'\n');
        let full_or_waiting = batch.len() >= BATCH || waiting;
        if !batch.is_empty()
            && full_or_waiting
            && !send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
        {
            return Ok(());
        }
    }
    if let Some((line, text)) = splitter.finish() {
        batch.push(memo.read(line, text));
    }
    if !batch.is_empty() {
        send(batch);
    }
    failure.map_or(Ok(()), Err)
}

/// Statements parsed already, by their text: a statement sent again (a driver's, a learner's
/// script repeating itself) is copied instead of parsed again. Parsing depends on nothing but
/// the text, so a copy is the same parse.
#[derive(Default)]
struct ParseMemo {
    parsed: HashMap<String, Statement>,
}

impl ParseMemo {
    /// The most statements kept; past it the memo starts again.
    const MOST: usize = 1024;

    /// The statement `text`, starting on `line`, parsed or copied from an earlier parse.
    fn read(&mut self, line: usize, text: String) -> Read {
        if let Some(statement) = self.parsed.get(&text) {
            let parsed = Some(Ok(statement.clone()));
            return Read { line, text, parsed };
        }
        let read = Read::parsed(line, text);
        if let Some(Ok(statement)) = &read.parsed {
            if self.parsed.len() >= Self::MOST {
                self.parsed.clear();
            }
            self.parsed.insert(read.text.clone(), statement.clone());
        }
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &str) -> Vec<Read> {
        let mut ahead = Ahead::spawn(std::io::Cursor::new(input.to_string()), |_| {});
        std::iter::from_fn(|| ahead.next_statement().map(|(read, _)| read)).collect()
    }

    #[test]
    fn statements_come_in_order_with_their_lines_and_parses() {
        let reads = all("students[1]\n\n:rows 5\nstudents.where(\n  year == 2)\nstudents[\n");
        let lines: Vec<(usize, &str)> = reads.iter().map(|r| (r.line, r.text.as_str())).collect();
        assert_eq!(
            lines,
            [
                (1, "students[1]"),
                (3, ":rows 5"),
                (4, "students.where(\n  year == 2)"),
                (6, "students[")
            ]
        );
        assert!(matches!(reads[0].parsed, Some(Ok(_))));
        assert!(
            reads[1].parsed.is_none(),
            "a meta command is left to the shell"
        );
        assert_eq!(
            reads[2].parsed.as_ref().map(|p| p.is_ok()),
            Some(true),
            "a statement over two lines is parsed whole"
        );
        assert_eq!(
            reads[3].parsed.as_ref().map(|p| p.is_ok()),
            Some(false),
            "a statement left open at the end is still given, with its error"
        );
    }

    #[test]
    fn the_last_statement_says_nothing_is_ready_after_it() {
        let mut ahead = Ahead::spawn(std::io::Cursor::new("students[1]\n".to_string()), |_| {});
        let (read, waiting) = ahead.next_statement().expect("one statement");
        assert_eq!(read.text, "students[1]");
        assert!(waiting);
        assert!(ahead.next_statement().is_none());
    }

    #[test]
    fn an_unreadable_input_is_reported_and_ends_the_statements() {
        /// Gives its text, then fails.
        struct Broken(&'static [u8]);
        impl std::io::Read for Broken {
            fn read(&mut self, into: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() {
                    return Err(std::io::Error::other("the pipe broke"));
                }
                let n = self.0.len().min(into.len());
                into[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let (told, heard) = std::sync::mpsc::channel();
        let mut ahead = Ahead::spawn(Broken(b"students[1]\nstudents.where(\n"), move |e| {
            let _ = told.send(e.to_string());
        });
        let texts: Vec<String> =
            std::iter::from_fn(|| ahead.next_statement().map(|(read, _)| read.text)).collect();
        assert_eq!(
            texts,
            ["students[1]", "students.where("],
            "what was read before the failure is still answered"
        );
        assert_eq!(heard.recv().ok().as_deref(), Some("the pipe broke"));
    }

    #[test]
    fn a_statement_read_again_has_the_same_parse() {
        let script =
            "students[1]\nstudents.where(year == 2)\nstudents[1]\n:rows 5\n:rows 5\nstudents[\n";
        let reads = all(script);
        let parse = |n: usize| reads[n].parsed.as_ref().map(|p| p.as_ref().ok().cloned());
        assert_eq!(parse(0), parse(2));
        assert_eq!(
            parse(0),
            Some(Some(crate::syntax::parse("students[1]").expect("parses")))
        );
        assert_ne!(parse(0), parse(1));
        assert_eq!(reads[2].line, 3, "the copy keeps its own line");
        assert!(
            reads[4].parsed.is_none(),
            "a meta command is still left to the shell"
        );
    }
}
