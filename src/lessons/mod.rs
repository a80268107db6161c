//! Lessons: a course of lesson files (TOML), each step checked by what the learner's statement
//! does, not by how it is spelled. The format is documented in `lessons/README.md`.

pub mod check;
pub mod compare;
pub mod database;
pub mod learn;
pub mod progress;
pub mod spelling;
pub mod text;
pub mod validate;

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// How a step is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    /// The statement gives the same result as the solution.
    Result,
    /// After the statement, the database equals the one the solution leaves.
    State,
}

/// One step of a lesson.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What to do.
    pub task: String,
    /// A model answer.
    pub solution: String,
    /// Hints, each more specific than the last.
    #[serde(default)]
    pub hints: Vec<String>,
    /// How the answer is checked.
    pub check: CheckKind,
    /// Compare rows in order (default: when the solution orders).
    #[serde(default)]
    pub ordered: Option<bool>,
    /// Text the SQL must contain.
    #[serde(default)]
    pub sql_contains: Vec<String>,
    /// Text the SQL must not contain.
    #[serde(default)]
    pub sql_excludes: Vec<String>,
    /// The number of SQL statements the answer must send.
    #[serde(default)]
    pub sql_statements: Option<usize>,
    /// Text the statement must contain.
    #[serde(default)]
    pub expression_contains: Vec<String>,
    /// Text the statement must not contain.
    #[serde(default)]
    pub expression_excludes: Vec<String>,
    /// What to say when a requirement fails.
    #[serde(default)]
    pub requirement: Option<String>,
    /// Shown after a right answer.
    #[serde(default)]
    pub explain: Option<String>,
    /// Statements run before the step.
    #[serde(default)]
    pub setup: Vec<String>,
    /// Why the step cannot be checked yet, if so.
    #[serde(default)]
    pub pending: Option<String>,
}

impl Step {
    /// Whether the step is waiting for a feature and is skipped.
    pub fn is_pending(&self) -> bool {
        self.pending
            .as_deref()
            .is_some_and(|p| !p.trim().is_empty())
    }

    /// Whether rows are compared in order.
    pub fn in_order(&self) -> bool {
        self.ordered
            .unwrap_or_else(|| self.solution.contains("order_by"))
    }
}

/// One lesson.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Its place in the course.
    pub number: u32,
    /// Its title.
    pub title: String,
    /// A few paragraphs before the first step.
    pub introduction: String,
    /// The database the lesson plays on: an SQL script (CREATE TABLE and INSERT) named relative
    /// to the course folder, made fresh in memory; the School when none.
    #[serde(default)]
    pub database: Option<String>,
    /// Where that script is, once the course is read (for the built-in course, a copy of the
    /// one built into the binary).
    #[serde(skip)]
    pub database_path: Option<PathBuf>,
    /// Statements run on a fresh database before the first step.
    #[serde(default)]
    pub setup: Vec<String>,
    /// The steps.
    #[serde(rename = "step", default)]
    pub steps: Vec<Step>,
    /// The file it came from.
    #[serde(skip)]
    pub file: PathBuf,
    /// The line (1-based) of each step's `[[step]]` in the file, where known.
    #[serde(skip)]
    pub step_lines: Vec<usize>,
}

/// A course: lessons in order of number.
#[derive(Debug, Clone)]
pub struct Course {
    /// The folder it was read from (for the built-in course, `lessons`, the folder it was built from).
    pub dir: PathBuf,
    /// Whether it is the course built into the binary.
    pub built_in: bool,
    /// The lessons, by number.
    pub lessons: Vec<Lesson>,
}

impl Course {
    /// The lesson with this number.
    pub fn lesson(&self, number: u32) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.number == number)
    }
}

/// A problem with a course file, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The file.
    pub file: PathBuf,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// The course built into the binary: the name and text of each file of `lessons/` at build time.
static BUILT_IN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// The key under which progress in the built-in course is kept.
pub const BUILT_IN_KEY: &str = "built-in";

/// A course as read, with the problems of the files that could not be read; the lessons that
/// read well are kept, so a check can go on past a broken file.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The lessons that read well.
    pub course: Course,
    /// What is wrong with the others (and with the whole, such as a number used twice).
    pub problems: Vec<Problem>,
}

impl Loaded {
    /// The course when nothing is wrong, else every problem.
    pub fn into_result(self) -> Result<Course, Vec<Problem>> {
        if self.problems.is_empty() {
            Ok(self.course)
        } else {
            Err(self.problems)
        }
    }
}

/// The course built into ormscope, every file read (a build always has it, whatever the folder).
pub fn built_in() -> Loaded {
    let files = BUILT_IN
        .iter()
        .map(|(name, text)| (Path::new("lessons").join(name), Ok(text.to_string())))
        .collect();
    let mut loaded = parse_files(Path::new("lessons"), files);
    loaded.course.built_in = true;
    let mut problems = database::resolve(&mut loaded.course);
    loaded.problems.append(&mut problems);
    loaded
}

