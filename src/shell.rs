//! The front end shared by scripts, demos and the prompt: a session plus the view's settings,
//! and the meta commands about how answers are shown rather than about the database — `:rows`,
//! `:params`, `:layout`, and the instructor's `:dialect`, `:translate`, `:explain` and
//! `:record`.

use crate::dialect::{Choice, Dialect, CHOICES};
use crate::error::{Error, ErrorKind, Span};
use crate::explain;
use crate::session::{Outcome, Response, Session};
use crate::transcript::{Context, Entry, Record, Transcript, TranscriptError};
use crate::translate;
use crate::view::{self, Layout, Settings};
use std::path::Path;

/// View commands handled here rather than by the session.
pub const VIEW_COMMANDS: &[(&str, &str)] = &[
    (":rows N", "show up to N rows of a result (default 20)"),
    (
        ":params",
        "switch the SQL between values inlined and ? with its bound values",
    ),
    (
        ":layout side|stacked|auto",
        "place the ORM and SQL panels side by side or one above the other",
    ),
    (
        ":python on|off",
        "show each statement's SQLAlchemy 2.x code under the ORM and SQL panels",
    ),
    (
        ":dialect sqlite|postgresql|mysql|all",
        "write the SQL panel for that database (statements still run on SQLite)",
    ),
    (
        ":translate STATEMENT",
        "the statement's SQL for SQLite, PostgreSQL and MySQL, without running it",
    ),
    (
        ":explain STATEMENT",
        "SQLite's query plan for the statement's SQL, in plain words",
    ),
    (
        ":record FILE.md|FILE.html|off",
        "write every statement with its SQL and result to a transcript",
    ),
];

/// A session with its view settings, the dialect its SQL is shown in, and the transcript
/// being recorded, if any.
pub struct Shell {
    /// The session statements run in.
    pub session: Session,
    /// How answers are shown.
    pub settings: Settings,
    dialect: Choice,
    recorder: Option<Transcript>,
}

impl Shell {
    /// A shell over a session, showing SQLite's SQL and recording nothing.
    pub fn new(session: Session, settings: Settings) -> Shell {
        Shell {
            session,
            settings,
            dialect: Choice::default(),
            recorder: None,
        }
    }

    /// The dialect (or all three) the SQL panel is written in.
    pub fn dialect(&self) -> Choice {
        self.dialect
    }

    /// Writes the SQL panel in another dialect (statements still run on SQLite).
    pub fn set_dialect(&mut self, choice: Choice) {
        self.dialect = choice;
    }

    /// Starts recording a transcript to `path` (Markdown or HTML by its extension), replacing
    /// one being recorded; says so in words.
    pub fn start_recording(&mut self, path: &Path) -> Result<String, TranscriptError> {
        let transcript = Transcript::create(path, self.context())?;
        let said = format!(
            "recording to {} ({}): every statement from now on, with its SQL and result",
            path.display(),
            transcript.format().name()
        );
        self.recorder = Some(transcript);
        Ok(said)
    }

    /// Stops recording; the file and how many statements it holds, if one was recorded.
    pub fn stop_recording(&mut self) -> Option<(std::path::PathBuf, usize)> {
        self.recorder
            .take()
            .map(|t| (t.path().to_path_buf(), t.statements()))
    }

    /// The transcript file being written, if any.
    pub fn recording(&self) -> Option<&Path> {
        self.recorder.as_ref().map(Transcript::path)
    }

    /// Adds words said between statements (a demo's narration) to the transcript, if one is
    /// being recorded.
    pub fn narrate(&mut self, text: &str) -> Result<(), TranscriptError> {
        let context = Context {
            registry: self.session.registry(),
            max_rows: self.settings.max_rows,
        };
        match &mut self.recorder {
            Some(t) => t.add(Entry::Narration(text.to_string()), context),
            None => Ok(()),
        }
    }

    /// Runs a statement or a meta command, and records it when a transcript is on.
    pub fn run(&mut self, input: &str) -> Response {
        let mut response = self.answer(input);
        if is_recorded(input) {
            if let Err(e) = self.record(&response) {
                self.recorder = None;
                response
                    .notes
                    .push(format!("{e}; the transcript was stopped"));
            }
        }
        response
    }

