//! Arithmetic and `having` : `+ - * / // %` and unary `-` wherever a value
//! stands, with SQLAlchemy 2's meaning, checked against SQLite itself on the same file.

mod common;

use common::*;
use serde_json::json;

#[test]
fn arithmetic_in_conditions_matches_the_same_test_written_by_hand() {
    let db = Db::new();
    for (stmt, hand) in [
        (
            "classes.where(credits * 2 > 5).count()",
            "SELECT count(*) FROM classes WHERE credits > 2",
        ),
        (
            "classes.where(credits - 1 == 1).count()",
            "SELECT count(*) FROM classes WHERE credits = 2",
        ),
        (
            "classes.where(credits % 2 == 1).count()",
            "SELECT count(*) FROM classes WHERE credits IN (1, 3, 5)",
        ),
        (
            "students.where(-year < -3).count()",
            "SELECT count(*) FROM students WHERE year = 4",
        ),
    ] {
        let v = db.ok(stmt);
        assert_eq!(v["result"]["value"], db.scalar(hand), "{stmt}");
    }
}

#[test]
fn division_is_true_division_and_floor_division_floors() {
    let db = Db::new();
    let v = db.ok("students.where(year / 2 == 1.5).count()");
    assert_eq!(
        v["sql"][0]["display"],
        json!("SELECT count(*) FROM students WHERE year / (2 + 0.0) = 1.5")
    );
    assert_eq!(
        v["result"]["value"],
        db.scalar("SELECT count(*) FROM students WHERE year = 3")
    );
    let v = db.ok("classes.where(credits // 2 == 1).count()");
    assert_eq!(
        v["result"]["value"],
        db.scalar("SELECT count(*) FROM classes WHERE credits IN (2, 3)")
    );
    let v = db.ok("classes.where(credits // 2.0 == 1).count()");
    assert!(v["sql"][0]["display"]
        .as_str()
        .is_some_and(|s| s.contains("FLOOR(credits / 2.0)")));
    assert_eq!(
        v["result"]["value"],
        db.scalar("SELECT count(*) FROM classes WHERE credits IN (2, 3)")
    );
}

#[test]
fn values_are_computed_as_python_computes_them() {
    let db = Db::new();
    for (stmt, value) in [
        ("7 / 2", json!(3.5)),
        ("7 // 2", json!(3)),
        ("-7 // 2", json!(-4)),
        ("-7 % 3", json!(2)),
        ("2 + 3 * 4", json!(14)),
        ("(2 + 3) * 4", json!(20)),
        ("students[13].year * 1.5", json!(1.5)),
        ("'ab' + 'c'", json!("abc")),
    ] {
        let v = db.ok(stmt);
        assert_eq!(v["result"]["value"], value, "{stmt}");
    }
    db.fails("students[1].year / 0", "type");
    db.fails("9223372036854775807 + 1", "type");
    db.fails("students[1].name * 2", "type");
}

