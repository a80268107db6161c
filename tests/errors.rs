//! Errors of the command line: every kind, with its line and column, the SQL that was
//! really sent, exit status 1, and the database file exactly as before.

mod common;

use common::*;
use serde_json::{json, Value};

fn at(v: &Value) -> (u64, u64) {
    (
        v["error"]["line"].as_u64().unwrap(),
        v["error"]["column"].as_u64().unwrap(),
    )
}

fn message(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap().to_string()
}

// ---------- parse ----------

#[test]
fn parse_error_has_line_and_column() {
    let db = Db::new();
    let v = db.fails("students.where(year === 2)", "parse");
    // "students.where(year ==" is 22 characters: the stray '=' is column 23.
    assert_eq!(at(&v), (1, 23), "{v}");
    assert_eq!(v["sql"], json!([]), "nothing is sent for a parse error");
}

#[test]
fn parse_error_on_a_later_line_of_a_multi_line_statement() {
    let db = Db::new();
    let r = db.run_stdin("students.where(\n  year === 2)\n");
    assert_eq!(r.status, 1);
    assert_eq!(r.out.len(), 1);
    let v = &r.out[0];
    assert_eq!(v["error"]["kind"], json!("parse"));
    assert_eq!(v["input"], json!("students.where(\n  year === 2)"));
    // line 2 of the statement, "  year ==" is 9 characters
    assert_eq!(at(v), (2, 10), "{v}");
}

#[test]
fn unclosed_bracket_points_at_the_bracket() {
    let db = Db::new();
    let v = db.fails("students.where(year == 2", "parse");
    assert_eq!(at(&v), (1, 15), "{v}");
    let v = db.fails("students[1", "parse");
    assert_eq!(at(&v), (1, 9), "{v}");
}

#[test]
fn unclosed_string_points_at_the_quote() {
    let db = Db::new();
    let v = db.fails("students.where(name == 'ab", "parse");
    assert_eq!(at(&v), (1, 24), "{v}");
}

#[test]
fn stray_closing_bracket() {
    let db = Db::new();
    let v = db.fails("students)", "parse");
    assert_eq!(at(&v), (1, 9), "{v}");
}

#[test]
fn other_parse_errors() {
    let db = Db::new();
    for stmt in [
        "students.",
        "students[]",
        "students.where()",
        "1 +",
        "students.where(year == 2))",
        "= 3",
        "students..count()",
        "students.where(year = 2)",
    ] {
        let r = db.run(&[stmt]);
        assert_eq!(r.status, 1, "{stmt}: {r:?}");
        let v = &r.out[0];
        assert_eq!(v["ok"], json!(false), "{stmt}");
        assert_error_shape(v);
        let k = v["error"]["kind"].as_str().unwrap();
        assert!(
            k == "parse" || k == "type",
            "{stmt}: a malformed statement is a parse (or type) error, got {v}"
        );
    }
}

// ---------- name ----------

#[test]
fn name_error_suggests_the_column() {
    let db = Db::new();
    let v = db.fails("students.where(yeer == 2)", "name");
    assert!(message(&v).contains("did you mean 'year'"), "{v}");
    assert_eq!(at(&v), (1, 16), "{v}");
    let v = db.fails("students[13].yeer", "name");
    assert!(message(&v).contains("did you mean 'year'"), "{v}");
    assert_eq!(at(&v), (1, 14), "{v}");
    let v = db.fails("students.order_by(nmae)", "name");
    assert!(message(&v).contains("'name'"), "{v}");
    assert_eq!(at(&v), (1, 19), "{v}");
}

#[test]
fn name_error_suggests_the_collection() {
    let db = Db::new();
    let v = db.fails("studnets", "name");
    assert!(message(&v).contains("did you mean 'students'"), "{v}");
    assert_eq!(at(&v), (1, 1));
    let v = db.fails("students[13].clases", "name");
    assert!(message(&v).contains("classes"), "{v}");
}

#[test]
fn name_error_for_a_method_and_a_keyword() {
    let db = Db::new();
    let v = db.fails("students.cuont()", "name");
    assert!(message(&v).contains("count"), "{v}");
    assert_eq!(at(&v), (1, 10), "{v}");
    let v = db.fails("students.filter_by(yer=2)", "name");
    assert!(message(&v).contains("year"), "{v}");
    let v = db.fails("students[13].update(nme=\"x\")", "name");
    assert!(message(&v).contains("name"), "{v}");
    db.fails(
        "students.create(name=\"x\", email=\"x@y\", year=1, nope=2)",
        "name",
    );
}

#[test]
fn unknown_variable_is_a_name_error() {
    let db = Db::new();
    db.fails("s.classes", "name");
    // A name bound by a failed statement is not bound.
    let r = db.run(&["s = students[999]", "s.classes"]);
    assert_eq!(r.out[0]["ok"], json!(false));
    assert_eq!(r.out[1]["error"]["kind"], json!("name"), "{:?}", r.out[1]);
}

