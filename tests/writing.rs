//! Writing forms of the language: inserts, updates, relationship assignment, bulk
//! writes, deletes with cascades, many-to-many links and transactions. Each
//! effect is checked by reading the database file with rusqlite afterwards.

mod common;

use common::*;
use serde_json::{json, Value};

/// The lazy load of student 13's clubs (through memberships), as display and as text.
const STUDENT_13_CLUBS: &str = "SELECT clubs.* FROM clubs JOIN memberships ON memberships.club_id = clubs.id WHERE memberships.student_id = 13";
const STUDENT_CLUBS: &str = "SELECT clubs.* FROM clubs JOIN memberships ON memberships.club_id = clubs.id WHERE memberships.student_id = ?";

fn next_id(db: &Db, table: &str) -> i64 {
    db.scalar(&format!("SELECT max(id) FROM {table}"))
        .as_i64()
        .unwrap()
        + 1
}

/// The result is a write with these fields (`cascaded` {} when nothing cascaded).
fn assert_write(v: &Value, affected: i64, table: &str, id: Value, cascaded: Value) {
    let r = &v["result"];
    assert_eq!(r["kind"], json!("write"), "{v}");
    assert_eq!(r["affected"], json!(affected), "{v}");
    assert_eq!(r["table"], json!(table), "{v}");
    assert_eq!(r["id"], id, "{v}");
    let c = if r["cascaded"].is_null() {
        json!({})
    } else {
        r["cascaded"].clone()
    };
    assert_eq!(c, cascaded, "{v}");
}

#[test]
fn append_to_one_to_many_with_a_dict_the_seed_example() {
    let db = Db::new();
    let id = next_id(&db, "classes");
    let before = db.scalar("SELECT count(*) FROM classes WHERE student_id = 13");
    let v = db.ok("students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})");
    // SQLAlchemy loads the student, then its classes (the collection appended to), then inserts.
    assert_sql(
        &v,
        &[
            load_student_13(),
            load_classes_of_13(),
            insert_biology_301(),
        ],
    );
    assert_eq!(
        v["sql"][1]["rows"], before,
        "the loaded collection is the old one"
    );
    assert_write(&v, 1, "classes", json!(id), json!({}));
    assert_eq!(
        db.query(&format!("SELECT * FROM classes WHERE id = {id}")),
        vec![vec![
            json!(id),
            json!(13),
            json!(null),
            json!("Biology 301"),
            json!("BI301"),
            json!(3),
            json!(null)
        ]],
        "defaults: credits 3, no teacher, no grade"
    );
    assert_eq!(
        db.scalar("SELECT count(*) FROM classes WHERE student_id = 13"),
        json!(before.as_i64().unwrap() + 1)
    );
    // and reading the relationship afterwards shows it
    let r = db.ok("students[13].classes");
    assert!(rows(&r).iter().any(|row| row[0] == json!(id)));
}

#[test]
fn append_with_bare_keys_and_double_quotes() {
    let db = Db::new();
    let id = next_id(&db, "classes");
    let v = db.ok(
        "students[13].classes.append({name: \"Physics 101\", abbreviation: \"PH101\", credits: 4})",
    );
    assert_sql(
        &v,
        &[
            load_student_13(),
            load_classes_of_13(),
            (
                "INSERT INTO classes (student_id, name, abbreviation, credits) VALUES (13, 'Physics 101', 'PH101', 4)",
                "INSERT INTO classes (student_id, name, abbreviation, credits) VALUES (?, ?, ?, ?)",
                json!([13, "Physics 101", "PH101", 4]),
            ),
        ],
    );
    assert_write(&v, 1, "classes", json!(id), json!({}));
    assert_eq!(
        db.query(&format!(
            "SELECT student_id, name, abbreviation, credits FROM classes WHERE id = {id}"
        )),
        vec![vec![
            json!(13),
            json!("Physics 101"),
            json!("PH101"),
            json!(4)
        ]]
    );
}

