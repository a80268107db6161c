//! Reading forms of the language: collections, keys, attributes, relationships,
//! filter_by, ordering, paging, first, aggregates, select, group_by, variables.
//! Every expected row comes from hand-written SQL run on the same file with rusqlite.

mod common;

use common::*;
use serde_json::json;

#[test]
fn collection_by_table_name() {
    let db = Db::new();
    let v = db.check_table_rows("students", "students", "SELECT * FROM students");
    assert_one_sql(
        &v,
        "SELECT * FROM students",
        "SELECT * FROM students",
        json!([]),
    );
    assert!(rows(&v).len() >= 40, "at least 40 students");
    assert_eq!(v["sql"][0]["rows"], json!(rows(&v).len()));
}

#[test]
fn collection_by_class_name_means_the_same() {
    let db = Db::new();
    for (class, table) in [
        ("Student", "students"),
        ("Teacher", "teachers"),
        ("Class", "classes"),
        ("Club", "clubs"),
    ] {
        let hand = format!("SELECT * FROM {table}");
        let v = db.check_table_rows(class, table, &hand);
        assert_one_sql(&v, &hand, &hand, json!([]));
    }
}

#[test]
fn memberships_is_a_plain_table_collection() {
    let db = Db::new();
    let v = db.check_table_rows("memberships", "memberships", "SELECT * FROM memberships");
    assert_one_sql(
        &v,
        "SELECT * FROM memberships",
        "SELECT * FROM memberships",
        json!([]),
    );
    db.check_value("memberships.count()", "SELECT count(*) FROM memberships");
}

#[test]
fn object_by_primary_key_in_every_spelling() {
    let db = Db::new();
    for stmt in [
        "students[13]",
        "students.13",
        "students.get(13)",
        "Student[13]",
        "Student.get(13)",
    ] {
        let v = db.check_object(stmt, "students", "SELECT * FROM students WHERE id = 13");
        assert_one_sql(
            &v,
            "SELECT * FROM students WHERE id = 13",
            "SELECT * FROM students WHERE id = ?",
            json!([13]),
        );
    }
}

#[test]
fn attribute_of_an_object_is_a_value() {
    let db = Db::new();
    let v = db.check_value(
        "students[13].name",
        "SELECT name FROM students WHERE id = 13",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM students WHERE id = 13",
        "SELECT * FROM students WHERE id = ?",
        json!([13]),
    );
    db.check_value(
        "students[13].email",
        "SELECT email FROM students WHERE id = 13",
    );
    db.check_value(
        "classes[1].credits",
        "SELECT credits FROM classes WHERE id = 1",
    );
    db.check_value(
        "teachers[2].department",
        "SELECT department FROM teachers WHERE id = 2",
    );
}

#[test]
fn student_classes_one_to_many() {
    let db = Db::new();
    let v = db.check_table_rows(
        "students[13].classes",
        "classes",
        "SELECT * FROM classes WHERE student_id = 13",
    );
    assert!(rows(&v).len() >= 2, "student 13 has at least two classes");
    // The student is loaded first (session.get), then its classes (the lazy load).
    assert_sql(&v, &[load_student_13(), load_classes_of_13()]);
    assert_eq!(v["sql"][0]["rows"], json!(1));
    assert_eq!(v["sql"][1]["rows"], json!(rows(&v).len()));
}

#[test]
fn class_student_many_to_one() {
    let db = Db::new();
    let sid = db.scalar("SELECT student_id FROM classes WHERE id = 1");
    let v = db.check_object(
        "classes[1].student",
        "students",
        "SELECT students.* FROM students JOIN classes ON classes.student_id = students.id WHERE classes.id = 1",
    );
    assert_sql(
        &v,
        &[
            (
                "SELECT * FROM classes WHERE id = 1",
                "SELECT * FROM classes WHERE id = ?",
                json!([1]),
            ),
            (
                &format!("SELECT * FROM students WHERE id = {sid}"),
                "SELECT * FROM students WHERE id = ?",
                json!([sid]),
            ),
        ],
    );
}

