//! Every condition form of the language, in `where` / `filter`, checked against
//! hand-written SQL on the same database file.

mod common;

use common::*;
use serde_json::json;

/// `stmt` filters students: its rows equal the hand query, and it sent exactly this SQL.
fn students_where(
    db: &Db,
    stmt: &str,
    hand: &str,
    display: &str,
    text: &str,
    params: serde_json::Value,
) {
    let v = db.check_table_rows(stmt, "students", hand);
    assert_one_sql(&v, display, text, params);
}

#[test]
fn equal_and_not_equal() {
    let db = Db::new();
    students_where(
        &db,
        "students.where(year == 2)",
        "SELECT * FROM students WHERE year = 2",
        "SELECT * FROM students WHERE year = 2",
        "SELECT * FROM students WHERE year = ?",
        json!([2]),
    );
    students_where(
        &db,
        "students.filter(year != 2)",
        "SELECT * FROM students WHERE year <> 2",
        "SELECT * FROM students WHERE year != 2",
        "SELECT * FROM students WHERE year != ?",
        json!([2]),
    );
    students_where(
        &db,
        "students.where(name == \"Zara Patel\")",
        "SELECT * FROM students WHERE name = 'Zara Patel'",
        "SELECT * FROM students WHERE name = 'Zara Patel'",
        "SELECT * FROM students WHERE name = ?",
        json!(["Zara Patel"]),
    );
}

#[test]
fn where_and_filter_are_the_same() {
    let db = Db::new();
    let a = db.ok("students.where(year == 3)");
    let b = db.ok("students.filter(year == 3)");
    assert_eq!(a["result"], b["result"]);
    assert_eq!(a["sql"], b["sql"]);
}

#[test]
fn orderings() {
    let db = Db::new();
    for (op, sqlop, n) in [
        ("<", "<", 2),
        ("<=", "<=", 2),
        (">", ">", 3),
        (">=", ">=", 3),
    ] {
        students_where(
            &db,
            &format!("students.where(year {op} {n})"),
            &format!("SELECT * FROM students WHERE year {sqlop} {n}"),
            &format!("SELECT * FROM students WHERE year {sqlop} {n}"),
            &format!("SELECT * FROM students WHERE year {sqlop} ?"),
            json!([n]),
        );
    }
}

#[test]
fn and_or_not_and_parentheses() {
    let db = Db::new();
    students_where(
        &db,
        "students.where(year < 3 and id <= 20)",
        "SELECT * FROM students WHERE year < 3 AND id <= 20",
        "SELECT * FROM students WHERE year < 3 AND id <= 20",
        "SELECT * FROM students WHERE year < ? AND id <= ?",
        json!([3, 20]),
    );
    students_where(
        &db,
        "students.where(year == 1 or year == 4)",
        "SELECT * FROM students WHERE year = 1 OR year = 4",
        "SELECT * FROM students WHERE year = 1 OR year = 4",
        "SELECT * FROM students WHERE year = ? OR year = ?",
        json!([1, 4]),
    );
    students_where(
        &db,
        "students.where(not year == 1)",
        "SELECT * FROM students WHERE NOT year = 1",
        "SELECT * FROM students WHERE NOT (year = 1)",
        "SELECT * FROM students WHERE NOT (year = ?)",
        json!([1]),
    );
    // Parentheses change the meaning: (a or b) and c  vs  a or (b and c).
    students_where(
        &db,
        "students.where((year == 1 or year == 4) and id > 20)",
        "SELECT * FROM students WHERE (year = 1 OR year = 4) AND id > 20",
        "SELECT * FROM students WHERE (year = 1 OR year = 4) AND id > 20",
        "SELECT * FROM students WHERE (year = ? OR year = ?) AND id > ?",
        json!([1, 4, 20]),
    );
    let a = db.ok("students.where((year == 1 or year == 4) and id > 20).count()");
    let b = db.check_value(
        "students.where(year == 1 or year == 4 and id > 20).count()",
        "SELECT count(*) FROM students WHERE year = 1 OR (year = 4 AND id > 20)",
    );
    assert_ne!(
        a["result"]["value"], b["result"]["value"],
        "the data should tell the two groupings apart"
    );
    db.check_value(
        "students.where(not (year > 3 or year < 2) and not id > 30).count()",
        "SELECT count(*) FROM students WHERE NOT (year > 3 OR year < 2) AND NOT id > 30",
    );
}

