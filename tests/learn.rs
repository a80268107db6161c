//! `ormscope learn` and `ormscope lessons check`, run as a learner would, without a terminal.

use assert_cmd::Command;

fn learn(data_home: &std::path::Path, args: &[&str], input: &str) -> String {
    let output = Command::cargo_bin("ormscope")
        .expect("the binary")
        .env("XDG_DATA_HOME", data_home)
        .env("NO_COLOR", "1")
        .arg("--width")
        .arg("100")
        .arg("learn")
        .args(args)
        .write_stdin(input)
        .output()
        .expect("learn runs");
    assert!(output.status.success(), "exit status {:?}", output.status);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn lesson_four_solutions() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/lessons/04-one-to-many.toml"
    ))
    .expect("lesson 4");
    text.lines()
        .filter_map(|l| l.strip_prefix("solution = \""))
        .map(|l| l.trim_end_matches('"').replace("\\\"", "\""))
        .collect()
}

fn progress(data_home: &std::path::Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(data_home.join("ormscope/progress.json")).expect("progress file");
    serde_json::from_str(&text).expect("progress is JSON")
}

#[test]
fn a_lessons_solutions_finish_it_and_are_remembered() {
    let home = tempfile::tempdir().expect("temp dir");
    let solutions = lesson_four_solutions();
    assert!(solutions.len() >= 3, "{solutions:?}");
    let out = learn(
        home.path(),
        &["--lesson", "4"],
        &(solutions.join("\n") + "\n:quit\n"),
    );
    assert_eq!(out.matches("✓ Right.").count(), solutions.len(), "{out}");
    assert!(out.contains("✓ Lesson 4 is done."), "{out}");
    let course = progress(home.path())["courses"]
        .as_object()
        .and_then(|c| c.values().next().cloned())
        .expect("one course");
    let done: Vec<u64> = course["done"]["4"]
        .as_array()
        .expect("lesson 4")
        .iter()
        .filter_map(|v| v.as_u64())
        .collect();
    assert_eq!(done, (0..solutions.len() as u64).collect::<Vec<_>>());
    assert_eq!(
        course["position"][0], 5,
        "the next lesson is where to resume"
    );

    let again = learn(home.path(), &[], ":lessons\n:quit\n");
    assert!(again.contains("✓  4. One-to-many relationships"), "{again}");
    assert!(
        again.contains("Lesson 5") || again.contains("learn 5.1>"),
        "resumes at lesson 5: {again}"
    );
}

#[test]
fn a_wrong_answer_says_what_differs_and_keeps_the_step() {
    let home = tempfile::tempdir().expect("temp dir");
    let out = learn(
        home.path(),
        &["--lesson", "4"],
        "classes.where(student_id == 12)\n:quit\n",
    );
    assert!(out.contains("✗ Not yet:"), "{out}");
    assert!(out.contains("3 rows missing, e.g. (35, 13,"), "{out}");
    assert!(out.contains("too many"), "{out}");
    let position = &progress(home.path())["courses"]
        .as_object()
        .and_then(|c| c.values().next().cloned())
        .expect("course")["position"];
    assert_eq!(position, &serde_json::json!([4, 0]));
}

#[test]
fn solution_is_offered_only_after_two_tries_and_hints_get_more_specific() {
    let home = tempfile::tempdir().expect("temp dir");
    let input = ":solution\n:hint\n:hint\nstudents\nclasses\n:solution\n:quit\n";
    let out = learn(home.path(), &["--lesson", "4"], input);
    assert!(out.contains("Try 2 more times first"), "{out}");
    assert!(out.contains("hint 1/2: Start from the student"), "{out}");
    assert!(out.contains("hint 2/2:"), "{out}");
    assert!(
        out.contains("A model answer: students[13].classes"),
        "{out}"
    );
}

#[test]
fn a_write_in_a_read_step_is_undone() {
    let home = tempfile::tempdir().expect("temp dir");
    let out = learn(
        home.path(),
        &["--lesson", "4"],
        "students[13].classes.delete()\nstudents[13].classes\n:quit\n",
    );
    assert!(out.contains("✗ Not yet:"), "{out}");
    assert!(
        out.contains("✓ Right."),
        "after the undo, the right answer still sees all three classes: {out}"
    );
}

#[test]
fn the_shipped_course_passes_its_own_check() {
    let output = Command::cargo_bin("ormscope")
        .expect("the binary")
        .args([
            "lessons",
            "check",
            concat!(env!("CARGO_MANIFEST_DIR"), "/lessons"),
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains(" 0 problems"), "{text}");
}

#[test]
fn a_broken_course_is_reported_by_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("01-x.toml"), "number = 1\ntitle = \"x\"\nintroduction = \"y\"\n[[step]]\ntask = \"t\"\nsolution = \"students\"\ncheck = \"sometimes\"\n").expect("write");
    let output = Command::cargo_bin("ormscope")
        .expect("the binary")
        .args(["lessons", "check"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("01-x.toml:7:"), "{text}");
}

#[test]
fn a_partly_done_lesson_shows_its_progress_in_the_list() {
    let home = tempfile::tempdir().expect("temp dir");
    let first = lesson_four_solutions()
        .into_iter()
        .next()
        .expect("a solution");
    learn(
        home.path(),
        &["--lesson", "4"],
        &format!("{first}\n:quit\n"),
    );
    let again = learn(home.path(), &[], ":quit\n");
    assert!(
        again.contains("4. One-to-many relationships  (1/4 steps done)"),
        "{again}"
    );
    assert!(
        again.contains("learn 4.2>"),
        "resumes at the next step: {again}"
    );
}

#[test]
fn solution_is_shown_once_the_last_hint_has_been_given() {
    let home = tempfile::tempdir().expect("temp dir");
    let input = ":hint\n:hint\n:solution\n:quit\n";
    let out = learn(home.path(), &["--lesson", "4"], input);
    assert!(out.contains("hint 2/2:"), "{out}");
    assert!(!out.contains("more time"), "{out}");
    assert!(
        out.contains("A model answer: students[13].classes"),
        "{out}"
    );
}