#[test]
fn student_advisor_many_to_one() {
    let db = Db::new();
    let aid = db.scalar("SELECT advisor_id FROM students WHERE id = 13");
    assert!(
        aid.is_number(),
        "student 13 has an advisor in the default data"
    );
    let v = db.check_object(
        "students[13].advisor",
        "teachers",
        "SELECT teachers.* FROM teachers JOIN students ON students.advisor_id = teachers.id WHERE students.id = 13",
    );
    assert_sql(
        &v,
        &[
            load_student_13(),
            (
                &format!("SELECT * FROM teachers WHERE id = {aid}"),
                "SELECT * FROM teachers WHERE id = ?",
                json!([aid]),
            ),
        ],
    );
}

#[test]
fn many_to_one_that_is_null_gives_none() {
    let db = Db::new();
    let sid = db.scalar("SELECT min(id) FROM students WHERE advisor_id IS NULL");
    assert!(sid.is_number(), "some student has no advisor");
    let stmt = format!("students[{sid}].advisor");
    let v = db.ok(&stmt);
    assert_eq!(v["result"], json!({"kind": "none"}));
    assert_one_sql(
        &v,
        &format!("SELECT * FROM students WHERE id = {sid}"),
        "SELECT * FROM students WHERE id = ?",
        json!([sid]),
    );
    let cid = db.scalar("SELECT min(id) FROM classes WHERE teacher_id IS NULL");
    let v = db.ok(&format!("classes[{cid}].teacher"));
    assert_eq!(v["result"]["kind"], json!("none"));
}

#[test]
fn teacher_advisees_one_to_many() {
    let db = Db::new();
    let v = db.check_table_rows(
        "teachers[3].advisees",
        "students",
        "SELECT * FROM students WHERE advisor_id = 3",
    );
    assert_sql(
        &v,
        &[
            (
                "SELECT * FROM teachers WHERE id = 3",
                "SELECT * FROM teachers WHERE id = ?",
                json!([3]),
            ),
            (
                "SELECT * FROM students WHERE advisor_id = 3",
                "SELECT * FROM students WHERE advisor_id = ?",
                json!([3]),
            ),
        ],
    );
}

#[test]
fn teacher_classes_and_class_teacher() {
    let db = Db::new();
    let v = db.check_table_rows(
        "teachers[3].classes",
        "classes",
        "SELECT * FROM classes WHERE teacher_id = 3",
    );
    assert_sql(
        &v,
        &[
            (
                "SELECT * FROM teachers WHERE id = 3",
                "SELECT * FROM teachers WHERE id = ?",
                json!([3]),
            ),
            (
                "SELECT * FROM classes WHERE teacher_id = 3",
                "SELECT * FROM classes WHERE teacher_id = ?",
                json!([3]),
            ),
        ],
    );
    let cid = db.scalar("SELECT min(id) FROM classes WHERE teacher_id IS NOT NULL");
    let tid = db.scalar(&format!("SELECT teacher_id FROM classes WHERE id = {cid}"));
    let v = db.check_object(
        &format!("classes[{cid}].teacher"),
        "teachers",
        &format!("SELECT * FROM teachers WHERE id = {tid}"),
    );
    assert_sql(
        &v,
        &[
            (
                &format!("SELECT * FROM classes WHERE id = {cid}"),
                "SELECT * FROM classes WHERE id = ?",
                json!([cid]),
            ),
            (
                &format!("SELECT * FROM teachers WHERE id = {tid}"),
                "SELECT * FROM teachers WHERE id = ?",
                json!([tid]),
            ),
        ],
    );
}

#[test]
fn student_clubs_many_to_many() {
    let db = Db::new();
    let v = db.check_table_rows(
        "students[13].clubs",
        "clubs",
        "SELECT * FROM clubs WHERE id IN (SELECT club_id FROM memberships WHERE student_id = 13)",
    );
    assert_sql(
        &v,
        &[
            load_student_13(),
            (
                "SELECT clubs.* FROM clubs JOIN memberships ON memberships.club_id = clubs.id WHERE memberships.student_id = 13",
                "SELECT clubs.* FROM clubs JOIN memberships ON memberships.club_id = clubs.id WHERE memberships.student_id = ?",
                json!([13]),
            ),
        ],
    );
}