#[test]
fn in_list() {
    let db = Db::new();
    students_where(
        &db,
        "students.where(id in [1, 2, 3])",
        "SELECT * FROM students WHERE id IN (1, 2, 3)",
        "SELECT * FROM students WHERE id IN (1, 2, 3)",
        "SELECT * FROM students WHERE id IN (?, ?, ?)",
        json!([1, 2, 3]),
    );
    db.check_value(
        "classes.where(grade in ['A', 'B']).count()",
        "SELECT count(*) FROM classes WHERE grade IN ('A', 'B')",
    );
}

#[test]
fn empty_in_list_matches_nothing() {
    let db = Db::new();
    let v = db.ok("students.where(id in [])");
    assert!(rows(&v).is_empty());
    assert_eq!(v["result"]["table"], json!("students"));
    let v = db.ok("students.where(id in []).count()");
    assert_eq!(v["result"]["value"], json!(0));
    // and its negation matches everything
    db.check_value(
        "students.where(not id in []).count()",
        "SELECT count(*) FROM students",
    );
}

#[test]
fn not_in_list() {
    let db = Db::new();
    students_where(
        &db,
        "students.where(id not in [1, 2])",
        "SELECT * FROM students WHERE id NOT IN (1, 2)",
        "SELECT * FROM students WHERE id NOT IN (1, 2)",
        "SELECT * FROM students WHERE id NOT IN (?, ?)",
        json!([1, 2]),
    );
}

#[test]
fn is_none_is_not_none_and_equal_none() {
    let db = Db::new();
    let hand_null = "SELECT * FROM students WHERE advisor_id IS NULL";
    for stmt in [
        "students.where(advisor_id is None)",
        "students.where(advisor_id == None)",
        "students.where(advisor_id == null)",
    ] {
        students_where(&db, stmt, hand_null, hand_null, hand_null, json!([]));
    }
    assert!(
        !db.query(hand_null).is_empty(),
        "some students have no advisor"
    );
    let hand = "SELECT * FROM students WHERE advisor_id IS NOT NULL";
    for stmt in [
        "students.where(advisor_id is not None)",
        "students.where(advisor_id != None)",
    ] {
        students_where(&db, stmt, hand, hand, hand, json!([]));
    }
}

#[test]
fn comparing_with_an_expression_that_gives_null_means_is_null() {
    let db = Db::new();
    let sid = db.scalar("SELECT min(id) FROM students WHERE advisor_id IS NULL");
    let v = db.check_table_rows(
        &format!("students.where(advisor_id == students[{sid}].advisor_id)"),
        "students",
        "SELECT * FROM students WHERE advisor_id IS NULL",
    );
    let sql = sql_list(&v);
    assert_eq!(sql.len(), 2);
    assert_eq!(sql[1].1, "SELECT * FROM students WHERE advisor_id IS NULL");
}

#[test]
fn not_equal_and_filter_by_with_a_null_expression() {
    let db = Db::new();
    let sid = db.scalar("SELECT min(id) FROM students WHERE advisor_id IS NULL");
    let v = db.check_value(
        &format!("students.where(advisor_id != students[{sid}].advisor_id).count()"),
        "SELECT count(*) FROM students WHERE advisor_id IS NOT NULL",
    );
    assert_eq!(
        sql_list(&v)[1].1,
        "SELECT count(*) FROM students WHERE advisor_id IS NOT NULL"
    );
    let v = db.check_value(
        &format!("students.filter_by(advisor_id=students[{sid}].advisor_id).count()"),
        "SELECT count(*) FROM students WHERE advisor_id IS NULL",
    );
    assert_eq!(
        sql_list(&v)[1].1,
        "SELECT count(*) FROM students WHERE advisor_id IS NULL"
    );
}

#[test]
fn expressions_inside_lists_and_between() {
    let db = Db::new();
    let v = db.check_table_rows(
        "students.where(id in [students[1].id, 2])",
        "students",
        "SELECT * FROM students WHERE id IN (1, 2)",
    );
    assert_eq!(
        sql_list(&v)[1],
        (
            "SELECT * FROM students WHERE id IN (1, 2)".to_string(),
            "SELECT * FROM students WHERE id IN (?, ?)".to_string(),
            json!([1, 2])
        )
    );
    db.check_value(
        "students.where(id.between(students[1].id, students[3].id)).count()",
        "SELECT count(*) FROM students WHERE id BETWEEN 1 AND 3",
    );
}

#[test]
fn like() {
    let db = Db::new();
    students_where(
        &db,
        "students.where(name.like('A%'))",
        "SELECT * FROM students WHERE name LIKE 'A%'",
        "SELECT * FROM students WHERE name LIKE 'A%'",
        "SELECT * FROM students WHERE name LIKE ?",
        json!(["A%"]),
    );
    // like() takes a pattern: % and _ are wildcards there
    db.check_value(
        "students.where(name.like('%_%')).count()",
        "SELECT count(*) FROM students",
    );
}

