//! `ormscope demo FILE.orm` (or a built-in demo by name, `ormscope demo seed-story`): an
//! instructor's prepared script played one statement at a time in front of a class. Lines
//! starting with `#` are narration shown before the statement that follows them. On a terminal
//! single keys drive it: Space, Enter, Right, Down or Page Down run the next statement; b, Left,
//! Up or Page Up go back one (the database restored to how it was before it); r restarts; q
//! quits; anything else typed starts a statement of the instructor's own, run before the script
//! carries on. Without a terminal the keys are typed lines (an empty line is Enter).
//! `--auto SECONDS` advances by itself.

pub mod keys;
pub mod player;
pub mod script;

pub use keys::{Key, Keys};
pub use player::Player;
pub use script::{Script, Step};

use crate::dialect::Choice;
use crate::repl::Prompt;
use crate::session::{Options, Session};
use crate::shell::Shell;
use crate::view::Settings;
use std::path::PathBuf;
use std::time::Duration;

/// Everything `ormscope demo` is given.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The script: a file, or the name of a built-in demo.
    pub file: PathBuf,
    /// Advance by itself every so many seconds.
    pub auto: Option<f64>,
    /// Record a transcript here.
    pub record: Option<PathBuf>,
    /// The dialect of the SQL panel.
    pub dialect: Choice,
    /// The School to play on (always in memory, so going back is possible).
    pub session: Options,
    /// How answers are shown.
    pub settings: Settings,
    /// Whether keys come from a terminal (else lines of standard input).
    pub terminal: bool,
}

/// The demos built into the binary: the name and text of each file of `demos/` at build time.
static BUILT_IN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/demos.rs"));

/// The built-in demos: their names (the file name without its number and `.orm`) and files.
pub fn built_in() -> Vec<(&'static str, &'static str)> {
    BUILT_IN
        .iter()
        .map(|(file, _)| (short_name(file), *file))
        .collect()
}

/// `01-seed-story.orm` → `seed-story`.
fn short_name(file: &str) -> &str {
    let stem = file.strip_suffix(".orm").unwrap_or(file);
    match stem.split_once('-') {
        Some((number, rest)) if number.chars().all(|c| c.is_ascii_digit()) => rest,
        _ => stem,
    }
}

/// The text of the built-in demo called `name` (`seed-story`, `01-seed-story` or
/// `01-seed-story.orm`), with its file name.
pub fn built_in_text(name: &str) -> Option<(&'static str, &'static str)> {
    BUILT_IN.iter().copied().find(|(file, _)| {
        *file == name || file.strip_suffix(".orm") == Some(name) || short_name(file) == name
    })
}

/// The title and text of a demo: the file at `path` when there is one, else the built-in demo
/// of that name; else what went wrong, in words.
pub fn read_script(path: &std::path::Path) -> Result<(String, String), String> {
    let title = |p: &std::path::Path| {
        p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    match std::fs::read(path) {
        Ok(bytes) => Ok((title(path), String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) => {
            if let Some((file, text)) = path.to_str().and_then(built_in_text) {
                return Ok((file.to_string(), text.to_string()));
            }
            let names: Vec<&str> = built_in().into_iter().map(|(name, _)| name).collect();
            Err(format!(
                "cannot read {}: {e}; the built-in demos are {}",
                path.display(),
                names.join(", ")
            ))
        }
    }
}

/// A demo that brings its own database names it on a line `#! database: library.sql` (a
/// script of CREATE TABLE and INSERT statements, relative to the demo's folder), made fresh in
/// memory for it; the School otherwise. The text without that line, and the database's path.
fn own_database(text: &str, file: &std::path::Path) -> (String, Option<PathBuf>) {
    let mut database = None;
    let mut rest = String::new();
    for line in text.lines() {
        match line.trim().strip_prefix("#! database:") {
            Some(name) => {
                let folder = file.parent().unwrap_or(std::path::Path::new("."));
                database = Some(folder.join(name.trim()));
            }
            None => {
                rest.push_str(line);
                rest.push('\n');
            }
        }
    }
    (rest, database)
}

/// A demo's database is an SQL script beside it, made fresh in memory: never another file,
/// and never a database file opened for writing (a demo is shared, and played by others).
fn dataset_beside(path: &std::path::Path, demo: &std::path::Path) -> Result<(), String> {
    let folder = demo.parent().unwrap_or(std::path::Path::new("."));
    let name = path.strip_prefix(folder).unwrap_or(path);
    let named = name.to_string_lossy();
    if !crate::lessons::database::beside(&named) || !named.to_lowercase().ends_with(".sql") {
        return Err(format!(
            "{}: \"#! database: {named}\" is refused: a demo's database is an SQL script in the demo's folder (a name such as library.sql, without .. or a leading /), made fresh in memory",
            demo.display()
        ));
    }
    Ok(())
}

/// Plays a demo file; the exit status (2 when the file or the transcript cannot be used).
pub fn run(options: DemoOptions) -> u8 {
    let (title, text) = match read_script(&options.file) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("ormscope: {message}");
            return 2;
        }
    };
    let mut options = options;
    let (text, database) = own_database(&text, &options.file);
    if let Some(path) = &database {
        if let Err(message) = dataset_beside(path, &options.file) {
            eprintln!("ormscope: {message}");
            return 2;
        }
    }
    if let Some(path) = database {
        let built_in = (!path.exists())
            .then(|| crate::lessons::database::built_in_named(&path))
            .flatten();
        options.session.db_path = Some(built_in.unwrap_or(path));
    }
    let script = Script::parse(&text);
    if script.steps.is_empty() {
        eprintln!(
            "ormscope: {} has no statements to play",
            options.file.display()
        );
        return 2;
    }
    let session = match Session::open(options.session.clone()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ormscope: could not open the database: {}", e.message);
            return 1;
        }
    };
    let mut shell = Shell::new(session, options.settings);
    shell.set_dialect(options.dialect);
    if let Some(path) = &options.record {
        if let Err(e) = shell.start_recording(path) {
            eprintln!("ormscope: {e}");
            return 2;
        }
    }
    let mut keys: Box<dyn Keys> = match (options.auto, options.terminal) {
        (Some(seconds), _) => Box::new(keys::AutoKeys::from_stdin(Duration::from_secs_f64(
            seconds.max(0.0),
        ))),
        (None, true) => match Prompt::new(&shell, None) {
            Ok(prompt) => Box::new(keys::TerminalKeys::new(prompt)),
            Err(e) => {
                eprintln!("ormscope: {e}");
                return 1;
            }
        },
        (None, false) => Box::new(keys::LineKeys::new(std::io::stdin().lock())),
    };
    let mut player = Player::new(script, shell, options.session, &title);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    player.play(keys.as_mut(), &mut out, options.auto);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_demos_are_found_by_short_name_and_file_name() {
        let names: Vec<&str> = built_in().into_iter().map(|(name, _)| name).collect();
        assert!(names.contains(&"seed-story"), "{names:?}");
        assert!(names.contains(&"n-plus-one"), "{names:?}");
        for name in ["seed-story", "01-seed-story", "01-seed-story.orm"] {
            let (file, text) = built_in_text(name).expect("found");
            assert_eq!(file, "01-seed-story.orm");
            assert!(text.contains("students[13]"));
        }
        assert!(built_in_text("seed").is_none());
    }
}
