//! Database files: opening any SQLite file (mapped as automap would, with a line saying what
//! was mapped), a database made from an SQL script, `:reset` on either, and keeping declared
//! names in the file — the class and relationship names a learner declared (`class
//! Award(Base): ...`) are written to a small table of ormscope's own in the file, so that
//! reopening the file maps them again with the same names.

use super::{db_failure, guard, NoteKind, Options, Session, Trace};
use crate::db::reflect::{save_names, NAMES_TABLE};
use crate::db::Database;
use crate::error::{Error, ErrorKind, Result, Span};
use crate::mapper::Registry;
use crate::school;
use crate::seed;
use std::path::Path;

/// A database opened for a session, with its mapping and what to say about it.
pub(super) struct Opened {
    /// The open database.
    pub db: Database,
    /// Its tables, classes and relationships.
    pub registry: Registry,
    /// What to tell the learner on opening.
    pub notices: Vec<String>,
    /// The file was not made by ormscope (so `:reset` must not rewrite it).
    pub foreign_file: bool,
}

/// Opens the database `options` name: the School in memory or in a new file, an existing
/// file as it is (a file read-only on disk turns `read_only` on), or an SQL script in memory.
pub(super) fn open_database(options: &mut Options) -> Result<Opened> {
    if let Some(url) = server_url(options) {
        return open_server(&url, options);
    }
    let read_only_on_disk = options.db_path.as_ref().is_some_and(|p| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().readonly())
    });
    options.read_only |= read_only_on_disk;
    let mut registry = school::registry();
    let students = options.scale.unwrap_or(seed::DEFAULT_STUDENTS);
    let script = options.db_path.as_ref().filter(|p| is_sql_script(p));
    let existing = options.db_path.as_ref().filter(|p| p.exists());
    let made = match (&options.db_path, script, existing) {
        (Some(path), None, None) => Some(new_file_notice(path, options.read_only)?),
        _ => None,
    };
    let mut db = match (script, &options.db_path) {
        (Some(path), _) => Database::from_sql(path),
        (None, Some(path)) => Database::file(path, &registry.metadata, students),
        (None, None) => Database::in_memory(&registry.metadata, students),
    }
    .map_err(|e| Error::new(ErrorKind::Io, Span::default(), e.message))?;
    if read_only_on_disk {
        db.read_only_because_of_the_file();
    }
    let mut notices: Vec<String> = made.into_iter().collect();
    let mut foreign_file = false;
    if let Some(path) = existing {
        let opened = school::open_file(db.connection())
            .map_err(|e| Error::new(ErrorKind::Io, Span::default(), e.message))?;
        registry = opened.registry;
        foreign_file = opened.notice.is_some() && script.is_none();
        notices.extend(opened_notices(path, opened.notice, options));
        if read_only_on_disk {
            notices.push(format!(
                "{} is read-only on disk: statements only look, as with --read-only",
                path.display()
            ));
        }
    }
    Ok(Opened {
        db,
        registry,
        notices,
        foreign_file,
    })
}

/// What to say when `--db` names a path where no file is: the School is made there, loudly,
/// with the file of a similar name in that folder if there is one (`musci.db` for `music.db`).
/// With `--read-only` nothing is made: the path is refused.
fn new_file_notice(path: &Path, read_only: bool) -> Result<String> {
    let file = path.display();
    let similar = similar_file(path);
    let meant = similar
        .as_ref()
        .map(|s| format!("; did you mean {}?", s.display()))
        .unwrap_or_default();
    if read_only {
        return Err(Error::new(
            ErrorKind::Io,
            Span::default(),
            format!(
                "{file} does not exist, and --read-only never creates a file: nothing was made{meant} \
                 (give the path of an existing SQLite file, or leave out --read-only to make a new School there)"
            ),
        ));
    }
    Ok(format!(
        "made a new School database {file} (no file was there){meant}"
    ))
}

/// The file in `path`'s folder whose name is nearest `path`'s (a typo's target), if one is
/// near enough; spelled as `path` is, in the same folder.
fn similar_file(path: &Path) -> Option<std::path::PathBuf> {
    let wanted = path.file_name()?.to_str()?;
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let names: Vec<String> = std::fs::read_dir(folder)
        .ok()?
        .filter_map(|entry| entry.ok())
        .take(10_000)
        .filter(|entry| {
            entry
                .file_type()
                .is_ok_and(|t| t.is_file() || t.is_symlink())
        })
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name != wanted)
        .collect();
    let best = crate::error::nearest(wanted, names.iter().map(String::as_str))?;
    Some(path.with_file_name(best))
}

