//! SQLAlchemy spelled as SQLAlchemy, read in ("In"): each SQLAlchemy 2.x or
//! 1.x spelling gives the same SQL and the same result as its short form, run by the real
//! binary on a fresh School; where SQLAlchemy behaves differently (`session.get` of a missing
//! key is None), ormscope does as SQLAlchemy does.

mod common;

use common::*;
use serde_json::{json, Value};

/// The answer to the last of `setup` then `stmt`, on a fresh in-memory School.
fn answer(setup: &[&str], stmt: &str) -> Value {
    let mut all: Vec<&str> = setup.to_vec();
    all.push(stmt);
    let run = mem(&all);
    assert_eq!(
        run.out.len(),
        all.len(),
        "one answer per statement: {run:?}"
    );
    for (i, a) in run.out.iter().enumerate().take(setup.len()) {
        assert_eq!(a["ok"], json!(true), "setup {:?} failed: {a}", setup[i]);
    }
    run.out.last().cloned().unwrap_or(Value::Null)
}

/// The SQL an answer sent, as `(text, params)` pairs.
fn sent(v: &Value) -> Vec<(Value, Value)> {
    v["sql"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|s| (s["text"].clone(), s["params"].clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// `spelling` succeeds, and gives the same SQL and result as `short`.
fn same_with(setup: &[&str], spelling: &str, short: &str) -> Value {
    let a = answer(setup, spelling);
    let b = answer(setup, short);
    assert_eq!(a["ok"], json!(true), "{spelling} should succeed: {a}");
    assert_eq!(b["ok"], json!(true), "{short} should succeed: {b}");
    assert!(
        !sent(&b).is_empty() || setup.iter().any(|s| s.contains("begin")),
        "{short} sends SQL"
    );
    assert_eq!(sent(&a), sent(&b), "same SQL for {spelling} and {short}");
    assert_eq!(
        a["result"], b["result"],
        "same result for {spelling} and {short}"
    );
    a
}

fn same(spelling: &str, short: &str) -> Value {
    same_with(&[], spelling, short)
}

#[test]
fn the_done_when_query_gives_the_short_form_s_sql_and_rows() {
    let v = same(
        "session.scalars(select(Student).where(Student.year == 2).order_by(Student.name)).all()",
        "students.where(year == 2).order_by(name)",
    );
    assert_eq!(
        v["sql"][0]["display"],
        json!("SELECT * FROM students WHERE year = 2 ORDER BY name")
    );
    assert_eq!(kind(&v), "rows");
    assert_eq!(v["result"]["rows"].as_array().map(Vec::len), Some(6));
}

#[test]
fn sqlalchemy_2_reading_spellings() {
    same("session.get(Student, 13)", "students[13]");
    same(
        "session.scalars(select(Student).where(Student.year == 2).order_by(Student.name.desc())).all()",
        "students.where(year == 2).order_by(-name)",
    );
    same(
        "session.execute(select(Student.name, Student.email).where(Student.year == 2)).all()",
        "students.where(year == 2).select(name, email)",
    );
    same(
        "session.scalar(select(func.count()).select_from(Student).where(Student.year == 2))",
        "students.where(year == 2).count()",
    );
    same(
        "session.scalar(select(func.sum(Class.credits)))",
        "classes.sum(credits)",
    );
    same(
        "session.scalars(select(Student).where(Student.year == 3).limit(2).offset(1)).all()",
        "students.where(year == 3).limit(2).offset(1)",
    );
    same(
        "session.scalars(select(Student).where(Student.year == 3)).first()",
        "students.where(year == 3).first()",
    );
    same(
        "session.scalars(select(Teacher.department).distinct()).all()",
        "teachers.select(department).distinct()",
    );
    same(
        "session.execute(select(Student.year, func.count()).group_by(Student.year)).all()",
        "students.group_by(year).count()",
    );
}

#[test]
fn sqlalchemy_1_query_chains() {
    same(
        "session.query(Student).filter(Student.year == 2).order_by(Student.id).limit(3).all()",
        "students.where(year == 2).order_by(id).limit(3)",
    );
    same(
        "session.query(Student).filter(Student.year == 2).first()",
        "students.where(year == 2).first()",
    );
    same(
        "session.query(Student).filter(Student.id == 3).one()",
        "students.where(id == 3).one()",
    );
    same(
        "session.query(Student).filter_by(year=9).one_or_none()",
        "students.filter_by(year=9).one_or_none()",
    );
    same(
        "session.query(Student).filter(Student.year == 2).count()",
        "students.where(year == 2).count()",
    );
    same("session.query(Student).get(13)", "students[13]");
    same(
        "session.query(Student).order_by(Student.name).all()[2]",
        "students.order_by(name).offset(2).first()",
    );
    same(
        "session.query(Student).filter(Student.year == 2).offset(2).limit(1).all()",
        "students.where(year == 2).offset(2).limit(1)",
    );
}

#[test]
fn qualified_columns_stand_wherever_a_column_stands() {
    same(
        "Student.filter(Student.year == 2)",
        "students.where(year == 2)",
    );
    same(
        "students.where(Student.year == 2)",
        "students.where(year == 2)",
    );
    same(
        "students.order_by(Student.name.desc())",
        "students.order_by(-name)",
    );
    same(
        "students.where(year == 2).select(Student.name)",
        "students.where(year == 2).select(name)",
    );
    same(
        "session.execute(select(Student.name, Student.year * 10).where(Student.id < 3)).all()",
        "students.where(id < 3).select(name, year * 10)",
    );
    same(
        "classes.where(grade is None).update(credits=Class.credits + 1)",
        "classes.where(grade is None).update(credits=credits + 1)",
    );
}

#[test]
fn relationship_tests_any_and_has() {
    same(
        "session.scalars(select(Student).where(Student.classes.any(Class.credits >= 4))).all()",
        "students.where(classes.any(credits >= 4))",
    );
    same(
        "select(Student).where(Student.advisor.has(Teacher.department == 'Arts'))",
        "students.where(advisor.department == 'Arts')",
    );
}

#[test]
fn column_tests_and_boolean_helpers() {
    same(
        "students.where(Student.name.ilike('a%'))",
        "students.where(name.like('a%'))",
    );
    same(
        "students.where(Student.id.in_([1, 2, 3]))",
        "students.where(id in [1, 2, 3])",
    );
    same(
        "students.where(Student.year.not_in([1, 2]))",
        "students.where(year not in [1, 2])",
    );
    same(
        "students.where(Student.advisor_id.is_(None))",
        "students.where(advisor_id is None)",
    );
    same(
        "students.where(Student.advisor_id.is_not(None))",
        "students.where(advisor_id is not None)",
    );
    same(
        "students.where(Student.year.between(2, 3))",
        "students.where(year.between(2, 3))",
    );
    same(
        "students.where(and_(Student.year == 2, or_(Student.id < 20, not_(Student.advisor_id == 1))))",
        "students.where(year == 2 and (id < 20 or not advisor_id == 1))",
    );
}

#[test]
fn writes_in_sqlalchemy_spelling() {
    same(
        "session.add(Student(name='Ada', email='ada@school.edu', year=1))",
        "Student(name='Ada', email='ada@school.edu', year=1)",
    );
    same(
        "session.execute(update(Student).where(Student.year == 4).values(year=Student.year - 1))",
        "students.where(year == 4).update(year=year - 1)",
    );
    same(
        "session.query(Student).filter(Student.year == 4).update({'year': Student.year - 1})",
        "students.where(year == 4).update(year=year - 1)",
    );
    same(
        "session.execute(delete(Class).where(Class.grade == None))",
        "classes.where(grade is None).delete()",
    );
    same(
        "session.execute(insert(Club).values(name='Go'))",
        "clubs.create(name='Go')",
    );
}

#[test]
fn add_all_adds_every_object_as_one_answer() {
    let v = answer(&[], "session.add_all([Club(name='Go'), Club(name='Art')])");
    assert_eq!(v["ok"], json!(true), "{v}");
    assert_eq!(v["result"]["kind"], json!("write"));
    assert_eq!(v["result"]["affected"], json!(2));
    assert_eq!(v["result"]["table"], json!("clubs"));
    assert_eq!(v["sql"].as_array().map(Vec::len), Some(2));
}

#[test]
fn session_delete_and_the_short_form_both_read_the_object_then_delete_it() {
    let v = same(
        "session.delete(session.get(Student, 13))",
        "students[13].delete()",
    );
    assert_eq!(
        sent(&v),
        vec![
            (json!("SELECT * FROM students WHERE id = ?"), json!([13])),
            (json!("DELETE FROM students WHERE id = ?"), json!([13])),
        ]
    );
}

#[test]
fn session_verbs_in_session_mode_are_the_short_forms() {
    let begun = [
        "session.begin()",
        "Student(name='Ada', email='ada@school.edu', year=1)",
    ];
    same_with(&begun, "session.commit()", "commit");
    same_with(&begun, "session.rollback()", "rollback");
    same_with(&begun, "session.flush()", "session.flush()");
    let pending = answer(
        &["session.begin()"],
        "session.add(Student(name='Ada', email='ada@school.edu', year=1))",
    );
    assert_eq!(
        pending["sql"],
        json!([]),
        "pending in session mode: {pending}"
    );
    assert!(pending["notes"][0]
        .as_str()
        .is_some_and(|n| n.contains("session.new")));
    let both = answer(
        &["session.begin()"],
        "session.add_all([Club(name='Go'), Club(name='Art')])",
    );
    assert_eq!(both["ok"], json!(true), "{both}");
    assert_eq!(both["sql"], json!([]), "both pending: {both}");
    assert_eq!(both["notes"].as_array().map(Vec::len), Some(2));
}

#[test]
fn session_commit_outside_session_mode_has_nothing_to_do() {
    let v = answer(&[], "session.commit()");
    assert_eq!(v["ok"], json!(true), "{v}");
    assert_eq!(v["result"]["kind"], json!("none"));
    let v = answer(&["begin", "students[1].year = 2"], "session.rollback()");
    assert_eq!(v["sql"][0]["text"], json!("ROLLBACK"));
}

#[test]
fn len_and_positions_of_a_relationship_load_it_and_work_in_python() {
    let loads = vec![
        (json!("SELECT * FROM students WHERE id = ?"), json!([13])),
        (
            json!("SELECT * FROM classes WHERE student_id = ?"),
            json!([13]),
        ),
    ];
    let v = same(
        "len(session.get(Student, 13).classes)",
        "len(students[13].classes)",
    );
    assert_eq!(kind(&v), "value");
    assert_eq!(sent(&v), loads);
    // count() gives the same number from the database: one count(*), nothing loaded.
    let counted = answer(&[], "students[13].classes.count()");
    assert_eq!(counted["result"], v["result"]);
    assert_eq!(
        sent(&counted),
        vec![(
            json!("SELECT count(*) FROM classes WHERE student_id = ?"),
            json!([13])
        )]
    );
    let first = same(
        "session.get(Student, 13).classes[0]",
        "students[13].classes[0]",
    );
    assert_eq!(kind(&first), "object");
    assert_eq!(sent(&first), loads);
    // first() is a query of its own: one SELECT with LIMIT 1, for the same row.
    let query = answer(&[], "students[13].classes.first()");
    assert_eq!(query["result"], first["result"]);
    assert_eq!(
        query["sql"][0]["display"],
        json!("SELECT * FROM classes WHERE student_id = 13 LIMIT 1")
    );
    let second = answer(&[], "students[13].classes[1]");
    assert_eq!(sent(&second), loads);
    assert_ne!(second["result"]["row"], first["result"]["row"]);
}

#[test]
fn a_position_past_the_end_teaches_the_rule_for_brackets() {
    let db = Db::new();
    let v = db.fails("students[13].classes[40]", "not_found");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("position"), "{message}");
    assert!(
        message.contains("classes[40]"),
        "the key reading is named: {message}"
    );
    let v = db.fails("students[13].classes['x']", "type");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("position"));
}

#[test]
fn loader_options_are_include_and_join_load() {
    same(
        "session.scalars(select(Student).options(selectinload(Student.classes)).where(Student.year == 2)).all()",
        "students.include(classes).where(year == 2)",
    );
    same(
        "session.scalars(select(Student).options(joinedload(Student.advisor)).where(Student.year == 2)).all()",
        "students.join_load(advisor).where(year == 2)",
    );
}

#[test]
fn sqlalchemy_spellings_behave_as_sqlalchemy_does() {
    let none = answer(&[], "session.get(Student, 999)");
    assert_eq!(none["ok"], json!(true), "{none}");
    assert_eq!(kind(&none), "none");
    let db = Db::new();
    db.fails("students[999]", "not_found");
    db.fails(
        "session.query(Student).filter(Student.year == 9).one()",
        "not_found",
    );
    let v = db.ok("session.query(Student).filter(Student.year == 9).one_or_none()");
    assert_eq!(kind(&v), "none");
    let v = db.ok("session.scalar(select(Student).where(Student.year == 9))");
    assert_eq!(kind(&v), "none");
    let v = db.ok("session.scalars(select(Student).where(Student.year == 9)).first()");
    assert_eq!(kind(&v), "none");
    db.fails(
        "session.query(Student).filter(Student.year == 2).one()",
        "type",
    );
}

#[test]
fn spellings_outside_ormscope_name_the_nearest_form_in_both_spellings() {
    let db = Db::new();
    for stmt in [
        "session.merge(students[13])",
        "session.refresh(students[13])",
        "session.query(Student).join(Class)",
        "sorted(students)",
        "session.execute(text('SELECT * FROM students'))",
    ] {
        let v = db.fails(stmt, "name");
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("in ormscope: `"), "{stmt}: {message}");
        assert!(!message.starts_with("no collection"), "{stmt}: {message}");
    }
    db.fails("session = students[1]", "name");
    db.fails("S = students[1]", "name");
    db.fails("sum(students.select(year))", "name");
    let v = db.fails("session.merge(students[13])", "name");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("students[13]"), "{message}");
    assert!(message.contains("session.get(Student, 13)"), "{message}");
}