#[test]
fn append_to_teacher_classes_sets_teacher_id() {
    let db = Db::new();
    let id = next_id(&db, "classes");
    let v = db.ok(
        "teachers[2].classes.append({'student_id': 5, 'name': 'Logic', 'abbreviation': 'LO101'})",
    );
    assert_write(&v, 1, "classes", json!(id), json!({}));
    assert_eq!(
        db.query(&format!(
            "SELECT student_id, teacher_id FROM classes WHERE id = {id}"
        )),
        vec![vec![json!(5), json!(2)]]
    );
    let texts: Vec<String> = sql_list(&v).into_iter().map(|s| s.1).collect();
    assert_eq!(
        texts,
        [
            "SELECT * FROM teachers WHERE id = ?",
            "SELECT * FROM classes WHERE teacher_id = ?",
            "INSERT INTO classes (teacher_id, student_id, name, abbreviation) VALUES (?, ?, ?, ?)",
        ]
    );
}

#[test]
fn add_with_a_dict() {
    let db = Db::new();
    let id = next_id(&db, "students");
    let v = db.ok("students.add({'name': 'Ada', 'email': 'ada@school.edu', 'year': 1})");
    assert_one_sql(
        &v,
        "INSERT INTO students (name, email, year) VALUES ('Ada', 'ada@school.edu', 1)",
        "INSERT INTO students (name, email, year) VALUES (?, ?, ?)",
        json!(["Ada", "ada@school.edu", 1]),
    );
    assert_write(&v, 1, "students", json!(id), json!({}));
    assert_eq!(
        db.query(&format!("SELECT * FROM students WHERE id = {id}")),
        vec![vec![
            json!(id),
            json!("Ada"),
            json!("ada@school.edu"),
            json!(1),
            json!(null)
        ]]
    );
}

#[test]
fn create_with_keyword_arguments() {
    let db = Db::new();
    let id = next_id(&db, "students");
    let v = db.ok("students.create(name=\"Bob\", email=\"bob@school.edu\", year=2, advisor_id=3)");
    assert_one_sql(
        &v,
        "INSERT INTO students (name, email, year, advisor_id) VALUES ('Bob', 'bob@school.edu', 2, 3)",
        "INSERT INTO students (name, email, year, advisor_id) VALUES (?, ?, ?, ?)",
        json!(["Bob", "bob@school.edu", 2, 3]),
    );
    assert_write(&v, 1, "students", json!(id), json!({}));
    assert_eq!(
        db.query(&format!("SELECT * FROM students WHERE id = {id}")),
        vec![vec![
            json!(id),
            json!("Bob"),
            json!("bob@school.edu"),
            json!(2),
            json!(3)
        ]]
    );
}

#[test]
fn class_constructor_inserts() {
    let db = Db::new();
    let id = next_id(&db, "students");
    let v = db.ok("Student(name=\"Cy\", email=\"cy@school.edu\", year=3)");
    assert_one_sql(
        &v,
        "INSERT INTO students (name, email, year) VALUES ('Cy', 'cy@school.edu', 3)",
        "INSERT INTO students (name, email, year) VALUES (?, ?, ?)",
        json!(["Cy", "cy@school.edu", 3]),
    );
    assert_write(&v, 1, "students", json!(id), json!({}));
    assert_eq!(
        db.scalar(&format!("SELECT name FROM students WHERE id = {id}")),
        json!("Cy")
    );
    let cid = next_id(&db, "clubs");
    let v = db.ok("Club(name=\"Astronomy\")");
    assert_write(&v, 1, "clubs", json!(cid), json!({}));
    assert_eq!(
        db.query("SELECT id FROM clubs WHERE name = 'Astronomy'"),
        vec![vec![json!(cid)]]
    );
}

#[test]
fn new_rows_can_be_used_in_the_same_session() {
    let db = Db::new();
    let id = next_id(&db, "students");
    let r = db.run(&[
        "students.create(name=\"Dee\", email=\"dee@school.edu\", year=4)",
        &format!("students[{id}].classes.append({{'name': 'Art', 'abbreviation': 'AR1'}})"),
        &format!("students[{id}].classes.count()"),
    ]);
    assert_eq!(r.status, 0, "{r:?}");
    assert_eq!(r.out[2]["result"]["value"], json!(1));
}

