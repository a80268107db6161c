//! The one registry of meta commands (`:help`, `:tables`, `:schema`, `:sql`, `:rows`, …):
//! each command's name, aliases, syntax, help and what runs it. Dispatch, tab completion and
//! `:help` all read [`COMMANDS`], so a command is added in one place.

use super::{help, Shell};
use crate::answer::{Note, NoteKind};
use crate::error::{suggestion, Error, ErrorKind, Span};
use crate::mapper::{python, Link, Registry};
use crate::render;
use crate::session::{Outcome, Response, Session};

/// One use of a meta command: the input, the command word and what follows it.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The whole input, as typed.
    pub input: &'a str,
    /// What follows the command word, trimmed.
    pub rest: &'a str,
    /// The byte where `rest` starts in `input`.
    pub offset: usize,
    /// The command word's place in `input`.
    pub span: Span,
}

impl<'a> Call<'a> {
    /// Splits `input` into the command word and the rest; `None` when it is not a meta command.
    pub fn parse(input: &'a str) -> Option<(&'a str, Call<'a>)> {
        let lead = input.len() - input.trim_start().len();
        let trimmed = input.trim();
        if !trimmed.starts_with(':') {
            return None;
        }
        let word = trimmed.split_whitespace().next().unwrap_or(trimmed);
        let after = &input[lead + word.len()..];
        let rest_lead = after.len() - after.trim_start().len();
        Some((
            word,
            Call {
                input,
                rest: after.trim(),
                offset: lead + word.len() + rest_lead,
                span: Span::new(lead, lead + word.len()),
            },
        ))
    }

    /// The first word of the argument, if any.
    pub fn argument(&self) -> Option<&'a str> {
        self.rest.split_whitespace().next()
    }

    /// The span of the argument in the input (or just after the command when there is none).
    pub fn rest_span(&self) -> Span {
        Span::new(self.offset, self.offset + self.rest.len().max(1))
    }

    /// An answer to this call: `text` to show, or the error.
    pub fn answer(&self, result: Result<Option<String>, Error>) -> Response {
        let (outcome, text) = match result {
            Ok(text) => (Ok(Outcome::None), text),
            Err(e) => (Err(e), None),
        };
        let mut response = Response::of(self.input, outcome);
        response.text = text;
        response.sqlalchemy = crate::sqlalchemy::command_face(self.input);
        response
    }

    /// An answer with one note.
    pub fn noted(&self, note: impl Into<String>) -> Response {
        let mut response = self.answer(Ok(None));
        response.notes.push(Note::new(NoteKind::Info, note));
        response
    }
}

