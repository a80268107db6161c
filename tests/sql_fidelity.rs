//! Contract section 7: the SQL an answer shows is what SQLAlchemy 2 sends for that answer's own
//! code, statement for statement. Each case is one rule, written in the short form or in
//! SQLAlchemy's spelling, in session mode or not, and runs on SQLite and on PostgreSQL (the same
//! statements, in each one's SQL). A statement is compared by its verb and its table, as
//! `conformance/run --sql-fidelity` compares it; a few exact texts are checked on SQLite.

mod common;
#[path = "common/pg.rs"]
mod pg;

use common::{mem, run_args};
use serde_json::Value;

/// One rule of section 7: statements run before, the statement, and what it must send.
struct Case {
    rule: &'static str,
    setup: &'static [&'static str],
    input: &'static str,
    sends: &'static [&'static str],
    /// The answer's result kind, and a value where one is checked.
    kind: &'static str,
    value: Option<Value>,
}

const fn case(
    rule: &'static str,
    setup: &'static [&'static str],
    input: &'static str,
    sends: &'static [&'static str],
    kind: &'static str,
) -> Case {
    Case {
        rule,
        setup,
        input,
        sends,
        kind,
        value: None,
    }
}

fn cases() -> Vec<Case> {
    let mut all = vec![
        case(
            "reaching through an object loads it first",
            &[],
            "students[13].classes",
            &["SELECT students", "SELECT classes"],
            "rows",
        ),
        case(
            "the same, spelled as SQLAlchemy",
            &[],
            "session.get(Student, 13).classes",
            &["SELECT students", "SELECT classes"],
            "rows",
        ),
        case(
            "a many-to-many attribute: the owner, then the related rows",
            &[],
            "students[13].clubs",
            &["SELECT students", "SELECT clubs"],
            "rows",
        ),
        case(
            "a NULL foreign key needs no second SELECT",
            &[],
            "classes[36].teacher",
            &["SELECT classes"],
            "none",
        ),
        case(
            "a bound name holds its object",
            &["s = students[13]"],
            "students[13].email",
            &[],
            "value",
        ),
        case(
            "a name's relationship loads only the related rows",
            &["s = students[13]"],
            "s.classes",
            &["SELECT classes"],
            "rows",
        ),
        case(
            "a many-to-one finds its object in the identity map",
            &["s = students[13]"],
            "classes[35].student",
            &["SELECT classes"],
            "object",
        ),
        case(
            "an object no name holds is forgotten after its statement",
            &["students[13].name"],
            "students[13].email",
            &["SELECT students"],
            "value",
        ),
        case(
            "changing an object loads it first",
            &[],
            "students[13].name = 'Ann'",
            &["SELECT students", "UPDATE students"],
            "write",
        ),
        case(
            "the same, spelled as SQLAlchemy",
            &[],
            "session.get(Student, 13).name = 'Ann'",
            &["SELECT students", "UPDATE students"],
            "write",
        ),
        case(
            "update(...) of one object loads it first",
            &[],
            "students[13].update(year=3, name='Ann')",
            &["SELECT students", "UPDATE students"],
            "write",
        ),
        case(
            "deleting an object loads it first",
            &[],
            "students[13].delete()",
            &["SELECT students", "DELETE students"],
            "write",
        ),
        case(
            "the right side of a = b first",
            &[],
            "classes[1].teacher = teachers[5]",
            &["SELECT teachers", "SELECT classes", "UPDATE classes"],
            "write",
        ),
        case(
            "a name's change sends only the UPDATE",
            &["s = students[13]"],
            "s.name = 'Ann'",
            &["UPDATE students"],
            "write",
        ),
        case(
            "a committed write expires the names' objects",
            &["s = students[13]", "s.name = 'Ann'"],
            "s.name",
            &["SELECT students"],
            "value",
        ),
        case(
            "append loads the owner and its collection first",
            &[],
            "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
            &["SELECT students", "SELECT classes", "INSERT classes"],
            "write",
        ),
        case(
            "append of an object loads it after the collection",
            &[],
            "students[13].clubs.append(clubs[1])",
            &[
                "SELECT students",
                "SELECT clubs",
                "SELECT clubs",
                "INSERT memberships",
            ],
            "write",
        ),
        case(
            "remove finds a member in the identity map",
            &[],
            "students[13].clubs.remove(clubs[3])",
            &["SELECT students", "SELECT clubs", "DELETE memberships"],
            "write",
        ),
        case(
            "remove of a non-member is refused before any DELETE",
            &[],
            "students[13].clubs.remove(clubs[1])",
            &["SELECT students", "SELECT clubs", "SELECT clubs"],
            "error",
        ),
        case(
            "a position of a relationship loads the whole list",
            &[],
            "students[13].classes[0]",
            &["SELECT students", "SELECT classes"],
            "object",
        ),
        case(
            "a bulk update loads nothing",
            &[],
            "students.where(year == 4).update(year=3)",
            &["UPDATE students"],
            "write",
        ),
        case(
            "session mode: a change loads, then waits",
            &["session.begin()"],
            "students[13].name = 'Ann'",
            &["SELECT students"],
            "none",
        ),
        case(
            "session mode: a changed object is held, and a get sends nothing",
            &["session.begin()", "students[13].name = 'Ann'"],
            "students[13].name",
            &[],
            "value",
        ),
        case(
            "session mode: a query autoflushes first",
            &["session.begin()", "students[13].name = 'Ann'"],
            "students.where(name == 'Ann')",
            &["UPDATE students", "SELECT students"],
            "rows",
        ),
        case(
            "session mode: a get of an object not held autoflushes",
            &["session.begin()", "students[13].name = 'Ann'"],
            "students[14].name",
            &["UPDATE students", "SELECT students"],
            "value",
        ),
        case(
            "session mode: a bulk update is sent at once, after the autoflush",
            &["session.begin()", "students[13].year = 4"],
            "students.where(year == 4).update(year=3)",
            &["UPDATE students", "UPDATE students"],
            "write",
        ),
        case(
            "session mode: nothing waits after a bulk update",
            &[
                "session.begin()",
                "students[13].year = 4",
                "students.where(year == 4).update(year=3)",
            ],
            "students.where(year == 4).count()",
            &["SELECT students"],
            "value",
        ),
        case(
            "session mode: a pending delete keeps its object for get",
            &["session.begin()", "students[3].delete()"],
            "students[3].name",
            &[],
            "value",
        ),
        case(
            "session mode: a query flushes the pending delete",
            &["session.begin()", "students[3].delete()"],
            "students.where(id == 3)",
            &["DELETE students", "SELECT students"],
            "rows",
        ),
        case(
            "session mode: rollback expires what is held",
            &[
                "session.begin()",
                "s = students[13]",
                "s.name = 'Ann'",
                "session.rollback()",
            ],
            "s.name",
            &["SELECT students"],
            "value",
        ),
        case(
            "a value the object has already sends no UPDATE",
            &[],
            "classes[1].teacher = teachers[2]",
            &["SELECT teachers", "SELECT classes"],
            "write",
        ),
        case(
            "session mode: a delete supersedes the object's pending UPDATE",
            &[
                "session.begin()",
                "students[13].name = 'Bo'",
                "students[13].delete()",
            ],
            "session.flush()",
            &["DELETE students"],
            "none",
        ),
        case(
            "session mode: a table's UPDATEs go before its INSERTs",
            &[
                "session.begin()",
                "s = students[13]",
                "students.add({'name': 'Ada', 'email': 'ada@school.edu', 'year': 1})",
                "s.name = 'Ann'",
            ],
            "session.flush()",
            &["UPDATE students", "INSERT students"],
            "none",
        ),
        case(
            "a held object's collection is loaded once",
            &["s = students[13]", "s.classes"],
            "s.classes",
            &[],
            "rows",
        ),
        case(
            "a held collection holds its members",
            &["s = students[13]", "s.classes"],
            "classes[35].name",
            &[],
            "value",
        ),
        case(
            "a name bound to a relationship holds the loaded list",
            &[],
            "cs = students[14].classes",
            &["SELECT students", "SELECT classes"],
            "none",
        ),
        case(
            "the bound list sends nothing, and does not hold its owner",
            &["cs = students[14].classes", "len(cs)", "cs[0]"],
            "students[14].name",
            &["SELECT students"],
            "value",
        ),
        case(
            "deleting an object deletes its loaded children first",
            &["s = students[13]", "s.clubs", "s.classes"],
            "s.delete()",
            &[
                "DELETE memberships",
                "DELETE memberships",
                "DELETE classes",
                "DELETE classes",
                "DELETE classes",
                "DELETE students",
            ],
            "write",
        ),
        case(
            "deleting an object empties the key of its 5 loaded children the database sets to NULL",
            &["t = teachers[3]", "t.advisees"],
            "t.delete()",
            &[
                "UPDATE students",
                "UPDATE students",
                "UPDATE students",
                "UPDATE students",
                "UPDATE students",
                "DELETE teachers",
            ],
            "write",
        ),
        case(
            "a loop: one query, then a lazy load per object",
            &[],
            "for s in students.where(id <= 4): len(s.classes)",
            &[
                "SELECT students",
                "SELECT classes",
                "SELECT classes",
                "SELECT classes",
                "SELECT classes",
            ],
            "rows",
        ),
        case(
            "a loop over include(...): two queries",
            &[],
            "for s in students.where(id <= 4).include(classes): len(s.classes)",
            &["SELECT students", "SELECT classes"],
            "rows",
        ),
        case(
            ".count() in a loop asks the database each time",
            &[],
            "for s in students.where(id <= 3).include(classes): s.classes.count()",
            &[
                "SELECT students",
                "SELECT classes",
                "SELECT classes",
                "SELECT classes",
                "SELECT classes",
            ],
            "rows",
        ),
    ];
    all.push(Case {
        value: Some(Value::from(3)),
        ..case(
            "len() loads the collection and counts in Python",
            &[],
            "len(students[13].classes)",
            &["SELECT students", "SELECT classes"],
            "value",
        )
    });
    all.push(Case {
        value: Some(Value::from(3)),
        ..case(
            ".count() counts in the database, loading nothing",
            &[],
            "students[13].classes.count()",
            &["SELECT classes"],
            "value",
        )
    });
    all.push(Case {
        value: Some(Value::from("Ann")),
        ..case(
            "session mode: the held object has its new value",
            &["session.begin()", "students[13].name = 'Ann'"],
            "students[13].name",
            &[],
            "value",
        )
    });
    all.push(Case {
        value: Some(Value::from(0)),
        ..case(
            "session mode: the bulk update was sent",
            &[
                "session.begin()",
                "students.where(year == 4).update(year=3)",
            ],
            "students.where(year == 4).count()",
            &["SELECT students"],
            "value",
        )
    });
    all
}