#[test]
fn club_members_many_to_many() {
    let db = Db::new();
    let v = db.check_table_rows(
        "clubs[1].members",
        "students",
        "SELECT * FROM students WHERE id IN (SELECT student_id FROM memberships WHERE club_id = 1)",
    );
    assert!(!rows(&v).is_empty());
    assert_sql(
        &v,
        &[
            (
                "SELECT * FROM clubs WHERE id = 1",
                "SELECT * FROM clubs WHERE id = ?",
                json!([1]),
            ),
            (
                "SELECT students.* FROM students JOIN memberships ON memberships.student_id = students.id WHERE memberships.club_id = 1",
                "SELECT students.* FROM students JOIN memberships ON memberships.student_id = students.id WHERE memberships.club_id = ?",
                json!([1]),
            ),
        ],
    );
}

#[test]
fn relationship_of_a_student_with_no_classes_is_empty() {
    let db = Db::new();
    let sid =
        db.scalar("SELECT min(id) FROM students WHERE id NOT IN (SELECT student_id FROM classes)");
    assert!(sid.is_number(), "at least two students have no classes");
    let v = db.ok(&format!("students[{sid}].classes"));
    assert_eq!(rows(&v), Vec::<Vec<serde_json::Value>>::new());
    assert_eq!(v["result"]["table"], json!("classes"));
}

#[test]
fn filter_by_equalities() {
    let db = Db::new();
    let v = db.check_table_rows(
        "students.filter_by(year=2, advisor_id=3)",
        "students",
        "SELECT * FROM students WHERE year = 2 AND advisor_id = 3",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM students WHERE year = 2 AND advisor_id = 3",
        "SELECT * FROM students WHERE year = ? AND advisor_id = ?",
        json!([2, 3]),
    );
}

#[test]
fn filter_by_none_is_is_null() {
    let db = Db::new();
    let v = db.check_table_rows(
        "classes.filter_by(grade=None)",
        "classes",
        "SELECT * FROM classes WHERE grade IS NULL",
    );
    assert!(!rows(&v).is_empty(), "some classes have no grade");
    assert_one_sql(
        &v,
        "SELECT * FROM classes WHERE grade IS NULL",
        "SELECT * FROM classes WHERE grade IS NULL",
        json!([]),
    );
}

#[test]
fn order_by_ascending() {
    let db = Db::new();
    let v = db.check_table_rows_ordered(
        "students.order_by(name)",
        "students",
        "SELECT * FROM students ORDER BY name",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM students ORDER BY name",
        "SELECT * FROM students ORDER BY name",
        json!([]),
    );
    let v = db.check_table_rows_ordered(
        "students.order_by(year.asc(), id)",
        "students",
        "SELECT * FROM students ORDER BY year, id",
    );
    assert_eq!(
        sql_list(&v)[0].1,
        "SELECT * FROM students ORDER BY year, id"
    );
}

#[test]
fn order_by_desc_and_several_keys() {
    let db = Db::new();
    let v = db.check_table_rows_ordered(
        "students.order_by(year.desc(), name)",
        "students",
        "SELECT * FROM students ORDER BY year DESC, name",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM students ORDER BY year DESC, name",
        "SELECT * FROM students ORDER BY year DESC, name",
        json!([]),
    );
}

#[test]
fn order_by_minus_column_is_descending() {
    let db = Db::new();
    let v = db.check_table_rows_ordered(
        "students.order_by(-year, -id)",
        "students",
        "SELECT * FROM students ORDER BY year DESC, id DESC",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM students ORDER BY year DESC, id DESC",
        "SELECT * FROM students ORDER BY year DESC, id DESC",
        json!([]),
    );
}