    /// The view of an answer with the current settings, its SQL in the chosen dialect.
    pub fn show(&self, response: &Response) -> String {
        let registry = self.session.registry();
        match self.choice_for(response) {
            Choice::One(Dialect::Sqlite) => {
                view::statement_view(response, registry, &self.settings)
            }
            Choice::One(dialect) => view::statement_view(
                &translate::response_in(response, dialect, &registry.metadata),
                registry,
                &self.settings,
            ),
            Choice::All => translate::all_dialects_view(
                response,
                registry,
                &self.settings,
                !is_translation(&response.input),
            ),
        }
    }

    /// `:translate` always shows the three dialects; everything else the chosen one.
    fn choice_for(&self, response: &Response) -> Choice {
        if is_translation(&response.input) {
            Choice::All
        } else {
            self.dialect
        }
    }

    fn context(&self) -> Context<'_> {
        Context {
            registry: self.session.registry(),
            max_rows: self.settings.max_rows,
        }
    }

    fn record(&mut self, response: &Response) -> Result<(), TranscriptError> {
        if self.recorder.is_none() {
            return Ok(());
        }
        let metadata = &self.session.registry().metadata;
        let dialects = self
            .choice_for(response)
            .dialects()
            .into_iter()
            .map(|d| (d, translate::sql_in(&response.sql, d, metadata)))
            .collect();
        let entry = Entry::Statement(Box::new(Record {
            response: response.clone(),
            dialects,
        }));
        let context = Context {
            registry: self.session.registry(),
            max_rows: self.settings.max_rows,
        };
        match &mut self.recorder {
            Some(t) => t.add(entry, context),
            None => Ok(()),
        }
    }

    /// The answer to one input, before it is recorded.
    fn answer(&mut self, input: &str) -> Response {
        let trimmed = input.trim();
        let command = trimmed.split_whitespace().next().unwrap_or("");
        let (rest, offset) = rest_of(input, command);
        let argument = rest.split_whitespace().next();
        let span = Span::new(0, command.len());
        let result = match command {
            ":rows" => self.rows(argument),
            ":params" => {
                self.settings.params = !self.settings.params;
                Ok(if self.settings.params {
                    "SQL is shown with ? and its bound values, as it is sent"
                } else {
                    "SQL is shown with the values inlined"
                }
                .to_string())
            }
            ":layout" => self.layout(argument),
            ":python" => self.python_switch(argument),
            ":dialect" => self.dialect_command(argument, span),
            ":record" => self.record_command(rest, span),
            ":translate" => return self.translate(input, rest, offset, span),
            ":explain" => return self.explain(input, rest, offset, span),
            ":help" | ":h" | ":?" if rest.is_empty() => {
                let mut response = self.session.run(input);
                if let Some(text) = &mut response.text {
                    text.push_str(&view_commands_help());
                }
                return response;
            }
            _ => return self.session.run(input),
        };
        let said = result.as_ref().ok().cloned();
        let mut response = answer(input, result.map(|_| Outcome::None), Vec::new());
        response.text = said;
        response
    }

    /// `:python on|off`: the SQLAlchemy face under the panels; without a word, which it is.
    fn python_switch(&mut self, argument: Option<&str>) -> Result<String, Error> {
        self.settings.python = match argument {
            Some("on") => true,
            Some("off") => false,
            None => self.settings.python,
            Some(_) => {
                return Err(
                    Error::new(ErrorKind::Type, Span::new(0, 7), ":python takes on or off")
                        .with_hint("e.g. :python off"),
                )
            }
        };
        Ok(format!(
            "the SQLAlchemy face is {}",
            if self.settings.python { "on" } else { "off" }
        ))
    }

    fn rows(&mut self, argument: Option<&str>) -> Result<String, Error> {
        match argument.map(str::parse::<usize>) {
            Some(Ok(n)) if n > 0 => {
                self.settings.max_rows = n;
                Ok(format!("results show up to {n} rows"))
            }
            _ => Err(Error::new(
                ErrorKind::Type,
                Span::new(0, 5),
                ":rows takes a number of rows",
            )
            .with_hint("e.g. :rows 50")),
        }
    }

    fn layout(&mut self, argument: Option<&str>) -> Result<String, Error> {
        let layout = match argument {
            Some("side") => Layout::Side,
            Some("stacked") => Layout::Stacked,
            Some("auto") => Layout::Auto,
            _ => {
                return Err(Error::new(
                    ErrorKind::Type,
                    Span::new(0, 7),
                    ":layout takes side, stacked or auto",
                )
                .with_hint("e.g. :layout stacked"))
            }
        };
        self.settings.layout = layout;
        Ok(format!("panels: {}", argument.unwrap_or("auto")))
    }

    /// `:dialect NAME`: the dialect of the SQL panel; without a name, which one it is.
    fn dialect_command(&mut self, argument: Option<&str>, span: Span) -> Result<String, Error> {
        let Some(name) = argument else {
            return Ok(format!(
                "{}; :dialect {} changes it",
                dialect_words(self.dialect),
                CHOICES.replace(", ", "|").replace(" or ", "|")
            ));
        };
        let choice = Choice::parse(name).ok_or_else(|| {
            Error::name(span, format!("no dialect '{name}'")).with_hint(format!("choose {CHOICES}"))
        })?;
        self.dialect = choice;
        Ok(dialect_words(choice))
    }

    /// `:record FILE`, `:record off`, or `:record` to ask.
    fn record_command(&mut self, argument: &str, span: Span) -> Result<String, Error> {
        match argument {
            "" => Ok(match self.recording() {
                Some(path) => format!("recording to {}; :record off stops", path.display()),
                None => "not recording; :record FILE.md or :record FILE.html starts".to_string(),
            }),
            "off" => Ok(match self.stop_recording() {
                Some((path, n)) => format!(
                    "recording stopped: {n} statement{} in {}",
                    if n == 1 { "" } else { "s" },
                    path.display()
                ),
                None => "not recording".to_string(),
            }),
            path => self.start_recording(Path::new(path)).map_err(|e| {
                Error::new(ErrorKind::Io, span, e.to_string())
                    .with_hint("e.g. :record class.md or :record class.html")
            }),
        }
    }

    /// `:translate STATEMENT`: the statement run and undone, its SQL shown in every dialect.
    fn translate(&mut self, input: &str, statement: &str, offset: usize, span: Span) -> Response {
        if statement.is_empty() {
            let e = Error::parse(span, ":translate needs a statement")
                .with_hint("e.g. :translate students[13].classes");
            return answer(input, Err(e), Vec::new());
        }
        let mut response = self.session.preview(statement);
        response.input = input.to_string();
        shift_error(&mut response, offset);
        if response.ok() {
            response.outcome = Ok(Outcome::None);
            response.notes = vec![
                "not run: the statement was run and undone to find its SQL, so nothing changed"
                    .to_string(),
            ];
        }
        response
    }

    /// `:explain STATEMENT`: SQLite's plan for each SQL statement, in plain words.
    fn explain(&mut self, input: &str, statement: &str, offset: usize, span: Span) -> Response {
        if statement.is_empty() {
            let e = Error::parse(span, ":explain needs a statement")
                .with_hint("e.g. :explain students[13].classes");
            return answer(input, Err(e), Vec::new());
        }
        let (mut response, plans) = explain::explain(&mut self.session, statement);
        response.input = input.to_string();
        shift_error(&mut response, offset);
        if !response.ok() {
            return response;
        }
        match plans {
            Ok(plans) => {
                response.text = Some(explain::plans_text(&plans));
                response.sql = Vec::new();
                response.outcome = Ok(Outcome::None);
                response.notes = vec![
                    "the statement was run and undone to learn its SQL (nothing changed); \
                     SQLite then planned each SQL statement without running it"
                        .to_string(),
                ];
                response
            }
            Err(e) => answer(
                input,
                Err(Error::new(ErrorKind::Sql, span, e.to_string())),
                Vec::new(),
            ),
        }
    }
}