/// `SELECT students`, `INSERT classes`: a statement's verb and the table it works on.
fn shape(display: &str) -> String {
    let words: Vec<&str> = display
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '"' || c == '(' || c == ','))
        .collect();
    let verb = words.first().copied().unwrap_or("").to_uppercase();
    let after = |keyword: &str| {
        words
            .iter()
            .position(|w| w.eq_ignore_ascii_case(keyword))
            .and_then(|i| words.get(i + 1))
            .copied()
            .unwrap_or_default()
    };
    let table = match verb.as_str() {
        "INSERT" => after("INTO"),
        "UPDATE" => words.get(1).copied().unwrap_or_default(),
        _ => after("FROM"),
    };
    let table = table.rsplit('.').next().unwrap_or(table).trim_matches('"');
    format!("{verb} {table}")
}

/// The shapes of what an answer sent, leaving out transaction control as the conformance
/// run does (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE).
fn shapes(answer: &Value) -> Vec<String> {
    const CONTROL: [&str; 5] = ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"];
    answer["sql"]
        .as_array()
        .map(|sql| {
            sql.iter()
                .filter_map(|s| s["display"].as_str())
                .map(shape)
                .filter(|s| !CONTROL.iter().any(|c| s.starts_with(c)))
                .collect()
        })
        .unwrap_or_default()
}