#[test]
fn limit_and_offset() {
    let db = Db::new();
    let v = db.check_table_rows_ordered(
        "students.order_by(id).limit(3)",
        "students",
        "SELECT * FROM students ORDER BY id LIMIT 3",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM students ORDER BY id LIMIT 3",
        "SELECT * FROM students ORDER BY id LIMIT ?",
        json!([3]),
    );
    let v = db.check_table_rows_ordered(
        "students.order_by(id).limit(2).offset(3)",
        "students",
        "SELECT * FROM students ORDER BY id LIMIT 2 OFFSET 3",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM students ORDER BY id LIMIT 2 OFFSET 3",
        "SELECT * FROM students ORDER BY id LIMIT ? OFFSET ?",
        json!([2, 3]),
    );
    // offset alone: SQLite needs a LIMIT before OFFSET; -1 means "no limit".
    let v = db.check_table_rows_ordered(
        "students.order_by(id).offset(38)",
        "students",
        "SELECT * FROM students ORDER BY id LIMIT -1 OFFSET 38",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM students ORDER BY id LIMIT -1 OFFSET 38",
        "SELECT * FROM students ORDER BY id LIMIT -1 OFFSET ?",
        json!([38]),
    );
    let v = db.ok("students.limit(0)");
    assert!(rows(&v).is_empty());
}

#[test]
fn first_gives_one_object() {
    let db = Db::new();
    let v = db.check_object(
        "students.order_by(name).first()",
        "students",
        "SELECT * FROM students ORDER BY name LIMIT 1",
    );
    let sql = sql_list(&v);
    assert_eq!(sql[0].0, "SELECT * FROM students ORDER BY name LIMIT 1");
    assert_eq!(sql[0].1, "SELECT * FROM students ORDER BY name LIMIT ?");
    assert_eq!(sql[0].2, json!([1]));
    db.check_object(
        "students.first()",
        "students",
        "SELECT * FROM students LIMIT 1",
    );
}

#[test]
fn first_is_one_query() {
    let db = Db::new();
    let v = db.ok("students.order_by(name).first()");
    assert_one_sql(
        &v,
        "SELECT * FROM students ORDER BY name LIMIT 1",
        "SELECT * FROM students ORDER BY name LIMIT ?",
        json!([1]),
    );
}

#[test]
fn first_of_nothing_is_none() {
    let db = Db::new();
    let v = db.ok("students.where(id > 1000).first()");
    assert_eq!(v["result"], json!({"kind": "none"}));
    assert_one_sql(
        &v,
        "SELECT * FROM students WHERE id > 1000 LIMIT 1",
        "SELECT * FROM students WHERE id > ? LIMIT ?",
        json!([1000, 1]),
    );
    assert_eq!(v["sql"][0]["rows"], json!(0));
}

#[test]
fn count() {
    let db = Db::new();
    let v = db.check_value("students.count()", "SELECT count(*) FROM students");
    assert_one_sql(
        &v,
        "SELECT count(*) FROM students",
        "SELECT count(*) FROM students",
        json!([]),
    );
    let v = db.check_value(
        "students.where(year == 2).count()",
        "SELECT count(*) FROM students WHERE year = 2",
    );
    assert_one_sql(
        &v,
        "SELECT count(*) FROM students WHERE year = 2",
        "SELECT count(*) FROM students WHERE year = ?",
        json!([2]),
    );
    db.check_value(
        "students[13].classes.count()",
        "SELECT count(*) FROM classes WHERE student_id = 13",
    );
}

#[test]
fn count_after_limit_counts_the_page() {
    let db = Db::new();
    let v = db.ok("students.limit(5).count()");
    assert_eq!(v["result"]["value"], json!(5));
}

#[test]
fn sum_avg_min_max() {
    let db = Db::new();
    for (stmt, hand, sql) in [
        (
            "classes.sum(credits)",
            "SELECT sum(credits) FROM classes",
            "SELECT sum(credits) FROM classes",
        ),
        (
            "classes.avg(credits)",
            "SELECT avg(credits) FROM classes",
            "SELECT avg(credits) FROM classes",
        ),
        (
            "classes.min(credits)",
            "SELECT min(credits) FROM classes",
            "SELECT min(credits) FROM classes",
        ),
        (
            "classes.max(credits)",
            "SELECT max(credits) FROM classes",
            "SELECT max(credits) FROM classes",
        ),
        (
            "classes.max(grade)",
            "SELECT max(grade) FROM classes",
            "SELECT max(grade) FROM classes",
        ),
        (
            "classes.filter_by(grade=None).sum(credits)",
            "SELECT sum(credits) FROM classes WHERE grade IS NULL",
            "SELECT sum(credits) FROM classes WHERE grade IS NULL",
        ),
    ] {
        let v = db.check_value(stmt, hand);
        assert_one_sql(&v, sql, sql, json!([]));
    }
}

