//! The SQL without running it (`ormscope sql`, `:translate`) and the SQL panel in another
//! dialect (`--dialect`, `:dialect`): the same statement written for SQLite, PostgreSQL and MySQL.

#[path = "instructor/run.rs"]
mod run;
use run::ormscope;

#[test]
fn sql_prints_valid_postgresql_for_the_issue_example() {
    let (status, out, _) = ormscope(&[
        "sql",
        "--dialect",
        "postgresql",
        "students.where(name.contains('an')).order_by(-year).limit(3)",
    ]);
    assert_eq!(status, 0);
    assert_eq!(
        out,
        "SELECT * FROM students WHERE name ILIKE '%an%' ORDER BY year DESC LIMIT 3;\n"
    );
}

#[test]
fn sql_defaults_to_sqlite_and_ends_each_statement() {
    let (status, out, _) = ormscope(&["sql", "students[13].advisor"]);
    assert_eq!(status, 0);
    assert_eq!(
        out,
        "SELECT * FROM students WHERE id = 13;\nSELECT * FROM teachers WHERE id = 8;\n"
    );
}

#[test]
fn sql_all_heads_each_dialect() {
    let (status, out, _) = ormscope(&[
        "sql",
        "--dialect",
        "all",
        "--width",
        "200",
        "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
    ]);
    assert_eq!(status, 0);
    // The append loads student 13 and its classes first, in every dialect.
    let loads =
        "SELECT * FROM students WHERE id = 13;\nSELECT * FROM classes WHERE student_id = 13;";
    let insert =
        "INSERT INTO classes (student_id, name, abbreviation) VALUES (13, 'Biology 301', 'BI301')";
    assert_eq!(
        out,
        format!(
            "-- SQLite\n{loads}\n{insert};\n\n\
             -- PostgreSQL\n{loads}\n{insert} RETURNING id;\n\n\
             -- MySQL\n{loads}\n{insert};\n"
        )
    );
}

#[test]
fn sql_of_a_write_changes_nothing_for_the_next_statement() {
    let (status, out, _) = ormscope(&[
        "sql",
        "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
        "students[13].classes.append({'name': 'Drama 101', 'abbreviation': 'DR101'})",
        "classes.count()",
    ]);
    assert_eq!(status, 0);
    assert!(out.ends_with("SELECT count(*) FROM classes;\n"), "{out}");
}

#[test]
fn sql_reports_a_bad_statement_and_a_bad_dialect() {
    let (status, _, err) = ormscope(&["sql", "students.yeer"]);
    assert_eq!(status, 1);
    assert!(err.contains("name error at line 1, column 10"), "{err}");
    let (status, _, err) = ormscope(&["sql", "--dialect", "oracle", "students"]);
    assert_eq!(status, 2);
    assert!(
        err.contains("choose sqlite, postgresql, mysql or all"),
        "{err}"
    );
}

#[test]
fn the_dialect_flag_writes_the_panel_for_that_database() {
    let (status, out, _) = ormscope(&[
        "--dialect",
        "mysql",
        "--width",
        "80",
        "-e",
        "students.order_by(name).limit(2).offset(5)",
    ]);
    assert_eq!(status, 0);
    assert!(
        out.contains("SQL SELECT * FROM students ORDER BY name LIMIT 5, 2"),
        "{out}"
    );
    assert!(
        out.contains("Chloe Novak") && out.contains("Diego Chen"),
        "the rows still come from SQLite: {out}"
    );
}

#[test]
fn json_keeps_the_sql_that_ran() {
    let (_, out, _) = ormscope(&[
        "--json",
        "--dialect",
        "postgresql",
        "-e",
        "students.offset(38)",
    ]);
    assert!(out.contains("LIMIT -1 OFFSET 38"), "{out}");
}

#[test]
fn dialect_switches_the_panel_in_a_session() {
    let (status, out, _) = ormscope(&[
        "--width",
        "80",
        "-e",
        ":dialect postgresql",
        "-e",
        "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
        "-e",
        ":dialect sqlite",
        "-e",
        "students.offset(39)",
    ]);
    assert_eq!(status, 0, "{out}");
    assert!(
        out.contains("the SQL panel shows PostgreSQL's SQL"),
        "{out}"
    );
    assert!(out.contains("RETURNING id"), "{out}");
    assert!(out.contains("1 row inserted into classes, id 121"), "{out}");
    assert!(out.contains("LIMIT -1 OFFSET 39"), "{out}");
}

#[test]
fn dialect_all_shows_the_three_side_by_side_on_a_wide_screen() {
    let (_, out, _) = ormscope(&[
        "--width",
        "150",
        "--dialect",
        "all",
        "-e",
        "students.offset(38)",
    ]);
    let header = out
        .lines()
        .find(|l| l.starts_with("SQL · SQLite"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(header.contains("│ SQL · PostgreSQL"), "{header}");
    assert!(header.contains("│ SQL · MySQL"), "{header}");
    assert!(out.contains("→ ran on SQLite: 2 rows"), "{out}");
    let (_, narrow, _) = ormscope(&[
        "--width",
        "60",
        "--dialect",
        "all",
        "-e",
        "students.offset(38)",
    ]);
    assert!(
        narrow.contains("── SQL · PostgreSQL\n"),
        "stacked: {narrow}"
    );
}

#[test]
fn translate_shows_every_dialect_and_runs_nothing() {
    let (status, out, _) = ormscope(&[
        "--width",
        "150",
        "-e",
        ":translate students[13].delete()",
        "-e",
        "students[13].name",
    ]);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("DELETE FROM students WHERE id = 13"), "{out}");
    assert!(out.contains("SQL · MySQL"), "{out}");
    assert!(!out.contains("ran on SQLite"), "{out}");
    assert!(out.contains("not run"), "{out}");
    assert!(out.contains("'Zara Patel'"), "{out}");
}