#[test]
fn attribute_assignment() {
    let db = Db::new();
    let v = db.ok("students[13].name = \"Ann\"");
    // The object is loaded first, then changed.
    assert_sql(
        &v,
        &[
            load_student_13(),
            (
                "UPDATE students SET name = 'Ann' WHERE id = 13",
                "UPDATE students SET name = ? WHERE id = ?",
                json!(["Ann", 13]),
            ),
        ],
    );
    assert_write(&v, 1, "students", json!(null), json!({}));
    assert_eq!(
        db.scalar("SELECT name FROM students WHERE id = 13"),
        json!("Ann")
    );
    // nothing else changed: only row 13's name
    let others = db.query("SELECT count(*) FROM students WHERE name = 'Ann'");
    assert_eq!(others, vec![vec![json!(1)]]);
}

#[test]
fn assignment_of_a_foreign_key_column() {
    let db = Db::new();
    let v = db.ok("students[13].advisor_id = 2");
    assert_sql(
        &v,
        &[
            load_student_13(),
            (
                "UPDATE students SET advisor_id = 2 WHERE id = 13",
                "UPDATE students SET advisor_id = ? WHERE id = ?",
                json!([2, 13]),
            ),
        ],
    );
    assert_eq!(
        db.scalar("SELECT advisor_id FROM students WHERE id = 13"),
        json!(2)
    );
}

#[test]
fn update_method() {
    let db = Db::new();
    let v = db.ok("students[13].update(year=3, name=\"Ann\")");
    assert_sql(
        &v,
        &[
            load_student_13(),
            (
                "UPDATE students SET year = 3, name = 'Ann' WHERE id = 13",
                "UPDATE students SET year = ?, name = ? WHERE id = ?",
                json!([3, "Ann", 13]),
            ),
        ],
    );
    assert_write(&v, 1, "students", json!(null), json!({}));
    assert_eq!(
        db.query("SELECT year, name FROM students WHERE id = 13"),
        vec![vec![json!(3), json!("Ann")]]
    );
}

#[test]
fn many_to_one_assignment_to_an_object() {
    let db = Db::new();
    let v = db.ok("students[13].advisor = teachers[3]");
    // The right side is evaluated first (teacher 3), then the student is loaded, then changed.
    assert_sql(
        &v,
        &[
            (
                "SELECT * FROM teachers WHERE id = 3",
                "SELECT * FROM teachers WHERE id = ?",
                json!([3]),
            ),
            load_student_13(),
            (
                "UPDATE students SET advisor_id = 3 WHERE id = 13",
                "UPDATE students SET advisor_id = ? WHERE id = ?",
                json!([3, 13]),
            ),
        ],
    );
    assert_write(&v, 1, "students", json!(null), json!({}));
    assert_eq!(
        db.scalar("SELECT advisor_id FROM students WHERE id = 13"),
        json!(3)
    );

    let v = db.ok("classes[1].teacher = teachers[5]");
    let shown = displays(&v);
    assert_eq!(
        shown,
        [
            "SELECT * FROM teachers WHERE id = 5",
            "SELECT * FROM classes WHERE id = 1",
            "UPDATE classes SET teacher_id = 5 WHERE id = 1",
        ]
    );
    assert_eq!(
        db.scalar("SELECT teacher_id FROM classes WHERE id = 1"),
        json!(5)
    );
    // Class 1 has teacher 5 now: assigning it again changes nothing, and SQLAlchemy sends no
    // UPDATE for an attribute whose value did not change.
    let v = db.ok("classes[1].teacher = teachers[5]");
    let shown = displays(&v);
    assert_eq!(
        shown,
        [
            "SELECT * FROM teachers WHERE id = 5",
            "SELECT * FROM classes WHERE id = 1",
        ]
    );
    assert_eq!(v["result"]["affected"], 0, "{v}");

    let v = db.ok("classes[1].student = students[5]");
    let shown = displays(&v);
    assert_eq!(
        shown,
        [
            "SELECT * FROM students WHERE id = 5",
            "SELECT * FROM classes WHERE id = 1",
            "UPDATE classes SET student_id = 5 WHERE id = 1",
        ]
    );
    assert_eq!(
        db.scalar("SELECT student_id FROM classes WHERE id = 1"),
        json!(5)
    );
}

