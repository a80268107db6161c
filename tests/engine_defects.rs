//! Engine defects found by comparing with SQLAlchemy: each statement
//! here gives what SQLAlchemy gives for the same work on the same data.

mod common;

use common::*;
use serde_json::{json, Value};

/// `select(Student.year, func.count()).group_by(Student.year).order_by(Student.year).limit(2)`
/// gives two groups: the page applies to the groups.
#[test]
fn group_by_keeps_limit_and_offset() {
    let db = Db::new();
    let v = db.ok("students.group_by(year).order_by(year).limit(2).count()");
    assert_eq!(
        rows(&v),
        db.query("SELECT year, count(*) FROM students GROUP BY year ORDER BY year LIMIT 2")
    );
    assert_eq!(rows(&v).len(), 2);
    let v = db.ok("students.group_by(year).order_by(year).offset(1).limit(2).count()");
    assert_eq!(
        rows(&v),
        db.query(
            "SELECT year, count(*) FROM students GROUP BY year ORDER BY year LIMIT 2 OFFSET 1"
        )
    );
}

/// `session.get(Student, 9999).clubs` fails on the missing student in SQLAlchemy; so does a
/// path that goes on from there, or groups what it found.
#[test]
fn a_missing_owner_is_not_found_through_relationships_and_groups() {
    let db = Db::new();
    for stmt in [
        "students[9999].clubs.members",
        "teachers[9999].classes.student",
        "students[9999].clubs.members.count()",
        "students[9999].classes.group_by(teacher_id).count()",
        "students[9999].classes.group_by(teacher_id)",
    ] {
        let v = db.fails(stmt, "not_found");
        let message = v["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains("9999"), "{stmt}: {message}");
        assert_eq!(v["error"]["column"], json!(1), "{stmt}: where the owner is");
    }
    let v = db.ok("students[13].clubs.members");
    assert!(
        !rows(&v).is_empty(),
        "an owner that exists still gives rows"
    );
}

/// SQLAlchemy refuses loader options on a query of columns; so does ormscope, in either order,
/// instead of whole rows, invalid SQL, or names used as keys.
#[test]
fn eager_loading_with_selected_columns_is_a_type_error() {
    let db = Db::new();
    for stmt in [
        "students.join_load(classes).select(name)",
        "students.join_load(classes).select(name).limit(2)",
        "students.include(classes).select(name)",
        "students.select(name).include(classes)",
        "students.select(name).join_load(advisor)",
        "students.include(classes).group_by(year)",
    ] {
        let v = db.fails(stmt, "type");
        let message = v["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains("not objects"), "{stmt}: {message}");
        assert!(
            v["sql"].as_array().is_some_and(Vec::is_empty),
            "{stmt}: {v}"
        );
    }
}

/// `session.scalars(select(Student).order_by(Student.id).limit(0)).first()` is None.
#[test]
fn limit_zero_then_first_is_none() {
    let db = Db::new();
    let v = db.ok("students.order_by(id).limit(0).first()");
    assert_eq!(kind(&v), "none", "{v}");
    let v = db.ok("students.order_by(id).limit(5).first()");
    assert_eq!(kind(&v), "object", "{v}");
    assert_eq!(v["result"]["row"][0], json!(1));
}

fn value_of(v: &Value) -> &Value {
    &v["result"]["value"]
}

/// In session mode a query gives the object the identity map holds (SQLAlchemy: until expire
/// or commit), as `students[3]` does, even when the database's row changed underneath. The
/// object is held by a name: one that nothing refers to is forgotten when its statement ends
/// (the identity map keeps weak references), as `students[3].name` alone would be.
#[test]
fn session_mode_query_returns_the_identity_map_row() {
    let r = mem(&[
        "session.begin()",
        "s = students[3]",
        "s.name",
        ":sql UPDATE students SET name = 'Changed Underneath' WHERE id = 3",
        "students.where(id == 3)",
        "students.where(id == 3).first().name",
        "students[3].name",
        "session.expire_all()",
        "students.where(id == 3)",
    ]);
    let original = value_of(&r.out[2]).clone();
    assert_eq!(original, json!("Emma Haddad"), "{:?}", r.out[2]);
    let by_query = rows(&r.out[4]);
    assert_eq!(by_query.len(), 1);
    assert_eq!(
        by_query[0][1], original,
        "the identity map's row: {}",
        r.out[4]
    );
    let note = r.out[4]["notes"].to_string();
    assert!(note.contains("already in the session"), "{note}");
    assert_eq!(value_of(&r.out[5]), &original, "{}", r.out[5]);
    assert_eq!(value_of(&r.out[6]), &original, "{}", r.out[6]);
    assert_eq!(
        r.out[6]["sql"],
        json!([]),
        "held: session.get sends nothing"
    );
    let after_expire = rows(&r.out[8]);
    assert_eq!(
        after_expire[0][1],
        json!("Changed Underneath"),
        "{}",
        r.out[8]
    );
}

/// Without a name, the object read is forgotten when its statement ends (SQLAlchemy's identity
/// map holds it weakly), so the next query reads the database's row.
#[test]
fn session_mode_forgets_an_object_no_name_holds() {
    let r = mem(&[
        "session.begin()",
        "students[3].name",
        ":sql UPDATE students SET name = 'Changed Underneath' WHERE id = 3",
        "students.where(id == 3)",
        "students[3].name",
    ]);
    assert_eq!(value_of(&r.out[1]), &json!("Emma Haddad"), "{:?}", r.out[1]);
    assert_eq!(
        rows(&r.out[3])[0][1],
        json!("Changed Underneath"),
        "{}",
        r.out[3]
    );
    assert_eq!(
        value_of(&r.out[4]),
        &json!("Changed Underneath"),
        "{}",
        r.out[4]
    );
    assert_sql(
        &r.out[4],
        &[(
            "SELECT * FROM students WHERE id = 3",
            "SELECT * FROM students WHERE id = ?",
            json!([3]),
        )],
    );
}

/// Outside session mode every statement reads the database afresh.
#[test]
fn without_session_mode_a_query_reads_the_database() {
    let r = mem(&[
        "students[3].name",
        ":sql UPDATE students SET name = 'Changed Underneath' WHERE id = 3",
        "students.where(id == 3)",
    ]);
    assert_eq!(rows(&r.out[2])[0][1], json!("Changed Underneath"));
}
