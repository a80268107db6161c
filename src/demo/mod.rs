//! `ormscope demo FILE.orm`: an instructor's prepared script played one statement at a time
//! in front of a class. Lines starting with `#` are narration shown before the statement that
//! follows them; Enter runs the next statement, `b` goes back one (the database restored to
//! how it was before it), `r` restarts, `q` quits, and anything else typed is run as the
//! instructor's own statement before the script carries on. `--auto SECONDS` advances by
//! itself.

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
    /// The script.
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

/// Plays a demo file; the exit status (2 when the file or the transcript cannot be used).
pub fn run(options: DemoOptions) -> u8 {
    let text = match std::fs::read(&options.file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            eprintln!("ormscope: cannot read {}: {e}", options.file.display());
            return 2;
        }
    };
    let mut options = options;
    let (text, database) = own_database(&text, &options.file);
    if database.is_some() {
        options.session.db_path = database;
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
    let title = options.file.file_name().map_or_else(
        || options.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
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
