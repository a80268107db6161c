//! `ormscope demo`: played without a terminal, keys as lines of standard input (an empty
//! line is Enter), stepping forward and back with the database restored.

use assert_cmd::Command;
use std::path::PathBuf;

struct Played {
    status: i32,
    stdout: String,
    stderr: String,
}

fn demo_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("demos")
        .join(name)
}

fn play(args: &[&str], keys: &str) -> Played {
    let output = Command::cargo_bin("ormscope")
        .expect("the ormscope binary is built")
        .arg("demo")
        .args(args)
        .args(["--width", "80", "--no-color"])
        .write_stdin(keys)
        .output()
        .expect("ormscope runs");
    let played = Played {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(!played.stderr.contains("panicked"), "{}", played.stderr);
    played
}

fn seed_story() -> String {
    demo_file("01-seed-story.orm").display().to_string()
}

const APPENDED: &str = "1 row inserted into classes, id 121";

#[test]
fn enter_runs_the_statements_in_order_with_their_narration() {
    let p = play(&[&seed_story()], "\n\n\nq\n");
    assert_eq!(p.status, 0, "{}", p.stderr);
    let find = p.stdout.find("SQL SELECT * FROM students WHERE id = 13");
    let classes = p
        .stdout
        .find("2. SELECT * FROM classes WHERE student_id = 13");
    let append = p.stdout.find(APPENDED);
    assert!(
        find.is_some() && find < classes && classes < append,
        "{}",
        p.stdout
    );
    let narration = p.stdout.find("First, one student, found by primary key.");
    assert!(narration.is_some() && narration < find, "{}", p.stdout);
    assert!(
        p.stdout.contains("next: students[13].classes"),
        "{}",
        p.stdout
    );
    assert!(
        !p.stdout.contains("SELECT count(*)"),
        "q stopped before the fifth statement: {}",
        p.stdout
    );
}

#[test]
fn going_back_restores_the_database_so_the_append_gets_the_same_id() {
    // find, classes, append, classes; back over the classes and the append; append again.
    let p = play(&[&seed_story()], "\n\n\n\nb\nb\n\n\nq\n");
    assert_eq!(p.status, 0);
    assert_eq!(p.stdout.matches(APPENDED).count(), 2, "{}", p.stdout);
    assert!(!p.stdout.contains("id 122"), "{}", p.stdout);
    assert!(
        p.stdout
            .contains("back before statement 3: the database is as it was then"),
        "{}",
        p.stdout
    );
    let after = p.stdout.rfind(APPENDED).unwrap_or(0);
    assert!(
        p.stdout[after..].contains("4 rows"),
        "the class list after the second append has four classes: {}",
        p.stdout
    );
}

#[test]
fn back_before_the_append_shows_the_three_classes_again() {
    let p = play(&[&seed_story()], "\n\n\nb\nb\n\nq\n");
    let back = p
        .stdout
        .find("back before statement 2")
        .unwrap_or_else(|| panic!("{}", p.stdout));
    let rest = &p.stdout[back..];
    assert!(rest.contains("→ 3 rows"), "{rest}");
    assert!(!rest.contains("Biology 301  "), "{rest}");
}

#[test]
fn own_statements_run_between_steps_and_the_script_carries_on() {
    let p = play(
        &[&seed_story()],
        "\n\n\nstudents[13].classes.count()\n\nq\n",
    );
    let own = p
        .stdout
        .find("ORM students[13].classes.count()")
        .unwrap_or_else(|| panic!("{}", p.stdout));
    let rest = &p.stdout[own..];
    assert!(rest.contains("\n4\n"), "the count after the append: {rest}");
    assert!(
        rest.contains("next: students[13].classes\n"),
        "the script goes on where it was: {rest}"
    );
    assert!(
        rest.contains("SQL 1. SELECT * FROM students WHERE id = 13")
            && rest.contains("2. SELECT * FROM classes WHERE student_id = 13"),
        "the next step loads the student, then its classes: {rest}"
    );
}

#[test]
fn going_back_keeps_own_statements_made_before_the_step() {
    let own = "students[13].classes.append({'name': 'Drama 101', 'abbreviation': 'DR101'})";
    let keys = format!("\n\n{own}\n\nb\n\nq\n");
    let p = play(&[&seed_story()], &keys);
    assert!(p.stdout.contains(APPENDED), "{}", p.stdout);
    assert_eq!(
        p.stdout
            .matches("1 row inserted into classes, id 122")
            .count(),
        2,
        "the script's append comes after the instructor's both times: {}",
        p.stdout
    );
}

#[test]
fn restart_starts_from_a_fresh_school() {
    let p = play(&[&seed_story()], "\n\n\nr\n\n\n\nq\n");
    assert_eq!(p.stdout.matches(APPENDED).count(), 2, "{}", p.stdout);
    assert!(p.stdout.contains("started again on a fresh School"));
    assert_eq!(p.stdout.matches("── 1 of 5 ──").count(), 2, "{}", p.stdout);
}

#[test]
fn back_at_the_start_says_so() {
    let p = play(&[&seed_story()], "b\nq\n");
    assert!(p.stdout.contains("at the start already"), "{}", p.stdout);
}

#[test]
fn auto_advances_through_the_whole_script_without_keys() {
    let p = play(&[&seed_story(), "--auto", "0"], "");
    assert_eq!(p.status, 0, "{}", p.stderr);
    assert!(p.stdout.contains(APPENDED));
    assert!(p
        .stdout
        .contains("SELECT count(*) FROM classes WHERE student_id = 13"));
    assert!(p.stdout.contains("end of the demo"), "{}", p.stdout);
    assert!(
        p.stdout
            .contains("Press b to go back over the append and see the database without it."),
        "the closing narration: {}",
        p.stdout
    );
}

#[test]
fn the_n_plus_one_demo_plays_to_the_end() {
    let path = demo_file("02-n-plus-one.orm").display().to_string();
    let p = play(&[&path, "--auto", "0"], "");
    assert_eq!(p.status, 0, "{}", p.stderr);
    assert!(
        p.stdout.contains("note: N+1 queries"),
        "the loop is flagged: {}",
        p.stdout
    );
    assert!(p.stdout.contains("LEFT OUTER JOIN"), "{}", p.stdout);
    assert!(p
        .stdout
        .contains("uses the index ix_classes_student_id on classes to find rows by student_id"));
    assert!(!p.stdout.contains(" error at line"), "{}", p.stdout);
}

#[test]
fn a_demo_records_its_narration_and_statements() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let md = dir.path().join("class.md");
    let md_arg = md.display().to_string();
    let p = play(&[&seed_story(), "--record", &md_arg], "\n\n\nq\n");
    assert_eq!(p.status, 0, "{}", p.stderr);
    let text = std::fs::read_to_string(&md).expect("the transcript is written");
    assert!(
        text.contains("First, one student, found by primary key."),
        "{text}"
    );
    assert!(
        text.contains("## 3. `students[13].classes.append("),
        "{text}"
    );
    assert!(!text.contains("## 4."), "{text}");
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let p = play(&["no-such-demo.orm"], "");
    assert_eq!(p.status, 2);
    assert!(
        p.stderr.contains("cannot read no-such-demo.orm"),
        "{}",
        p.stderr
    );
}

