//! Loops: the N+1 advice names what repeated, each N+1 is
//! reported, the SQL panel sums a loop up, and Ctrl-C stops a loop at once.

mod common;

use common::*;
use serde_json::Value;

fn notes(v: &Value) -> Vec<String> {
    v["notes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn n_plus_one(v: &Value) -> Vec<String> {
    notes(v)
        .into_iter()
        .filter(|n| n.starts_with("N+1"))
        .collect()
}

#[test]
fn the_advice_names_the_relationship_that_repeated() {
    let r = mem(&["for s in students.limit(4): s.advisor.name, s.classes"]);
    let found = n_plus_one(&r.out[0]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("FROM classes"), "{found:?}");
    assert!(
        found[0].contains("students.limit(4).include(classes)"),
        "{found:?}"
    );
    assert!(!found[0].contains("include(advisor)"), "{found:?}");
}

#[test]
fn the_advice_never_names_a_relationship_loaded_already() {
    let r = mem(&["for s in students.limit(4).include(advisor): s.advisor.name, s.classes"]);
    let found = n_plus_one(&r.out[0]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("students.limit(4).include(advisor).include(classes)"),
        "{found:?}"
    );
    assert!(!found[0].contains("include(advisor).include(advisor)"));
    let r =
        mem(&["for s in students.limit(5).include(classes): s.classes.where(credits > 1).count()"]);
    let found = n_plus_one(&r.out[0]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        !found[0].contains(".include(classes).include(classes)"),
        "{found:?}"
    );
    assert!(found[0].contains("loaded eagerly already"), "{found:?}");
}

#[test]
fn each_repeated_relationship_is_reported() {
    let r = mem(&["for s in students.limit(6): s.clubs.count(), s.classes.count()"]);
    let found = n_plus_one(&r.out[0]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("FROM clubs") && found[0].contains("include(clubs)"));
    assert!(found[1].contains("FROM classes") && found[1].contains("include(classes)"));
    assert!(found.iter().all(|n| n.contains("ran 6 times")), "{found:?}");
}

#[test]
fn a_many_to_one_read_in_a_loop_is_named_too() {
    let r = mem(&["for s in students.limit(10): s.advisor"]);
    let found = n_plus_one(&r.out[0]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("FROM teachers"), "{found:?}");
    assert!(found[0].contains("include(advisor)"), "{found:?}");
}

#[test]
fn the_sql_panel_sums_a_loop_up_and_json_keeps_every_statement() {
    let shown = run_args(
        &[
            "--no-color",
            "--width",
            "120",
            "-e",
            "for s in students: s.classes.count()",
        ],
        false,
    );
    assert_eq!(shown.status, 0, "{}", shown.stderr);
    let numbered = shown
        .stdout
        .lines()
        .filter(|l| l.contains(". SELECT count(*) FROM classes"))
        .count();
    assert_eq!(numbered, 3, "{}", shown.stdout);
    assert!(
        shown.stdout.contains("… 37 more of the same shape as 2"),
        "{}",
        shown.stdout
    );
    let json = mem(&["for s in students: s.classes.count()"]);
    assert_eq!(json.out[0]["sql"].as_array().map(Vec::len), Some(41));
}

mod ctrl_c {
    use expectrl::session::OsSession as Session;
    use expectrl::{Eof, Expect};
    use std::process::Command;
    use std::time::{Duration, Instant};

    /// The prompt on a pty, over a School big enough that a loop runs for many seconds.
    fn big_school(home: &std::path::Path) -> Session {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ormscope"));
        cmd.args(["--scale", "200000"])
            .env("XDG_DATA_HOME", home)
            .env("TERM", "xterm")
            .env("NO_COLOR", "1");
        let mut p = Session::spawn(cmd).expect("the binary starts on a pty");
        p.set_expect_timeout(Some(Duration::from_secs(120)));
        ready(&mut p);
        p.send_line(":timeout 0").expect("typed");
        ready(&mut p);
        p
    }

    fn ready(p: &mut Session) {
        p.expect("orm> ").expect("the prompt");
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Starts `statement`, lets it run a moment, presses Ctrl-C: it must stop with the
    /// interrupt's message long before the loop would end (it runs for minutes; the bound is
    /// generous so that a loaded machine does not fail the test).
    fn interrupt(p: &mut Session, statement: &str) {
        p.send_line(statement).expect("typed");
        std::thread::sleep(Duration::from_millis(2500));
        let pressed = Instant::now();
        p.send("\x03").expect("Ctrl-C");
        p.set_expect_timeout(Some(Duration::from_secs(30)));
        p.expect("stopped (Ctrl-C)")
            .expect("the loop stops at once and says so");
        assert!(
            pressed.elapsed() < Duration::from_secs(30),
            "stopped after {:?}",
            pressed.elapsed()
        );
        p.set_expect_timeout(Some(Duration::from_secs(120)));
        ready(p);
    }

    #[test]
    fn ctrl_c_stops_a_loop_of_queries_and_a_loop_of_writes_is_rolled_back() {
        let home = tempfile::tempdir().expect("temp dir");
        let mut p = big_school(home.path());
        interrupt(&mut p, "for s in students: s.classes.count()");
        interrupt(&mut p, "for s in students: s.name = 'Stopped Here'");
        p.send_line("students.where(name == 'Stopped Here').count()")
            .expect("typed");
        p.expect("SELECT count(*) FROM students WHERE name = 'Stopped Here'")
            .expect("ran");
        p.expect(regex_zero())
            .expect("nothing of the loop was kept");
        ready(&mut p);
        p.send("\x04").expect("Ctrl-D");
        p.expect(Eof).expect("the program ends");
    }

    fn regex_zero() -> expectrl::Regex<&'static str> {
        expectrl::Regex(r"\n\s*0\s*\r?\n")
    }
}

#[test]
fn a_long_loop_keeps_its_first_statements_and_counts_the_rest() {
    let r = run_args(
        &[
            "--scale",
            "1200",
            "--json",
            "-e",
            "for s in students: s.classes.count()",
        ],
        true,
    );
    let answer = &r.out[0];
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(
        answer["result"]["rows"].as_array().map(Vec::len),
        Some(1200)
    );
    assert_eq!(
        answer["sql"].as_array().map(Vec::len),
        Some(1000),
        "kept whole"
    );
    let folded = answer["sql_folded"].as_array().cloned().unwrap_or_default();
    assert_eq!(folded.len(), 1, "one text past the first 1000: {folded:?}");
    assert_eq!(
        folded[0]["text"],
        "SELECT count(*) FROM classes WHERE student_id = ?"
    );
    assert_eq!(
        folded[0]["times"], 201,
        "1 loop query + 1200 counts - 1000 kept"
    );
    let notes = notes(answer);
    assert!(
        notes
            .iter()
            .any(|n| n == "this statement sent 1201 SQL statements"),
        "{notes:?}"
    );
    assert!(
        n_plus_one(answer)
            .iter()
            .any(|n| n.contains("ran 1200 times, once for each of the 1200 Student objects")),
        "{notes:?}"
    );
}

#[test]
fn the_view_keeps_a_long_loops_first_rows_and_says_the_rest_were_counted() {
    let r = run_args(
        &[
            "--scale",
            "1200",
            "--no-color",
            "--width",
            "120",
            "-e",
            "for s in students: s.classes.count()",
        ],
        false,
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("1200 rows; the first 20 shown"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("… and 201 more after the first 1000, only counted:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("201 × SELECT count(*) FROM classes WHERE student_id = ?"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_object_the_loop_went_past_is_still_held_and_sends_no_sql() {
    // SQLAlchemy's loop holds every object of its result until the statement ends; ormscope
    // lets go of each row once its round is done and finds it again where the loop put it.
    let r = mem(&["for s in students.limit(3): s.name, students[1].name, students[2].year"]);
    let answer = &r.out[0];
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(
        displays(answer),
        ["SELECT * FROM students LIMIT 3"],
        "students 1 and 2 are the loop's own objects: {answer}"
    );
    let rows = rows(answer);
    let year_of_2 = mem(&["students[2].year"]).out[0]["result"]["value"].clone();
    for row in &rows {
        assert_eq!(row[2], "Olivia Smith", "{answer}");
        assert_eq!(
            row[3], year_of_2,
            "student 2 is found before, in and after its own round: {answer}"
        );
    }
}
