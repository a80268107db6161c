//! Teaching depth: the Core and ORM faces of a table, and of a mapping.

use assert_cmd::Command;
use serde_json::Value;

fn answer(statement: &str) -> Value {
    let output = Command::cargo_bin("ormscope")
        .expect("binary")
        .args(["--json", "-e", statement])
        .output()
        .expect("runs");
    serde_json::from_slice(&output.stdout).expect("one JSON answer")
}

fn face<'a>(v: &'a Value, title_start: &str) -> &'a str {
    v["faces"]
        .as_array()
        .and_then(|f| {
            f.iter().find(|f| {
                f["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with(title_start))
            })
        })
        .and_then(|f| f["text"].as_str())
        .unwrap_or_else(|| panic!("no face '{title_start}' in {v}"))
}

#[test]
fn schema_of_a_table_shows_its_three_faces() {
    let v = answer(":schema students");
    assert_eq!(v["ok"], true);
    assert!(face(&v, "SQL").starts_with("CREATE TABLE students ("));
    let core = face(&v, "Core");
    assert!(
        core.contains("Column(\"id\", Integer, primary_key=True)"),
        "{core}"
    );
    assert!(
        core.contains("ForeignKey(\"teachers.id\", ondelete=\"SET NULL\")"),
        "{core}"
    );
    let orm = face(&v, "ORM");
    assert!(orm.starts_with("class Student(Base):"), "{orm}");
    assert!(
        orm.contains("advisor = relationship(\"Teacher\", back_populates=\"advisees\")"),
        "{orm}"
    );
    assert_eq!(
        answer(":schema Student")["faces"],
        v["faces"],
        "a class names its table"
    );
}

#[test]
fn an_association_table_has_no_class_face() {
    let v = answer(":schema memberships");
    assert_eq!(v["faces"].as_array().map(Vec::len), Some(2));
    assert!(
        v["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("no mapped class")),
        "{v}"
    );
}

#[test]
fn mapping_shows_the_classical_form() {
    let v = answer(":mapping Club");
    let classical = face(&v, "classical");
    assert!(
        classical.contains("mapper(Club, clubs, properties={"),
        "{classical}"
    );
    assert!(
        classical.contains(
            "\"members\": relationship(Student, secondary=memberships, back_populates=\"clubs\")"
        ),
        "{classical}"
    );
    let err = answer(":mapping Pupil");
    assert_eq!(err["error"]["kind"], "name");
}

fn sql_count(v: &Value) -> usize {
    v["sql"].as_array().map_or(0, Vec::len)
}

fn notes(v: &Value) -> String {
    v["notes"]
        .as_array()
        .map(|n| {
            n.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[test]
fn a_lazy_loop_issues_one_plus_n_statements_and_says_so() {
    let lazy = answer("for s in students.limit(5): s.classes.count()");
    assert_eq!(sql_count(&lazy), 6, "{lazy}");
    assert!(notes(&lazy).contains("N+1 queries"), "{lazy}");
    assert!(
        notes(&lazy).contains(".include(classes)"),
        "the eager form is shown: {lazy}"
    );
    let selectin = answer("for s in students.limit(5).include(classes): s.classes.count()");
    assert_eq!(sql_count(&selectin), 2, "{selectin}");
    assert!(!notes(&selectin).contains("N+1"), "{selectin}");
    assert!(
        selectin["sql"][1]["text"]
            .as_str()
            .is_some_and(|t| t.contains("WHERE student_id IN (")),
        "{selectin}"
    );
    let joined = answer("for s in students.limit(5).join_load(classes): s.classes.count()");
    assert_eq!(sql_count(&joined), 1, "{joined}");
    assert!(
        joined["sql"][0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("LEFT OUTER JOIN classes")),
        "{joined}"
    );
    assert_eq!(lazy["result"]["rows"], selectin["result"]["rows"]);
    assert_eq!(lazy["result"]["rows"], joined["result"]["rows"]);
}

#[test]
fn loop_rows_match_the_database() {
    let v = answer("for s in students.order_by(id).limit(40): s.classes.count()");
    let rows = v["result"]["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 40);
    let by_hand = answer(":sql SELECT s.id, count(c.id) FROM students s LEFT JOIN classes c ON c.student_id = s.id GROUP BY s.id ORDER BY s.id");
    assert_eq!(&v["result"]["rows"], &by_hand["result"]["rows"]);
}

#[test]
fn eager_many_to_many_and_many_to_one_give_the_lazy_results() {
    let lazy = answer("for s in students.where(year == 2): s.advisor, s.clubs");
    let eager =
        answer("for s in students.where(year == 2).include(advisor, clubs): s.advisor, s.clubs");
    let joined = answer("for s in students.where(year == 2).join_load(clubs): s.clubs");
    assert_eq!(lazy["result"]["rows"], eager["result"]["rows"]);
    assert_eq!(sql_count(&eager), 3, "{eager}");
    let lazy_clubs: Vec<Value> = lazy["result"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| json_pair(&r[0], &r[2]))
        .collect();
    let joined_clubs: Vec<Value> = joined["result"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| json_pair(&r[0], &r[1]))
        .collect();
    assert_eq!(lazy_clubs, joined_clubs);
}

fn json_pair(a: &Value, b: &Value) -> Value {
    serde_json::json!([a, b])
}

#[test]
fn a_loop_can_change_each_object() {
    let v = answer("for s in students.where(year == 4): s.year = 3");
    assert_eq!(v["ok"], true, "{v}");
    let updates = v["sql"]
        .as_array()
        .expect("sql")
        .iter()
        .filter(|s| s["text"].as_str().is_some_and(|t| t.starts_with("UPDATE")))
        .count();
    assert_eq!(updates, 10, "one UPDATE per year-4 student: {v}");
}
