//! The interactive prompt: statements typed with completion, highlighting, hints and history,
//! answered with the side-by-side view.

use super::commands;
use super::complete::{self, Shape, Variable};
use super::Shell;
use crate::mapper::Registry;
use crate::session::Binding;
use crate::syntax::brackets::{scan, Balance};
use crate::view::highlight::{self, Kind};
use crate::view::Painter;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The prompt for a new statement.
pub const PROMPT: &str = "orm> ";
/// The prompt while brackets or quotes are still open.
pub const CONTINUATION: &str = "...> ";

/// The line editor's helper: knows the schema and the names bound so far.
struct ReplHelper {
    registry: Registry,
    variables: Vec<Variable>,
    painter: Painter,
    hinter: HistoryHinter,
    meta: Vec<&'static str>,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, names) =
            complete::complete(line, pos, &self.registry, &self.variables, &self.meta);
        let pairs = names
            .into_iter()
            .map(|n| Pair {
                display: n.clone(),
                replacement: n,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.painter.color {
            return Cow::Borrowed(line);
        }
        Cow::Owned(self.painter.paint(&highlight::orm(line, &self.registry)))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(self.painter.paint_one(Kind::Dim, hint))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.painter.color
    }
}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}

/// Whether more lines should follow: a bracket or quote is still open (meta commands are one line).
pub fn is_unfinished(input: &str) -> bool {
    !input.trim_start().starts_with(':')
        && matches!(
            scan(input),
            Balance::OpenBracket(..) | Balance::OpenString(..)
        )
}

/// The history file in the user's data directory.
pub fn history_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ormscope").map(|d| d.data_dir().join("history.txt"))
}

/// A line editor that knows the schema: completion, highlighting, hints and history.
pub struct Prompt {
    editor: Editor<ReplHelper, DefaultHistory>,
    history: Option<PathBuf>,
    interrupt: SharedInterrupt,
}

impl Prompt {
    /// A prompt for statements of `shell`'s session; history in `history` when given.
    pub fn new(shell: &Shell, history: Option<PathBuf>) -> Result<Prompt, String> {
        let config = Config::builder()
            .completion_type(CompletionType::List)
            .completion_show_all_if_ambiguous(true)
            .auto_add_history(false)
            .build();
        let mut editor: Editor<ReplHelper, DefaultHistory> = Editor::with_config(config)
            .map_err(|e| format!("cannot start the line editor: {e}"))?;
        editor.set_helper(Some(ReplHelper {
            registry: shell.session.registry().clone(),
            variables: Vec::new(),
            painter: shell.settings.painter,
            hinter: HistoryHinter::new(),
            meta: commands::names(),
        }));
        load_history(&mut editor, history.as_ref());
        let interrupt = watch_ctrl_c(shell);
        Ok(Prompt {
            editor,
            history,
            interrupt,
        })
    }

    /// Reads one statement (continuing while brackets are open); `None` at end of input.
    /// Ctrl-C gives an empty statement.
    pub fn read(&mut self, prompt: &str) -> Option<String> {
        self.read_from(prompt, "")
    }

    /// Reads one statement as `read` does, the line starting with `initial` already typed.
    pub fn read_from(&mut self, prompt: &str, initial: &str) -> Option<String> {
        match read_statement(&mut self.editor, prompt, initial) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = self.editor.add_history_entry(line.as_str());
                    save_history(&mut self.editor, self.history.as_ref());
                }
                Some(line)
            }
            Err(ReadlineError::Interrupted) => Some(String::new()),
            Err(_) => None,
        }
    }

    /// Tells the prompt about the session's current names and database, before a statement runs.
    pub fn prepare(&mut self, shell: &Shell) {
        if let Ok(mut handle) = self.interrupt.lock() {
            *handle = Some(shell.session.database().interrupter());
        }
        if let Some(helper) = self.editor.helper_mut() {
            helper.variables = variables(shell);
            let now = shell.session.registry();
            if helper.registry.mappers() != now.mappers()
                || helper.registry.relationships().len() != now.relationships().len()
            {
                helper.registry = shell.session.registry().clone();
            }
        }
    }
}