/// What runs a command.
#[derive(Clone, Copy)]
pub enum Action {
    /// Needs only the session (runs in scripts, lessons and a bare session too).
    Session(fn(&mut Session, &Call<'_>) -> Response),
    /// Needs the shell: its view settings, dialect or transcript.
    Shell(fn(&mut Shell, &Call<'_>) -> Response),
}

/// Which list of `:help` a command is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// About the tool and the database.
    Database,
    /// About how answers are shown, and the instructor's tools.
    View,
}

/// One meta command.
#[derive(Clone, Copy)]
pub struct Command {
    /// Its name, with the colon (`:schema`).
    pub name: &'static str,
    /// Other names for it (`:h`, `:?`).
    pub aliases: &'static [&'static str],
    /// How it is written, with its arguments (`:schema [table]`).
    pub syntax: &'static str,
    /// What it does, for `:help`.
    pub help: &'static str,
    /// Which `:help` list it is in.
    pub group: Group,
    /// Whether its answer goes into a transcript (commands that only change the view do not).
    pub recorded: bool,
    /// What runs it.
    pub action: Action,
}

impl Command {
    /// Whether `word` names this command.
    pub fn is_named(&self, word: &str) -> bool {
        self.name == word || self.aliases.contains(&word)
    }
}

/// Every meta command, in the order `:help` lists them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: ":timeout",
        aliases: &[],
        syntax: ":timeout [SECONDS]",
        help: "stop statements that run longer (default 10; 0 for no limit)",
        group: Group::Database,
        recorded: true,
        action: Action::Session(timeout),
    },
    Command {
        name: ":help",
        aliases: &[":h", ":?"],
        syntax: ":help [topic]",
        help: "this list, or one form of the language explained (:help where)",
        group: Group::Database,
        recorded: true,
        action: Action::Session(help::command),
    },
    Command {
        name: ":tables",
        aliases: &[],
        syntax: ":tables",
        help: "the tables and the classes mapped to them, with row counts",
        group: Group::Database,
        recorded: true,
        action: Action::Session(tables),
    },
    Command {
        name: ":schema",
        aliases: &[],
        syntax: ":schema [table]",
        help: "CREATE TABLE statements and relationships; for one table its three faces: SQL, Core, ORM",
        group: Group::Database,
        recorded: true,
        action: Action::Session(schema),
    },
    Command {
        name: ":session",
        aliases: &[],
        syntax: ":session on|off",
        help: "session mode: writes wait as pending changes until flush or commit (the unit of work)",
        group: Group::Database,
        recorded: true,
        action: Action::Session(session_mode),
    },
    Command {
        name: ":mapping",
        aliases: &[],
        syntax: ":mapping Class",
        help: "the classical mapper(Class, table, properties={...}) form of a mapped class",
        group: Group::Database,
        recorded: true,
        action: Action::Session(mapping),
    },
    Command {
        name: ":sql",
        aliases: &[],
        syntax: ":sql <raw SQL>",
        help: "run one SQL statement as it is, and show its result",
        group: Group::Database,
        recorded: true,
        action: Action::Session(raw_sql),
    },
    Command {
        name: ":reset",
        aliases: &[],
        syntax: ":reset",
        help: "make the School database again as it was at the start",
        group: Group::Database,
        recorded: true,
        action: Action::Session(reset),
    },
    Command {
        name: ":quit",
        aliases: &[":q", ":exit"],
        syntax: ":quit",
        help: "leave ormscope",
        group: Group::Database,
        recorded: false,
        action: Action::Session(quit),
    },
    Command {
        name: ":rows",
        aliases: &[],
        syntax: ":rows N",
        help: "show up to N rows of a result (default 20)",
        group: Group::View,
        recorded: false,
        action: Action::Shell(Shell::rows_command),
    },
    Command {
        name: ":params",
        aliases: &[],
        syntax: ":params",
        help: "switch the SQL between values inlined and ? with its bound values",
        group: Group::View,
        recorded: false,
        action: Action::Shell(Shell::params_command),
    },
    Command {
        name: ":python",
        aliases: &[],
        syntax: ":python on|off",
        help: "show each statement's SQLAlchemy 2.x code under the ORM and SQL panels",
        group: Group::View,
        recorded: false,
        action: Action::Shell(Shell::python_command),
    },
    Command {
        name: ":layout",
        aliases: &[],
        syntax: ":layout side|stacked|auto",
        help: "place the ORM and SQL panels side by side or one above the other",
        group: Group::View,
        recorded: false,
        action: Action::Shell(Shell::layout_command),
    },
    Command {
        name: ":dialect",
        aliases: &[],
        syntax: ":dialect sqlite|postgresql|mysql|all",
        help: "write the SQL panel for that database (statements still run on SQLite)",
        group: Group::View,
        recorded: false,
        action: Action::Shell(Shell::dialect_command),
    },
    Command {
        name: ":translate",
        aliases: &[],
        syntax: ":translate STATEMENT",
        help: "the statement's SQL for SQLite, PostgreSQL and MySQL, without running it",
        group: Group::View,
        recorded: true,
        action: Action::Shell(Shell::translate_command),
    },
    Command {
        name: ":explain",
        aliases: &[],
        syntax: ":explain STATEMENT",
        help: "SQLite's query plan for the statement's SQL, in plain words",
        group: Group::View,
        recorded: true,
        action: Action::Shell(Shell::explain_command),
    },
    Command {
        name: ":record",
        aliases: &[],
        syntax: ":record FILE.md|FILE.html|off",
        help: "write every statement with its SQL and result to a transcript",
        group: Group::View,
        recorded: false,
        action: Action::Shell(Shell::record_command),
    },
];

