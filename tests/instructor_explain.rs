//! `:explain STATEMENT`: SQLite's query plan for the SQL a statement sends, in plain words.

use assert_cmd::Command;

fn ormscope(statements: &[&str]) -> (i32, String) {
    let mut command = Command::cargo_bin("ormscope").expect("the ormscope binary is built");
    for s in statements {
        command.arg("-e").arg(s);
    }
    let output = command.output().expect("ormscope runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn an_indexed_lookup_names_the_index() {
    let (status, out) = ormscope(&[":explain students[13].classes"]);
    assert_eq!(status, 0, "{out}");
    // The student is loaded first, then its classes through the index on classes.student_id.
    assert!(
        out.starts_with("1. SELECT * FROM students WHERE id = 13\n"),
        "{out}"
    );
    assert!(
        out.contains("\n2. SELECT * FROM classes WHERE student_id = 13\n"),
        "{out}"
    );
    assert!(
        out.contains("uses the index ix_classes_student_id on classes to find rows by student_id"),
        "{out}"
    );
    assert!(
        out.contains("(SQLite: SEARCH classes USING INDEX ix_classes_student_id (student_id=?))"),
        "{out}"
    );
}

#[test]
fn a_filter_on_a_column_without_an_index_is_a_full_scan() {
    let (status, out) = ormscope(&[":explain students.where(name == 'Ann')"]);
    assert_eq!(status, 0, "{out}");
    assert!(
        out.contains("reads the whole table students (a full scan)"),
        "{out}"
    );
}

#[test]
fn a_lookup_by_key_uses_the_primary_key() {
    let (_, out) = ormscope(&[":explain students[13].advisor"]);
    assert!(
        out.contains("1. SELECT * FROM students WHERE id = 13"),
        "{out}"
    );
    assert!(
        out.contains("2. SELECT * FROM teachers WHERE id = 8"),
        "{out}"
    );
    assert!(out.contains("uses the primary key of students"), "{out}");
    assert!(out.contains("uses the primary key of teachers"), "{out}");
}

#[test]
fn a_sort_without_an_index_is_said() {
    let (_, out) = ormscope(&[":explain students.order_by(name)"]);
    assert!(out.contains("sorts the rows for ORDER BY"), "{out}");
}

#[test]
fn explaining_a_write_changes_nothing() {
    let (status, out) = ormscope(&[":explain students[13].delete()", "students[13].name"]);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("DELETE FROM students WHERE id = 13"), "{out}");
    assert!(out.contains("nothing changed"), "{out}");
    assert!(
        out.contains("'Zara Patel'"),
        "student 13 is still there: {out}"
    );
}

#[test]
fn a_statement_that_fails_is_reported_where_it_fails() {
    let (status, out) = ormscope(&[":explain students.yeer"]);
    assert_eq!(status, 1);
    assert!(out.contains("name error at line 1, column 19"), "{out}");
    let (status, out) = ormscope(&[":explain"]);
    assert_eq!(status, 1);
    assert!(out.contains(":explain needs a statement"), "{out}");
}
