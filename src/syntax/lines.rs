//! Splitting a script into statements one line at a time, so that a statement can be answered
//! as soon as its last line arrives (a pipe from another program), with the same rules as a
//! whole script: one statement per line, a line continuing while brackets or quotes are open,
//! a `class` block continuing while its lines are indented.

use super::brackets::{scan, Balance};

/// Gathers lines into statements; each statement comes with the 1-based line it starts on.
#[derive(Debug, Default)]
pub struct Splitter {
    current: String,
    first_line: usize,
    lines_seen: usize,
}

impl Splitter {
    /// An empty splitter, before the first line.
    pub fn new() -> Splitter {
        Splitter::default()
    }

    /// Takes the next line (without its line ending) and returns the statements it completes:
    /// none while brackets stay open, one most of the time, two when it ends a `class` block
    /// and is itself a whole statement.
    pub fn push_line(&mut self, line: &str) -> Vec<(usize, String)> {
        self.lines_seen += 1;
        let mut done = Vec::new();
        if self.in_class() {
            if line.starts_with([' ', '\t']) || line.trim().is_empty() {
                self.current.push('\n');
                self.current.push_str(line);
                return done;
            }
            done.push(self.take());
        }
        if self.current.is_empty() && (line.trim().is_empty() || line.trim_start().starts_with('#'))
        {
            return done;
        }
        if self.current.is_empty() {
            self.first_line = self.lines_seen;
        } else {
            self.current.push('\n');
        }
        self.current.push_str(line);
        let open = matches!(
            scan(&self.current),
            Balance::OpenBracket(..) | Balance::OpenString(..)
        ) || self.in_class();
        if !open || self.current.trim_start().starts_with(':') {
            done.push(self.take());
        }
        done
    }

    /// Whether a `class` block is being gathered: it ends only at the next line that is not
    /// indented, or at the end of the input.
    pub fn in_class(&self) -> bool {
        self.current.starts_with("class ")
    }

    /// The statement still open at the end of the input, if any.
    pub fn finish(self) -> Option<(usize, String)> {
        (!self.current.is_empty()).then_some((self.first_line, self.current))
    }

    fn take(&mut self) -> (usize, String) {
        (self.first_line, std::mem::take(&mut self.current))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_line_is_a_statement_at_once() {
        let mut s = Splitter::new();
        assert_eq!(s.push_line("students"), vec![(1, "students".to_string())]);
        assert_eq!(s.push_line(""), vec![]);
        assert_eq!(s.push_line("classes"), vec![(3, "classes".to_string())]);
        assert_eq!(s.finish(), None);
    }

    #[test]
    fn open_brackets_wait_for_the_closing_line() {
        let mut s = Splitter::new();
        assert_eq!(s.push_line("# note"), vec![]);
        assert_eq!(s.push_line("students.where("), vec![]);
        assert_eq!(
            s.push_line("  year == 2)"),
            vec![(2, "students.where(\n  year == 2)".to_string())]
        );
    }

    #[test]
    fn a_class_block_ends_at_the_next_unindented_line() {
        let mut s = Splitter::new();
        assert_eq!(s.push_line("class Pet:"), vec![]);
        assert_eq!(s.push_line("    name: str"), vec![]);
        assert_eq!(
            s.push_line("pets"),
            vec![
                (1, "class Pet:\n    name: str".to_string()),
                (3, "pets".to_string())
            ]
        );
    }

    #[test]
    fn an_unclosed_statement_is_given_back_at_the_end() {
        let mut s = Splitter::new();
        assert_eq!(s.push_line("students[1"), vec![]);
        assert_eq!(s.finish(), Some((1, "students[1".to_string())));
    }
}
