//! The face of every language form of the language, as snapshots: each reads
//! `input` then its SQLAlchemy 2.x code, indented.

use super::{face, Bound, Context};
use crate::school;
use std::collections::BTreeMap;

/// The faces of `inputs`, one after another, with `names` bound and saving each write.
fn faces_with(inputs: &[&str], names: &[(&str, Bound)], autocommit: bool) -> String {
    let registry = school::registry();
    let names: BTreeMap<String, Bound> = names
        .iter()
        .map(|(n, b)| (n.to_string(), b.clone()))
        .collect();
    let context = Context {
        registry: &registry,
        names: &names,
        autocommit,
    };
    let mut out = String::new();
    for input in inputs {
        out.push_str(&format!(">>> {input}\n"));
        for line in face(input, &context).lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out
}

fn faces(inputs: &[&str]) -> String {
    faces_with(inputs, &[], true)
}

/// Checks `text` against the snapshot `name` (the inputs are in the text itself).
fn snapshot(name: &str, text: String) {
    insta::with_settings!({omit_expression => true}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn reading() {
    snapshot(
        "reading",
        faces(&[
            "students",
            "Student",
            "students[13]",
            "students.13",
            "students.get(13)",
            "students[13].name",
            "students[13].classes",
            "students[13].advisor",
            "students[13].clubs",
            "students.where(year == 2)",
            "students.filter(year == 2)",
            "students.filter_by(year=2, advisor_id=3)",
            "students.order_by(name)",
            "students.order_by(year.desc(), name)",
            "students.order_by(-year)",
            "students.order_by(name).limit(5).offset(10)",
            "students.where(year == 3).first()",
            "students.count()",
            "classes.sum(credits)",
            "students.avg(year)",
            "students.min(name)",
            "classes.max(credits)",
            "students.where(year == 1).select(name, email)",
            "teachers.select(department).distinct()",
            "students.group_by(year).count()",
            "students.where(year == 2).classes",
            "students[13].classes.count()",
            "len(students[13].classes)",
            "len(students)",
            "students[13].classes.where(credits > 3).order_by(name)",
            "memberships.where(student_id == 13)",
            "students[13].classes[0]",
            "students[13].classes.order_by(name)[1]",
            "students.get(13, None)",
            "students.where(year == 2).get(13, None)",
            "students.where(name == 'Ann').one()",
            "students.where(name == 'Ann').one_or_none()",
        ]),
    );
}

#[test]
fn conditions() {
    snapshot(
        "conditions",
        faces(&[
            "students.where(year != 2 and year < 4 and year <= 3 or year > 1 and year >= 1)",
            "students.where(not (year == 2 or year == 3))",
            "students.where(id in [1, 13, 40])",
            "students.where(id in [])",
            "classes.where(grade not in ['A', 'B'])",
            "students.where(advisor_id is None)",
            "students.where(advisor_id is not None)",
            "classes.where(grade == None)",
            "students.filter_by(advisor_id=None)",
            "students.where(name.like('A%'))",
            "students.where(name.startswith('An'))",
            "students.where(name.endswith('s'))",
            "students.where(email.contains('100%_sure'))",
            "students.where(year.between(2, 3))",
            "students.where(advisor.department == \"Science\")",
            "students.where(not advisor.department == \"Arts\")",
            "students.where(classes.any())",
            "students.where(classes.any(credits >= 4))",
            "students.where(clubs.any(name == \"Chess\"))",
            "students.where(classes.any() == False)",
            "students.where(classes.count() > 3)",
            "students.where(advisor == teachers[3])",
            "students.where(advisor is None)",
            "students.where(email == students[1].email)",
            "classes.where(credits >= 3.5 and name != 'O\\'Brien\\n' and grade != null)",
            "students.where(True)",
        ]),
    );
}

#[test]
fn writing() {
    snapshot(
        "writing",
        faces(&[
            "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
            "students.add({'name': 'Ada', 'email': 'ada@school.edu', 'year': 1})",
            "students.create(name=\"Ada\", email=\"ada@school.edu\", year=1)",
            "Student(name=\"Ada\", email=\"ada@school.edu\", year=1)",
            "students[13].name = \"Ann\"",
            "students[13].update(year=3, name=\"Ann\")",
            "students[13].advisor = teachers[3]",
            "students[13].advisor = None",
            "classes[1].teacher = teachers[2]",
            "students.where(year == 4).update(year=3)",
            "students[13].delete()",
            "del students[13]",
            "classes.where(grade is None).delete()",
            "students[13].clubs.append(clubs[2])",
            "students[13].clubs.remove(clubs[2])",
            "students[13].clubs.append(clubs.where(name == 'Chess').first())",
            "memberships.add({'student_id': 1, 'club_id': 5})",
            "students.where(year == 1).order_by(name).limit(2).update(advisor=teachers[2])",
            "[Student(name='Ada', email='ada@school.edu', year=1), Student(name='Bo', email='bo@school.edu', year=2)]",
        ]),
    );
}

#[test]
fn names_transactions_and_sessions() {
    let names = [
        ("s", Bound::Object("students".into())),
        (
            "q",
            Bound::Query {
                table: "students".into(),
                whole: true,
                of_object: false,
            },
        ),
        ("student", Bound::Value),
    ];
    let saved = faces_with(
        &[
            "s = students[13]",
            "s.classes",
            "q = students.where(year == 2)",
            "q.order_by(name).first()",
            "q.count()",
            "c = s.classes",
            "n = students.count()",
            "x = Student(name='Ada', email='ada@school.edu', year=1)",
            "students[13].classes.append({'name': 'Art', 'abbreviation': 'AR1'})",
            "begin",
            "commit",
            "rollback",
        ],
        &names,
        true,
    );
    let in_transaction = faces_with(
        &[
            "session.begin()",
            "students[13].name = 'Ann'",
            "Student(name='Ada', email='ada@school.edu', year=1)",
            "session.new",
            "session.flush()",
            "session.commit()",
            "session.rollback()",
        ],
        &[],
        false,
    );
    snapshot(
        "names_transactions_and_sessions",
        format!("# autocommit\n{saved}\n# in a transaction or session mode\n{in_transaction}"),
    );
}

#[test]
fn loops_and_eager_loading() {
    snapshot(
        "loops_and_eager_loading",
        faces(&[
            "students.include(classes)",
            "students.where(year == 2).join_load(classes)",
            "students.join_load(advisor)",
            "for s in students.where(year == 2): s.name, s.classes.count()",
            "for s in students.where(year == 2).include(classes): s.classes.count()",
            "for s in students.where(year == 2).include(classes): len(s.classes)",
            "for s in students.join_load(clubs): s.clubs",
            "for c in students[13].classes: c.name",
            "for s in students.where(year == 4): s.year = 3",
        ]),
    );
}

#[test]
fn declarations_meta_commands_and_errors() {
    snapshot("declarations_meta_commands_and_errors", faces(&[
        "class Award(Base):\n    __tablename__ = 'awards'\n    id = Column(Integer, primary_key=True)\n    student_id = Column(Integer, ForeignKey('students.id'))\n    title = Column(String, nullable=False)\n    student = relationship('Student', backref='awards')",
        ":schema clubs",
        ":schema memberships",
        ":mapping Club",
        ":sql SELECT count(*) FROM students",
        ":sql DELETE FROM memberships WHERE club_id = 5",
        ":help",
        "",
        "students[13].classes.append({'name': 'Biology 301'",
        "pupils.count()",
        "students[13].nickname",
    ]));
}

#[test]
fn odd_statements_get_some_text_and_never_panic() {
    let registry = school::registry();
    let names = BTreeMap::from([("s".to_string(), Bound::Object("students".into()))]);
    let context = Context {
        registry: &registry,
        names: &names,
        autocommit: true,
    };
    let odd = [
        "students.sum()",
        "students.count(1)",
        "students.avg(classes)",
        "students[13].classes.append()",
        "students.limit()",
        "students.where()",
        "students.select()",
        "students.order_by()",
        "for s in 1: s",
        "for s in students.select(name): s",
        "x.y.z()",
        "session.foo",
        "Student()",
        "len()",
        "len(students)",
        "len(s.classes)",
        "[1, 2]",
        "{}",
        "-students",
        "students[13].update()",
        "del 5",
        "5 = 6",
        "students.group_by(year).having(count() > 2)",
        "students.where(classes)",
        "students.where(year.desc())",
        "students.where(1 == 2)",
        "students.where(s)",
        "students[13].classes.remove(1, 2)",
        "s.classes.remove(s)",
        "memberships[1]",
        "students.classes.clubs.members.advisor",
        "students[13].advisor.advisees.count()",
        "students.where(name.startswith(year))",
        "students.include(5)",
        "students.join_load(nothing)",
        ":schema nothing",
        ":sql",
        ":",
        "students.where(year == 2).order_by(name).limit(2).classes",
        "classes.where(student in students.where(year == 2))",
        "students.13.13",
        "students['x']",
        "students.get()",
    ];
    for input in odd {
        let text = face(input, &context);
        assert!(!text.trim().is_empty(), "no face for {input}");
    }
    assert_eq!(
        face("students.sum()", &context),
        "session.scalar(select(func.sum()).select_from(Student))"
    );
}