/// Checks the last answer of a run against its case; `on` names the database for messages.
fn check(case: &Case, answers: &[Value], on: &str) {
    let setup_failed = answers
        .iter()
        .take(case.setup.len())
        .find(|a| a["ok"] != true);
    assert!(
        setup_failed.is_none(),
        "{on}, {}: a setup statement failed: {setup_failed:?}",
        case.rule
    );
    let answer = answers
        .get(case.setup.len())
        .unwrap_or_else(|| panic!("{on}, {}: no answer for {}", case.rule, case.input));
    assert_eq!(answer["input"], case.input, "{on}, {}", case.rule);
    let kind = if answer["ok"] == true {
        answer["result"]["kind"].as_str().unwrap_or("")
    } else {
        "error"
    };
    assert_eq!(kind, case.kind, "{on}, {}: {answer}", case.rule);
    assert_eq!(
        shapes(answer),
        case.sends,
        "{on}, {}: {} sends what SQLAlchemy sends: {answer}",
        case.rule,
        case.input
    );
    if let Some(value) = &case.value {
        assert_eq!(&answer["result"]["value"], value, "{on}, {}", case.rule);
    }
}

fn statements(case: &Case) -> Vec<&'static str> {
    case.setup.iter().copied().chain([case.input]).collect()
}

#[test]
fn shape_reads_verb_and_table() {
    assert_eq!(
        shape("SELECT * FROM students WHERE id = 13"),
        "SELECT students"
    );
    assert_eq!(
        shape("SELECT clubs.* FROM clubs JOIN memberships ON memberships.club_id = clubs.id"),
        "SELECT clubs"
    );
    assert_eq!(
        shape("INSERT INTO classes (student_id, name) VALUES (13, 'x') RETURNING id"),
        "INSERT classes"
    );
    assert_eq!(
        shape("UPDATE students SET name = 'Ann' WHERE id = 13"),
        "UPDATE students"
    );
    assert_eq!(
        shape("DELETE FROM memberships WHERE club_id = 3"),
        "DELETE memberships"
    );
    assert_eq!(
        shape("SELECT count(*) FROM \"ormscope\".\"classes\""),
        "SELECT classes"
    );
}

