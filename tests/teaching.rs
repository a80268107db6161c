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
        orm.contains(
            "advisor: Mapped[Optional[\"Teacher\"]] = relationship(back_populates=\"advisees\")"
        ),
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
            "\"members\": relationship(Student, secondary=memberships, back_populates=\"clubs\", passive_deletes=True)"
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
    let lazy = answer("for s in students.limit(5): len(s.classes)");
    assert_eq!(sql_count(&lazy), 6, "{lazy}");
    assert!(notes(&lazy).contains("N+1 queries"), "{lazy}");
    assert!(
        notes(&lazy).contains(".include(classes)"),
        "the eager form is shown: {lazy}"
    );
    let selectin = answer("for s in students.limit(5).include(classes): len(s.classes)");
    assert_eq!(sql_count(&selectin), 2, "{selectin}");
    assert!(!notes(&selectin).contains("N+1"), "{selectin}");
    assert!(
        selectin["sql"][1]["text"]
            .as_str()
            .is_some_and(|t| t.contains("WHERE student_id IN (")),
        "{selectin}"
    );
    let joined = answer("for s in students.limit(5).join_load(classes): len(s.classes)");
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
fn count_in_a_loop_asks_the_database_even_when_the_collection_is_loaded() {
    let counted = answer("for s in students.limit(5).include(classes): s.classes.count()");
    assert_eq!(
        sql_count(&counted),
        7,
        "the loop, its eager load, then 5 counts: {counted}"
    );
    let counts = counted["sql"]
        .as_array()
        .expect("sql")
        .iter()
        .skip(2)
        .filter(|s| s["text"] == "SELECT count(*) FROM classes WHERE student_id = ?")
        .count();
    assert_eq!(counts, 5, "{counted}");
    assert!(notes(&counted).contains("N+1 queries"), "{counted}");
    assert!(
        notes(&counted).contains(".count() always asks the database"),
        "{counted}"
    );
    assert!(
        notes(&counted).contains("len()"),
        "len() is advised: {counted}"
    );
    let lazy = answer("for s in students.limit(5): len(s.classes)");
    assert_eq!(counted["result"]["rows"], lazy["result"]["rows"]);
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

fn script_answers(script: &str) -> Vec<Value> {
    let output = Command::cargo_bin("ormscope")
        .expect("binary")
        .arg("--json")
        .write_stdin(script)
        .output()
        .expect("runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

const AWARD: &str = "class Award(Base):
    __tablename__ = 'awards'
    id = Column(Integer, primary_key=True)
    student_id = Column(Integer, ForeignKey('students.id'))
    title = Column(String, nullable=False)
    student = relationship('Student', backref='awards')
";

#[test]
fn a_declared_class_round_trips_through_insert_relationships_and_schema() {
    let script = format!(
        "{AWARD}\nstudents[13].awards.append({{'title': 'Best in Chemistry'}})\nstudents[13].awards\nawards[1].student.name\nstudents[13].name\n:schema awards\n"
    );
    let a = script_answers(&script);
    assert_eq!(a.len(), 6, "{a:?}");
    assert_eq!(a[0]["ok"], true, "{}", a[0]);
    assert!(
        a[0]["sql"][0]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("CREATE TABLE awards (")),
        "{}",
        a[0]
    );
    assert_eq!(a[1]["result"]["table"], "awards");
    let appended: Vec<&str> = a[1]["sql"]
        .as_array()
        .expect("sql")
        .iter()
        .filter_map(|s| s["display"].as_str())
        .collect();
    assert_eq!(
        appended,
        [
            "SELECT * FROM students WHERE id = 13",
            "SELECT * FROM awards WHERE student_id = 13",
            "INSERT INTO awards (student_id, title) VALUES (13, 'Best in Chemistry')",
        ],
        "the backref's collection is loaded before the INSERT, as any relationship's"
    );
    assert_eq!(
        a[2]["result"]["rows"],
        serde_json::json!([[1, 13, "Best in Chemistry"]])
    );
    assert_eq!(
        a[3]["result"]["value"], a[4]["result"]["value"],
        "the backref leads back to the student"
    );
    assert_eq!(a[5]["faces"].as_array().map(Vec::len), Some(3), "{}", a[5]);
    assert!(face(&a[5], "ORM").starts_with("class Award(Base):"));
}

#[test]
fn the_classical_form_maps_a_core_table() {
    let script = "awards = Table('awards', metadata, Column('id', Integer, primary_key=True), Column('student_id', Integer, ForeignKey('students.id')), Column('title', String, nullable=False))
mapper(Award, awards, properties={'student': relationship(Student, backref='awards')})
Award(title='Chess champion', student_id=2)
students[2].awards.count()
";
    let a = script_answers(script);
    assert!(a.iter().all(|v| v["ok"] == true), "{a:?}");
    assert_eq!(a[3]["result"]["value"], 1);
}

#[test]
fn bad_declarations_say_what_and_where() {
    let a = script_answers("class Award(Base):\n    __tablename__ = 'awards'\n    id = Column(Integr, primary_key=True)\n");
    assert_eq!(a[0]["error"]["kind"], "name");
    assert!(
        a[0]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("did you mean 'Integer'")),
        "{}",
        a[0]
    );
    assert_eq!(
        (
            a[0]["error"]["line"].clone(),
            a[0]["error"]["column"].clone()
        ),
        (serde_json::json!(3), serde_json::json!(17))
    );
    let a = script_answers(
        "class Award(Base):\n    __tablename__ = 'awards'\n    title = Column(String)\n",
    );
    assert!(
        a[0]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no primary key")),
        "{}",
        a[0]
    );
    let a = script_answers("class Pupil(Base):\n    __tablename__ = 'students'\n    id = Column(Integer, primary_key=True)\n");
    assert!(
        a[0]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("already a table")),
        "{}",
        a[0]
    );
    let a = script_answers(&format!("{AWARD}\nstudents.count()\n").replace("'Student'", "'Pupil'"));
    assert_eq!(a[0]["error"]["kind"], "name", "{}", a[0]);
    assert_eq!(
        a[1]["ok"], true,
        "a failed declaration leaves the session working"
    );
}