#[test]
fn aggregates_of_no_rows() {
    let db = Db::new();
    db.check_value(
        "classes.where(id > 9999).sum(credits)",
        "SELECT sum(credits) FROM classes WHERE id > 9999",
    );
    let v = db.ok("classes.where(id > 9999).avg(credits)");
    assert_eq!(v["result"]["value"], json!(null));
    let v = db.ok("classes.where(id > 9999).count()");
    assert_eq!(v["result"]["value"], json!(0));
}

#[test]
fn select_columns() {
    let db = Db::new();
    let v = db.ok("students.select(name, email)");
    assert_eq!(v["result"]["columns"], json!(["name", "email"]));
    assert_same_rows(rows(&v), db.query("SELECT name, email FROM students"));
    assert_one_sql(
        &v,
        "SELECT name, email FROM students",
        "SELECT name, email FROM students",
        json!([]),
    );
}

#[test]
fn select_distinct() {
    let db = Db::new();
    let v = db.ok("teachers.select(department).distinct()");
    assert_eq!(v["result"]["columns"], json!(["department"]));
    let got = rows(&v);
    assert_same_rows(
        got.clone(),
        db.query("SELECT DISTINCT department FROM teachers"),
    );
    assert!(got.len() >= 3, "3+ departments");
    assert_one_sql(
        &v,
        "SELECT DISTINCT department FROM teachers",
        "SELECT DISTINCT department FROM teachers",
        json!([]),
    );
}

#[test]
fn group_by_count() {
    let db = Db::new();
    let v = db.ok("students.group_by(year).count()");
    assert_eq!(v["result"]["columns"], json!(["year", "count"]));
    assert_same_rows(
        rows(&v),
        db.query("SELECT year, count(*) FROM students GROUP BY year"),
    );
    assert_one_sql(
        &v,
        "SELECT year, count(*) AS count FROM students GROUP BY year",
        "SELECT year, count(*) AS count FROM students GROUP BY year",
        json!([]),
    );
    let v = db.ok("students.where(year == 2).group_by(advisor_id).count()");
    assert_same_rows(
        rows(&v),
        db.query("SELECT advisor_id, count(*) FROM students WHERE year = 2 GROUP BY advisor_id"),
    );
}

#[test]
fn relationship_from_a_collection_one_to_many() {
    let db = Db::new();
    let v = db.check_table_rows(
        "students.where(year == 2).classes",
        "classes",
        "SELECT classes.* FROM classes JOIN students ON students.id = classes.student_id WHERE students.year = 2",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM classes WHERE student_id IN (SELECT id FROM students WHERE year = 2)",
        "SELECT * FROM classes WHERE student_id IN (SELECT id FROM students WHERE year = ?)",
        json!([2]),
    );
}

#[test]
fn relationship_from_a_collection_gives_each_related_row_once() {
    let db = Db::new();
    // Many students share clubs and advisors: each must appear once.
    let v = db.check_table_rows(
        "students.where(year == 2).clubs",
        "clubs",
        "SELECT DISTINCT clubs.* FROM clubs JOIN memberships m ON m.club_id = clubs.id JOIN students s ON s.id = m.student_id WHERE s.year = 2",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM clubs WHERE id IN (SELECT club_id FROM memberships WHERE student_id IN (SELECT id FROM students WHERE year = 2))",
        "SELECT * FROM clubs WHERE id IN (SELECT club_id FROM memberships WHERE student_id IN (SELECT id FROM students WHERE year = ?))",
        json!([2]),
    );
    let v = db.check_table_rows(
        "students.advisor",
        "teachers",
        "SELECT DISTINCT teachers.* FROM teachers JOIN students ON students.advisor_id = teachers.id",
    );
    assert_eq!(sql_list(&v).len(), 1);
    db.check_table_rows(
        "classes.where(grade == 'A').student",
        "students",
        "SELECT DISTINCT s.* FROM students s JOIN classes c ON c.student_id = s.id WHERE c.grade = 'A'",
    );
    db.check_table_rows(
        "clubs.members",
        "students",
        "SELECT DISTINCT s.* FROM students s JOIN memberships m ON m.student_id = s.id",
    );
}

