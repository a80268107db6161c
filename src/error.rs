//! Errors of every stage: a kind from a fixed list (as JSON names it), a message in the learner's words, and
//! the span of input it is about.

use std::fmt;

/// A byte range of the statement's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The 1-based line and column (in characters) where the span starts in `text`.
    pub fn line_column(self, text: &str) -> (usize, usize) {
        let start = floor_char_boundary(text, self.start.min(text.len()));
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The kinds of error, as JSON names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text is not a statement of the language.
    Parse,
    /// An unknown collection, column, relationship, method or variable.
    Name,
    /// A value of the wrong type.
    Type,
    /// A row asked for by key does not exist.
    NotFound,
    /// A rule of the schema was broken (NOT NULL, UNIQUE, CHECK, FOREIGN KEY).
    Constraint,
    /// SQLite refused or failed the SQL.
    Sql,
    /// A file could not be read or written.
    Io,
}

impl ErrorKind {
    /// The name of the kind, as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Parse => "parse",
            ErrorKind::Name => "name",
            ErrorKind::Type => "type",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Constraint => "constraint",
            ErrorKind::Sql => "sql",
            ErrorKind::Io => "io",
        }
    }
}

/// An error of any stage, in the learner's words.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// Which kind.
    pub kind: ErrorKind,
    /// What went wrong.
    pub message: String,
    /// Where in the statement.
    pub span: Span,
    /// How to fix it, when that can be guessed.
    pub hint: Option<String>,
    /// Lines before the statement in the script it came from (0 for a statement on its own),
    /// so the error names the script's line.
    pub line_offset: usize,
}

impl Error {
    /// An error of `kind` at `span`.
    pub fn new(kind: ErrorKind, span: Span, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            span,
            hint: None,
            line_offset: 0,
        }
    }

    /// A parse error.
    pub fn parse(span: Span, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Parse, span, message)
    }

    /// An unknown-name error.
    pub fn name(span: Span, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Name, span, message)
    }

    /// A wrong-type error.
    pub fn type_error(span: Span, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Type, span, message)
    }

    /// A missing-row error.
    pub fn not_found(span: Span, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotFound, span, message)
    }

    /// The same error with a hint on how to fix it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }

    /// The 1-based line (in the script, when it came from one) and column where the error is
    /// in `input`, the statement's text.
    pub fn line_column(&self, input: &str) -> (usize, usize) {
        let (line, column) = self.span.line_column(input);
        (line + self.line_offset, column)
    }

    /// The same error, for a statement that starts on line `first_line` of a script.
    pub fn from_line(mut self, first_line: usize) -> Error {
        self.line_offset = first_line.saturating_sub(1);
        self
    }

    /// The message followed by the hint, as one text.
    pub fn full_message(&self) -> String {
        match &self.hint {
            Some(hint) => format!("{} — {}", self.message, hint),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} error: {}", self.kind.as_str(), self.full_message())
    }
}

impl std::error::Error for Error {}

/// The result of any stage.
pub type Result<T> = std::result::Result<T, Error>;

/// The known name closest to `wanted`, if one is close enough to be a likely typo.
pub fn nearest<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    known
        .into_iter()
        .map(|k| {
            (
                strsim::damerau_levenshtein(&wanted_lower, &k.to_lowercase()),
                k,
            )
        })
        .filter(|(d, k)| {
            *d <= (k.chars().count().max(wanted.chars().count()) / 3).max(1) + 1 && *d < k.len()
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// "did you mean 'x'?" for the nearest known name, or a list of what exists.
pub fn suggestion<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str> + Clone) -> String {
    match nearest(wanted, known.clone()) {
        Some(best) => format!("did you mean '{best}'?"),
        None => {
            let mut all: Vec<&str> = Vec::new();
            for name in known {
                if !all.contains(&name) {
                    all.push(name);
                }
            }
            if all.is_empty() {
                "there is nothing of that kind here yet".to_string()
            } else {
                format!("known names: {}", all.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_are_listed_once() {
        let known = ["Genre", "Artist", "Genre", "Artist"];
        assert_eq!(
            suggestion("students", known.iter().copied()),
            "known names: Genre, Artist"
        );
    }

    #[test]
    fn line_and_column_count_characters_from_one() {
        let text = "students\n  .where(é == 1).nope";
        let at = text.find("nope").unwrap_or(0);
        assert_eq!(Span::new(at, at + 4).line_column(text), (2, 18));
        assert_eq!(Span::new(0, 1).line_column(text), (1, 1));
    }

    #[test]
    fn nearest_finds_typos_but_not_strangers() {
        let cols = ["id", "name", "email", "year", "advisor_id"];
        assert_eq!(nearest("yeer", cols), Some("year"));
        assert_eq!(nearest("emial", cols), Some("email"));
        assert_eq!(nearest("nickname", cols), None);
    }
}