/// The command `word` names (by its name or an alias).
pub fn find(word: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.is_named(word))
}

/// What Python and IPython leave with, which a learner types by reflex: it leaves here too.
const PYTHON_EXITS: &[&str] = &["exit", "exit()", "quit", "quit()"];

/// Whether a line asks to leave: `:quit` or one of its aliases (`:q`, `:exit`), or Python's
/// `exit()` / `quit()`. Every front end (the prompt, a pipe, the course, a demo) asks here.
pub fn is_quit(line: &str) -> bool {
    let line = line.trim();
    is_python_exit(line) || (line.starts_with(':') && find(line).is_some_and(|c| c.name == ":quit"))
}

/// Whether a line is Python's `exit()` / `quit()` (or the bare names, as IPython takes them).
pub fn is_python_exit(line: &str) -> bool {
    PYTHON_EXITS.contains(&line.trim())
}

/// Every command name, for completion.
pub fn names() -> Vec<&'static str> {
    COMMANDS.iter().map(|c| c.name).collect()
}

/// The error for a word that names no command, with the nearest name.
pub fn unknown(word: &str, span: Span) -> Error {
    Error::name(span, format!("no meta command '{word}'")).with_hint(suggestion(word, names()))
}

/// Runs a meta command on a bare session (a script's replay, a lesson's check); commands that
/// need the shell's view say so.
pub fn run_on_session(session: &mut Session, input: &str) -> Response {
    let Some((word, call)) = Call::parse(input) else {
        return session.run(input);
    };
    match find(word).map(|c| c.action) {
        Some(Action::Session(run)) => run(session, &call),
        Some(Action::Shell(_)) => call.answer(Err(Error::name(
            call.span,
            format!("{word} changes how answers are shown: it runs at the prompt"),
        ))),
        None => call.answer(Err(unknown(word, call.span))),
    }
}

fn quit(_: &mut Session, call: &Call<'_>) -> Response {
    call.answer(Ok(None))
}

fn reset(session: &mut Session, call: &Call<'_>) -> Response {
    if let Some(refused) = session.reset_refusal(call.span) {
        return call.answer(Err(refused));
    }
    if session.is_read_only() {
        return call.answer(Err(Error::new(
            ErrorKind::Sql,
            call.span,
            "this session is read-only: :reset would make the database again",
        )
        .with_hint("start ormscope without --read-only to change the database")));
    }
    if let Some(file) = session.file() {
        return call.answer(Err(Error::new(
            ErrorKind::Sql,
            call.span,
            format!(
                ":reset would rewrite the file {} with a fresh School, and every change in it would be lost: at the prompt it asks first, in a script it is refused",
                file.display()
            ),
        )
        .with_hint("type :reset at the prompt, or delete the file to start again")));
    }
    let remade = match session.script() {
        Some(script) => format!("the database is as {} made it", script.display()),
        None => "the School database is as it was at the start".to_string(),
    };
    match session.reset() {
        Ok(()) => call.noted(remade),
        Err(e) => call.answer(Err(e)),
    }
}

fn timeout(session: &mut Session, call: &Call<'_>) -> Response {
    let said = |limit: Option<std::time::Duration>| match limit {
        Some(t) => format!("statements are stopped after {} s", t.as_secs()),
        None => "statements run without a time limit (Ctrl-C still stops one)".into(),
    };
    if call.rest.is_empty() {
        return call.noted(said(session.timeout()));
    }
    let Ok(seconds) = call.rest.parse::<u64>() else {
        return call.answer(Err(Error::new(
            ErrorKind::Type,
            call.span,
            format!(
                ":timeout takes a whole number of seconds, not '{}'",
                call.rest
            ),
        )
        .with_hint("e.g. :timeout 30, or :timeout 0 for no limit")));
    };
    let limit = (seconds > 0).then(|| std::time::Duration::from_secs(seconds));
    session.set_timeout(limit);
    call.noted(said(limit))
}

