//! The database a lesson brings (`database = "data/library.sql"`): an SQL script beside the
//! course, made fresh in memory for the lesson. For the course built into the binary the
//! script is built in too, and a copy is written to the temporary folder for sessions to open.

use super::{Course, Problem};
use std::path::{Path, PathBuf};

/// The scripts of the built-in course's `lessons/data/*.sql`, named `data/NAME.sql`.
static BUILT_IN_DATA: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/lesson_data.rs"));

/// Finds the script of every lesson that names one, setting its `database_path`; a problem
/// for each that cannot be found (or, built in, cannot be written out), whose lesson is then
/// left out of the course rather than played on the School.
pub fn resolve(course: &mut Course) -> Vec<Problem> {
    let mut problems = Vec::new();
    let (dir, built_in) = (course.dir.clone(), course.built_in);
    course.lessons.retain_mut(|lesson| {
        let Some(name) = lesson.database.clone() else {
            return true;
        };
        let found = if built_in {
            built_in_copy(&name)
        } else {
            on_disk(&dir, &name)
        };
        match found {
            Ok(path) => {
                lesson.database_path = Some(path);
                true
            }
            Err(message) => {
                problems.push(Problem {
                    file: lesson.file.clone(),
                    line: None,
                    message,
                });
                false
            }
        }
    });
    problems
}

/// A copy of the built-in script of this file name (`library.sql`), for a built-in demo whose
/// `#! database:` line names the script beside the course it was written with.
pub fn built_in_named(path: &Path) -> Option<PathBuf> {
    let file_name = path.file_name()?.to_str()?;
    built_in_copy(&format!("data/{file_name}")).ok()
}

/// The script `name` in the course folder `dir`.
fn on_disk(dir: &Path, name: &str) -> Result<PathBuf, String> {
    if !beside(name) {
        return Err(format!(
            "database = \"{name}\": a lesson's database lies in the course folder (a name such as data/library.sql, without .. or a leading /)"
        ));
    }
    let path = dir.join(name);
    if !name.to_lowercase().ends_with(".sql") {
        return Err(format!(
            "database = \"{name}\": a lesson's database is an SQL script (a .sql file of CREATE TABLE and INSERT)"
        ));
    }
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "database = \"{name}\": there is no such file in {} (the name is relative to the course folder)",
            dir.display()
        ))
    }
}

/// Whether a file name written in a lesson or a demo stays in its folder: relative, with no
/// `..` (a shared file may not reach other files of whoever plays it).
pub fn beside(name: &str) -> bool {
    let path = Path::new(name);
    path.is_relative()
        && path.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
}

/// A copy of the built-in script `name` in the temporary folder, written once per content.
fn built_in_copy(name: &str) -> Result<PathBuf, String> {
    let wanted = name.trim_start_matches("./");
    let Some((_, text)) = BUILT_IN_DATA.iter().find(|(n, _)| *n == wanted) else {
        let known: Vec<&str> = BUILT_IN_DATA.iter().map(|(n, _)| *n).collect();
        return Err(format!(
            "database = \"{name}\": the built-in course has no such script (it has {})",
            known.join(", ")
        ));
    };
    write_copy(wanted, text).map_err(|e| format!("database = \"{name}\": cannot write a copy: {e}"))
}

/// Writes `text` to a file named after `name` and a hash of the text, unless it is already
/// there; written under another name first and renamed, so two ormscopes never see half a file.
fn write_copy(name: &str, text: &str) -> std::io::Result<PathBuf> {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    let folder = std::env::temp_dir().join("ormscope-lessons");
    std::fs::create_dir_all(&folder)?;
    let file_name = Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "database.sql".into());
    let path = folder.join(format!("{:016x}-{file_name}", hasher.finish()));
    if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
        return Ok(path);
    }
    let partial = folder.join(format!(".{}-{file_name}.part", std::process::id()));
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_is_built_in() {
        let path = built_in_copy("data/library.sql").expect("the library script");
        let text = std::fs::read_to_string(path).expect("the copy");
        assert!(text.contains("CREATE TABLE books"));
    }

    #[test]
    fn an_unknown_script_names_the_known_ones() {
        let e = built_in_copy("data/shop.sql").expect_err("no shop");
        assert!(e.contains("data/library.sql"), "{e}");
    }

    #[test]
    fn a_missing_file_is_named_with_its_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let e = on_disk(dir.path(), "mine.sql").expect_err("missing");
        assert!(e.contains("no such file"), "{e}");
        assert!(on_disk(dir.path(), "mine.txt").is_err());
    }
}
