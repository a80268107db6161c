//! The line under the statement says what the statement does, not what one of its parts is,
//! and a link made twice is explained as such.

mod common;

use common::*;

/// The ORM panel's explanation line (the mapper's last step), in the stacked view.
fn explanation(statement: &str) -> String {
    let r = run_args(
        &[
            "--no-color",
            "--layout",
            "stacked",
            "--width",
            "160",
            "-e",
            statement,
        ],
        false,
    );
    r.stdout
        .lines()
        .nth(1)
        .map(|l| l.trim().to_string())
        .unwrap_or_default()
}

#[test]
fn adding_to_a_table_is_explained_as_a_new_object() {
    for (statement, how) in [
        (
            "students.add({'name': 'Ada Lovelace', 'email': 'ada@school.edu', 'year': 1})",
            "add(...)",
        ),
        (
            "students.create(name='Ada Lovelace', email='ada@school.edu', year=1)",
            "create(...)",
        ),
        (
            "Student(name='Ada Lovelace', email='ada@school.edu', year=1)",
            "Student(...)",
        ),
    ] {
        let line = explanation(statement);
        assert_eq!(
            line,
            format!(
                "{how}: a new Student object, which the mapper writes as one INSERT INTO students"
            ),
            "{statement}"
        );
    }
}

#[test]
fn removing_from_a_relationship_is_explained_as_unlinking() {
    let line = explanation("students[13].clubs.remove(clubs[3])");
    assert_eq!(
        line,
        "Student 13.clubs.remove(Club 3): the row of memberships that links them is deleted; both objects stay"
    );
    let line = explanation("students[2].classes.remove(classes[1])");
    assert!(
        line.starts_with(
            "Student 2.classes.remove(Class 1): the mapper sets classes.student_id to NULL"
        ),
        "{line}"
    );
}

#[test]
fn appending_a_club_the_student_has_says_they_are_linked_already() {
    let db = Db::new();
    assert_eq!(
        db.query("SELECT count(*) FROM memberships WHERE student_id = 13 AND club_id = 3"),
        vec![vec![serde_json::json!(1)]],
        "Student 13 is in Club 3 in the School data"
    );
    let v = db.fails("students[13].clubs.append(clubs[3])", "constraint");
    let message = v["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with("Student 13 already has Club 3 among its clubs"),
        "{message}"
    );
    assert!(!message.contains("choose another"), "{message}");
    assert_eq!(v["error"]["column"], serde_json::json!(27), "at clubs[3]");
}