#[test]
fn startswith_endswith_contains() {
    let db = Db::new();
    students_where(
        &db,
        "students.where(name.startswith('A'))",
        "SELECT * FROM students WHERE substr(lower(name), 1, 1) = 'a'",
        "SELECT * FROM students WHERE name LIKE 'A%'",
        "SELECT * FROM students WHERE name LIKE ?",
        json!(["A%"]),
    );
    students_where(
        &db,
        "students.where(name.endswith('n'))",
        "SELECT * FROM students WHERE substr(lower(name), -1) = 'n'",
        "SELECT * FROM students WHERE name LIKE '%n'",
        "SELECT * FROM students WHERE name LIKE ?",
        json!(["%n"]),
    );
    students_where(
        &db,
        "students.where(email.contains('ar'))",
        "SELECT * FROM students WHERE instr(lower(email), 'ar') > 0",
        "SELECT * FROM students WHERE email LIKE '%ar%'",
        "SELECT * FROM students WHERE email LIKE ?",
        json!(["%ar%"]),
    );
}

#[test]
fn startswith_is_case_insensitive_for_ascii() {
    let db = Db::new();
    db.check_value(
        "students.where(name.startswith('a')).count()",
        "SELECT count(*) FROM students WHERE substr(lower(name), 1, 1) = 'a'",
    );
}

#[test]
fn percent_and_underscore_in_the_text_match_literally() {
    let db = Db::new();
    // Nobody's name has % or _ in it, so these match nothing ...
    for stmt in [
        "students.where(name.contains('%')).count()",
        "students.where(name.contains('_')).count()",
        "students.where(name.startswith('%')).count()",
        "students.where(name.endswith('_')).count()",
        "students.where(name.contains('a%_')).count()",
    ] {
        let v = db.ok(stmt);
        assert_eq!(v["result"]["value"], json!(0), "{stmt}");
        let (_, text, _) = &sql_list(&v)[0];
        assert!(text.contains("ESCAPE"), "the pattern is escaped: {text}");
    }
    // ... until one has.
    db.ok("students[13].name = 'Ann_100%'");
    db.ok("students[14].name = 'Annx100x'");
    for (stmt, n) in [
        ("students.where(name.contains('100%')).count()", 1),
        ("students.where(name.contains('_1')).count()", 1),
        ("students.where(name.startswith('Ann_')).count()", 1),
        ("students.where(name.endswith('0%')).count()", 1),
        ("students.where(name.like('Ann_100%')).count()", 2),
    ] {
        let v = db.ok(stmt);
        assert_eq!(v["result"]["value"], json!(n), "{stmt}");
    }
    let v = db.ok("students.where(name.contains('a%_'))");
    assert_one_sql(
        &v,
        "SELECT * FROM students WHERE name LIKE '%a/%/_%' ESCAPE '/'",
        "SELECT * FROM students WHERE name LIKE ? ESCAPE '/'",
        json!(["%a/%/_%"]),
    );
}

#[test]
fn the_escape_character_itself_matches_literally() {
    let db = Db::new();
    db.ok("students[13].name = 'a/b'");
    db.ok("students[14].name = 'a\\\\b'");
    db.check_value(
        "students.where(name.contains('/')).count()",
        "SELECT count(*) FROM students WHERE instr(name, '/') > 0",
    );
    db.check_value(
        "students.where(name.contains('a/b')).count()",
        "SELECT count(*) FROM students WHERE instr(name, 'a/b') > 0",
    );
    db.check_value(
        "students.where(name.contains('\\\\')).count()",
        "SELECT count(*) FROM students WHERE instr(name, char(92)) > 0",
    );
}

#[test]
fn between() {
    let db = Db::new();
    students_where(
        &db,
        "students.where(id.between(3, 5))",
        "SELECT * FROM students WHERE id >= 3 AND id <= 5",
        "SELECT * FROM students WHERE id BETWEEN 3 AND 5",
        "SELECT * FROM students WHERE id BETWEEN ? AND ?",
        json!([3, 5]),
    );
}