#[test]
fn many_to_one_assignment_to_none() {
    let db = Db::new();
    let v = db.ok("students[13].advisor = None");
    // The student is loaded, then changed; the old advisor is not loaded (SQLAlchemy does not fetch it).
    assert_sql(
        &v,
        &[
            load_student_13(),
            (
                "UPDATE students SET advisor_id = NULL WHERE id = 13",
                "UPDATE students SET advisor_id = ? WHERE id = ?",
                json!([null, 13]),
            ),
        ],
    );
    assert_write(&v, 1, "students", json!(null), json!({}));
    assert_eq!(
        db.scalar("SELECT advisor_id FROM students WHERE id = 13"),
        json!(null)
    );
    let v = db.ok("students[13].advisor");
    assert_eq!(v["result"]["kind"], json!("none"));
}

#[test]
fn bulk_update_reports_rows_changed() {
    let db = Db::new();
    let ids = db.query("SELECT id FROM students WHERE year = 2 ORDER BY id");
    assert!(ids.len() > 1);
    let v = db.ok("students.where(year == 2).update(year=4)");
    assert_one_sql(
        &v,
        "UPDATE students SET year = 4 WHERE year = 2",
        "UPDATE students SET year = ? WHERE year = ?",
        json!([4, 2]),
    );
    assert_write(&v, ids.len() as i64, "students", json!(null), json!({}));
    assert_eq!(
        db.scalar("SELECT count(*) FROM students WHERE year = 2"),
        json!(0)
    );
    for id in ids {
        assert_eq!(
            db.scalar(&format!("SELECT year FROM students WHERE id = {}", id[0])),
            json!(4)
        );
    }
    let v = db.ok("students.where(id > 1000).update(year=1)");
    assert_write(&v, 0, "students", json!(null), json!({}));
}

#[test]
fn delete_an_object_reports_cascades() {
    let db = Db::new();
    let classes = db.scalar("SELECT count(*) FROM classes WHERE student_id = 13");
    let members = db.scalar("SELECT count(*) FROM memberships WHERE student_id = 13");
    let v = db.ok("students[13].delete()");
    // session.delete(session.get(Student, 13)): the SELECT, then the DELETE; the cascades are the
    // database's own (passive_deletes), so no dependent row is loaded.
    assert_sql(
        &v,
        &[
            load_student_13(),
            (
                "DELETE FROM students WHERE id = 13",
                "DELETE FROM students WHERE id = ?",
                json!([13]),
            ),
        ],
    );
    let cascaded = expected_cascades(&[("classes", &classes), ("memberships", &members)]);
    assert!(cascaded.get("classes").is_some());
    assert_write(&v, 1, "students", json!(null), cascaded);
    assert_eq!(
        db.scalar("SELECT count(*) FROM students WHERE id = 13"),
        json!(0)
    );
    assert_eq!(
        db.scalar("SELECT count(*) FROM classes WHERE student_id = 13"),
        json!(0)
    );
    assert_eq!(
        db.scalar("SELECT count(*) FROM memberships WHERE student_id = 13"),
        json!(0)
    );
}

#[test]
fn del_statement_is_delete() {
    let db = Db::new();
    // a student with both classes and memberships
    let sid = db.scalar(
        "SELECT min(id) FROM students WHERE id IN (SELECT student_id FROM classes) AND id IN (SELECT student_id FROM memberships)",
    );
    let classes = db.scalar(&format!(
        "SELECT count(*) FROM classes WHERE student_id = {sid}"
    ));
    let members = db.scalar(&format!(
        "SELECT count(*) FROM memberships WHERE student_id = {sid}"
    ));
    let v = db.ok(&format!("del students[{sid}]"));
    assert_sql(
        &v,
        &[
            (
                &format!("SELECT * FROM students WHERE id = {sid}"),
                "SELECT * FROM students WHERE id = ?",
                json!([sid]),
            ),
            (
                &format!("DELETE FROM students WHERE id = {sid}"),
                "DELETE FROM students WHERE id = ?",
                json!([sid]),
            ),
        ],
    );
    assert_write(
        &v,
        1,
        "students",
        json!(null),
        json!({"classes": classes, "memberships": members}),
    );
    assert_eq!(
        db.scalar(&format!("SELECT count(*) FROM students WHERE id = {sid}")),
        json!(0)
    );
}

#[test]
fn delete_of_a_student_with_nothing_dependent_cascades_nothing() {
    let db = Db::new();
    let sid = db.scalar(
        "SELECT min(id) FROM students WHERE id NOT IN (SELECT student_id FROM classes) AND id NOT IN (SELECT student_id FROM memberships)",
    );
    if sid.is_null() {
        return; // the data has no such student
    }
    let v = db.ok(&format!("students[{sid}].delete()"));
    assert_write(&v, 1, "students", json!(null), json!({}));
}

