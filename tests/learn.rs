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

/// The model solutions of a built-in lesson, in order.
fn solutions_of(file: &str) -> Vec<String> {
    let path = format!("{}/lessons/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("the lesson file");
    let lesson: toml::Value = toml::from_str(&text).expect("TOML");
    lesson["step"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["solution"].as_str().expect("a solution").to_string())
        .collect()
}

/// Progress in the built-in course with every step of these lessons done.
fn progress_with_done(data_home: &std::path::Path, lessons: &[(u32, usize)]) {
    let done: serde_json::Map<String, serde_json::Value> = lessons
        .iter()
        .map(|(n, steps)| {
            (
                n.to_string(),
                serde_json::json!((0..*steps).collect::<Vec<_>>()),
            )
        })
        .collect();
    let json = serde_json::json!({"courses": {"built-in": {"done": done, "position": null}}});
    std::fs::create_dir_all(data_home.join("ormscope")).expect("mkdir");
    std::fs::write(data_home.join("ormscope/progress.json"), json.to_string()).expect("write");
}

/// The built-in course's lessons, by number: (number, file name), so the tests follow the course
/// as lessons are added.
fn course() -> Vec<(u32, String)> {
    let dir = format!("{}/lessons", env!("CARGO_MANIFEST_DIR"));
    let mut lessons: Vec<(u32, String)> = std::fs::read_dir(dir)
        .expect("lessons")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .map(|name| {
            let path = format!("{}/lessons/{name}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(path).expect("the lesson file");
            let lesson: toml::Value = toml::from_str(&text).expect("TOML");
            let number = lesson["number"].as_integer().expect("a number");
            (u32::try_from(number).expect("a lesson number"), name)
        })
        .collect();
    lessons.sort();
    lessons
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
fn the_built_in_course_is_used_whatever_the_working_folder_holds() {
    let home = tempfile::tempdir().expect("temp dir");
    let cwd = tempfile::tempdir().expect("temp dir");
    let decoy = cwd.path().join("lessons");
    std::fs::create_dir(&decoy).expect("mkdir");
    std::fs::write(
        decoy.join("01-decoy.toml"),
        "number = 1\ntitle = \"A decoy\"\nintroduction = \"x\"\n",
    )
    .expect("write");
    let output = Command::cargo_bin("ormscope")
        .expect("the binary")
        .current_dir(cwd.path())
        .env("XDG_DATA_HOME", home.path())
        .env("NO_COLOR", "1")
        .args(["learn"])
        .write_stdin(":quit\n")
        .output()
        .expect("learn runs");
    let out = String::from_utf8_lossy(&output.stdout);
    let built_in = format!("Course: {} lessons", course().len());
    assert!(out.contains(&built_in), "{out}");
    assert!(!out.contains("A decoy"), "{out}");
    let keys = progress(home.path())["courses"].clone();
    assert!(keys.get("built-in").is_some(), "{keys}");

    let own = learn(
        home.path(),
        &["--lessons", &decoy.display().to_string()],
        ":quit\n",
    );
    assert!(
        own.contains("A decoy"),
        "--lessons DIR runs that course: {own}"
    );
}

#[test]
fn lessons_check_checks_the_built_in_course_from_any_folder() {
    let cwd = tempfile::tempdir().expect("temp dir");
    let output = Command::cargo_bin("ormscope")
        .expect("the binary")
        .current_dir(cwd.path())
        .args(["lessons", "check"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("{} lessons,", course().len()))),
        "{text}"
    );
}

#[test]
fn lessons_check_reports_every_bad_file_and_checks_the_good_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = "number = 1\ntitle = \"x\"\nintroduction = \"y\"\n[[step]]\ntask = \"t\"\nsolution = \"students.count()\"\nhints = [\"h\"]\ncheck = \"result\"\n";
    std::fs::write(dir.path().join("01-good.toml"), good).expect("write");
    std::fs::write(dir.path().join("02-bad.toml"), "number = 2\ntitle = 7\n").expect("write");
    std::fs::write(dir.path().join("03-worse.toml"), "number = \n").expect("write");
    let output = Command::cargo_bin("ormscope")
        .expect("the binary")
        .args(["lessons", "check", "--lessons"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("02-bad.toml:2:"), "{text}");
    assert!(text.contains("03-worse.toml:1:"), "{text}");
    assert!(
        text.contains("1 lesson, 1 step checked (1 passed), 0 pending, 2 problems"),
        "{text}"
    );
}

#[test]
fn finishing_the_last_lesson_is_not_finishing_the_course() {
    let home = tempfile::tempdir().expect("temp dir");
    let lessons = course();
    let (last, file) = lessons.last().cloned().expect("a lesson");
    let answers = solutions_of(&file).join("\n");
    let out = learn(
        home.path(),
        &["--lesson", &last.to_string()],
        &format!("{answers}\n:quit\n"),
    );
    assert!(out.contains(&format!("✓ Lesson {last} is done.")), "{out}");
    assert!(!out.contains("You have finished the course"), "{out}");
    let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let others: Vec<String> = lessons[..lessons.len() - 1]
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    let left = format!(
        "{} of {} lessons are not done yet ({}). On to lesson {}.",
        others.len(),
        lessons.len(),
        others.join(", "),
        lessons[0].0
    );
    assert!(words.contains(&left), "{left} in {out}");
    let again = learn(home.path(), &[], ":quit\n");
    assert!(
        again.contains(&format!("learn {}.1>", lessons[0].0)),
        "resumes at the first unfinished lesson: {again}"
    );
}

#[test]
fn the_course_is_finished_when_every_lesson_is() {
    let home = tempfile::tempdir().expect("temp dir");
    let lessons = course();
    let (last, file) = lessons.last().cloned().expect("a lesson");
    let earlier: Vec<(u32, usize)> = lessons[..lessons.len() - 1]
        .iter()
        .map(|(n, file)| (*n, solutions_of(file).len()))
        .collect();
    progress_with_done(home.path(), &earlier);
    let answers = solutions_of(&file).join("\n");
    let out = learn(home.path(), &[], &format!("{answers}\n:quit\n"));
    assert!(
        out.contains(&format!("learn {last}.1>")),
        "resumes at the one lesson left: {out}"
    );
    let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let finished = format!(
        "You have finished the course: all {} lessons are done.",
        lessons.len()
    );
    assert!(words.contains(&finished), "{out}");
}

#[test]
fn colon_lesson_goes_to_a_lesson() {
    let home = tempfile::tempdir().expect("temp dir");
    let out = learn(home.path(), &[], ":lesson 3\n:lesson 99\n:quit\n");
    assert!(
        out.contains("Lesson 3: Filtering, ordering and paging"),
        "{out}"
    );
    assert!(out.contains("learn 3.1>"), "{out}");
    assert!(
        out.contains("there is no lesson 99; the lessons are 1, 2,"),
        "{out}"
    );
    assert!(!out.contains("did you mean"), "{out}");
}

#[test]
fn a_loop_is_judged_by_what_it_finds_not_by_its_variables_name() {
    let home = tempfile::tempdir().expect("temp dir");
    let out = learn(
        home.path(),
        &["--lesson", "10"],
        ":next\nfor student in students.where(year == 2): student.classes\n:quit\n",
    );
    assert!(out.contains("learn 10.2> for student"), "{out}");
    assert!(!out.contains("✗ Not yet"), "{out}");
    assert!(out.contains("✓ Right. 7 queries"), "{out}");
}

#[test]
fn a_step_that_asks_for_an_order_wants_order_by() {
    let home = tempfile::tempdir().expect("temp dir");
    let out = learn(
        home.path(),
        &["--lesson", "5"],
        ":next\n:next\n:next\nstudents[13].classes\nstudents[13].classes.order_by(id)\n:quit\n",
    );
    assert!(out.contains("in the order of their ids"), "{out}");
    let wrong = out
        .find("only by chance")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(out[wrong..].contains("✓ Right."), "{out}");
}

#[test]
fn session_mode_the_learner_began_carries_over_to_the_next_step() {
    let home = tempfile::tempdir().expect("temp dir");
    let out = learn(
        home.path(),
        &["--lesson", "11"],
        "session.begin()\nstudents[14].name = 'Ann'\nstudents[13].name = 'Ann'\n:quit\n",
    );
    let step_two = out.find("learn 11.2>").unwrap_or_else(|| panic!("{out}"));
    let rest = &out[step_two..];
    assert!(
        rest.contains("pending in session.dirty, not sent yet"),
        "the write waits, as in session mode: {rest}"
    );
    assert!(
        rest.contains("✗ Not yet"),
        "the wrong student is caught: {rest}"
    );
    assert!(rest.contains("✓ Right."), "{rest}");
    assert!(
        !rest.contains("UPDATE students SET name = 'Ann' WHERE id = 13\n    → 1 row"),
        "{rest}"
    );
}

/// `learn` at a given width.
fn learn_at(data_home: &std::path::Path, width: &str, args: &[&str], input: &str) -> String {
    let output = Command::cargo_bin("ormscope")
        .expect("the binary")
        .env("XDG_DATA_HOME", data_home)
        .env("NO_COLOR", "1")
        .args(["--width", width, "learn"])
        .args(args)
        .write_stdin(input)
        .output()
        .expect("learn runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn lesson_text_is_wrapped_at_spaces_to_the_screen() {
    use unicode_width::UnicodeWidthStr;
    let home = tempfile::tempdir().expect("temp dir");
    let input = "students[15].classes\nstudents\n:quit\n";
    let out = learn_at(home.path(), "60", &["--lesson", "10"], input);
    let tables = ['┌', '│', '╞', '├', '└'];
    for line in out.lines() {
        if line.starts_with(tables) || line.starts_with("learn ") {
            continue;
        }
        assert!(
            line.width() <= 60,
            "{} columns: {line}\n{out}",
            line.width()
        );
    }
    assert!(
        out.contains("✓ Right. The student, then one SELECT ... WHERE student_id ="),
        "{out}"
    );
    let wide = learn_at(home.path(), "120", &["--lesson", "10"], ":quit\n");
    assert!(
        wide.contains("Whenever the ORM needs data it does not have yet, it sends a query. Relationships are loaded lazily, by"),
        "paragraphs fill the width: {wide}"
    );
}

#[test]
fn a_lesson_without_steps_does_not_crash_the_course() {
    let home = tempfile::tempdir().expect("temp dir");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("01-empty.toml"),
        "number = 1\ntitle = \"Empty\"\nintroduction = \"Nothing to do.\"\n",
    )
    .expect("write");
    let course = dir.path().display().to_string();
    let out = learn(
        home.path(),
        &["--lessons", &course],
        ":hint\n:solution\nstudents.count()\n:next\n:back\n:quit\n",
    );
    assert!(out.contains("This lesson has no steps."), "{out}");
    assert!(out.contains("SELECT count(*) FROM students"), "{out}");
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

#[test]
fn help_inside_the_course_lists_its_commands_and_task_shows_the_step_again() {
    let home = tempfile::tempdir().expect("temp dir");
    let out = learn(home.path(), &[], ":help hint\n:task\n:help\n:quit\n");
    assert!(
        out.contains(":hint: gives the next hint for this step"),
        "not 'did you mean min?': {out}"
    );
    assert_eq!(
        out.matches("Step 1/5: Show every student in the school.")
            .count(),
        2,
        ":task shows the task again: {out}"
    );
    assert!(out.contains("The course's commands:"), "{out}");
    assert!(out.contains(":solution   shows a model answer"), "{out}");
    assert!(
        out.contains("Statements (one per line"),
        "the prompt's own help follows: {out}"
    );
}

#[test]
fn exit_leaves_the_course_as_quit_does() {
    let home = tempfile::tempdir().expect("temp dir");
    let out = learn(home.path(), &[], "exit()\nstudents\n");
    assert!(
        !out.contains("→ 40 rows"),
        "nothing after exit() runs: {out}"
    );
}