/// An answer made here, not by the session.
fn answer(input: &str, outcome: Result<Outcome, Error>, notes: Vec<String>) -> Response {
    Response {
        input: input.to_string(),
        outcome,
        sql: Vec::new(),
        notes,
        mapping: Vec::new(),
        faces: Vec::new(),
        text: None,
        sqlalchemy: crate::sqlalchemy::command_face(input),
    }
}

/// What follows a command word (trimmed), and the byte offset in `input` where it starts.
fn rest_of<'a>(input: &'a str, command: &str) -> (&'a str, usize) {
    let start = input.find(command).map_or(0, |i| i + command.len());
    let after = &input[start..];
    let lead = after.len() - after.trim_start().len();
    (after.trim(), start + lead)
}

/// Moves an error's span by `offset` bytes, so it points into the command's whole input.
fn shift_error(response: &mut Response, offset: usize) {
    if let Err(e) = &mut response.outcome {
        e.span = Span::new(e.span.start + offset, e.span.end + offset);
    }
}

/// Whether an input is a `:translate`.
fn is_translation(input: &str) -> bool {
    input.split_whitespace().next() == Some(":translate")
}

/// Whether an input goes into a transcript: statements and commands that show something,
/// not the commands that only change the view or the recording.
fn is_recorded(input: &str) -> bool {
    let command = input.split_whitespace().next().unwrap_or("");
    !(input.trim().is_empty()
        || matches!(
            command,
            ":record"
                | ":rows"
                | ":params"
                | ":layout"
                | ":python"
                | ":dialect"
                | ":quit"
                | ":q"
                | ":exit"
        ))
}