#[test]
fn delete_of_a_teacher_sets_null_and_reports_it() {
    let db = Db::new();
    let classes = db.scalar("SELECT count(*) FROM classes WHERE teacher_id = 1");
    let advisees = db.scalar("SELECT count(*) FROM students WHERE advisor_id = 1");
    let v = db.ok("teachers[1].delete()");
    assert_sql(
        &v,
        &[
            (
                "SELECT * FROM teachers WHERE id = 1",
                "SELECT * FROM teachers WHERE id = ?",
                json!([1]),
            ),
            (
                "DELETE FROM teachers WHERE id = 1",
                "DELETE FROM teachers WHERE id = ?",
                json!([1]),
            ),
        ],
    );
    let cascaded = expected_cascades(&[("classes", &classes), ("students", &advisees)]);
    assert_write(&v, 1, "teachers", json!(null), cascaded);
    // SET NULL, not deleted
    assert_eq!(
        db.scalar("SELECT count(*) FROM students"),
        db.scalar("SELECT 40 + (SELECT count(*) FROM students WHERE id > 40)")
    );
    assert_eq!(
        db.scalar("SELECT count(*) FROM students WHERE advisor_id = 1"),
        json!(0)
    );
    assert_eq!(
        db.scalar("SELECT count(*) FROM classes WHERE teacher_id = 1"),
        json!(0)
    );
}

#[test]
fn delete_of_a_club_cascades_memberships() {
    let db = Db::new();
    let members = db.scalar("SELECT count(*) FROM memberships WHERE club_id = 1");
    let v = db.ok("clubs[1].delete()");
    assert_write(&v, 1, "clubs", json!(null), json!({"memberships": members}));
    assert_eq!(
        db.scalar("SELECT count(*) FROM memberships WHERE club_id = 1"),
        json!(0)
    );
}

#[test]
fn bulk_delete() {
    let db = Db::new();
    let n = db.scalar("SELECT count(*) FROM classes WHERE grade = 'D'");
    assert!(n.as_i64().unwrap() > 0);
    let v = db.ok("classes.where(grade == 'D').delete()");
    assert_one_sql(
        &v,
        "DELETE FROM classes WHERE grade = 'D'",
        "DELETE FROM classes WHERE grade = ?",
        json!(["D"]),
    );
    assert_write(&v, n.as_i64().unwrap(), "classes", json!(null), json!({}));
    assert_eq!(
        db.scalar("SELECT count(*) FROM classes WHERE grade = 'D'"),
        json!(0)
    );
}

#[test]
fn bulk_delete_with_cascades() {
    let db = Db::new();
    let n = db.scalar("SELECT count(*) FROM students WHERE year = 1");
    let classes = db.scalar(
        "SELECT count(*) FROM classes WHERE student_id IN (SELECT id FROM students WHERE year = 1)",
    );
    let members = db.scalar(
        "SELECT count(*) FROM memberships WHERE student_id IN (SELECT id FROM students WHERE year = 1)",
    );
    let v = db.ok("students.where(year == 1).delete()");
    assert_one_sql(
        &v,
        "DELETE FROM students WHERE year = 1",
        "DELETE FROM students WHERE year = ?",
        json!([1]),
    );
    assert_write(
        &v,
        n.as_i64().unwrap(),
        "students",
        json!(null),
        json!({"classes": classes, "memberships": members}),
    );
}

