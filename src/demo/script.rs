//! A demo script: statements, each with the narration written above it.

use crate::syntax::brackets::{scan, Balance};

/// One statement of a demo, with the narration shown before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Narration lines, without their `#`.
    pub narration: Vec<String>,
    /// The statement (or meta command), possibly over several lines.
    pub statement: String,
    /// The line of the file it starts on (1-based).
    pub line: usize,
}

/// A whole demo.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    /// The statements in order.
    pub steps: Vec<Step>,
    /// Narration after the last statement, shown at the end.
    pub closing: Vec<String>,
}

impl Script {
    /// Reads a demo: `#` lines are narration for the next statement; other lines are
    /// statements, continued while a bracket or quote is open; blank lines separate nothing.
    pub fn parse(text: &str) -> Script {
        let mut script = Script::default();
        let mut narration: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut start = 0;
        for (n, line) in text.lines().enumerate() {
            if current.is_empty() {
                let trimmed = line.trim();
                if trimmed.is_empty() {
                    continue;
                }
                if let Some(words) = trimmed.strip_prefix('#') {
                    narration.push(words.strip_prefix(' ').unwrap_or(words).to_string());
                    continue;
                }
                start = n + 1;
            } else {
                current.push('\n');
            }
            current.push_str(line);
            if !is_open(&current) {
                script.steps.push(Step {
                    narration: std::mem::take(&mut narration),
                    statement: std::mem::take(&mut current),
                    line: start,
                });
            }
        }
        if !current.is_empty() {
            script.steps.push(Step {
                narration: std::mem::take(&mut narration),
                statement: current,
                line: start,
            });
        }
        script.closing = narration;
        script
    }
}

/// Whether a statement still has a bracket or quote open (meta commands are one line).
fn is_open(text: &str) -> bool {
    !text.trim_start().starts_with(':')
        && matches!(
            scan(text),
            Balance::OpenBracket(..) | Balance::OpenString(..)
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narration_belongs_to_the_next_statement() {
        let script = Script::parse(
            "# Find student 13.\n#\n# One row, by key.\nstudents[13]\n\nstudents[13].classes\n# The end.\n",
        );
        assert_eq!(script.steps.len(), 2);
        assert_eq!(
            script.steps[0].narration,
            vec!["Find student 13.", "", "One row, by key."]
        );
        assert_eq!(script.steps[0].statement, "students[13]");
        assert_eq!(script.steps[0].line, 4);
        assert!(script.steps[1].narration.is_empty());
        assert_eq!(script.closing, vec!["The end."]);
    }

    #[test]
    fn a_statement_continues_while_brackets_are_open() {
        let script = Script::parse("students.where(\n  year == 2\n)\n:dialect all\n");
        assert_eq!(script.steps[0].statement, "students.where(\n  year == 2\n)");
        assert_eq!(script.steps[1].statement, ":dialect all");
        assert_eq!(script.steps[1].line, 4);
    }
}