/// The course judges steps by result, so SQLAlchemy's spelling of a step is accepted.
#[test]
fn lesson_steps_accept_the_sqlalchemy_spelling() {
    use ormscope::lessons::{self, check};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    let course = lessons::load(&dir).expect("the course loads");
    for (number, step, answer) in [
        (
            4,
            2,
            "session.scalar(select(func.count()).select_from(Class).where(Class.student_id == 13))",
        ),
        (12, 0, "Student.filter(Student.year == 2)"),
    ] {
        let lesson = course.lesson(number).expect("the lesson exists");
        let mut learner = check::session_before(lesson, step).expect("the step's session");
        let response = learner.run(answer);
        let verdict = check::judge(lesson, step, &response, &learner);
        assert!(
            matches!(verdict, check::Verdict::Right),
            "lesson {number} step {}: {answer}: {verdict:?}",
            step + 1
        );
    }
    // len(...) is Python's count of the loaded classes, not the database's count the step asks for.
    let lesson = course.lesson(4).expect("the lesson exists");
    let mut learner = check::session_before(lesson, 2).expect("the step's session");
    let response = learner.run("len(students[13].classes)");
    let verdict = check::judge(lesson, 2, &response, &learner);
    assert!(matches!(verdict, check::Verdict::Wrong(_)), "{verdict:?}");
}