#[test]
fn updates_may_compute_from_each_row() {
    let db = Db::new();
    let before = db.scalar("SELECT sum(credits) FROM classes WHERE grade IS NULL");
    let nulls = db.scalar("SELECT count(*) FROM classes WHERE grade IS NULL");
    let v = db.ok("classes.where(grade is None).update(credits=credits + 1)");
    assert_eq!(
        v["sql"][0]["display"],
        json!("UPDATE classes SET credits = credits + 1 WHERE grade IS NULL")
    );
    assert_eq!(v["result"]["affected"], nulls);
    let after = db.scalar("SELECT sum(credits) FROM classes WHERE grade IS NULL");
    assert_eq!(
        after.as_i64(),
        Some(before.as_i64().unwrap_or(0) + nulls.as_i64().unwrap_or(0))
    );

    let year = db
        .scalar("SELECT year FROM students WHERE id = 13")
        .as_i64()
        .unwrap_or(0);
    db.ok("students[13].year = students[13].year + 1");
    assert_eq!(
        db.scalar("SELECT year FROM students WHERE id = 13"),
        json!(year + 1)
    );
    let v = db.fails("students[13].update(year=year + 9)", "constraint");
    assert!(v["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("year + 9")));
}

#[test]
fn order_by_an_expression() {
    let db = Db::new();
    let v = db.ok("classes.order_by(-(credits * 2), id).select(id).limit(5)");
    assert_eq!(
        rows(&v),
        db.query("SELECT id FROM classes ORDER BY credits * 2 DESC, id LIMIT 5")
    );
}

#[test]
fn groups_are_filtered_with_having_and_paged() {
    let db = Db::new();
    let v = db.ok("students.group_by(year).having(count() > 9)");
    assert_eq!(
        v["sql"][0]["display"],
        json!("SELECT year FROM students GROUP BY year HAVING count(*) > 9")
    );
    assert_same_rows(
        rows(&v),
        db.query("SELECT year FROM students GROUP BY year HAVING count(*) > 9"),
    );
    let v = db.ok("classes.group_by(student_id).having(sum(credits) >= 10).count()");
    assert_same_rows(
        rows(&v),
        db.query(
            "SELECT student_id, count(*) FROM classes GROUP BY student_id HAVING sum(credits) >= 10",
        ),
    );
    let v = db.ok("students.group_by(year).order_by(year).limit(2).offset(1).count()");
    assert_eq!(
        rows(&v),
        db.query(
            "SELECT year, count(*) FROM students GROUP BY year ORDER BY year LIMIT 2 OFFSET 1"
        )
    );
    db.fails("students.having(count() > 9)", "type");
    db.fails("students.where(count() > 9)", "type");
}

#[test]
fn selected_values_may_be_computed_from_each_row() {
    let db = Db::new();
    let v = db.ok("students.where(id < 4).select(name, year + 1, year / 2)");
    assert_eq!(
        v["result"]["columns"],
        json!(["name", "year + 1", "year / 2"])
    );
    assert_eq!(
        rows(&v),
        db.query("SELECT name, year + 1, year / 2.0 FROM students WHERE id < 4")
    );
}

#[test]
fn groups_are_ordered_by_their_aggregates() {
    let db = Db::new();
    let v = db.ok("students.group_by(year).order_by(-count(), year).count()");
    assert_eq!(
        rows(&v),
        db.query("SELECT year, count(*) FROM students GROUP BY year ORDER BY count(*) DESC, year")
    );
    let v = db.ok("classes.group_by(student_id).having(sum(credits) / count() > 3).count()");
    assert_same_rows(
        rows(&v),
        db.query(
            "SELECT student_id, count(*) FROM classes GROUP BY student_id HAVING sum(credits) * 1.0 / count(*) > 3",
        ),
    );
    db.fails("students.order_by(count())", "type");
}

#[test]
fn each_dialect_writes_arithmetic_as_sqlalchemy_2_does() {
    let stmt = "classes.where(credits / 2 > 1 and -(credits + 1) * 2 < credits - (1 - credits)).select(id, credits // 2, credits // 2.5)";
    let sql = |dialect: &str| run_args(&["sql", "--dialect", dialect, stmt], false).stdout;
    let sqlite = sql("sqlite");
    assert!(sqlite.contains("credits / (2 + 0.0) > 1"), "{sqlite}");
    assert!(
        sqlite.contains("-(credits + 1) * 2 < credits - (1 - credits)"),
        "{sqlite}"
    );
    assert!(
        sqlite.contains("credits / 2 AS \"credits // 2\""),
        "{sqlite}"
    );
    assert!(sqlite.contains("FLOOR(credits / 2.5)"), "{sqlite}");
    let postgresql = sql("postgresql");
    assert!(
        postgresql.contains("credits / CAST(2 AS NUMERIC) > 1"),
        "{postgresql}"
    );
    let mysql = sql("mysql");
    assert!(mysql.contains("credits DIV 2"), "{mysql}");
    assert!(mysql.contains("credits / 2 > 1"), "{mysql}");
}