/// The `--db` URL of a database server (`postgresql://…`), if `--db` names one.
pub(super) fn server_url(options: &Options) -> Option<String> {
    let text = options.db_path.as_ref()?.to_str()?;
    crate::db::postgres::is_url(text).then(|| text.to_string())
}

/// The School on a PostgreSQL server, in schema `ormscope`. Only the URL without its password
/// is kept in the options, so the password is never shown or saved.
fn open_server(url: &str, options: &mut Options) -> Result<Opened> {
    let registry = school::registry();
    let students = options.scale.unwrap_or(seed::DEFAULT_STUDENTS);
    let db = Database::postgres(url, &registry.metadata, students, false)
        .map_err(|e| Error::new(ErrorKind::Io, Span::default(), e.message))?;
    options.db_path = Some(crate::db::postgres::redact(url).into());
    let place = db.server().map(|s| s.place.clone()).unwrap_or_default();
    Ok(Opened {
        db,
        registry,
        notices: vec![format!(
            "running on PostgreSQL: {place}, schema {} (the SQL panel shows the SQL PostgreSQL ran)",
            crate::db::postgres::SCHEMA
        )],
        foreign_file: false,
    })
}

/// Whether `--db` names an SQL script (`library.sql`) to make a fresh in-memory database from.
pub(super) fn is_sql_script(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
}

/// The lines to say on opening an existing file: what was mapped, and `--scale` ignored.
fn opened_notices(path: &Path, mapped: Option<String>, options: &Options) -> Vec<String> {
    let file = path.display();
    let mut out = Vec::new();
    if is_sql_script(path) {
        out.push(format!(
            "{file}: made fresh in memory from its SQL; {}; writes change only this copy, never the .sql file",
            mapped.unwrap_or_else(|| "the School's tables".into())
        ));
        return out;
    }
    if let Some(mapped) = mapped {
        let writes = if options.read_only {
            "--read-only: statements only look, nothing is written"
        } else {
            "writes change the file (--read-only only looks)"
        };
        out.push(format!("{file}: {mapped}; {writes}"));
    }
    if options.scale.is_some() {
        out.push(format!(
            "--scale is ignored: {file} exists and is opened as it is"
        ));
    }
    out
}

impl Session {
    /// Why `:reset` is refused before anything is asked: the file is the learner's own (ormscope
    /// did not make it), and a fresh School would destroy its tables.
    pub fn reset_refusal(&self, span: Span) -> Option<Error> {
        if !self.foreign_file {
            return None;
        }
        let file = self
            .file()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        Some(
            Error::new(
                ErrorKind::Sql,
                span,
                format!(
                    ":reset is refused: {file} is not a School file that ormscope made, and a fresh School would destroy its own tables; nothing was changed"
                ),
            )
            .with_hint(format!(
                "for a School, start ormscope with --db on a new path (a fresh School is made there); to be able to go back to this file as it is now, copy {file} and work on the copy"
            )),
        )
    }

    /// `:reset` where the database is not the School: refused on a file ormscope did not make,
    /// made again from its script for an SQL script; none for the School (the caller remakes it).
    pub(super) fn reset_file_or_script(&mut self) -> Option<Result<()>> {
        if let Some(refused) = self.reset_refusal(Span::default()) {
            return Some(Err(refused));
        }
        let script = self.options.db_path.clone().filter(|p| is_sql_script(p))?;
        Some(self.remake_from_script(&script))
    }

    fn remake_from_script(&mut self, script: &Path) -> Result<()> {
        let mut db = Database::from_sql(script).map_err(|e| db_failure(&e.message))?;
        let opened = school::open_file(db.connection()).map_err(|e| db_failure(&e.message))?;
        db.set_timeout(self.db.timeout());
        guard(&mut db, &opened.registry, &self.options).map_err(|e| db_failure(&e.message))?;
        self.db = db;
        self.registry = opened.registry;
        self.faces.forget();
        self.vars.clear();
        self.unit = None;
        self.identity.expire_all();
        Ok(())
    }

    /// Keeps the names of `table`'s class and relationships in the file (nothing in memory).
    pub(crate) fn keep_names(&mut self, table: &str, trace: &mut Trace) -> Result<()> {
        if self.file().is_none() {
            return Ok(());
        }
        let names = school::declared_names(&self.registry, table);
        save_names(self.db.connection(), &names)
            .map_err(|e| Error::new(ErrorKind::Sql, Span::default(), e.message))?;
        trace.note(NoteKind::Declaration, format!(
            "the names are kept in the file (table {NAMES_TABLE}), so they are mapped again when it is reopened"
        ));
        Ok(())
    }
}