#[test]
fn variables_name_an_object_for_later_statements() {
    let db = Db::new();
    let r = db.run(&["s = students[13]", "s.classes", "s.name"]);
    assert_eq!(r.status, 0);
    assert_eq!(r.out.len(), 3);
    assert_eq!(r.out[0]["ok"], json!(true));
    assert_eq!(r.out[0]["result"], json!({"kind": "none"}));
    let classes = &r.out[1];
    assert_eq!(classes["result"]["table"], json!("classes"));
    assert_same_rows(
        rows(classes),
        db.query("SELECT * FROM classes WHERE student_id = 13"),
    );
    assert_one_sql(
        classes,
        "SELECT * FROM classes WHERE student_id = 13",
        "SELECT * FROM classes WHERE student_id = ?",
        json!([13]),
    );
    assert_eq!(
        r.out[2]["result"]["value"],
        db.scalar("SELECT name FROM students WHERE id = 13")
    );
}

#[test]
fn variables_can_name_a_query() {
    let db = Db::new();
    let r = db.run(&[
        "q = students.where(year == 2)",
        "q.count()",
        "q.order_by(-id).limit(1)",
    ]);
    assert_eq!(r.status, 0);
    assert_eq!(
        r.out[1]["result"]["value"],
        db.scalar("SELECT count(*) FROM students WHERE year = 2")
    );
    assert_eq!(
        rows(&r.out[2]),
        db.query("SELECT * FROM students WHERE year = 2 ORDER BY id DESC LIMIT 1")
    );
}

#[test]
fn a_variable_sees_later_changes() {
    let db = Db::new();
    let r = db.run(&[
        "s = students[13]",
        "students[13].name = \"Renamed\"",
        "s.name",
    ]);
    assert_eq!(r.status, 0);
    assert_eq!(r.out[2]["result"]["value"], json!("Renamed"));
}

#[test]
fn relationship_chain_through_objects() {
    let db = Db::new();
    db.check_value(
        "students[13].advisor.advisees.count()",
        "SELECT count(*) FROM students WHERE advisor_id = (SELECT advisor_id FROM students WHERE id = 13)",
    );
    db.check_value(
        "students[13].classes.where(credits > 2).count()",
        "SELECT count(*) FROM classes WHERE student_id = 13 AND credits > 2",
    );
    db.check_value(
        "students[13].clubs.count()",
        "SELECT count(*) FROM memberships WHERE student_id = 13",
    );
}

#[test]
fn scale_makes_n_students() {
    let db = Db::with_args(&["--scale", "100"]);
    assert_eq!(db.scalar("SELECT count(*) FROM students"), json!(100));
    assert_eq!(
        db.scalar("SELECT max(id) FROM students"),
        json!(100),
        "ids without gaps"
    );
    db.check_value("students.count()", "SELECT count(*) FROM students");
    // "about N/5 teachers, 3N classes, N memberships"
    let about = |sql: &str, want: i64| {
        let n = db.scalar(sql).as_i64().unwrap();
        assert!(
            n * 2 >= want && n <= want * 2,
            "{sql}: {n}, about {want} expected"
        );
    };
    about("SELECT count(*) FROM teachers", 20);
    about("SELECT count(*) FROM classes", 300);
    about("SELECT count(*) FROM memberships", 100);
    // ids run 1..N in every table
    for t in ["teachers", "classes", "clubs"] {
        assert_eq!(
            db.scalar(&format!("SELECT max(id) = count(*) FROM {t}")),
            json!(1),
            "{t}"
        );
    }
}

#[test]
fn default_data_is_deterministic() {
    let a = Db::new();
    let b = Db::new();
    assert_eq!(a.dump(), b.dump());
}
