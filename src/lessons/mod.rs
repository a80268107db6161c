//! Lessons: a course of lesson files (TOML), each step checked by what the learner's statement
//! does, not by how it is spelled. The format is documented in `lessons/README.md`.

pub mod check;
pub mod learn;
pub mod progress;
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
    /// Statements run on a fresh database before the first step.
    #[serde(default)]
    pub setup: Vec<String>,
    /// The steps.
    #[serde(rename = "step", default)]
    pub steps: Vec<Step>,
    /// The file it came from.
    #[serde(skip)]
    pub file: PathBuf,
}

/// A course: lessons in order of number.
#[derive(Debug, Clone)]
pub struct Course {
    /// The folder it was read from.
    pub dir: PathBuf,
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

/// The course shipped with ormscope: `lessons/` in the current folder, else the one it was built from.
pub fn default_dir() -> PathBuf {
    let here = PathBuf::from("lessons");
    if here.join("README.md").exists() || has_lessons(&here) {
        return here;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/lessons"))
}

fn has_lessons(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| {
        entries.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "toml")))
    })
}

/// Reads every `*.toml` lesson in `dir`; the problems found instead when any file is wrong.
pub fn load(dir: &Path) -> Result<Course, Vec<Problem>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![Problem {
            file: dir.to_path_buf(),
            line: None,
            message: format!("cannot read the course folder: {e}"),
        }]
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut lessons = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        match load_lesson(&file) {
            Ok(lesson) => lessons.push(lesson),
            Err(p) => problems.push(p),
        }
    }
    lessons.sort_by_key(|l| l.number);
    for pair in lessons.windows(2) {
        if pair[0].number == pair[1].number {
            problems.push(Problem {
                file: pair[1].file.clone(),
                line: None,
                message: format!(
                    "lesson number {} is also used by {}",
                    pair[1].number,
                    pair[0].file.display()
                ),
            });
        }
    }
    if lessons.is_empty() && problems.is_empty() {
        problems.push(Problem {
            file: dir.to_path_buf(),
            line: None,
            message: "no lesson files (*.toml) here".into(),
        });
    }
    if problems.is_empty() {
        Ok(Course {
            dir: dir.to_path_buf(),
            lessons,
        })
    } else {
        Err(problems)
    }
}

fn load_lesson(file: &Path) -> Result<Lesson, Problem> {
    let text = std::fs::read_to_string(file).map_err(|e| Problem {
        file: file.to_path_buf(),
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    let mut lesson: Lesson = toml::from_str(&text).map_err(|e| Problem {
        file: file.to_path_buf(),
        line: e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        message: e.message().to_string(),
    })?;
    lesson.file = file.to_path_buf();
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
}