fn session_mode(session: &mut Session, call: &Call<'_>) -> Response {
    session.switch_session_mode(call.input, call.rest, call.span)
}

fn raw_sql(session: &mut Session, call: &Call<'_>) -> Response {
    if call.rest.is_empty() {
        return call.answer(Err(Error::parse(call.span, ":sql needs a statement")
            .with_hint("e.g. :sql SELECT * FROM students WHERE id = 13")));
    }
    let at = Span::new(call.offset, call.offset + 1);
    session.run_raw_sql(call.input, call.rest, at)
}

fn tables(session: &mut Session, call: &Call<'_>) -> Response {
    let reg = session.registry();
    let mut lines = Vec::new();
    for table in reg.metadata.tables() {
        let class = match reg.mapper_of(&table.name) {
            Some(m) => format!("class {}", m.class_name),
            None if table.view => "(view, read-only)".to_string(),
            None if table.primary_key.is_empty() => "(no primary key)".to_string(),
            None => "(association table)".to_string(),
        };
        let count = match session.row_count(&table.name) {
            Ok(n) => format!("{n} rows"),
            Err(e) => format!("rows not counted: {e}"),
        };
        lines.push([table.name.clone(), class, count]);
    }
    call.answer(Ok(Some(aligned_columns(&lines, [12, 22]))))
}

/// Rows of three cells, the first two padded to their widest cell on the terminal (at least
/// `least` columns each; wide and combining characters counted as the terminal shows them),
/// so the columns line up whatever the names' lengths.
fn aligned_columns(lines: &[[String; 3]], least: [usize; 2]) -> String {
    use unicode_width::UnicodeWidthStr;
    let widths = [0, 1].map(|i| {
        lines
            .iter()
            .map(|line| line[i].width())
            .max()
            .unwrap_or(0)
            .max(least[i])
    });
    let mut text = String::new();
    for [name, class, count] in lines {
        let pad = |cell: &str, width: usize| " ".repeat(width.saturating_sub(cell.width()));
        text.push_str(&format!(
            "  {name}{} {class}{} {count}\n",
            pad(name, widths[0]),
            pad(class, widths[1])
        ));
    }
    text.trim_end().to_string()
}

/// The table a `:schema`/`:mapping` argument names (a table or a class).
fn named_table<'r>(reg: &'r Registry, call: &Call<'_>) -> Result<&'r crate::schema::Table, Error> {
    let which = call.rest;
    reg.collection(which).map(|c| c.table).ok_or_else(|| {
        Error::name(call.rest_span(), format!("no table or class '{which}'"))
            .with_hint(suggestion(which, reg.collection_names()))
    })
}

/// `:schema`: every table's CREATE statements and relationships; `:schema TABLE`: one table's
/// three faces.
fn schema(session: &mut Session, call: &Call<'_>) -> Response {
    if !call.rest.is_empty() {
        return faces(session, call);
    }
    let reg = session.registry();
    let mut text = String::new();
    for table in reg.metadata.tables() {
        let ddl: Vec<String> = match session.server() {
            Some(_) => session
                .database()
                .create_table(table, &reg.metadata)
                .into_iter()
                .map(|sql| sql.display)
                .collect(),
            None => std::iter::once(render::create_table_sql(table))
                .chain(render::create_index_sql(table))
                .collect(),
        };
        for statement in ddl {
            text.push_str(&statement);
            text.push_str(";\n");
        }
        if let Some(mapper) = reg.mapper_of(&table.name) {
            text.push_str(&format!("-- mapped class {}\n", mapper.class_name));
            for rel in reg.relationships_of(&table.name) {
                let through = match &rel.link {
                    Link::ManyToOne { column } => format!("{}.{column}", rel.owner),
                    Link::OneToMany { column } => format!("{}.{column}", rel.target),
                    Link::ManyToMany { secondary, .. } => secondary.clone(),
                };
                let target = reg.class_name(&rel.target);
                text.push_str(&format!(
                    "--   {}.{} → {target}: {} through {through} (back: {}.{})\n",
                    mapper.class_name,
                    rel.name,
                    rel.kind_name(),
                    target,
                    rel.back_populates
                ));
            }
        }
        text.push('\n');
    }
    call.answer(Ok(Some(text.trim_end().to_string())))
}