// ------------------------------------------------ files of Chinook's and Sakila's shapes (issue 23)

/// A small file shaped like Chinook and Sakila: a link table with a composite key and no other
/// column, a composite key with another column, CamelCase and snake_case names, a view whose
/// name holds a space, a table whose name is also a natural variable name.
const SHAPED: &str = "
CREATE TABLE Track (TrackId INTEGER PRIMARY KEY, Name TEXT NOT NULL, UnitPrice NUMERIC NOT NULL);
CREATE TABLE Playlist (PlaylistId INTEGER PRIMARY KEY, Name TEXT);
CREATE TABLE PlaylistTrack (PlaylistId INTEGER NOT NULL REFERENCES Playlist(PlaylistId),
    TrackId INTEGER NOT NULL REFERENCES Track(TrackId), PRIMARY KEY (PlaylistId, TrackId));
CREATE TABLE InvoiceLine (InvoiceLineId INTEGER PRIMARY KEY,
    TrackId INTEGER NOT NULL REFERENCES Track(TrackId), UnitPrice NUMERIC NOT NULL,
    Quantity INTEGER NOT NULL);
CREATE TABLE actor (actor_id INTEGER PRIMARY KEY, first_name TEXT);
CREATE TABLE film (film_id INTEGER PRIMARY KEY, title TEXT, year INTEGER);
CREATE TABLE film_actor (actor_id INTEGER NOT NULL REFERENCES actor(actor_id),
    film_id INTEGER NOT NULL REFERENCES film(film_id), last_update TEXT,
    PRIMARY KEY (actor_id, film_id));
