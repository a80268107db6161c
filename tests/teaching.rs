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