#[test]
fn the_demo_plays_on_its_own_school() {
    let output = Command::cargo_bin("ormscope")
        .expect("the ormscope binary is built")
        .args(["--db", "x.db", "demo", &seed_story()])
        .output()
        .expect("ormscope runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("leave out --db"));
}

/// `ormscope demo` run in `cwd`, keys as lines of standard input.
fn play_in(cwd: &std::path::Path, args: &[&str], keys: &str) -> Played {
    let output = Command::cargo_bin("ormscope")
        .expect("the ormscope binary is built")
        .current_dir(cwd)
        .arg("demo")
        .args(args)
        .args(["--width", "80", "--no-color"])
        .write_stdin(keys)
        .output()
        .expect("ormscope runs");
    Played {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn built_in_demos_play_by_name_from_any_folder() {
    let elsewhere = tempfile::tempdir().expect("a temporary folder");
    let p = play_in(elsewhere.path(), &["seed-story"], "\nq\n");
    assert_eq!(p.status, 0, "{}", p.stderr);
    assert!(
        p.stdout
            .contains("ormscope demo — 01-seed-story.orm: 5 statements"),
        "{}",
        p.stdout
    );
    assert!(p
        .stdout
        .contains("SQL SELECT * FROM students WHERE id = 13"));
    let p = play_in(elsewhere.path(), &["n-plus-one", "--auto", "0"], "");
    assert!(p.stdout.contains("LEFT OUTER JOIN"), "{}", p.stdout);
}

#[test]
fn a_file_of_ones_own_still_plays_by_path_before_a_built_in_name() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("seed-story"), "# Mine.\nteachers.count()\n").expect("write");
    let p = play_in(dir.path(), &["seed-story"], "\nq\n");
    assert!(p.stdout.contains("seed-story: 1 statement"), "{}", p.stdout);
    assert!(
        p.stdout.contains("SELECT count(*) FROM teachers"),
        "{}",
        p.stdout
    );
}

#[test]
fn demo_without_a_script_lists_the_built_in_demos() {
    let output = Command::cargo_bin("ormscope")
        .expect("the ormscope binary is built")
        .arg("demo")
        .output()
        .expect("ormscope runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("seed-story") && text.contains("n-plus-one"),
        "{text}"
    );
}

#[test]
fn the_closing_narration_is_kept_in_both_transcript_formats() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for name in ["class.md", "class.html"] {
        let path = dir.path().join(name);
        let arg = path.display().to_string();
        let p = play(&[&seed_story(), "--record", &arg], "\n\n\n\n\n\n");
        assert_eq!(p.status, 0, "{}", p.stderr);
        let text = std::fs::read_to_string(&path).expect("the transcript is written");
        let last = text
            .find("computed by the database, no objects are loaded")
            .unwrap_or_else(|| panic!("{text}"));
        let closing = text
            .find("That is the whole round trip: objects in, SQL out, rows back.")
            .unwrap_or_else(|| panic!("the closing narration in {name}: {text}"));
        assert!(last < closing, "{text}");
        assert!(
            text.contains("Press b to go back over the append"),
            "{text}"
        );
    }
}