#[test]
fn many_to_many_append_and_remove() {
    let db = Db::new();
    let cid = db.scalar(
        "SELECT min(id) FROM clubs WHERE id NOT IN (SELECT club_id FROM memberships WHERE student_id = 13)",
    );
    let append = format!("students[13].clubs.append(clubs[{cid}])");
    let v = db.ok(&append);
    // The student, then its clubs (the collection appended to), then the club (not among them),
    // then the link.
    assert_sql(
        &v,
        &[
            load_student_13(),
            (STUDENT_13_CLUBS, STUDENT_CLUBS, json!([13])),
            (
                &format!("SELECT * FROM clubs WHERE id = {cid}"),
                "SELECT * FROM clubs WHERE id = ?",
                json!([cid]),
            ),
            (
                &format!("INSERT INTO memberships (student_id, club_id) VALUES (13, {cid})"),
                "INSERT INTO memberships (student_id, club_id) VALUES (?, ?)",
                json!([13, cid]),
            ),
        ],
    );
    assert_write(&v, 1, "memberships", json!(null), json!({}));
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) FROM memberships WHERE student_id = 13 AND club_id = {cid}"
        )),
        json!(1)
    );

    let v = db.ok(&format!("students[13].clubs.remove(clubs[{cid}])"));
    // The club is among the clubs just loaded, so getting it sends nothing.
    assert_sql(
        &v,
        &[
            load_student_13(),
            (STUDENT_13_CLUBS, STUDENT_CLUBS, json!([13])),
            (
                &format!("DELETE FROM memberships WHERE student_id = 13 AND club_id = {cid}"),
                "DELETE FROM memberships WHERE student_id = ? AND club_id = ?",
                json!([13, cid]),
            ),
        ],
    );
    assert_write(&v, 1, "memberships", json!(null), json!({}));
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) FROM memberships WHERE student_id = 13 AND club_id = {cid}"
        )),
        json!(0)
    );
}

#[test]
fn many_to_many_from_the_other_side() {
    let db = Db::new();
    let sid = db.scalar(
        "SELECT min(id) FROM students WHERE id NOT IN (SELECT student_id FROM memberships WHERE club_id = 2)",
    );
    let v = db.ok(&format!("clubs[2].members.append(students[{sid}])"));
    assert_write(&v, 1, "memberships", json!(null), json!({}));
    // The club, then its members (the collection appended to), then the student (not among
    // them), then the link.
    let shown: Vec<String> = sql_list(&v).into_iter().map(|s| s.0).collect();
    assert_eq!(shown.len(), 4, "{shown:?}");
    assert_eq!(
        shown[..3],
        [
            "SELECT * FROM clubs WHERE id = 2".to_string(),
            "SELECT students.* FROM students JOIN memberships ON memberships.student_id = students.id WHERE memberships.club_id = 2".to_string(),
            format!("SELECT * FROM students WHERE id = {sid}"),
        ]
    );
    // Either column order is the textbook statement.
    let insert = shown[3].clone();
    assert!(
        insert == format!("INSERT INTO memberships (student_id, club_id) VALUES ({sid}, 2)")
            || insert == format!("INSERT INTO memberships (club_id, student_id) VALUES (2, {sid})"),
        "{insert}"
    );
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) FROM memberships WHERE student_id = {sid} AND club_id = 2"
        )),
        json!(1)
    );
}

#[test]
fn append_of_a_first_expression_inserts_the_link() {
    let db = Db::new();
    let debate = db.scalar("SELECT id FROM clubs WHERE name = 'Debate'");
    // unlink first (if linked) with hand SQL, so the append is new
    db.conn()
        .execute(
            "DELETE FROM memberships WHERE student_id = 13 AND club_id = ?1",
            [debate.as_i64().unwrap()],
        )
        .unwrap();
    let v = db.ok("students[13].clubs.append(clubs.where(name == 'Debate').first())");
    // The owner and its collection are loaded before the argument, which is queried once;
    // then the link is inserted.
    assert_sql(
        &v,
        &[
            load_student_13(),
            (STUDENT_13_CLUBS, STUDENT_CLUBS, json!([13])),
            (
                "SELECT * FROM clubs WHERE name = 'Debate' LIMIT 1",
                "SELECT * FROM clubs WHERE name = ? LIMIT ?",
                json!(["Debate", 1]),
            ),
            (
                &format!("INSERT INTO memberships (student_id, club_id) VALUES (13, {debate})"),
                "INSERT INTO memberships (student_id, club_id) VALUES (?, ?)",
                json!([13, debate]),
            ),
        ],
    );
    assert_write(&v, 1, "memberships", json!(null), json!({}));
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) FROM memberships WHERE student_id = 13 AND club_id = {debate}"
        )),
        json!(1)
    );
}

