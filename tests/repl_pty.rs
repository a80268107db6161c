//! The interactive prompt driven through a pseudo-terminal, as a person would use it.

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession as Session;
use expectrl::{Eof, Expect};
use std::process::Command;
use std::time::Duration;

fn prompt(data_home: &std::path::Path) -> Session {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ormscope"));
    cmd.env("XDG_DATA_HOME", data_home)
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut session = Session::spawn(cmd).expect("the binary starts on a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

/// Waits for the prompt, and a moment more so the line editor has the terminal in raw mode
/// before keys arrive.
fn ready(p: &mut Session) {
    p.expect("orm> ").expect("the prompt");
    std::thread::sleep(Duration::from_millis(300));
}

#[test]
fn a_statement_shows_its_sql_and_rows_then_ctrl_d_leaves() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut p = prompt(home.path());
    ready(&mut p);
    p.send_line("students[13].classes").expect("typed");
    p.expect("SELECT * FROM classes WHERE student_id = 13")
        .expect("the SQL");
    p.expect("3 rows").expect("the row count");
    ready(&mut p);
    p.send("\x04").expect("Ctrl-D");
    p.expect(Eof).expect("the program ends");
    let pid = p.get_process().pid();
    let status = p.get_process_mut().wait().expect("exit status");
    assert_eq!(status, WaitStatus::Exited(pid, 0));
}

#[test]
fn tab_completes_a_collection_name() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut p = prompt(home.path());
    ready(&mut p);
    p.send("stud\t").expect("typed");
    p.expect("students").expect("completed to students");
    p.send(".count()\r").expect("finished the line");
    p.expect("SELECT count(*) FROM students")
        .expect("the completed statement ran");
    ready(&mut p);
    p.send("\x04").expect("Ctrl-D");
    p.expect(Eof).expect("the program ends");
}

#[test]
fn an_open_bracket_continues_on_the_next_line() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut p = prompt(home.path());
    ready(&mut p);
    p.send_line("students.where(").expect("typed");
    p.expect("...> ").expect("the continuation prompt");
    p.send_line("year == 4).count()").expect("typed");
    p.expect("SELECT count(*) FROM students WHERE year = 4")
        .expect("one statement from two lines");
    p.send_line(":quit").expect("typed");
    p.expect(Eof).expect("the program ends");
}

#[test]
fn history_survives_a_restart() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut p = prompt(home.path());
    ready(&mut p);
    p.send_line("teachers.count()").expect("typed");
    p.expect("SELECT count(*) FROM teachers").expect("ran");
    p.send_line(":quit").expect("typed");
    p.expect(Eof).expect("the program ends");

    let mut again = prompt(home.path());
    ready(&mut again);
    again
        .send("\x1b[A\x1b[A\r")
        .expect("arrow up past :quit, enter");
    again
        .expect("SELECT count(*) FROM teachers")
        .expect("the statement came back from history");
    ready(&mut again);
    again.send("\x04").expect("Ctrl-D");
    again.expect(Eof).expect("the program ends");
}

#[test]
fn a_damaged_history_file_is_set_aside_with_a_warning() {
    let home = tempfile::tempdir().expect("temp dir");
    let dir = home.path().join("ormscope");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("history.txt"), [0xff, 0xfe, 0x00, 0x80]).expect("write");
    let mut p = prompt(home.path());
    p.expect("could not be read").expect("a one-line warning");
    ready(&mut p);
    p.send_line("students.count()").expect("typed");
    p.expect("SELECT count(*) FROM students")
        .expect("the prompt still works");
    ready(&mut p);
    p.send("\x04").expect("Ctrl-D");
    p.expect(Eof).expect("the program ends");
    assert!(
        dir.join("history.txt.damaged").exists(),
        "the damaged file is kept aside"
    );
    let fresh = std::fs::read_to_string(dir.join("history.txt")).expect("a new history");
    assert!(fresh.contains("students.count()"), "{fresh}");
}

/// Types `text`, presses Tab once, and expects every one of `wanted` among what is listed
/// before the line is shown again.
fn tab_lists(text: &str, wanted: &[&str]) {
    let home = tempfile::tempdir().expect("temp dir");
    let mut p = prompt(home.path());
    ready(&mut p);
    p.send(text).expect("typed");
    p.expect(text).expect("the typed text is echoed");
    std::thread::sleep(Duration::from_millis(200));
    p.send("\t").expect("Tab");
    let listed = p
        .expect(text)
        .unwrap_or_else(|e| panic!("the line is shown again after the list: {e}"));
    let listed = String::from_utf8_lossy(listed.before()).into_owned();
    for want in wanted {
        assert!(
            listed.contains(want),
            "{want} listed after {text} and one Tab: {listed}"
        );
    }
    p.send("\x03").expect("Ctrl-C clears the line");
    ready(&mut p);
    p.send("\x04").expect("Ctrl-D");
    p.expect(Eof).expect("the program ends");
}

#[test]
fn one_tab_lists_a_relationships_query_methods() {
    tab_lists("students[13].classes.", &["group_by", "select", "limit"]);
}

#[test]
fn one_tab_after_a_relationship_inside_where_lists_its_columns() {
    tab_lists("students.where(advisor.", &["department"]);
}

#[test]
fn one_tab_after_a_loop_variable_lists_its_class() {
    tab_lists("for s in students: s.", &["advisor", "classes", "email"]);
}

#[test]
fn one_tab_inside_a_new_rows_braces_lists_column_names() {
    tab_lists(
        "students[13].classes.append({'",
        &["abbreviation", "teacher_id", "credits"],
    );
}

#[test]
fn one_tab_inside_order_by_lists_relationships() {
    tab_lists("students.order_by(", &["advisor_id", "clubs"]);
    tab_lists("students.order_by(advisor.", &["department"]);
}