#[test]
fn unknown_meta_command_is_a_name_error() {
    let db = Db::new();
    db.fails(":nosuch", "name");
}

// ---------- type ----------

#[test]
fn text_key_is_a_type_error() {
    let db = Db::new();
    let v = db.fails("students[\"x\"]", "type");
    assert_eq!(at(&v), (1, 10), "{v}");
    assert_eq!(v["sql"], json!([]));
}

#[test]
fn limit_of_text_is_a_type_error() {
    let db = Db::new();
    let v = db.fails("students.limit('five')", "type");
    assert_eq!(at(&v), (1, 16), "{v}");
    db.fails("students.offset('x')", "type");
    db.fails("students.limit(-1)", "type");
    db.fails("students.limit(1.5)", "type");
}

#[test]
fn other_type_errors() {
    let db = Db::new();
    for stmt in [
        "students.where(year)",
        "students.where(name.contains(5))",
        "students[13].advisor = classes[1]",
        "students[13].advisor = 5",
        "students[13].classes = None",
        "students[13].name.count()",
        "students[99999999999999999999999]",
        "students[13].update()",
    ] {
        db.fails(stmt, "type");
    }
}

#[test]
fn attribute_of_none_is_an_error() {
    let db = Db::new();
    let sid = db.scalar("SELECT min(id) FROM students WHERE advisor_id IS NULL");
    let r = db.run(&[&format!("students[{sid}].advisor.name")]);
    assert_eq!(r.status, 1);
    assert_eq!(r.out[0]["ok"], json!(false));
    assert_error_shape(&r.out[0]);
}

// ---------- not_found ----------

#[test]
fn missing_key_is_not_found() {
    let db = Db::new();
    for stmt in [
        "students[99]",
        "students.99",
        "students.get(99)",
        "Student[99]",
    ] {
        let v = db.fails(stmt, "not_found");
        assert_one_sql(
            &v,
            "SELECT * FROM students WHERE id = 99",
            "SELECT * FROM students WHERE id = ?",
            json!([99]),
        );
        assert!(message(&v).contains("99"), "{v}");
    }
}

#[test]
fn writes_to_a_missing_object_are_not_found() {
    let db = Db::new();
    // The object is loaded first: the SELECT finds nothing, and no UPDATE, DELETE or INSERT is
    // sent.
    for stmt in [
        "students[99].name = \"x\"",
        "students[99].delete()",
        "del students[99]",
        "students[99].update(year=2)",
        "students[99].classes",
        "students[99].classes.append({'name': 'X', 'abbreviation': 'X1'})",
    ] {
        let v = db.fails(stmt, "not_found");
        assert_one_sql(
            &v,
            "SELECT * FROM students WHERE id = 99",
            "SELECT * FROM students WHERE id = ?",
            json!([99]),
        );
        assert_eq!(v["sql"][0]["rows"], json!(0), "{stmt}");
        assert!(message(&v).contains("99"), "{v}");
    }
    // The right side is evaluated first: the missing teacher stops the statement before the
    // student is loaded.
    let v = db.fails("students[13].advisor = teachers[99]", "not_found");
    assert_one_sql(
        &v,
        "SELECT * FROM teachers WHERE id = 99",
        "SELECT * FROM teachers WHERE id = ?",
        json!([99]),
    );
}

#[test]
fn many_to_many_append_to_a_missing_object_is_not_found() {
    let db = Db::new();
    db.fails("students[99].clubs.append(clubs[2])", "not_found");
    db.fails("students[99].clubs.remove(clubs[1])", "not_found");
    db.fails("students[13].clubs.append(clubs[99])", "not_found");
}

#[test]
fn removing_a_link_that_is_not_there_is_not_found() {
    let db = Db::new();
    let cid = db.scalar(
        "SELECT min(id) FROM clubs WHERE id NOT IN (SELECT club_id FROM memberships WHERE student_id = 13)",
    );
    db.fails(
        &format!("students[13].clubs.remove(clubs[{cid}])"),
        "not_found",
    );
}

// ---------- constraint: each leaves the database unchanged ----------

#[test]
fn check_constraint() {
    let db = Db::new();
    let v = db.fails("students[13].year = 7", "constraint");
    // The student is loaded, then the UPDATE is sent, and the database refuses it.
    assert_sql(
        &v,
        &[
            load_student_13(),
            (
                "UPDATE students SET year = 7 WHERE id = 13",
                "UPDATE students SET year = ? WHERE id = ?",
                json!([7, 13]),
            ),
        ],
    );
    assert!(message(&v).contains("year"), "{v}");
    db.fails(
        "students.create(name=\"Z\", email=\"z@school.edu\", year=0)",
        "constraint",
    );
    // a bulk update that breaks the rule for every row changes none of them
    let v = db.fails("students.where(year == 1).update(year=9)", "constraint");
    assert_one_sql(
        &v,
        "UPDATE students SET year = 9 WHERE year = 1",
        "UPDATE students SET year = ? WHERE year = ?",
        json!([9, 1]),
    );
}