#[test]
fn many_to_one_path_is_exists() {
    let db = Db::new();
    students_where(
        &db,
        "students.where(advisor.department == \"Science\")",
        "SELECT s.* FROM students s JOIN teachers t ON t.id = s.advisor_id WHERE t.department = 'Science'",
        "SELECT * FROM students WHERE EXISTS (SELECT 1 FROM teachers WHERE teachers.id = students.advisor_id AND teachers.department = 'Science')",
        "SELECT * FROM students WHERE EXISTS (SELECT 1 FROM teachers WHERE teachers.id = students.advisor_id AND teachers.department = ?)",
        json!(["Science"]),
    );
    db.check_value(
        "classes.where(teacher.department == 'Arts').count()",
        "SELECT count(*) FROM classes c JOIN teachers t ON t.id = c.teacher_id WHERE t.department = 'Arts'",
    );
    db.check_value(
        "classes.where(student.year == 4).count()",
        "SELECT count(*) FROM classes c JOIN students s ON s.id = c.student_id WHERE s.year = 4",
    );
}

#[test]
fn not_path_keeps_students_with_no_advisor() {
    let db = Db::new();
    let v = db.check_table_rows(
        "students.where(not advisor.department == \"Arts\")",
        "students",
        "SELECT * FROM students WHERE advisor_id IS NULL OR advisor_id NOT IN (SELECT id FROM teachers WHERE department = 'Arts')",
    );
    let no_advisor = db.query("SELECT * FROM students WHERE advisor_id IS NULL");
    assert!(!no_advisor.is_empty());
    for r in no_advisor {
        assert!(rows(&v).contains(&r), "student without advisor kept: {r:?}");
    }
    assert_one_sql(
        &v,
        "SELECT * FROM students WHERE NOT EXISTS (SELECT 1 FROM teachers WHERE teachers.id = students.advisor_id AND teachers.department = 'Arts')",
        "SELECT * FROM students WHERE NOT EXISTS (SELECT 1 FROM teachers WHERE teachers.id = students.advisor_id AND teachers.department = ?)",
        json!(["Arts"]),
    );
}

#[test]
fn any_of_a_one_to_many() {
    let db = Db::new();
    let v = db.check_table_rows(
        "students.where(classes.any())",
        "students",
        "SELECT * FROM students WHERE id IN (SELECT student_id FROM classes)",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM students WHERE EXISTS (SELECT 1 FROM classes WHERE classes.student_id = students.id)",
        "SELECT * FROM students WHERE EXISTS (SELECT 1 FROM classes WHERE classes.student_id = students.id)",
        json!([]),
    );
    db.check_value(
        "students.where(not classes.any()).count()",
        "SELECT count(*) FROM students WHERE id NOT IN (SELECT student_id FROM classes)",
    );
}

#[test]
fn any_with_a_condition() {
    let db = Db::new();
    let v = db.check_table_rows(
        "students.where(classes.any(grade == 'A'))",
        "students",
        "SELECT * FROM students WHERE id IN (SELECT student_id FROM classes WHERE grade = 'A')",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM students WHERE EXISTS (SELECT 1 FROM classes WHERE classes.student_id = students.id AND classes.grade = 'A')",
        "SELECT * FROM students WHERE EXISTS (SELECT 1 FROM classes WHERE classes.student_id = students.id AND classes.grade = ?)",
        json!(["A"]),
    );
    db.check_value(
        "teachers.where(classes.any(grade == 'A')).count()",
        "SELECT count(*) FROM teachers WHERE id IN (SELECT teacher_id FROM classes WHERE grade = 'A')",
    );
}

#[test]
fn any_of_a_many_to_many() {
    let db = Db::new();
    let v = db.check_table_rows(
        "students.where(clubs.any(name == \"Chess\"))",
        "students",
        "SELECT * FROM students WHERE id IN (SELECT m.student_id FROM memberships m JOIN clubs c ON c.id = m.club_id WHERE c.name = 'Chess')",
    );
    assert!(!rows(&v).is_empty());
    assert_one_sql(
        &v,
        "SELECT * FROM students WHERE EXISTS (SELECT 1 FROM memberships JOIN clubs ON clubs.id = memberships.club_id WHERE memberships.student_id = students.id AND clubs.name = 'Chess')",
        "SELECT * FROM students WHERE EXISTS (SELECT 1 FROM memberships JOIN clubs ON clubs.id = memberships.club_id WHERE memberships.student_id = students.id AND clubs.name = ?)",
        json!(["Chess"]),
    );
    db.check_value(
        "clubs.where(members.any(year == 4)).count()",
        "SELECT count(DISTINCT m.club_id) FROM memberships m JOIN students s ON s.id = m.student_id WHERE s.year = 4",
    );
    db.check_value(
        "students.where(clubs.any()).count()",
        "SELECT count(DISTINCT student_id) FROM memberships",
    );
}