#[test]
fn each_rule_on_sqlite() {
    for case in cases() {
        check(&case, &mem(&statements(&case)).out, "SQLite");
    }
}

#[test]
fn each_rule_on_postgresql() {
    let server = pg::server();
    let url = server.url();
    for case in cases() {
        let mut args = vec!["--db", url.as_str(), "--reset", "--json"];
        for statement in statements(&case) {
            args.extend(["-e", statement]);
        }
        check(&case, &run_args(&args, true).out, "PostgreSQL");
    }
}

#[test]
fn the_seed_append_shows_the_loads_then_the_insert() {
    let run =
        mem(&["students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})"]);
    let shown: Vec<&str> = run.out[0]["sql"]
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["display"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        shown,
        [
            "SELECT * FROM students WHERE id = 13",
            "SELECT * FROM classes WHERE student_id = 13",
            "INSERT INTO classes (student_id, name, abbreviation) VALUES (13, 'Biology 301', 'BI301')",
        ]
    );
    assert_eq!(
        run.out[0]["sqlalchemy"],
        "student = session.get(Student, 13)\nstudent.classes.append(Class(name='Biology 301', abbreviation='BI301'))\nsession.commit()"
    );
}

#[test]
fn count_and_len_are_spelled_as_what_they_send() {
    let run = mem(&[
        "students[13].classes.count()",
        "len(students[13].classes)",
        "len(students)",
    ]);
    assert_eq!(
        run.out[0]["sqlalchemy"],
        "session.scalar(select(func.count()).select_from(Class).where(Class.student_id == 13))"
    );
    assert_eq!(
        run.out[1]["sqlalchemy"],
        "len(session.get(Student, 13).classes)"
    );
    assert_eq!(
        run.out[2]["sqlalchemy"],
        "len(session.scalars(select(Student)).all())"
    );
    assert_eq!(shapes(&run.out[2]), ["SELECT students"]);
    assert_eq!(run.out[2]["result"]["value"], 40);
}

#[test]
fn a_missing_object_is_not_found_by_its_load_and_nothing_is_written() {
    let run = mem(&["students[999].name = 'Ann'", "students[999].delete()"]);
    for answer in &run.out {
        assert_eq!(answer["ok"], false, "{answer}");
        assert_eq!(answer["error"]["kind"], "not_found", "{answer}");
        assert_eq!(shapes(answer), ["SELECT students"], "{answer}");
    }
}

/// The statement a cost note names (`... : students.where(id == 13).update(name='Ann') sends
/// just that`).
fn named_statement(note: &str) -> Option<&str> {
    note.rsplit_once(": ")?.1.strip_suffix(" sends just that")
}

#[test]
fn the_cost_note_names_a_statement_that_sends_only_the_work() {
    let cases = [
        ("students[13].classes", "SELECT classes"),
        ("students[13].clubs", "SELECT clubs"),
        ("students[13].name = 'Ann'", "UPDATE students"),
        ("students[13].update(year=3, name='Ann')", "UPDATE students"),
        ("students[14].delete()", "DELETE students"),
    ];
    for (input, work) in cases {
        let answer = &mem(&[input]).out[0];
        let notes: Vec<&str> = answer["notes"]
            .as_array()
            .map(|n| n.iter().filter_map(|n| n.as_str()).collect())
            .unwrap_or_default();
        let named = notes
            .iter()
            .find_map(|n| named_statement(n))
            .unwrap_or_else(|| {
                panic!("{input}: no note names the statement of the work: {answer}")
            });
        assert!(shapes(answer).len() > 1, "{input} loads first: {answer}");
        let alone = &mem(&[named]).out[0];
        assert_eq!(alone["ok"], true, "{named}: {alone}");
        assert_eq!(
            shapes(alone),
            [work],
            "{named} sends only the work: {alone}"
        );
        assert_eq!(
            shapes(answer).last().map(String::as_str),
            Some(work),
            "{input}: its last statement is the work"
        );
    }
    let answer =
        &mem(&["students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})"])
            .out[0];
    assert!(
        answer["notes"]
            .as_array()
            .is_some_and(|n| n.iter().any(|n| n.as_str().is_some_and(
                |t| t.ends_with("classes.add({..., 'student_id': 13}) sends just that")
            ))),
        "{answer}"
    );
    let alone =
        &mem(&["classes.add({'name': 'Biology 301', 'abbreviation': 'BI301', 'student_id': 13})"])
            .out[0];
    assert_eq!(shapes(alone), ["INSERT classes"], "{alone}");
}

#[test]
fn a_held_object_costs_nothing_so_no_cost_note() {
    let run = mem(&["s = students[13]", "s.classes", "s.name = 'Ann'"]);
    for answer in &run.out[1..] {
        let notes = answer["notes"].to_string();
        assert!(!notes.contains("SQL alone needs"), "{answer}");
    }
}