#[test]
fn begin_rollback_undoes() {
    let db = Db::new();
    let name = db.scalar("SELECT name FROM students WHERE id = 13");
    let r = db.run(&[
        "begin",
        "students[13].name = \"T\"",
        "students[13].name",
        "rollback",
        "students[13].name",
    ]);
    assert_eq!(r.status, 0, "{r:?}");
    assert_eq!(r.out.len(), 5);
    assert_eq!(r.out[0]["result"], json!({"kind": "none"}));
    assert_one_sql(&r.out[0], "BEGIN", "BEGIN", json!([]));
    assert_eq!(r.out[2]["result"]["value"], json!("T"), "visible inside");
    assert_eq!(r.out[3]["result"], json!({"kind": "none"}));
    assert_one_sql(&r.out[3], "ROLLBACK", "ROLLBACK", json!([]));
    assert_eq!(r.out[4]["result"]["value"], name);
    assert_eq!(db.scalar("SELECT name FROM students WHERE id = 13"), name);
}

#[test]
fn begin_commit_keeps() {
    let db = Db::new();
    let r = db.run(&[
        "begin",
        "students[13].name = \"U\"",
        "students[14].delete()",
        "commit",
    ]);
    assert_eq!(r.status, 0, "{r:?}");
    assert_eq!(r.out[3]["result"], json!({"kind": "none"}));
    assert_one_sql(&r.out[3], "COMMIT", "COMMIT", json!([]));
    assert_eq!(
        db.scalar("SELECT name FROM students WHERE id = 13"),
        json!("U")
    );
    assert_eq!(
        db.scalar("SELECT count(*) FROM students WHERE id = 14"),
        json!(0)
    );
}

#[test]
fn a_failed_statement_inside_a_transaction_undoes_only_itself() {
    let db = Db::new();
    let year = db.scalar("SELECT year FROM students WHERE id = 13");
    let r = db.run(&[
        "begin",
        "students[13].name = \"A\"",
        "students[13].update(name=\"B\", year=9)",
        "commit",
    ]);
    assert_eq!(r.status, 1);
    assert_eq!(r.out[2]["ok"], json!(false));
    assert_eq!(
        r.out[3]["ok"],
        json!(true),
        "commit still works: {:?}",
        r.out[3]
    );
    assert_eq!(
        db.query("SELECT name, year FROM students WHERE id = 13"),
        vec![vec![json!("A"), year]]
    );
}

#[test]
fn a_transaction_open_at_exit_is_rolled_back_and_says_so() {
    let db = Db::new();
    let before = db.dump();
    let r = db.run(&[
        "begin",
        "students[13].name = \"V\"",
        "students[14].delete()",
    ]);
    assert_eq!(r.status, 0, "{r:?}");
    assert_eq!(r.out.len(), 3);
    assert!(
        r.stderr.to_lowercase().contains("rolled back"),
        "it says so: {:?}",
        r.stderr
    );
    assert_eq!(db.dump(), before, "rolled back");
}

#[test]
fn commit_or_rollback_without_begin_is_an_error() {
    let db = Db::new();
    for stmt in ["commit", "rollback"] {
        let r = db.run(&[stmt]);
        assert_eq!(r.status, 1);
        assert_eq!(r.out[0]["ok"], json!(false));
        assert_error_shape(&r.out[0]);
    }
    let r = db.run(&["begin", "begin", "rollback"]);
    assert_eq!(r.status, 1);
    assert_eq!(r.out[1]["ok"], json!(false));
    assert_eq!(r.out[2]["ok"], json!(true));
}

#[test]
fn writes_persist_in_the_file_between_runs() {
    let db = Db::new();
    db.ok("students[13].name = \"Persisted\"");
    let v = db.ok("students[13].name");
    assert_eq!(v["result"]["value"], json!("Persisted"));
}

#[test]
fn in_memory_database_is_fresh_each_run() {
    let r = mem(&["students[13].name = \"Gone\""]);
    assert_eq!(r.status, 0);
    let r = mem(&["students[13].name"]);
    assert_ne!(r.out[0]["result"]["value"], json!("Gone"));
}

/// The `cascaded` object a delete should report: each table with the rows it had referring to the
/// deleted row (tables with none are left out).
fn expected_cascades(counts: &[(&str, &Value)]) -> Value {
    let map: serde_json::Map<String, Value> = counts
        .iter()
        .filter(|(_, n)| **n != json!(0))
        .map(|(t, n)| (t.to_string(), (*n).clone()))
        .collect();
    Value::Object(map)
}