CREATE TABLE customer (customer_id INTEGER PRIMARY KEY, first_name TEXT, year INTEGER);
CREATE VIEW \"Order Subtotals\" AS
    SELECT InvoiceLineId AS OrderID, UnitPrice * Quantity AS Subtotal FROM InvoiceLine;
INSERT INTO Track VALUES (1, 'A', 0.99), (2, 'B', 1.99), (3, 'C', 0.99);
INSERT INTO Playlist VALUES (1, 'P1'), (2, 'P2');
INSERT INTO PlaylistTrack VALUES (1, 1), (1, 2), (2, 3);
INSERT INTO InvoiceLine VALUES (1, 1, 0.99, 2), (2, 2, 1.99, 1), (3, 3, 0.99, 3), (4, 1, 0.99, 5);
INSERT INTO actor VALUES (1, 'Pen'), (2, 'Nick');
INSERT INTO film VALUES (1, 'F1', 1), (2, 'F2', 4), (3, 'F3', 2);
INSERT INTO film_actor VALUES (1, 1, '2006-02-15'), (1, 2, '2006-02-16'), (2, 1, '2006-02-17');
INSERT INTO customer VALUES (1, 'Mary', 1), (2, 'Pat', 4), (3, 'Lin', 2);
";

/// The shaped file, in a temporary directory kept as long as the value.
struct Shaped {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl Shaped {
    fn new() -> Shaped {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("shaped.db");
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(SHAPED).expect("the fixture's SQL runs");
        Shaped { _dir: dir, path }
    }