/// Runs the prompt until `:quit` or Ctrl-D; the exit status.
pub fn run(shell: &mut Shell, history: Option<PathBuf>) -> u8 {
    let mut prompt = match Prompt::new(shell, history) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("ormscope: {e}");
            return 1;
        }
    };
    println!(
        "{}",
        shell.settings.painter.paint_one(
            Kind::Heading,
            "ormscope — ORM statements beside the SQL they become. :help, :tables, Ctrl-D to leave."
        )
    );
    while let Some(line) = prompt.read(PROMPT) {
        if line.trim().is_empty() {
            continue;
        }
        if super::commands::is_quit(&line) {
            break;
        }
        if line.trim() == ":reset" {
            // A file ormscope did not make is refused by :reset itself, without asking first.
            let asks = shell.session.reset_refusal(Default::default()).is_none();
            if let Some(file) = shell
                .session
                .file()
                .filter(|_| asks)
                .map(|p| p.display().to_string())
            {
                confirm_reset(shell, &mut prompt, &file);
                continue;
            }
        }
        prompt.prepare(shell);
        let response = shell.run(&line);
        print!("{}", shell.show(&response));
        println!();
        prompt.prepare(shell);
    }
    if shell.session.close() {
        println!("note: a transaction was still open: it was rolled back");
    }
    0
}

/// `:reset` on a file: asks first, naming the file, and rewrites it only on a yes.
fn confirm_reset(shell: &mut Shell, prompt: &mut Prompt, file: &str) {
    let question = format!("rewrite {file} with a fresh School? every change in it is lost [y/N] ");
    let answer = prompt.read(&question).unwrap_or_default();
    if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        println!("nothing was changed\n");
        return;
    }
    match shell.session.reset() {
        Ok(()) => println!("{file} holds a fresh School again\n"),
        Err(e) => println!("{}\n", e.message),
    }
}

/// Reads one statement: more lines, with the continuation prompt, while brackets or quotes
/// are open, or until an empty line after `class ...:`. Ctrl-C on a continuation line drops
/// the whole statement.
fn read_statement(
    editor: &mut Editor<ReplHelper, DefaultHistory>,
    prompt: &str,
    initial: &str,
) -> rustyline::Result<String> {
    let mut text = editor.readline_with_initial(prompt, (initial, ""))?;
    if text.starts_with("class ") {
        loop {
            match editor.readline(CONTINUATION) {
                Ok(more) if more.trim().is_empty() => return Ok(text),
                Ok(more) => {
                    text.push('\n');
                    text.push_str(&more);
                }
                Err(ReadlineError::Eof) => return Ok(text),
                Err(e) => return Err(e),
            }
        }
    }
    while is_unfinished(&text) {
        match editor.readline(CONTINUATION) {
            Ok(more) => {
                text.push('\n');
                text.push_str(&more);
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e),
        }
    }
    Ok(text)
}

fn variables(shell: &Shell) -> Vec<Variable> {
    shell
        .session
        .variables()
        .iter()
        .map(|(name, binding)| Variable {
            name: name.clone(),
            shape: match binding {
                Binding::Object(o) => Shape::Object(o.table.clone()),
                Binding::Query(q) | Binding::Collection(q) if q.is_whole_rows() => {
                    Shape::Collection(q.table.clone())
                }
                _ => Shape::Other,
            },
        })
        .collect()
}

fn load_history(editor: &mut Editor<ReplHelper, DefaultHistory>, path: Option<&PathBuf>) {
    let Some(path) = path else { return };
    if !path.exists() {
        return;
    }
    if let Err(e) = editor.load_history(path) {
        let aside = path.with_extension("txt.damaged");
        let kept = match std::fs::rename(path, &aside) {
            Ok(()) => format!("; it was moved to {}", aside.display()),
            Err(_) => String::new(),
        };
        eprintln!(
            "ormscope: warning: history file {} could not be read ({e}); starting without it{kept}",
            path.display()
        );
    }
}

/// Writes the history atomically: a uniquely named temporary file beside it, persisted over it
/// (a rename), so a crash never leaves half a file and two prompts never share a temporary.
fn save_history(editor: &mut Editor<ReplHelper, DefaultHistory>, path: Option<&PathBuf>) {
    let Some(path) = path else { return };
    let Some(dir) = path.parent() else { return };
    let _ = std::fs::create_dir_all(dir);
    let Ok(temporary) = tempfile::NamedTempFile::new_in(dir) else {
        return;
    };
    if editor.save_history(temporary.path()).is_ok() {
        let _ = temporary.persist(path);
    }
}

type SharedInterrupt = Arc<Mutex<Option<crate::db::Interrupter>>>;

/// Ctrl-C while a statement runs interrupts it (the statement is rolled back); while typing,
/// the line editor clears the line instead.
fn watch_ctrl_c(shell: &Shell) -> SharedInterrupt {
    let shared: SharedInterrupt =
        Arc::new(Mutex::new(Some(shell.session.database().interrupter())));
    let handle = Arc::clone(&shared);
    let _ = ctrlc::set_handler(move || {
        if let Ok(guard) = handle.lock() {
            if let Some(h) = guard.as_ref() {
                h.interrupt();
            }
        }
    });
    shared
}
