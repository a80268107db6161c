//! The front end shared by scripts, demos and the prompt: a session plus the view's settings,
//! the meta commands ([`commands`]: one registry for dispatch, completion and `:help`), the
//! prompt ([`repl`]), tab completion ([`complete`]) and query plans ([`explain`]).

pub mod commands;
pub mod complete;
pub mod explain;
pub mod explain_pg;
pub mod help;
mod help_sqlalchemy;
pub mod repl;

use crate::dialect::{Choice, Dialect, CHOICES};
use crate::error::{Error, ErrorKind, Span};
use crate::session::{Note, NoteKind, Outcome, Response, Session};
use crate::syntax::ahead::Read;
use crate::syntax::ast::Statement;
use crate::transcript::{Context, Entry, Record, Transcript, TranscriptError};
use crate::view::dialects;
use crate::view::{self, Layout, Settings};
use commands::{Action, Call};
use std::path::Path;

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
        self.run_at(input, 1)
    }

    /// [`Shell::run`] for a statement that starts on line `first_line` of a script: its
    /// error names the script's line.
    pub fn run_at(&mut self, input: &str, first_line: usize) -> Response {
        self.run_read(Read::parsed(first_line, input.to_string()))
    }

    /// [`Shell::run_at`] for a statement read and parsed ahead ([`crate::syntax::ahead`]).
    pub fn run_read(&mut self, read: Read) -> Response {
        let (input, first_line) = (read.text.as_str(), read.line);
        let mut response = self.answer(input, read.parsed);
        if let Err(e) = &mut response.outcome {
            e.line_offset = first_line.saturating_sub(1);
        }
        if is_recorded(input) {
            if let Err(e) = self.record(&response) {
                self.recorder = None;
                response.notes.push(Note::new(
                    NoteKind::Info,
                    format!("{e}; the transcript was stopped"),
                ));
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
                &dialects::response_in(response, dialect, &registry.metadata),
                registry,
                &self.settings,
            ),
            Choice::All => dialects::all_dialects_view(
                response,
                registry,
                &self.settings,
                !is_translation(&response.input),
            ),
        }
    }

    /// `:translate` always shows the three dialects; other meta commands show their own
    /// output once (SQLite's, as it ran); statements the chosen dialect.
    fn choice_for(&self, response: &Response) -> Choice {
        if is_translation(&response.input) {
            Choice::All
        } else if commands::shows_one_dialect(&response.input) {
            Choice::One(Dialect::Sqlite)
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
            .map(|d| (d, dialects::sql_in(&response.sql, d, metadata)))
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
    fn answer(&mut self, input: &str, parsed: Option<crate::error::Result<Statement>>) -> Response {
        if commands::is_python_exit(input) {
            // Python's exit() or quit(), typed by reflex: answered as :quit is.
            let mut response = self.answer(":quit", None);
            response.input = input.to_string();
            return response;
        }
        let Some((word, call)) = Call::parse(input) else {
            return self.session.run_parsed(input, parsed);
        };
        let face = self.session.sqlalchemy_face(input);
        let mut response = match commands::find(word).map(|c| c.action) {
            Some(Action::Session(run)) => run(&mut self.session, &call),
            Some(Action::Shell(run)) => run(self, &call),
            None => call.answer(Err(commands::unknown(word, call.span))),
        };
        response.sqlalchemy = face;
        response
    }

    /// `:python on|off`: the SQLAlchemy face under the panels; without a word, which it is.
    pub(crate) fn python_command(&mut self, call: &Call<'_>) -> Response {
        self.settings.python = match call.argument() {
            Some("on") => true,
            Some("off") => false,
            None => self.settings.python,
            Some(_) => {
                return call.answer(Err(Error::new(
                    ErrorKind::Type,
                    call.span,
                    ":python takes on or off",
                )
                .with_hint("e.g. :python off")))
            }
        };
        let state = if self.settings.python { "on" } else { "off" };
        call.answer(Ok(Some(format!("the SQLAlchemy face is {state}"))))
    }

    /// `:rows N`.
    fn rows_command(&mut self, call: &Call<'_>) -> Response {
        let result = match call.argument().map(str::parse::<usize>) {
            Some(Ok(n)) if n > 0 => {
                self.settings.max_rows = n;
                if self.session.window().is_some() {
                    self.session.set_window(Some(n));
                }
                Ok(Some(format!("results show up to {n} rows")))
            }
            _ => Err(
                Error::new(ErrorKind::Type, call.span, ":rows takes a number of rows")
                    .with_hint("e.g. :rows 50"),
            ),
        };
        call.answer(result)
    }

    /// `:params`: switches between values inlined and `?` with the bound values.
    fn params_command(&mut self, call: &Call<'_>) -> Response {
        self.settings.params = !self.settings.params;
        let said = if self.settings.params {
            "SQL is shown with ? and its bound values, as it is sent"
        } else {
            "SQL is shown with the values inlined"
        };
        call.answer(Ok(Some(said.to_string())))
    }

    /// `:layout side|stacked|auto`.
    fn layout_command(&mut self, call: &Call<'_>) -> Response {
        let layout = match call.argument() {
            Some("side") => Layout::Side,
            Some("stacked") => Layout::Stacked,
            Some("auto") => Layout::Auto,
            _ => {
                return call.answer(Err(Error::new(
                    ErrorKind::Type,
                    call.span,
                    ":layout takes side, stacked or auto",
                )
                .with_hint("e.g. :layout stacked")))
            }
        };
        self.settings.layout = layout;
        call.answer(Ok(Some(format!(
            "panels: {}",
            call.argument().unwrap_or("auto")
        ))))
    }

    /// `:dialect NAME`: the dialect of the SQL panel; without a name, which one it is.
    fn dialect_command(&mut self, call: &Call<'_>) -> Response {
        let Some(name) = call.argument() else {
            return call.answer(Ok(Some(format!(
                "{}; :dialect {} changes it",
                dialect_words(self.dialect),
                CHOICES.replace(", ", "|").replace(" or ", "|")
            ))));
        };
        let Some(choice) = Choice::parse(name) else {
            return call.answer(Err(Error::name(call.span, format!("no dialect '{name}'"))
                .with_hint(format!("choose {CHOICES}"))));
        };
        self.dialect = choice;
        call.answer(Ok(Some(dialect_words(choice))))
    }

    /// `:record FILE`, `:record off`, or `:record` to ask.
    fn record_command(&mut self, call: &Call<'_>) -> Response {
        let result = match call.rest {
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
                Error::new(ErrorKind::Io, call.span, e.to_string())
                    .with_hint("e.g. :record class.md or :record class.html")
            }),
        };
        call.answer(result.map(Some))
    }

    /// `:translate STATEMENT`: the statement run and undone, its SQL shown in every dialect.
    fn translate_command(&mut self, call: &Call<'_>) -> Response {
        self.translate(call.input, call.rest, call.offset, call.span)
    }

    /// `:explain STATEMENT`: SQLite's plan for each SQL statement, in plain words.
    fn explain_command(&mut self, call: &Call<'_>) -> Response {
        self.explain(call.input, call.rest, call.offset, call.span)
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
            response.notes = vec![Note::new(
                NoteKind::Info,
                "not run: the statement was run and undone to find its SQL, so nothing changed",
            )];
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
                let engine = match self.session.server() {
                    Some(_) => "PostgreSQL",
                    None => "SQLite",
                };
                response.text = Some(format!(
                    "{}\n\nThe statement was run and undone to learn its SQL (nothing changed); \
                     {engine} then planned each SQL statement without running it.",
                    explain::plans_text(&plans),
                ));
                response.sql = Vec::new();
                response.outcome = Ok(Outcome::None);
                response.notes = Vec::new();
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
fn answer(input: &str, outcome: Result<Outcome, Error>, notes: Vec<Note>) -> Response {
    let mut response = Response::of(input, outcome);
    response.notes = notes;
    response.sqlalchemy = crate::sqlalchemy::command_face(input);
    response
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
    if input.trim().is_empty() {
        return false;
    }
    match Call::parse(input) {
        Some((word, _)) => commands::find(word).is_none_or(|c| c.recorded),
        None => true,
    }
}

/// Runs a statement or a meta command on a bare session, with no view settings (a lesson's
/// check, a demo's replay); commands about the view answer that they need the prompt.
pub fn run_in(session: &mut Session, input: &str) -> Response {
    commands::run_on_session(session, input)
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
        // SQLAlchemy loads the student, then its classes, before the INSERT.
        let shown: Vec<&str> = r.sql.iter().map(|s| s.display.as_str()).collect();
        assert_eq!(
            shown,
            [
                "SELECT * FROM students WHERE id = 13",
                "SELECT * FROM classes WHERE student_id = 13",
                "INSERT INTO classes (student_id, name, abbreviation) VALUES (13, 'X', 'X1')",
            ]
        );
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