#[test]
fn a_delete_refused_by_rows_that_refer_names_them_and_counts_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("music.db");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch(include_str!("fixtures/camel.sql"))
        .expect("the fixture");
    conn.execute_batch(
        "CREATE TABLE Label (LabelId INTEGER PRIMARY KEY, Name TEXT);
         CREATE TABLE Release (ReleaseId INTEGER PRIMARY KEY,
             LabelId INTEGER NOT NULL REFERENCES Label(LabelId) ON DELETE CASCADE);
         CREATE TABLE Sale (SaleId INTEGER PRIMARY KEY,
             ReleaseId INTEGER NOT NULL REFERENCES Release(ReleaseId));
         INSERT INTO Label VALUES (1, 'EMI');
         INSERT INTO Release VALUES (1, 1), (2, 1);
         INSERT INTO Sale VALUES (1, 1), (2, 1), (3, 2);",
    )
    .expect("the label tables");
    let albums_of_1 =
        query_conn(&conn, "SELECT count(*) FROM Album WHERE ArtistId = 1")[0][0].clone();
    let sales_of_1 = query_conn(
        &conn,
        "SELECT count(*) FROM Sale WHERE ReleaseId IN (SELECT ReleaseId FROM Release WHERE LabelId = 1)",
    )[0][0]
        .clone();
    drop(conn);
    let db = path.to_str().expect("UTF-8");
    let run = run_args(
        &[
            "--db",
            db,
            "--json",
            "-e",
            "Artist[1].delete()",
            "-e",
            "Label.where(LabelId == 1).delete()",
        ],
        true,
    );
    let message = |i: usize| {
        run.out[i]["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(run.out[0]["error"]["kind"], "constraint", "{}", run.out[0]);
    assert!(
        message(0).contains(&format!("Album.ArtistId ({albums_of_1} rows)")),
        "{}",
        message(0)
    );
    assert!(
        message(1).contains(&format!(
            "Sale.ReleaseId ({sales_of_1} rows, through rows of Release deleted with it)"
        )),
        "the referrer is the table under the cascade: {}",
        message(1)
    );
    let conn = rusqlite::Connection::open(&path).expect("reopen");
    assert_eq!(
        query_conn(&conn, "SELECT count(*) FROM Release")[0][0],
        2,
        "nothing was deleted"
    );
}

#[test]
fn a_self_reference_set_to_null_by_a_delete_is_reported_as_cascaded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("staff.db");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch(
        "CREATE TABLE Employee (EmployeeId INTEGER PRIMARY KEY, Name TEXT,
             ReportsTo INTEGER REFERENCES Employee(EmployeeId) ON DELETE SET NULL);
         INSERT INTO Employee VALUES (1, 'Boss', NULL), (2, 'A', 1), (3, 'B', 1), (4, 'C', 2);",
    )
    .expect("the staff table");
    let reports =
        query_conn(&conn, "SELECT count(*) FROM Employee WHERE ReportsTo = 1")[0][0].clone();
    drop(conn);
    let run = run_args(
        &[
            "--db",
            path.to_str().expect("UTF-8"),
            "--json",
            "-e",
            "Employee[1].delete()",
        ],
        true,
    );
    let result = &run.out[0]["result"];
    assert_eq!(result["affected"], 1, "{}", run.out[0]);
    assert_eq!(
        result["cascaded"],
        json!({ "Employee": reports }),
        "{}",
        run.out[0]
    );
    let conn = rusqlite::Connection::open(&path).expect("reopen");
    assert_eq!(
        query_conn(
            &conn,
            "SELECT count(*) FROM Employee WHERE ReportsTo IS NULL"
        )[0][0],
        reports,
        "the boss's reports lost their manager, as SQLite's rule says"
    );
}

#[test]
fn del_of_a_collection_is_refused_and_deletes_nothing() {
    let db = Db::new();
    let before = db.scalar("SELECT count(*) FROM students");
    for statement in ["del students", "del students.where(year == 4)"] {
        let v = db.fails(statement, "type");
        let message = v["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains("del takes one object"), "{v}");
        assert_eq!(v["sql"], json!([]), "nothing is sent: {v}");
    }
    assert_eq!(db.scalar("SELECT count(*) FROM students"), before);
    db.ok("del students[13]");
}