    /// The answers to these statements, run one after another in one process.
    fn run(&self, stmts: &[&str]) -> Vec<Value> {
        let path = self.path.to_str().expect("a UTF-8 path");
        let mut args = vec!["--db", path, "--json"];
        for s in stmts {
            args.push("-e");
            args.push(s);
        }
        let run = run_args(&args, true);
        assert_eq!(run.out.len(), stmts.len(), "one answer each: {run:?}");
        run.out
    }

    /// The one answer to `stmt`, which must succeed.
    fn ok(&self, stmt: &str) -> Value {
        let v = self.run(&[stmt]).remove(0);
        assert_eq!(v["ok"], json!(true), "{stmt}: {v}");
        v
    }

    /// Rows SQLite itself gives for SQL written by hand.
    fn query(&self, sql: &str) -> Vec<Vec<Value>> {
        let conn = rusqlite::Connection::open(&self.path).expect("open");
        query_conn(&conn, sql)
    }

    /// The one value SQLite gives for SQL written by hand.
    fn scalar(&self, sql: &str) -> Value {
        self.query(sql)[0][0].clone()
    }
}

/// The rows of an answer (whole rows or chosen columns).
fn answer_rows(v: &Value) -> Vec<Vec<Value>> {
    v["result"]["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("rows expected: {v}"))
        .iter()
        .map(|r| r.as_array().cloned().unwrap_or_default())
        .collect()
}

/// Two numbers are equal to the last few digits (sums of reals).
fn same_number(got: &Value, want: &Value) {
    let (g, w) = (got.as_f64(), want.as_f64());
    assert!(
        matches!((g, w), (Some(g), Some(w)) if (g - w).abs() < 1e-9),
        "{got} != {want}"
    );
}

/// The code shown parses as Python, where python3 is there to ask.
fn python_parses(code: &str) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let Ok(mut child) = Command::new("python3")
        .args(["-c", "import ast,sys; ast.parse(sys.stdin.read())"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        return;
    };
    if let Some(stdin) = child.stdin.as_mut() {
        stdin.write_all(code.as_bytes()).expect("write to python3");
    }
    let out = child.wait_with_output().expect("python3 runs");
    assert!(
        out.status.success(),
        "not valid Python: {code}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn code(v: &Value) -> String {
    let code = v["sqlalchemy"].as_str().unwrap_or("").to_string();
    assert!(!code.starts_with("# no SQLAlchemy spelling"), "{v}");
    python_parses(&code);
    code
}

#[test]
fn a_composite_key_is_read_with_session_get_and_a_tuple() {
    let f = Shaped::new();
    let want = f.query(
        "SELECT actor_id, film_id, last_update FROM film_actor WHERE actor_id = 1 AND film_id = 2",
    );
    for stmt in [
        "film_actor[1, 2]",
        "film_actor.get(1, 2)",
        "session.get(FilmActor, (1, 2))",
        "FilmActor.get((1, 2), None)",
    ] {
        let v = f.ok(stmt);
        assert_eq!(
            vec![v["result"]["row"].as_array().cloned().unwrap_or_default()],
            want,
            "{stmt}: {v}"
        );
        assert_eq!(code(&v), "session.get(FilmActor, (1, 2))", "{stmt}");
    }
    // A key that is not there is None, as session.get gives.
    let none = f.ok("session.get(FilmActor, (2, 2))");
    assert!(f
        .query("SELECT 1 FROM film_actor WHERE actor_id = 2 AND film_id = 2")
        .is_empty());
    assert_eq!(none["result"]["kind"], json!("none"), "{none}");
    // Narrowed first: each key column is a condition.
    let v = f.ok("film_actor.where(last_update != 'x')[2, 1]");
    assert_eq!(
        code(&v),
        "session.scalars(select(FilmActor).where(FilmActor.last_update != 'x', FilmActor.actor_id == 2, FilmActor.film_id == 1)).one()"
    );
    // A link table (no class) by its key: a row of the Core table.
    let v = f.ok("PlaylistTrack[1, 2]");
    assert_eq!(
        code(&v),
        "session.execute(select(PlaylistTrack).where(PlaylistTrack.c.PlaylistId == 1, PlaylistTrack.c.TrackId == 2)).one()"
    );
}

#[test]
fn an_aggregate_of_an_expression_is_computed_by_the_database() {
    let f = Shaped::new();
    let total = f.scalar("SELECT sum(UnitPrice * Quantity) FROM InvoiceLine");
    for stmt in [
        "InvoiceLine.sum(UnitPrice * Quantity)",
        "session.scalar(select(func.sum(InvoiceLine.UnitPrice * InvoiceLine.Quantity)))",
    ] {
        let v = f.ok(stmt);
        same_number(&v["result"]["value"], &total);
        assert_eq!(
            v["sql"][0]["text"],
            json!("SELECT sum(\"UnitPrice\" * \"Quantity\") FROM \"InvoiceLine\""),
            "{v}"
        );
        assert_eq!(
            code(&v),
            "session.scalar(select(func.sum(InvoiceLine.UnitPrice * InvoiceLine.Quantity)))"
        );
    }
    let v = f.ok("InvoiceLine.where(Quantity > 1).avg(UnitPrice * Quantity)");
    same_number(
        &v["result"]["value"],
        &f.scalar("SELECT avg(UnitPrice * Quantity) FROM InvoiceLine WHERE Quantity > 1"),
    );
    code(&v);
    let v = f.ok("session.scalar(select(func.max(-InvoiceLine.Quantity)))");
    assert_eq!(
        v["result"]["value"],
        f.scalar("SELECT max(-Quantity) FROM InvoiceLine")
    );
    assert_eq!(
        code(&v),
        "session.scalar(select(func.max(-InvoiceLine.Quantity)))"
    );
    // Per group, and of a paged query (over its subquery's columns).
    let v = f.ok("InvoiceLine.group_by(TrackId).sum(UnitPrice * Quantity)");
    let want = f.query("SELECT TrackId, sum(UnitPrice * Quantity) FROM InvoiceLine GROUP BY TrackId ORDER BY TrackId");
    let got = answer_rows(&v);
    assert_eq!(got.len(), want.len(), "{v}");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g[0], w[0]);
        same_number(&g[1], &w[1]);
    }
    code(&v);
    let v = f.ok("InvoiceLine.order_by(InvoiceLineId).limit(2).sum(UnitPrice * Quantity)");
    same_number(
        &v["result"]["value"],
        &f.scalar("SELECT sum(UnitPrice * Quantity) FROM (SELECT * FROM InvoiceLine ORDER BY InvoiceLineId LIMIT 2)"),
    );
    assert!(
        code(&v).contains("func.sum(subquery.c.UnitPrice * subquery.c.Quantity)"),
        "{v}"
    );
    let v = f.ok("InvoiceLine.group_by(TrackId).having(sum(UnitPrice * Quantity) > 3)");
    assert_eq!(
        answer_rows(&v),
        f.query(
            "SELECT TrackId FROM InvoiceLine GROUP BY TrackId HAVING sum(UnitPrice * Quantity) > 3"
        )
    );
}

#[test]
fn a_plain_tables_columns_are_read_as_sqlalchemy_writes_them() {
    let f = Shaped::new();
    let stmt =
        "session.execute(select(PlaylistTrack).where(PlaylistTrack.c.PlaylistId == 1)).all()";
    let v = f.ok(stmt);
    assert_eq!(
        answer_rows(&v),
        f.query("SELECT * FROM PlaylistTrack WHERE PlaylistId = 1")
    );
    assert_eq!(code(&v), stmt);
    // The code ormscope shows for the short form is read back the same.
    let short = f.ok("PlaylistTrack.where(PlaylistId == 1)");
    assert_eq!(code(&short), stmt);
    let v = f.ok("session.execute(select(PlaylistTrack.c.TrackId).where(PlaylistTrack.c.PlaylistId == 1).order_by(PlaylistTrack.c.TrackId.desc())).all()");
    assert_eq!(
        answer_rows(&v),
        f.query("SELECT TrackId FROM PlaylistTrack WHERE PlaylistId = 1 ORDER BY TrackId DESC")
    );
    code(&v);
    let v = f.ok("session.scalar(select(func.count()).select_from(PlaylistTrack).where(PlaylistTrack.c.TrackId.in_([1, 3])))");
    assert_eq!(
        v["result"]["value"],
        f.scalar("SELECT count(*) FROM PlaylistTrack WHERE TrackId IN (1, 3)")
    );
    // A plain table's column in another collection's condition is not silently its own.
    let v = f
        .run(&["Track.where(PlaylistTrack.c.TrackId == 1)"])
        .remove(0);
    assert_eq!(v["ok"], json!(false), "{v}");
    let message = v["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with("PlaylistTrack.c.TrackId is a column of PlaylistTrack, not of Track"),
        "the refusal quotes the column as written: {message}"
    );
    assert_eq!(
        v["error"]["column"], 13,
        "the caret is under the column: {v}"
    );
}

#[test]
fn a_tuple_is_a_python_tuple_in_a_condition() {
    let f = Shaped::new();
    let want = f.query("SELECT * FROM film WHERE year IN (1, 4)");
    for stmt in [
        "film.where(year in (1, 4))",
        "session.scalars(select(Film).where(Film.year.in_((1, 4)))).all()",
    ] {
        let v = f.ok(stmt);
        assert_eq!(answer_rows(&v), want, "{stmt}");
        code(&v);
    }
    // Parentheses around one value are still only parentheses.
    let v = f.ok("film.where((year == 4))");
    assert_eq!(
        answer_rows(&v),
        f.query("SELECT * FROM film WHERE year = 4")
    );
}

#[test]
fn a_python_name_may_shadow_a_collection_in_sqlalchemys_spelling() {
    let f = Shaped::new();
    let out = f.run(&[
        "customer = session.get(Customer, 2)",
        "customer.first_name",
        "session.scalar(select(func.count()).select_from(Customer))",
        "customer = customer[1]",
    ]);
    assert_eq!(out[0]["ok"], json!(true), "{}", out[0]);
    assert_eq!(
        out[1]["result"]["value"],
        f.scalar("SELECT first_name FROM customer WHERE customer_id = 2")
    );
    assert_eq!(out[1]["sqlalchemy"], json!("customer.first_name"));
    assert_eq!(
        out[2]["result"]["value"],
        f.scalar("SELECT count(*) FROM customer")
    );
    // The short form keeps collections' names apart from variables.
    let short = f.run(&["customer = customer[1]"]).remove(0);
    assert_eq!(short["ok"], json!(false), "{short}");
}

#[test]
fn a_view_whose_name_holds_a_space_has_a_python_name() {
    let f = Shaped::new();
    let v = f.ok("Order_Subtotals.where(Subtotal > 2)");
    let ids = |rows: Vec<Vec<Value>>| rows.into_iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(answer_rows(&v)),
        ids(f.query("SELECT OrderID FROM \"Order Subtotals\" WHERE Subtotal > 2"))
    );
    let shown = code(&v);
    assert_eq!(
        shown,
        "session.execute(select(Order_Subtotals).where(Order_Subtotals.c.Subtotal > 2)).all()"
    );
    let back = f.ok(&shown);
    assert_eq!(answer_rows(&back), answer_rows(&v));
    let v = f.ok("Order_Subtotals.count()");
    assert_eq!(
        v["result"]["value"],
        f.scalar("SELECT count(*) FROM \"Order Subtotals\"")
    );
    assert_eq!(
        code(&v),
        "session.scalar(select(func.count()).select_from(Order_Subtotals))"
    );
}

#[test]
fn the_own_database_lesson_takes_a_composite_key_in_sqlalchemys_spelling() {
    use ormscope::lessons::{self, check};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    let course = lessons::load(&dir).expect("the course loads");
    let lesson = course.lesson(13).expect("the lesson exists");
    let mut learner = check::session_before(lesson, 4).expect("the step's session");
    let answer = "session.get(Copy, (4, 2))";
    let response = learner.run(answer);
    let verdict = check::judge(lesson, 4, &response, &learner);
    assert!(
        matches!(verdict, check::Verdict::Right),
        "lesson 13 step 5: {answer}: {verdict:?}"
    );
}
