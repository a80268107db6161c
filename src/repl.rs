//! The interactive prompt: a line editor over the session, with the plain view.

use crate::session::Session;
use crate::syntax::brackets::{scan, Balance};
use crate::view;
use rustyline::error::ReadlineError;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Completer, Helper, Highlighter, Hinter};

/// Keeps reading lines while brackets or quotes are open.
#[derive(Completer, Helper, Highlighter, Hinter)]
struct OpenBrackets;

impl Validator for OpenBrackets {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        let open = matches!(
            scan(input),
            Balance::OpenBracket(..) | Balance::OpenString(..)
        );
        Ok(if open && !input.trim_start().starts_with(':') {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

/// Runs the prompt until `:quit` or end of input; the exit status.
pub fn run(session: &mut Session) -> u8 {
    let mut editor =
        match rustyline::Editor::<OpenBrackets, rustyline::history::DefaultHistory>::new() {
            Ok(e) => e,
            Err(e) => {
                eprintln!("ormscope: cannot start the line editor: {e}");
                return 1;
            }
        };
    editor.set_helper(Some(OpenBrackets));
    println!("ormscope — ORM statements and the SQL they become, on a School database. :help for help, :quit to leave.");
    let width = terminal_size::terminal_size().map(|(w, _)| w.0);
    loop {
        match editor.readline("orm> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                if matches!(line.trim(), ":quit" | ":q" | ":exit") {
                    break;
                }
                let response = session.run(&line);
                let text = view::to_text(&response, view::DEFAULT_ROWS, width);
                print!("{}", text.split_once('\n').map_or("", |(_, rest)| rest));
                println!();
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(_) => break,
        }
    }
    if session.close() {
        println!("note: a transaction was still open: it was rolled back");
    }
    0
}