/// The dialect choice in words.
fn dialect_words(choice: Choice) -> String {
    match choice {
        Choice::One(Dialect::Sqlite) => "the SQL panel shows SQLite's SQL, as it runs".to_string(),
        Choice::One(d) => format!(
            "the SQL panel shows {}'s SQL; statements still run on SQLite",
            d.title()
        ),
        Choice::All => {
            "the SQL panel shows SQLite, PostgreSQL and MySQL together; statements still run on SQLite"
                .to_string()
        }
    }
}

/// The view commands, for `:help`.
fn view_commands_help() -> String {
    let mut text = String::from("\n\nView and instructor commands:\n");
    for (command, what) in VIEW_COMMANDS {
        text.push_str(&format!("  {command:18} {what}\n"));
    }
    text.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Options;

    fn shell() -> Shell {
        match Session::open(Options::default()) {
            Ok(s) => Shell::new(s, Settings::default()),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_dialect_changes_the_panel_not_what_runs() {
        let mut sh = shell();
        let r = sh.run(":dialect postgresql");
        assert!(r.ok());
        let r = sh.run("students.order_by(name).offset(38)");
        assert_eq!(
            r.sql[0].display,
            "SELECT * FROM students ORDER BY name LIMIT -1 OFFSET 38"
        );
        let shown = sh.show(&r);
        assert!(
            shown.contains("SELECT * FROM students ORDER BY name OFFSET 38"),
            "{shown}"
        );
        assert!(!shown.contains("LIMIT -1"), "{shown}");
    }

    #[test]
    fn an_unknown_dialect_is_a_name_error_with_the_choices() {
        let mut sh = shell();
        let r = sh.run(":dialect oracle");
        let Err(e) = &r.outcome else { panic!("{r:?}") };
        assert_eq!(e.kind, ErrorKind::Name);
        assert_eq!(
            e.hint.as_deref(),
            Some("choose sqlite, postgresql, mysql or all")
        );
        assert_eq!(sh.dialect(), Choice::One(Dialect::Sqlite));
    }

    #[test]
    fn translate_changes_nothing_and_points_errors_into_the_input() {
        let mut sh = shell();
        let r =
            sh.run(":translate students[13].classes.append({'name': 'X', 'abbreviation': 'X1'})");
        assert!(r.ok());
        assert_eq!(r.sql.len(), 1);
        let after = sh.run("students[13].classes.count()");
        assert_eq!(
            after.outcome,
            Ok(Outcome::Value(crate::sql::Value::Integer(3)))
        );
        let r = sh.run(":translate  students.yeer");
        let Err(e) = &r.outcome else { panic!("{r:?}") };
        assert_eq!(e.span.line_column(&r.input), (1, 22));
    }

    #[test]
    fn record_needs_a_known_extension() {
        let mut sh = shell();
        let r = sh.run(":record notes.txt");
        assert_eq!(
            r.outcome.as_ref().err().map(|e| e.kind),
            Some(ErrorKind::Io)
        );
        assert!(sh.recording().is_none());
    }

    #[test]
    fn help_lists_the_view_commands() {
        let mut sh = shell();
        let r = sh.run(":help");
        let text = r.text.unwrap_or_default();
        assert!(
            text.contains(":dialect sqlite|postgresql|mysql|all"),
            "{text}"
        );
        assert!(text.contains(":explain STATEMENT"), "{text}");
    }
}