#[test]
fn unique_constraint() {
    let db = Db::new();
    let taken = db.scalar("SELECT email FROM students WHERE id = 2");
    let v = db.fails(
        &format!("students[13].email = \"{}\"", taken.as_str().unwrap()),
        "constraint",
    );
    assert!(message(&v).contains("email"), "{v}");
    let v = db.fails("clubs.add({'name': 'Chess'})", "constraint");
    assert_one_sql(
        &v,
        "INSERT INTO clubs (name) VALUES ('Chess')",
        "INSERT INTO clubs (name) VALUES (?)",
        json!(["Chess"]),
    );
    db.fails(
        &format!(
            "students.create(name=\"Twin\", email=\"{}\", year=1)",
            taken.as_str().unwrap()
        ),
        "constraint",
    );
    // linking twice breaks the memberships primary key
    let (sid, cid) = {
        let r = db.query("SELECT student_id, club_id FROM memberships LIMIT 1");
        (r[0][0].clone(), r[0][1].clone())
    };
    db.fails(
        &format!("students[{sid}].clubs.append(clubs[{cid}])"),
        "constraint",
    );
    db.fails(
        "students.create(name=\"Z\", email=\"z@x\", year=1, id=5)",
        "constraint",
    );
}

#[test]
fn not_null_constraint() {
    let db = Db::new();
    let v = db.fails("students[13].name = None", "constraint");
    // The student is loaded, then the UPDATE is sent, and the database refuses it.
    assert_sql(
        &v,
        &[
            load_student_13(),
            (
                "UPDATE students SET name = NULL WHERE id = 13",
                "UPDATE students SET name = ? WHERE id = ?",
                json!([null, 13]),
            ),
        ],
    );
    let v = db.fails("students.create(name=\"X\", year=1)", "constraint");
    assert!(message(&v).contains("email"), "{v}");
    assert_one_sql(
        &v,
        "INSERT INTO students (name, year) VALUES ('X', 1)",
        "INSERT INTO students (name, year) VALUES (?, ?)",
        json!(["X", 1]),
    );
    let v = db.fails("students[13].classes.append({'name': 'X'})", "constraint");
    assert!(message(&v).contains("abbreviation"), "{v}");
    db.fails("students[13].update(year=None)", "constraint");
}

#[test]
fn foreign_key_constraint() {
    let db = Db::new();
    let v = db.fails("students[13].advisor_id = 999", "constraint");
    // The student is loaded, then the UPDATE is sent, and the database refuses it.
    assert_sql(
        &v,
        &[
            load_student_13(),
            (
                "UPDATE students SET advisor_id = 999 WHERE id = 13",
                "UPDATE students SET advisor_id = ? WHERE id = ?",
                json!([999, 13]),
            ),
        ],
    );
    db.fails("classes[1].student_id = 999", "constraint");
    db.fails(
        "Class(student_id=999, name=\"N\", abbreviation=\"N1\")",
        "constraint",
    );
    db.fails(
        "students.create(name=\"X\", email=\"fk@school.edu\", year=1, advisor_id=999)",
        "constraint",
    );
}

#[test]
fn a_failed_statement_does_not_stop_the_next() {
    let db = Db::new();
    let r = db.run(&["students[13].year = 7", "students[13].name = \"After\""]);
    assert_eq!(r.status, 1);
    assert_eq!(r.out.len(), 2);
    assert_eq!(r.out[0]["ok"], json!(false));
    assert_eq!(r.out[1]["ok"], json!(true));
    assert_eq!(
        db.scalar("SELECT name FROM students WHERE id = 13"),
        json!("After")
    );
}

// ---------- sql (raw SQL through :sql) ----------

#[test]
fn raw_sql_errors() {
    let db = Db::new();
    let v = db.fails(":sql SELECT nope FROM students", "sql");
    assert_one_sql(
        &v,
        "SELECT nope FROM students",
        "SELECT nope FROM students",
        json!([]),
    );
    db.fails(
        ":sql UPDATE students SET year = 9 WHERE id = 1",
        "constraint",
    );
}

#[test]
fn unclear_errors_of_the_third_trial_say_what_and_what_to_do() {
    let r = mem(&[
        "students[[1]]",
        "memberships[1, 1]",
        "1e308 * 10",
        "students.where(id // 0 == 1).count()",
        "classes.select(credits % 0).first()",
    ]);
    let message = |i: usize| {
        assert_eq!(r.out[i]["ok"], false, "{}", r.out[i]);
        r.out[i]["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert!(message(0).starts_with("the key of students is one value, not a list"));
    assert!(
        message(1).starts_with("there is no row of memberships with student_id=1, club_id=1"),
        "{}",
        message(1)
    );
    assert!(
        message(2).contains("too large for a decimal number"),
        "{}",
        message(2)
    );
    for i in [3, 4] {
        assert!(message(i).contains("division by zero"), "{}", message(i));
        assert_eq!(r.out[i]["error"]["kind"], "type");
        assert!(
            r.out[i]["sql"].as_array().is_some_and(Vec::is_empty),
            "nothing sent"
        );
    }
}
