//! The front end shared by scripts and the prompt: a session plus the view's settings, and the
//! meta commands that change how answers are shown (`:rows`, `:params`, `:layout`).

use crate::error::{Error, ErrorKind, Span};
use crate::session::{Outcome, Response, Session};
use crate::view::{self, Layout, Settings};

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
];

/// A session with its view settings.
pub struct Shell {
    /// The session statements run in.
    pub session: Session,
    /// How answers are shown.
    pub settings: Settings,
}

impl Shell {
    /// A shell over a session.
    pub fn new(session: Session, settings: Settings) -> Shell {
        Shell { session, settings }
    }

    /// Runs a statement or a meta command.
    pub fn run(&mut self, input: &str) -> Response {
        let trimmed = input.trim();
        let mut words = trimmed.split_whitespace();
        let command = words.next().unwrap_or("");
        let argument = words.next();
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
            _ => return self.session.run(input),
        };
        Response {
            input: input.to_string(),
            outcome: result.as_ref().map(|_| Outcome::None).map_err(Clone::clone),
            sql: Vec::new(),
            notes: result.into_iter().collect(),
            mapping: Vec::new(),
            faces: Vec::new(),
            text: None,
        }
    }

    /// The view of an answer with the current settings.
    pub fn show(&self, response: &Response) -> String {
        view::statement_view(response, self.session.registry(), &self.settings)
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
}
