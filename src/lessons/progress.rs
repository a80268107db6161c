//! Where a learner is in each course and which steps they finished, kept in the user's data
//! directory. Written atomically (`tempfile`'s persist: a temporary file, then a rename); a
//! damaged file is set aside.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Progress in one course.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CourseProgress {
    /// Finished steps (0-based) per lesson number.
    pub done: BTreeMap<u32, Vec<usize>>,
    /// The lesson and step (0-based) to resume at.
    pub position: Option<(u32, usize)>,
}

/// Progress in every course, by course folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Per course.
    pub courses: BTreeMap<String, CourseProgress>,
}

impl CourseProgress {
    /// Marks a step finished.
    pub fn finish(&mut self, lesson: u32, step: usize) {
        let steps = self.done.entry(lesson).or_default();
        if !steps.contains(&step) {
            steps.push(step);
            steps.sort_unstable();
        }
    }

    /// Whether a step is finished.
    pub fn is_done(&self, lesson: u32, step: usize) -> bool {
        self.done.get(&lesson).is_some_and(|s| s.contains(&step))
    }
}

/// Moves progress kept under one of `old_keys` (a folder the course was read from before it was
/// built in) to `key`, when there is none under `key` yet.
pub fn adopt_folder_progress(progress: &mut Progress, key: &str, old_keys: &[String]) {
    if progress.courses.contains_key(key) {
        return;
    }
    if let Some(old) = old_keys.iter().find(|k| progress.courses.contains_key(*k)) {
        if let Some(mine) = progress.courses.remove(old) {
            progress.courses.insert(key.to_string(), mine);
        }
    }
}

/// The progress file in the user's data directory.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ormscope").map(|d| d.data_dir().join("progress.json"))
}

/// Reads progress; a missing file is no progress, a damaged one is renamed aside with a warning.
pub fn load(path: &Path) -> (Progress, Option<String>) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return (Progress::default(), None);
    };
    match serde_json::from_str(&text) {
        Ok(progress) => (progress, None),
        Err(e) => {
            let aside = path.with_extension("json.damaged");
            let _ = std::fs::rename(path, &aside);
            let warning = format!(
                "the progress file {} was damaged ({e}); it was moved to {} and you start afresh",
                path.display(),
                aside.display()
            );
            (Progress::default(), Some(warning))
        }
    }
}

/// Writes progress atomically: a uniquely named temporary file beside it, persisted over it (a
/// rename), so a crash never leaves half a file and two runs never share a temporary.
pub fn save(path: &Path, progress: &Progress) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let text = serde_json::to_string_pretty(progress).map_err(std::io::Error::other)?;
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut temporary, text.as_bytes())?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_survives_a_round_trip() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("p").join("progress.json");
        let mut progress = Progress::default();
        let course = progress.courses.entry("lessons".into()).or_default();
        course.finish(4, 1);
        course.position = Some((4, 2));
        save(&path, &progress).expect("saved");
        assert_eq!(load(&path), (progress, None));
    }

    #[test]
    fn progress_under_the_old_folder_key_is_adopted_once() {
        let mut progress = Progress::default();
        progress
            .courses
            .entry("/src/ormscope/lessons".into())
            .or_default()
            .finish(3, 0);
        adopt_folder_progress(&mut progress, "built-in", &["/src/ormscope/lessons".into()]);
        assert!(progress.courses["built-in"].is_done(3, 0));
        assert!(!progress.courses.contains_key("/src/ormscope/lessons"));
        progress
            .courses
            .entry("other".into())
            .or_default()
            .finish(1, 0);
        adopt_folder_progress(&mut progress, "built-in", &["other".into()]);
        assert!(!progress.courses["built-in"].is_done(1, 0));
    }

    #[test]
    fn a_damaged_file_is_set_aside_with_a_warning() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("progress.json");
        std::fs::write(&path, "{not json").expect("write");
        let (progress, warning) = load(&path);
        assert_eq!(progress, Progress::default());
        assert!(warning.is_some_and(|w| w.contains("damaged")));
        assert!(path.with_extension("json.damaged").exists());
        assert!(!path.exists());
    }
}