/// The folder the built-in course was built from (for tools and tests that read the files
/// themselves; `learn` and `lessons check` use the copy built into the binary).
pub fn default_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/lessons"))
}

/// Reads every `*.toml` lesson in `dir`; the problems found instead when any file is wrong.
pub fn load(dir: &Path) -> Result<Course, Vec<Problem>> {
    read_dir(dir).into_result()
}

/// Reads every `*.toml` lesson in `dir`, keeping the lessons that read well beside the problems.
pub fn read_dir(dir: &Path) -> Loaded {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return Loaded {
                course: empty_course(dir),
                problems: vec![Problem {
                    file: dir.to_path_buf(),
                    line: None,
                    message: format!("cannot read the course folder: {e}"),
                }],
            }
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let files = paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(|e| format!("cannot read: {e}"));
            (p, text)
        })
        .collect();
    let mut loaded = parse_files(dir, files);
    let mut problems = database::resolve(&mut loaded.course);
    loaded.problems.append(&mut problems);
    loaded
}

fn empty_course(dir: &Path) -> Course {
    Course {
        dir: dir.to_path_buf(),
        built_in: false,
        lessons: Vec::new(),
    }
}

/// Lessons from the text of their files, in order of number, and every problem found.
fn parse_files(dir: &Path, files: Vec<(PathBuf, Result<String, String>)>) -> Loaded {
    let mut lessons = Vec::new();
    let mut problems = Vec::new();
    for (file, text) in files {
        let parsed = text
            .map_err(|message| Problem {
                file: file.clone(),
                line: None,
                message,
            })
            .and_then(|text| parse_lesson(&file, &text));
        match parsed {
            Ok(lesson) => lessons.push(lesson),
            Err(p) => problems.push(p),
        }
    }
    lessons.sort_by_key(|l| l.number);
    let mut kept: Vec<Lesson> = Vec::new();
    for lesson in lessons {
        match kept.last() {
            Some(last) if last.number == lesson.number => problems.push(Problem {
                file: lesson.file.clone(),
                line: None,
                message: format!(
                    "lesson number {} is also used by {}",
                    lesson.number,
                    last.file.display()
                ),
            }),
            _ => kept.push(lesson),
        }
    }
    if kept.is_empty() && problems.is_empty() {
        problems.push(Problem {
            file: dir.to_path_buf(),
            line: None,
            message: "no lesson files (*.toml) here".into(),
        });
    }
    Loaded {
        course: Course {
            lessons: kept,
            ..empty_course(dir)
        },
        problems,
    }
}

fn parse_lesson(file: &Path, text: &str) -> Result<Lesson, Problem> {
    let mut lesson: Lesson = toml::from_str(text).map_err(|e| Problem {
        file: file.to_path_buf(),
        line: e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        message: e.message().to_string(),
    })?;
    lesson.file = file.to_path_buf();
    lesson.step_lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.trim() == "[[step]]")
        .map(|(i, _)| i + 1)
        .collect();
    Ok(lesson)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_file_is_named_with_its_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("01-x.toml");
        std::fs::write(
            &file,
            "number = 1\ntitle = \"x\"\nintroduction = \"y\"\n[[step]]\ntask = 3\n",
        )
        .expect("write");
        let problems = load(dir.path()).expect_err("a type error");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(5), "{}", problems[0]);
    }

    #[test]
    fn two_lessons_with_one_number_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["01-a.toml", "02-b.toml"] {
            std::fs::write(
                dir.path().join(name),
                "number = 1\ntitle = \"x\"\nintroduction = \"y\"\n",
            )
            .expect("write");
        }
        let problems = load(dir.path()).expect_err("duplicate numbers");
        assert!(
            problems[0].message.contains("lesson number 1 is also used"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn a_broken_file_does_not_hide_the_good_ones() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("01-a.toml"),
            "number = 1\ntitle = \"x\"\nintroduction = \"y\"\n",
        )
        .expect("write");
        std::fs::write(dir.path().join("02-b.toml"), "number = 2\ntitle = 3\n").expect("write");
        std::fs::write(dir.path().join("03-c.toml"), "number = \"three\"\n").expect("write");
        let loaded = read_dir(dir.path());
        assert_eq!(loaded.course.lessons.len(), 1);
        assert_eq!(loaded.problems.len(), 2, "{:?}", loaded.problems);
    }

    #[test]
    fn the_built_in_course_reads_without_the_source_folder() {
        let loaded = built_in();
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        assert!(loaded.course.built_in);
        assert!(loaded.course.lessons.len() >= 12);
        assert!(loaded.course.lessons[0].file.starts_with("lessons"));
    }
}