/// `:schema TABLE`: one table's three faces — the SQL, the Core `Table`, the declarative class.
fn faces(session: &mut Session, call: &Call<'_>) -> Response {
    let reg = session.registry();
    let table = match named_table(reg, call) {
        Ok(t) => t,
        Err(e) => return call.answer(Err(e)),
    };
    let mut sql = format!("{};", render::create_table_sql(table));
    for index in render::create_index_sql(table) {
        sql.push_str(&format!("\n{index};"));
    }
    let mut response = call.answer(Ok(None));
    response
        .faces
        .push(("SQL: the table in the database".into(), sql));
    response
        .faces
        .push(("Core: Table and Column".into(), python::core_table(table)));
    match python::declarative_class(reg, table) {
        Some(class) => response
            .faces
            .push(("ORM: the declarative class".into(), class)),
        None => response.notes.push(Note::new(
            NoteKind::Info,
            format!(
                "{} has no mapped class: {}",
                table.name,
                if table.view {
                    "it is a view, read as a plain Core table (read-only)"
                } else if table.primary_key.is_empty() {
                    "it has no primary key, so it is a plain Core table"
                } else {
                    "it is a plain Core table (an association table)"
                }
            ),
        )),
    }
    response
}

/// `:mapping Class`: the classical mapping of a class beside its declarative form.
fn mapping(session: &mut Session, call: &Call<'_>) -> Response {
    if call.rest.is_empty() {
        return call
            .answer(Err(Error::parse(call.span, ":mapping needs a class")
                .with_hint("e.g. :mapping Student")));
    }
    let reg = session.registry();
    let table = match named_table(reg, call) {
        Ok(t) => t,
        Err(e) => return call.answer(Err(e)),
    };
    let (Some(classical), Some(declarative)) = (
        python::classical_mapping(reg, table),
        python::declarative_class(reg, table),
    ) else {
        return call.answer(Err(Error::name(
            call.span,
            format!("{} is a plain table with no mapped class", table.name),
        )));
    };
    let mut response = call.answer(Ok(None));
    response.faces.push((
        "classical: mapper() over a Core Table".into(),
        format!("{}\n\n{classical}", python::core_table(table)),
    ));
    response
        .faces
        .push(("declarative: class and table in one".into(), declarative));
    response
}

/// The commands of one `:help` list, one a line.
pub fn help_list(group: Group) -> String {
    let listed: Vec<&Command> = COMMANDS.iter().filter(|c| c.group == group).collect();
    let column = listed.iter().map(|c| c.syntax.len()).max().unwrap_or(0);
    let mut text = String::new();
    for command in listed {
        text.push_str(&format!("  {:column$}  {}\n", command.syntax, command.help));
    }
    text
}

/// Whether the view of an input should show one dialect only: every meta command but
/// `:translate` shows its own output once, whatever `:dialect` says.
pub fn shows_one_dialect(input: &str) -> bool {
    Call::parse(input).is_some_and(|(word, _)| word != ":translate")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_and_alias_is_found_once() {
        let mut words: Vec<&str> = COMMANDS
            .iter()
            .flat_map(|c| std::iter::once(c.name).chain(c.aliases.iter().copied()))
            .collect();
        let all = words.len();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), all);
        assert_eq!(find(":?").map(|c| c.name), Some(":help"));
        assert!(find(":nope").is_none());
    }

    #[test]
    fn a_call_knows_where_its_argument_starts() {
        let Some((word, call)) = Call::parse("  :schema  students ") else {
            panic!("a call")
        };
        assert_eq!(word, ":schema");
        assert_eq!(call.rest, "students");
        assert_eq!(&call.input[call.offset..call.offset + 8], "students");
        assert_eq!(call.span, Span::new(2, 9));
    }
}