fn run_all(statements: &[&str]) -> Vec<Value> {
    let mut cmd = Command::cargo_bin("ormscope").expect("binary");
    cmd.arg("--json");
    for s in statements {
        cmd.args(["-e", s]);
    }
    let output = cmd.output().expect("runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect()
}

#[test]
fn the_identity_map_answers_without_sql_while_a_name_holds_the_object_until_expired() {
    let a = run_all(&[
        "session.begin()",
        "s = students[13]",
        "students[13].name",
        "students[14]",
        "students[14].name",
        "session.expire_all()",
        "students[13].name",
        "s.name",
    ]);
    assert_eq!(sql_count(&a[1]), 1);
    assert_eq!(sql_count(&a[2]), 0, "s holds student 13: {}", a[2]);
    assert!(
        notes(&a[2]).contains("Student 13 is already in the session: no query"),
        "{}",
        a[2]
    );
    assert_eq!(
        sql_count(&a[4]),
        1,
        "no name held student 14, so it was forgotten after its statement: {}",
        a[4]
    );
    assert_eq!(
        sql_count(&a[6]),
        1,
        "expired objects are read again: {}",
        a[6]
    );
    assert_eq!(sql_count(&a[7]), 0, "read again, it is held: {}", a[7]);
    assert_eq!(a[2]["result"], a[6]["result"]);
    assert_eq!(a[2]["result"], a[7]["result"]);
}

#[test]
fn writes_wait_in_the_unit_of_work_and_flush_parents_first() {
    let a = run_all(&[
        ":session on",
        "classes.add({'student_id': 41, 'name': 'Latin 101', 'abbreviation': 'LA101'})",
        "students.add({'name': 'Grace', 'email': 'grace@school.edu', 'year': 2})",
        "session.new",
        "session.commit()",
        "students[41].classes.count()",
    ]);
    assert!(a.iter().all(|v| v["ok"] == true), "{a:?}");
    assert_eq!(sql_count(&a[1]), 0, "nothing sent yet: {}", a[1]);
    assert_eq!(a[3]["result"]["rows"].as_array().map(Vec::len), Some(2));
    let sent: Vec<&str> = a[4]["sql"]
        .as_array()
        .expect("sql")
        .iter()
        .filter_map(|s| s["text"].as_str())
        .collect();
    assert!(
        sent[0].starts_with("INSERT INTO students"),
        "the parent first, although added second: {sent:?}"
    );
    assert!(sent[1].starts_with("INSERT INTO classes"), "{sent:?}");
    assert_eq!(sent.last().copied(), Some("COMMIT"));
    assert_eq!(a[5]["result"]["value"], 1);
}

#[test]
fn a_query_flushes_pending_changes_first_and_rollback_discards_them() {
    let a = run_all(&[
        "session.begin()",
        "students[13].name = 'Ann'",
        "students.where(name == 'Ann').count()",
        "session.rollback()",
        "students[13].name",
    ]);
    assert!(
        notes(&a[1]).contains("pending in session.dirty"),
        "{}",
        a[1]
    );
    assert_eq!(a[2]["result"]["value"], 1);
    assert!(notes(&a[2]).contains("autoflush"), "{}", a[2]);
    assert_ne!(a[4]["result"]["value"], "Ann", "rolled back: {}", a[4]);
    let deleted = run_all(&[
        "session.begin()",
        "students[13].delete()",
        "session.deleted",
        "session.rollback()",
        "students.count()",
    ]);
    assert_eq!(
        deleted[2]["result"]["rows"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(deleted[4]["result"]["value"], 40);
}

#[test]
fn after_a_commit_session_mode_begins_again_so_rollback_still_undoes() {
    let a = run_all(&[
        ":session on",
        "session.commit()",
        "students[14].name = 'Bob'",
        "students[14].name",
        "session.rollback()",
        "students[14].name",
    ]);
    assert_eq!(a[3]["result"]["value"], "Bob");
    assert!(
        a[2]["sql"][0]["text"] == "BEGIN",
        "a new transaction is begun: {}",
        a[2]
    );
    assert_ne!(a[5]["result"]["value"], "Bob", "{}", a[5]);
}

#[test]
fn a_failed_flush_leaves_nothing_and_keeps_everything_pending() {
    // Student 14 is changed before Zed is added: loading it autoflushes nothing, so the flush
    // sends both changes. s holds student 15, so deleting it later needs no query (which would
    // autoflush and fail again).
    let a = run_all(&[
        ":session on",
        "s = students[15]",
        "students[14].year = 9",
        "students.add({'name': 'Zed', 'email': 'z@z', 'year': 2})",
        "session.flush()",
        ":sql SELECT count(*) FROM students WHERE email = 'z@z'",
        "session.new",
        "s.delete()",
        "students.count()",
        "session.deleted",
    ]);
    assert_eq!(a[4]["error"]["kind"], "constraint", "{}", a[4]);
    assert_eq!(
        a[5]["result"]["rows"],
        serde_json::json!([[0]]),
        "nothing of the failed flush stays"
    );
    assert_eq!(
        a[6]["result"]["rows"].as_array().map(Vec::len),
        Some(1),
        "still pending: {}",
        a[6]
    );
    assert_eq!(sql_count(&a[7]), 0, "{}", a[7]);
    assert_eq!(
        a[8]["error"]["kind"], "constraint",
        "its autoflush fails: {}",
        a[8]
    );
    assert_eq!(
        a[9]["result"]["rows"].as_array().map(Vec::len),
        Some(1),
        "a failed query keeps the pending delete: {}",
        a[9]
    );
}

#[test]
fn declarations_wait_for_the_end_of_a_transaction() {
    let a = script_answers(&format!(
        "begin\n{AWARD}\nrollback\n{AWARD}\nstudents[13].awards.count()\n"
    ));
    assert_eq!(a[1]["error"]["kind"], "sql", "{}", a[1]);
    assert_eq!(a[3]["ok"], true, "{}", a[3]);
    assert_eq!(a[4]["result"]["value"], 0);
}

#[test]
fn join_load_groups_by_the_key_wherever_it_stands() {
    let script = "class Prize(Base):\n    __tablename__ = 'prizes'\n    title = Column(String)\n    id = Column(Integer, primary_key=True)\n    student_id = Column(Integer, ForeignKey('students.id'))\n    student = relationship('Student', backref='prizes')\n\nstudents[1].prizes.append({'title': 'same'})\nstudents[2].prizes.append({'title': 'same'})\nfor p in prizes.join_load(student): p.student.name\nfor p in prizes.include(student): p.student.name\n";
    let a = script_answers(script);
    assert!(a.iter().all(|v| v["ok"] == true), "{a:?}");
    assert_eq!(a[3]["result"]["rows"], a[4]["result"]["rows"]);
}
