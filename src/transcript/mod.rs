//! Transcripts: every statement of a session written to a file with its SQL and its result,
//! for handing to students afterwards. A `.md` file gets Markdown (SQL in ```sql fences,
//! results as tables); a `.html` file gets one self-contained page (no external assets) with
//! the terminal's side-by-side panels and colours, readable projected and printed.
//!
//! The whole file is written again after each statement, so it is complete whenever the
//! program stops.

pub mod html;
pub mod markdown;

use crate::answer::{Executed, Response};
use crate::dialect::Dialect;
use crate::mapper::Registry;
use std::path::{Path, PathBuf};

/// The file formats a transcript can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown (`.md`, `.markdown`).
    Markdown,
    /// One self-contained HTML page (`.html`, `.htm`).
    Html,
}

impl Format {
    /// The format a file's extension asks for.
    pub fn of_path(path: &Path) -> Result<Format, TranscriptError> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("md" | "markdown") => Ok(Format::Markdown),
            Some("html" | "htm") => Ok(Format::Html),
            _ => Err(TranscriptError::UnknownFormat(path.to_path_buf())),
        }
    }

    /// The format's name in words.
    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "Markdown",
            Format::Html => "HTML",
        }
    }
}

/// Why a transcript could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    /// The file name does not say Markdown or HTML.
    #[error("{} is not a transcript file: give a name ending in .md or .html", .0.display())]
    UnknownFormat(PathBuf),
    /// The file is there and ormscope did not write it: it is never overwritten.
    #[error("{} is there already and is not an ormscope transcript: ormscope never overwrites a file it did not write (give another name, or move that file)", .0.display())]
    NotOurs(PathBuf),
    /// The file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

/// Whether a transcript may be written at `path`: nothing is there (or an empty file), or an
/// ormscope transcript is (its title is in its first lines, in Markdown or HTML).
fn made_by_ormscope_or_absent(path: &Path) -> bool {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return !path.exists();
    };
    let mut head = Vec::new();
    if file.take(512).read_to_end(&mut head).is_err() {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    head.is_empty()
        || head.starts_with("# ormscope transcript")
        || head.contains("<title>ormscope transcript</title>")
}

/// One statement as it was shown: the answer, and its SQL in each dialect shown.
#[derive(Debug, Clone)]
pub struct Record {
    /// The answer (its SQL as SQLite ran it).
    pub response: Response,
    /// The SQL shown, per dialect: one entry normally, three with `:dialect all`.
    pub dialects: Vec<(Dialect, Vec<Executed>)>,
}

/// A part of a transcript.
#[derive(Debug, Clone)]
pub enum Entry {
    /// Words said between statements (a demo's narration).
    Narration(String),
    /// A statement and what it gave.
    Statement(Box<Record>),
}

/// What the writers need besides the entries.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The mapped classes, for highlighting and class names.
    pub registry: &'a Registry,
    /// Rows of a result written before the rest are only counted.
    pub max_rows: usize,
}

/// A transcript being recorded to a file.
#[derive(Debug)]
pub struct Transcript {
    path: PathBuf,
    format: Format,
    entries: Vec<Entry>,
}

impl Transcript {
    /// Starts a transcript at `path` (its format from the extension) and writes it, empty, at
    /// once, so a file that cannot be written is known before anything is recorded.
    pub fn create(path: &Path, context: Context<'_>) -> Result<Transcript, TranscriptError> {
        if !made_by_ormscope_or_absent(path) {
            return Err(TranscriptError::NotOurs(path.to_path_buf()));
        }
        let transcript = Transcript {
            path: path.to_path_buf(),
            format: Format::of_path(path)?,
            entries: Vec::new(),
        };
        transcript.write(context)?;
        Ok(transcript)
    }

    /// The file it is written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// How many statements it holds.
    pub fn statements(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e, Entry::Statement(_)))
            .count()
    }

    /// Adds an entry and writes the file again.
    pub fn add(&mut self, entry: Entry, context: Context<'_>) -> Result<(), TranscriptError> {
        self.entries.push(entry);
        self.write(context)
    }

    /// The transcript as its format writes it.
    pub fn render(&self, context: Context<'_>) -> String {
        match self.format {
            Format::Markdown => markdown::render(&self.entries, context),
            Format::Html => html::render(&self.entries, context),
        }
    }

    fn write(&self, context: Context<'_>) -> Result<(), TranscriptError> {
        std::fs::write(&self.path, self.render(context)).map_err(|source| TranscriptError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_chooses_the_format() {
        assert_eq!(
            Format::of_path(Path::new("class.MD")).ok(),
            Some(Format::Markdown)
        );
        assert_eq!(
            Format::of_path(Path::new("a/b.html")).ok(),
            Some(Format::Html)
        );
        let err = Format::of_path(Path::new("notes.txt"));
        assert!(matches!(err, Err(TranscriptError::UnknownFormat(_))));
    }
}