#[test]
fn value_expression_in_a_condition() {
    let db = Db::new();
    let v = db.check_table_rows(
        "students.where(email == students[1].email)",
        "students",
        "SELECT * FROM students WHERE id = 1",
    );
    let email = db.scalar("SELECT email FROM students WHERE id = 1");
    assert_sql(
        &v,
        &[
            (
                "SELECT * FROM students WHERE id = 1",
                "SELECT * FROM students WHERE id = ?",
                json!([1]),
            ),
            (
                &format!(
                    "SELECT * FROM students WHERE email = '{}'",
                    email.as_str().unwrap()
                ),
                "SELECT * FROM students WHERE email = ?",
                json!([email]),
            ),
        ],
    );
    db.check_value(
        "students.where(year == students[13].year).count()",
        "SELECT count(*) FROM students WHERE year = (SELECT year FROM students WHERE id = 13)",
    );
    db.check_value(
        "classes.where(credits > classes.avg(credits)).count()",
        "SELECT count(*) FROM classes WHERE credits > (SELECT avg(credits) FROM classes)",
    );
}

#[test]
fn comparison_with_an_object_uses_its_key() {
    let db = Db::new();
    db.check_value(
        "students.where(advisor == teachers[1]).count()",
        "SELECT count(*) FROM students WHERE advisor_id = 1",
    );
    db.check_value(
        "students.where(advisor == None).count()",
        "SELECT count(*) FROM students WHERE advisor_id IS NULL",
    );
}

#[test]
fn literals() {
    let db = Db::new();
    db.ok("students[13].name = \"O'Brien \\\"Q\\\" \\\\ end\"");
    assert_eq!(
        db.scalar("SELECT name FROM students WHERE id = 13"),
        json!("O'Brien \"Q\" \\ end")
    );
    let v = db.check_table_rows(
        "students.where(name == 'O\\'Brien \"Q\" \\\\ end')",
        "students",
        "SELECT * FROM students WHERE id = 13",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM students WHERE name = 'O''Brien \"Q\" \\ end'",
        "SELECT * FROM students WHERE name = ?",
        json!(["O'Brien \"Q\" \\ end"]),
    );
    db.ok("students[14].name = \"tab\\there\\nnewline\"");
    assert_eq!(
        db.scalar("SELECT name FROM students WHERE id = 14"),
        json!("tab\there\nnewline")
    );
    db.check_value(
        "students.where(year == True).count()",
        "SELECT count(*) FROM students WHERE year = 1",
    );
    db.check_value(
        "students.where(year == true).count()",
        "SELECT count(*) FROM students WHERE year = 1",
    );
    db.check_value(
        "classes.where(credits > 2.5).count()",
        "SELECT count(*) FROM classes WHERE credits > 2.5",
    );
    db.check_value(
        "students.where(id < -1).count()",
        "SELECT count(*) FROM students WHERE id < -1",
    );
}

#[test]
fn an_aggregate_of_each_rows_related_rows_is_a_correlated_subquery() {
    let db = Db::new();
    let v = db.check_table_rows(
        "students.where(classes.count() > 3)",
        "students",
        "SELECT * FROM students WHERE id IN (SELECT student_id FROM classes GROUP BY student_id HAVING count(*) > 3)",
    );
    assert_one_sql(
        &v,
        "SELECT * FROM students WHERE (SELECT count(*) FROM classes WHERE classes.student_id = students.id) > 3",
        "SELECT * FROM students WHERE (SELECT count(*) FROM classes WHERE classes.student_id = students.id) > ?",
        json!([3]),
    );
    db.check_value(
        "students.where(classes.sum(credits) >= 12).count()",
        "SELECT count(*) FROM students WHERE id IN (SELECT student_id FROM classes GROUP BY student_id HAVING sum(credits) >= 12)",
    );
    db.check_value(
        "students.where(clubs.count() >= 2).count()",
        "SELECT count(*) FROM students WHERE id IN (SELECT student_id FROM memberships GROUP BY student_id HAVING count(*) >= 2)",
    );
}

#[test]
fn a_test_compared_with_true_or_false_is_the_test_or_its_negation() {
    let db = Db::new();
    db.check_value(
        "students.where(classes.any() == False).count()",
        "SELECT count(*) FROM students WHERE id NOT IN (SELECT student_id FROM classes)",
    );
    db.check_value(
        "students.where(classes.any() == True).count()",
        "SELECT count(*) FROM students WHERE id IN (SELECT student_id FROM classes)",
    );
    db.check_value(
        "students.where(name.startswith('A') != True).count()",
        "SELECT count(*) FROM students WHERE name NOT LIKE 'A%'",
    );
}