/// The seed story on a pseudo-terminal, as a presenter runs it.
fn on_a_terminal() -> expectrl::session::OsSession {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ormscope"));
    cmd.args(["demo", "seed-story", "--width", "100"])
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut session = expectrl::session::OsSession::spawn(cmd).expect("the binary starts on a pty");
    session.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
    session
}

/// Waits for the demo's prompt, and a moment more so the terminal is in raw mode.
fn pause(p: &mut expectrl::session::OsSession, prompt: &str) {
    use expectrl::Expect;
    p.expect(prompt).expect("the demo's prompt");
    std::thread::sleep(std::time::Duration::from_millis(300));
}

#[test]
fn presenter_keys_are_single_keys_on_a_terminal() {
    use expectrl::Expect;
    let mut p = on_a_terminal();
    pause(&mut p, "demo 1/5> ");
    p.send(" ").expect("Space");
    p.expect("SELECT * FROM students WHERE id = 13")
        .expect("Space runs the first statement");
    pause(&mut p, "demo 2/5> ");
    p.send("\x1b[6~").expect("Page Down");
    p.expect("SELECT * FROM classes WHERE student_id = 13")
        .expect("Page Down runs the second");
    pause(&mut p, "demo 3/5> ");
    p.send("\x1b[5~").expect("Page Up");
    p.expect("back before statement 2")
        .expect("Page Up goes back");
    pause(&mut p, "demo 2/5> ");
    p.send("\x1b[C").expect("Right");
    p.expect("SELECT * FROM classes WHERE student_id = 13")
        .expect("Right runs it again");
    pause(&mut p, "demo 3/5> ");
    p.send("b").expect("b");
    p.expect("back before statement 2")
        .expect("b goes back at once");
    pause(&mut p, "demo 2/5> ");
    p.send("q").expect("q");
    p.expect(expectrl::Eof).expect("q quits at once");
}

#[test]
fn a_statement_of_ones_own_is_typed_at_a_terminal() {
    use expectrl::Expect;
    let mut p = on_a_terminal();
    pause(&mut p, "demo 1/5> ");
    p.send("t").expect("the first letter");
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send("eachers.count()\r").expect("the rest of it");
    p.expect("SELECT count(*) FROM teachers")
        .expect("the whole statement ran");
    pause(&mut p, "demo 1/5> ");
    p.send("students.count()\r").expect("typed all at once");
    p.expect("SELECT count(*) FROM students")
        .expect("keys typed ahead are kept");
    pause(&mut p, "demo 1/5> ");
    p.send("\x04").expect("Ctrl-D");
    p.expect(expectrl::Eof).expect("the demo ends");
}
