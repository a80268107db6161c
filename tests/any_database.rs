//! Any SQLite database : files ormscope did not make are read, mapped with
//! automap's names, and every naming rule is navigable both ways. Expected values are read
//! from the same file with rusqlite, never copied from the program's output.

mod common;

use common::{kind, query_conn, rows, run_args, Run};
use rusqlite::Connection;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The library dataset shipped with the course.
const LIBRARY: &str = include_str!("../lessons/data/library.sql");
/// Every naming shape, odd names too.
const SHAPES: &str = include_str!("fixtures/shapes.sql");

/// A database file made from SQL outside ormscope.
struct File {
    _dir: TempDir,
    path: PathBuf,
}

impl File {
    fn from_sql(sql: &str) -> File {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("mine.db");
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch(sql).expect("the fixture's SQL runs");
        File { _dir: dir, path }
    }

    fn path_str(&self) -> &str {
        self.path.to_str().expect("a UTF-8 path")
    }

    fn run_with(&self, extra: &[&str], stmts: &[&str]) -> Run {
        let mut args = vec!["--db", self.path_str(), "--json"];
        args.extend_from_slice(extra);
        for s in stmts {
            args.push("-e");
            args.push(s);
        }
        run_args(&args, true)
    }

    fn run(&self, stmts: &[&str]) -> Run {
        self.run_with(&[], stmts)
    }

    fn query(&self, sql: &str) -> Vec<Vec<Value>> {
        let conn = Connection::open(&self.path).expect("open");
        query_conn(&conn, sql)
    }

    fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).expect("read the file")
    }
}

fn ok(v: &Value) -> &Value {
    assert_eq!(v["ok"], true, "{v}");
    &v["result"]
}

fn value(v: &Value) -> Value {
    ok(v)["value"].clone()
}

/// The rows of `table` a relationship gave equal those of `sql` (sorted).
fn same_rows(v: &Value, file: &File, sql: &str) {
    ok(v);
    let mut got = rows(v);
    let mut want = file.query(sql);
    got.sort_by_key(|r| json!(r).to_string());
    want.sort_by_key(|r| json!(r).to_string());
    assert_eq!(got, want, "{v}");
    assert!(!want.is_empty(), "the check needs rows: {sql}");
}

#[test]
fn opening_a_file_says_what_was_mapped_and_that_writes_change_it() {
    let f = File::from_sql(LIBRARY);
    let r = f.run(&["books.count()"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    let line = r.stderr.lines().next().unwrap_or("");
    for part in [
        "mapped 8 tables as 6 classes (Author, Member, Book, Tag, Copy, Loan)",
        "7 relationships",
        "1 view (read-only)",
        "visits (no primary key",
        "writes change the file (--read-only only looks)",
    ] {
        assert!(line.contains(part), "{part:?} not in {line:?}");
    }
    assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    let scaled = f.run_with(&["--scale", "5"], &["books.count()"]);
    assert!(
        scaled.stderr.contains("--scale is ignored"),
        "{}",
        scaled.stderr
    );
    assert_eq!(
        value(&scaled.out[0]),
        f.query("SELECT count(*) FROM books")[0][0]
    );
}

#[test]
fn tables_shows_real_row_counts_and_what_each_table_is() {
    let f = File::from_sql(LIBRARY);
    let r = f.run_with(&[], &[":tables"]);
    let text = r.out[0]["text"].as_str().unwrap_or("").to_string();
    let members = f.query("SELECT count(*) FROM members")[0][0].clone();
    assert!(
        text.contains(&format!("class Member           {members} rows")),
        "{text}"
    );
    assert!(text.contains("(view, read-only)"), "{text}");
    assert!(text.contains("(no primary key)"), "{text}");
    assert!(!text.contains("-1 rows"), "{text}");
}

#[test]
fn class_names_are_singular_camel_case_and_name_the_same_collection() {
    let f = File::from_sql(SHAPES);
    let r = f.run(&[
        "Category.count()",
        "categories.count()",
        "Class[1].title",
        "OrderItem.count()",
    ]);
    assert_eq!(value(&r.out[0]), json!(2));
    assert_eq!(value(&r.out[1]), json!(2));
    assert_eq!(value(&r.out[2]), json!("Pottery"));
    assert_eq!(value(&r.out[3]), json!(3));
}

#[test]
fn many_to_one_drops_id_and_one_to_many_names_the_child_table() {
    let f = File::from_sql(LIBRARY);
    let r = f.run(&[
        "loans[4].member.name",
        "members[1].loans",
        "copies[4, 1].book.title",
        "books[4].copies",
    ]);
    assert_eq!(
        value(&r.out[0]),
        f.query("SELECT m.name FROM members m JOIN loans l ON l.member_id = m.id WHERE l.id = 4")
            [0][0]
    );
    same_rows(&r.out[1], &f, "SELECT * FROM loans WHERE member_id = 1");
    assert_eq!(value(&r.out[2]), json!("One Hundred Years of Solitude"));
    same_rows(&r.out[3], &f, "SELECT * FROM copies WHERE book_id = 4");
}

#[test]
fn two_foreign_keys_to_one_table_use_the_by_rule_both_ways() {
    let f = File::from_sql(LIBRARY);
    let r = f.run(&[
        "authors[3].books_by_translator",
        "authors[2].books_by_author",
        "books[4].translator.name",
        "books[4].author.name",
    ]);
    same_rows(&r.out[0], &f, "SELECT * FROM books WHERE translator_id = 3");
    same_rows(&r.out[1], &f, "SELECT * FROM books WHERE author_id = 2");
    assert_eq!(value(&r.out[2]), json!("Gregory Rabassa"));
    assert_eq!(value(&r.out[3]), json!("Gabriel García Márquez"));
    let shapes = File::from_sql(SHAPES);
    let r = shapes.run(&["users[1].messages_by_sender", "messages[2].sender.name"]);
    same_rows(
        &r.out[0],
        &shapes,
        "SELECT * FROM messages WHERE sender_id = 1",
    );
    assert_eq!(value(&r.out[1]), json!("bob"));
}

#[test]
fn a_self_reference_uses_the_by_rule_and_conditions_read_an_alias() {
    let f = File::from_sql(LIBRARY);
    let r = f.run(&[
        "members[1].members_by_sponsor",
        "members[4].sponsor.name",
        "members.where(members_by_sponsor.count() > 1).select(name)",
        "members.where(sponsor.name == 'Ada Obi').count()",
    ]);
    same_rows(&r.out[0], &f, "SELECT * FROM members WHERE sponsor_id = 1");
    assert_eq!(value(&r.out[1]), json!("Ben Ito"));
    same_rows(
        &r.out[2],
        &f,
        "SELECT name FROM members m WHERE (SELECT count(*) FROM members c WHERE c.sponsor_id = m.id) > 1",
    );
    assert_eq!(
        value(&r.out[3]),
        f.query("SELECT count(*) FROM members WHERE sponsor_id = 1")[0][0]
    );
    let shapes = File::from_sql(SHAPES);
    let r = shapes.run(&[
        "employees[2].employees_by_manager",
        "employees[3].manager.name",
    ]);
    same_rows(
        &r.out[0],
        &shapes,
        "SELECT * FROM employees WHERE manager_id = 2",
    );
    assert_eq!(value(&r.out[1]), json!("mid"));
}

#[test]
fn a_column_not_ending_in_id_names_the_referred_table_and_clashes_get_ref() {
    let f = File::from_sql(SHAPES);
    let r = f.run(&[
        "order_items[3].category_ref.name",
        "categories[1].order_items",
        "notes[1].user_ref.name",
        "notes[1].user",
        "users[2].notes",
    ]);
    // `category` is a column of order_items, so the relationship is `category_ref`
    assert_eq!(value(&r.out[0]), json!("toys"));
    same_rows(
        &r.out[1],
        &f,
        "SELECT * FROM order_items WHERE category = 1",
    );
    assert_eq!(value(&r.out[2]), json!("bob"));
    assert_eq!(value(&r.out[3]), json!("x"));
    same_rows(&r.out[4], &f, "SELECT * FROM notes WHERE user_id = 2");
}

#[test]
fn link_tables_are_many_to_many_both_ways_and_stay_plain_tables() {
    let f = File::from_sql(LIBRARY);
    let r = f.run(&[
        "books[4].tags",
        "tags[3].books.count()",
        "book_tags.count()",
    ]);
    same_rows(
        &r.out[0],
        &f,
        "SELECT tags.* FROM tags JOIN book_tags ON book_tags.tag_id = tags.id WHERE book_id = 4",
    );
    assert_eq!(
        value(&r.out[1]),
        f.query("SELECT count(*) FROM book_tags WHERE tag_id = 3")[0][0]
    );
    assert_eq!(
        value(&r.out[2]),
        f.query("SELECT count(*) FROM book_tags")[0][0]
    );
    let shapes = File::from_sql(SHAPES);
    let r = shapes.run(&["users[1].users_by_follower", "users[1].users_by_followee"]);
    same_rows(
        &r.out[0],
        &shapes,
        "SELECT users.* FROM users JOIN follows ON followee_id = users.id WHERE follower_id = 1",
    );
    same_rows(
        &r.out[1],
        &shapes,
        "SELECT users.* FROM users JOIN follows ON follower_id = users.id WHERE followee_id = 1",
    );
}

#[test]
fn composite_keys_views_and_keyless_tables() {
    let f = File::from_sql(LIBRARY);
    let r = f.run(&[
        "copies[4, 2].shelf",
        "copies.get(4, 2).shelf",
        "copies[4]",
        "visits[1]",
        "visits.count()",
        "open_loans.count()",
        "open_loans.where(loan_id == 2).delete()",
    ]);
    let shelf = f.query("SELECT shelf FROM copies WHERE book_id = 4 AND copy_no = 2")[0][0].clone();
    assert_eq!(value(&r.out[0]), shelf);
    assert_eq!(value(&r.out[1]), shelf);
    assert_eq!(r.out[2]["error"]["kind"], "type", "{}", r.out[2]);
    assert_eq!(r.out[3]["error"]["kind"], "type", "{}", r.out[3]);
    assert_eq!(
        value(&r.out[4]),
        f.query("SELECT count(*) FROM visits")[0][0]
    );
    assert_eq!(
        value(&r.out[5]),
        f.query("SELECT count(*) FROM loans WHERE returned_on IS NULL")[0][0]
    );
    assert!(
        r.out[6]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("open_loans is a view")),
        "{}",
        r.out[6]
    );
}

#[test]
fn writes_on_a_reflected_file_are_what_sqlite_holds_afterwards() {
    let f = File::from_sql(LIBRARY);
    let r = f.run(&[
        "books[4].copies.append({'copy_no': 7, 'shelf': 'Z1'})",
        "copies[4, 1].shelf = 'Q9'",
        "books[4].tags.append(tags[6])",
        "tags[1].books.remove(books[1])",
        "members[2].sponsor = members[5]",
        "Book(title='Tove Again', author_id=6)",
        "del authors[7]",
    ]);
    for a in &r.out {
        assert_eq!(a["ok"], true, "{a}");
    }
    let q = |sql: &str| f.query(sql);
    assert_eq!(
        q("SELECT shelf FROM copies WHERE book_id = 4 ORDER BY copy_no"),
        vec![
            vec![json!("Q9")],
            vec![json!("C2")],
            vec![json!("C3")],
            vec![json!("Z1")]
        ]
    );
    assert_eq!(
        q("SELECT count(*) FROM book_tags WHERE book_id = 4 AND tag_id = 6"),
        vec![vec![json!(1)]]
    );
    assert_eq!(
        q("SELECT count(*) FROM book_tags WHERE book_id = 1 AND tag_id = 1"),
        vec![vec![json!(0)]]
    );
    assert_eq!(
        q("SELECT sponsor_id FROM members WHERE id = 2"),
        vec![vec![json!(5)]]
    );
    let new_id = ok(&r.out[5])["id"].clone();
    assert_eq!(
        q(&format!(
            "SELECT title, author_id FROM books WHERE id = {new_id}"
        )),
        vec![vec![json!("Tove Again"), json!(6)]]
    );
    // ON DELETE CASCADE: the author's books went, and their copies and loans with them
    assert_eq!(
        q("SELECT count(*) FROM books WHERE author_id = 7"),
        vec![vec![json!(0)]]
    );
    assert_eq!(kind(&r.out[6]), "write");
    assert_eq!(ok(&r.out[6])["cascaded"]["books"], json!(2), "{}", r.out[6]);
}

#[test]
fn odd_names_are_reached_by_class_or_by_their_plain_spelling() {
    let f = File::from_sql(SHAPES);
    let before = f.bytes();
    let r = f.run(&[
        "order_lines.count()",
        "OrderLine[1].select",
        "order_lines.where(select == 'b').count()",
        "class_[1].élèves.count()",
        "Élèves[1].class_.where",
        "count.count()",
        "count[1].n",
        "order_lines.where(line_no > 1).select(line_no, from)",
    ]);
    assert_eq!(value(&r.out[0]), json!(2));
    assert_eq!(value(&r.out[1]), json!("a"));
    assert_eq!(value(&r.out[2]), json!(1));
    assert_eq!(value(&r.out[3]), json!(1));
    assert_eq!(value(&r.out[4]), json!("here"));
    assert_eq!(value(&r.out[5]), json!(1));
    assert_eq!(value(&r.out[6]), json!(5));
    assert_eq!(rows(&r.out[7]), vec![vec![json!(2), json!(3)]]);
    assert!(
        r.stderr
            .contains("pair_notes(a, b) (a foreign key of several columns"),
        "{}",
        r.stderr
    );
    assert_eq!(f.bytes(), before, "reading changed the file");
}

#[test]
fn files_that_are_not_databases_give_a_clear_io_error_and_stay_as_they_were() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = dir.path().join("notadb.txt");
    std::fs::write(&text, "hello, I am not a database\n").expect("write");
    for path in [text.to_str().unwrap_or(""), "/"] {
        let r = run_args(&["--db", path, "--json", "-e", "students"], true);
        assert_eq!(r.status, 1, "{}", r.stderr);
        assert_eq!(r.out[0]["error"]["kind"], "io", "{}", r.out[0]);
        assert!(r.stderr.contains(path), "{}", r.stderr);
    }
    assert_eq!(
        std::fs::read_to_string(&text).unwrap_or_default(),
        "hello, I am not a database\n"
    );
    let r = run_args(&["--db", "/", "-e", "x"], false);
    assert!(r.stderr.contains("is a folder"), "{}", r.stderr);
}

#[test]
fn a_school_file_keeps_the_schools_names_and_says_nothing() {
    let db = common::Db::new();
    let r = db.run(&["teachers[1].advisees.count()", "clubs[1].members.count()"]);
    assert_eq!(r.stderr, "");
    let conn = Connection::open(&db.path).expect("open");
    assert_eq!(
        value(&r.out[0]),
        query_conn(&conn, "SELECT count(*) FROM students WHERE advisor_id = 1")[0][0]
    );
    assert_eq!(
        value(&r.out[1]),
        query_conn(&conn, "SELECT count(*) FROM memberships WHERE club_id = 1")[0][0]
    );
}

fn award_script(dir: &Path) -> PathBuf {
    let script = dir.join("award.orm");
    std::fs::write(
        &script,
        "class Award(Base):\n    __tablename__ = 'awards'\n    id = Column(Integer, primary_key=True)\n    title = Column(String, nullable=False)\n    member_id = Column(Integer, ForeignKey('members.id'))\n    member = relationship('Member', backref='prizes')\n\nmembers[3].prizes.append({'title': 'Most books read'})\n",
    )
    .expect("write the script");
    script
}

#[test]
fn a_declared_class_is_there_with_its_relationships_after_a_restart() {
    let f = File::from_sql(LIBRARY);
    let script = award_script(f.path.parent().unwrap_or(Path::new(".")));
    let r = run_args(
        &[
            "--db",
            f.path_str(),
            "--json",
            script.to_str().unwrap_or(""),
        ],
        true,
    );
    assert_eq!(r.status, 0, "{:?}", r.out);
    let again = f.run(&[
        "members[3].prizes",
        "awards[1].member.name",
        "Award.count()",
    ]);
    same_rows(
        &again.out[0],
        &f,
        "SELECT * FROM awards WHERE member_id = 3",
    );
    assert_eq!(value(&again.out[1]), json!("Cleo Park"));
    assert_eq!(value(&again.out[2]), json!(1));
}

#[test]
fn declaring_a_class_over_an_existing_table_maps_it() {
    let f = File::from_sql(LIBRARY);
    let script = f.path.parent().unwrap_or(Path::new(".")).join("writer.orm");
    std::fs::write(
        &script,
        "class Writer(Base):\n    __tablename__ = 'authors'\n    id = Column(Integer, primary_key=True)\n    name = Column(String)\n    works = relationship('Book', backref='writer')\n\nWriter[2].works.count()\n",
    )
    .expect("write");
    let r = run_args(
        &[
            "--db",
            f.path_str(),
            "--json",
            script.to_str().unwrap_or(""),
        ],
        true,
    );
    assert_eq!(r.out[0]["ok"], true, "{}", r.out[0]);
    assert_eq!(
        value(&r.out[1]),
        f.query("SELECT count(*) FROM books WHERE author_id = 2")[0][0]
    );
    let again = f.run(&["books[1].writer.name", "Writer[1].name"]);
    assert_eq!(value(&again.out[0]), json!("Ursula K. Le Guin"));
    assert_eq!(value(&again.out[1]), json!("Ursula K. Le Guin"));
}

#[test]
fn a_file_of_300_tables_opens_quickly() {
    let mut sql = String::from("CREATE TABLE t0 (id INTEGER PRIMARY KEY, name TEXT);\n");
    for i in 1..300 {
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, \
             parent_id INTEGER REFERENCES t{p}(id), other_id INTEGER REFERENCES t0(id));\n",
            p = i - 1
        ));
    }
    let f = File::from_sql(&sql);
    let options = ormscope::session::Options {
        db_path: Some(f.path.clone()),
        ..Default::default()
    };
    let start = std::time::Instant::now();
    let session = ormscope::session::Session::open(options).expect("opens");
    let took = start.elapsed();
    assert_eq!(session.registry().mappers().len(), 300);
    let limit = if cfg!(debug_assertions) { 2.0 } else { 0.2 };
    assert!(
        took.as_secs_f64() < limit,
        "opening 300 tables took {took:?} (limit {limit} s)"
    );
}

#[test]
fn reset_on_a_file_asks_first_at_the_prompt_naming_the_file() {
    use expectrl::session::OsSession;
    use expectrl::{Eof, Expect};
    let db = common::Db::new();
    let conn = Connection::open(&db.path).expect("open");
    conn.execute("UPDATE teachers SET name = 'X' WHERE id = 1", [])
        .expect("change the file");
    drop(conn);
    let home = tempfile::tempdir().expect("temp dir");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ormscope"));
    cmd.args(["--db", db.path_str()])
        .env("XDG_DATA_HOME", home.path())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut p = OsSession::spawn(cmd).expect("the binary starts on a pty");
    p.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
    let ready = |p: &mut OsSession| {
        p.expect("orm> ").expect("the prompt");
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    ready(&mut p);
    p.send_line(":reset").expect("typed");
    p.expect(format!("rewrite {} with a fresh School?", db.path_str()).as_str())
        .expect("it asks, naming the file");
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send_line("n").expect("no");
    p.expect("nothing was changed")
        .expect("a no changes nothing");
    assert_eq!(
        db.scalar("SELECT name FROM teachers WHERE id = 1"),
        json!("X")
    );
    ready(&mut p);
    p.send_line(":reset").expect("typed");
    p.expect("fresh School?").expect("asks again");
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send_line("y").expect("yes");
    p.expect("holds a fresh School again")
        .expect("a yes rewrites");
    ready(&mut p);
    p.send("\x04").expect("Ctrl-D");
    p.expect(Eof).expect("the program ends");
    let fresh = common::Db::new();
    assert_eq!(
        db.scalar("SELECT name FROM teachers WHERE id = 1"),
        fresh.scalar("SELECT name FROM teachers WHERE id = 1")
    );
}

/// Statements on the library, each with SQLAlchemy's own code for the same work (models with
/// the names automap chose, in tests/fixtures/library_oracle.py), and what to compare.
const SQLALCHEMY_CASES: &[(&str, &str, &str)] = &[
    ("books[4].tags", "result = session.get(Book, 4).tags", "rows"),
    ("tags[3].books", "result = session.get(Tag, 3).books", "rows"),
    (
        "authors[3].books_by_translator",
        "result = session.get(Author, 3).books_by_translator",
        "rows",
    ),
    (
        "authors[2].books_by_author",
        "result = session.get(Author, 2).books_by_author",
        "rows",
    ),
    ("books[5].translator", "result = session.get(Book, 5).translator", "object"),
    (
        "members[1].members_by_sponsor",
        "result = session.get(Member, 1).members_by_sponsor",
        "rows",
    ),
    ("members[6].sponsor", "result = session.get(Member, 6).sponsor", "object"),
    ("copies[4, 2]", "result = session.get(Copy, (4, 2))", "object"),
    ("copies.get(8, 1).book", "result = session.get(Copy, (8, 1)).book", "object"),
    ("members[2].loans", "result = session.get(Member, 2).loans", "rows"),
    (
        "members.where(members_by_sponsor.any()).select(name)",
        "result = session.execute(select(Member.name).where(Member.members_by_sponsor.any())).all()",
        "rows",
    ),
    (
        "members.where(sponsor.name == 'Ada Obi').count()",
        "result = session.scalar(select(func.count()).select_from(Member).where(Member.sponsor.has(Member.name == 'Ada Obi')))",
        "value",
    ),
    (
        "books.where(tags.any(name == 'translated') and translator is None).select(title)",
        "result = session.execute(select(Book.title).where(Book.tags.any(Tag.name == 'translated'), Book.translator_id.is_(None))).all()",
        "rows",
    ),
    (
        "authors.where(books_by_author.count() > 2).select(name)",
        "result = session.execute(select(Author.name).where(select(func.count(Book.id)).where(Book.author_id == Author.id).scalar_subquery() > 2)).all()",
        "rows",
    ),
    (
        "open_loans.where(member == 'Cleo Park').select(title)",
        "result = session.execute(select(open_loans.c.title).where(open_loans.c.member == 'Cleo Park')).all()",
        "rows",
    ),
    (
        "books[4].tags.append(tags[6])",
        "b = session.get(Book, 4)\nb.tags.append(session.get(Tag, 6))",
        "state",
    ),
    (
        "tags[1].books.remove(books[10])",
        "t = session.get(Tag, 1)\nt.books.remove(session.get(Book, 10))",
        "state",
    ),
    (
        "books[4].copies.append({'copy_no': 7, 'shelf': 'Z1'})",
        "b = session.get(Book, 4)\nb.copies.append(Copy(copy_no=7, shelf='Z1'))",
        "state",
    ),
    (
        "members[2].sponsor = members[5]",
        "m = session.get(Member, 2)\nm.sponsor = session.get(Member, 5)",
        "state",
    ),
    (
        "copies[1, 2].delete()",
        "session.delete(session.get(Copy, (1, 2)))",
        "state",
    ),
    ("del authors[7]", "session.delete(session.get(Author, 7))", "state"),
    ("del members[1]", "session.delete(session.get(Member, 1))", "state"),
    (
        "loans.where(returned_on is None).update(returned_on='2026-12-01')",
        "session.execute(update(Loan).where(Loan.returned_on.is_(None)).values(returned_on='2026-12-01'))",
        "state",
    ),
];

/// Whether python3 with SQLAlchemy 2 is there to compare with.
fn sqlalchemy_missing() -> Option<String> {
    let probe = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlalchemy, sys; sys.exit(0 if sqlalchemy.__version__ >= '2' else 1)",
        ])
        .output();
    match probe {
        Ok(o) if o.status.success() => None,
        Ok(_) => Some("SQLAlchemy 2 is not installed (pip install 'sqlalchemy>=2,<3')".into()),
        Err(e) => Some(format!("python3 cannot be run ({e})")),
    }
}

/// Every table's rows, sorted, as the oracle dumps them.
fn dump(file: &File) -> Value {
    let tables = file
        .query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    let mut out = serde_json::Map::new();
    for t in tables {
        let name = t[0].as_str().unwrap_or("").to_string();
        let mut rows = file.query(&format!("SELECT * FROM \"{name}\""));
        rows.sort_by_key(|r| json!(r).to_string());
        out.insert(name, json!(rows));
    }
    Value::Object(out)
}

fn sorted(rows: &Value) -> Vec<String> {
    let mut out: Vec<String> = rows
        .as_array()
        .map(|r| r.iter().map(|row| row.to_string()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn results_on_the_library_match_sqlalchemy() {
    if let Some(why) = sqlalchemy_missing() {
        eprintln!("skipped: {why}");
        return;
    }
    let oracle = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/library_oracle.py"
    );
    let files: Vec<(File, File)> = SQLALCHEMY_CASES
        .iter()
        .map(|_| (File::from_sql(LIBRARY), File::from_sql(LIBRARY)))
        .collect();
    let cases: Vec<Value> = SQLALCHEMY_CASES
        .iter()
        .zip(&files)
        .map(|((_, snippet, _), (_, theirs))| json!([theirs.path_str(), snippet]))
        .collect();
    let py = std::process::Command::new("python3")
        .arg(oracle)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(json!(cases).to_string().as_bytes())?;
            }
            child.wait_with_output()
        })
        .expect("python3 runs");
    let answers: Vec<Value> = serde_json::from_slice(&py.stdout).unwrap_or_else(|e| {
        panic!(
            "the oracle printed no JSON ({e}): {}",
            String::from_utf8_lossy(&py.stderr)
        )
    });
    let mut failures = Vec::new();
    for (((input, snippet, compare), (ours, _)), want) in
        SQLALCHEMY_CASES.iter().zip(&files).zip(&answers)
    {
        assert!(
            want.get("error").is_none(),
            "SQLAlchemy failed on {snippet}: {want}"
        );
        let answer = ours.run(&[input]).out.remove(0);
        let same = answer["ok"] == true
            && match *compare {
                "rows" => sorted(&json!(rows(&answer))) == sorted(&want["result"]),
                "object" => answer["result"]["row"] == want["result"],
                "value" => answer["result"]["value"] == want["result"],
                _ => dump(ours) == want["dump"],
            };
        if !same {
            failures.push(format!(
                "{input}\n  ormscope: {answer}\n  SQLAlchemy: {}",
                if *compare == "state" {
                    format!("{}\n  ormscope's file: {}", want["dump"], dump(ours))
                } else {
                    want["result"].to_string()
                }
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_sql_script_is_made_fresh_in_memory_and_never_changed() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons/data/library.sql");
    let r = run_args(
        &[
            "--db",
            script,
            "--json",
            "-e",
            "del authors[1]",
            "-e",
            "authors.count()",
            "-e",
            ":reset",
            "-e",
            "authors.count()",
        ],
        true,
    );
    assert_eq!(r.status, 0, "{:?}", r.out);
    assert!(r.stderr.contains("made fresh in memory"), "{}", r.stderr);
    assert_eq!(value(&r.out[1]), json!(7));
    assert_eq!(value(&r.out[3]), json!(8));
    assert_eq!(std::fs::read_to_string(script).unwrap_or_default(), LIBRARY);
}

#[test]
fn the_library_demo_plays_on_its_own_database() {
    let demo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demos/03-your-own-database.orm"
    );
    let o = common::bin()
        .args(["demo", demo, "--auto", "0"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run the demo");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("books_by_translator"), "{out}");
    assert!(
        out.contains("Gabriel García Márquez") || out.contains("Chronicle of a Death Foretold"),
        "{out}"
    );
    assert!(!out.contains(" error "), "{out}");
}

/// A Chinook-shaped file (CamelCase names, an ENUM column holding text).
const CAMEL: &str = include_str!("fixtures/camel.sql");

#[test]
fn a_column_of_another_class_in_a_condition_is_refused_with_its_path_never_rebound() {
    let file = File::from_sql(CAMEL);
    let run = file.run(&[
        "Track.where(Genre.Name == 'Jazz').count()",
        "select(Track).where(Genre.Name == 'Jazz')",
        "Album.where(Track.Name == 'So What')",
        "Track.where(genre.Name == 'Jazz').count()",
        "Track.where(Track.Name == 'So What').count()",
    ]);
    for (i, hint) in [
        (0, "genre.Name"),
        (1, "genre.Name"),
        (2, "Track.any(Name == ...)"),
    ] {
        let answer = &run.out[i];
        assert_eq!(answer["ok"], false, "never the Track's own Name: {answer}");
        assert_eq!(answer["sql"], json!([]), "nothing is sent: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or("");
        assert!(
            message.contains("is a column of") && message.contains(hint),
            "{message}"
        );
    }
    let jazz = file.query(
        "SELECT count(*) FROM Track WHERE GenreId IN (SELECT GenreId FROM Genre WHERE Name = 'Jazz')",
    );
    assert_eq!(value(&run.out[3]), jazz[0][0]);
    assert_eq!(
        value(&run.out[4]),
        1,
        "the collection's own class is its own column"
    );
}

#[test]
fn methods_on_capitalised_columns_and_relationships_are_conditions_in_short_form() {
    let file = File::from_sql(CAMEL);
    let run = file.run(&[
        "Genre.where(Name.startswith('Rock'))",
        "Artist.where(Album.any(Title.contains('Live')))",
        "Genre.where(Name.like('%Roll'))",
        "Track.where(Milliseconds.between(100000, 300000))",
        "Artist.where(not Album.any())",
        "Track.where(album.artist.Name == 'Queen')",
    ]);
    same_rows(
        &run.out[0],
        &file,
        "SELECT * FROM Genre WHERE Name LIKE 'Rock%'",
    );
    same_rows(
        &run.out[1],
        &file,
        "SELECT * FROM Artist WHERE ArtistId IN (SELECT ArtistId FROM Album WHERE Title LIKE '%Live%')",
    );
    same_rows(
        &run.out[2],
        &file,
        "SELECT * FROM Genre WHERE Name LIKE '%Roll'",
    );
    same_rows(
        &run.out[3],
        &file,
        "SELECT * FROM Track WHERE Milliseconds BETWEEN 100000 AND 300000",
    );
    assert_eq!(
        rows(&run.out[4]),
        Vec::<Vec<Value>>::new(),
        "{}",
        run.out[4]
    );
    same_rows(
        &run.out[5],
        &file,
        "SELECT Track.* FROM Track JOIN Album USING (AlbumId) JOIN Artist USING (ArtistId) WHERE Artist.Name = 'Queen'",
    );
}

#[test]
fn a_column_of_numeric_affinity_compares_text_as_sqlite_does() {
    let file = File::from_sql(CAMEL);
    let run = file.run(&[
        "film.where(rating == 'PG-13')",
        "film.where(rating.in_(['PG-13', 'G'])).count()",
    ]);
    same_rows(
        &run.out[0],
        &file,
        "SELECT * FROM film WHERE rating = 'PG-13'",
    );
    assert_eq!(
        value(&run.out[1]),
        file.query("SELECT count(*) FROM film WHERE rating IN ('PG-13', 'G')")[0][0]
    );
    let school = common::mem(&["students.where(year == '2')"]);
    assert_eq!(
        school.out[0]["error"]["kind"], "type",
        "a column declared INTEGER still teaches quotes: {}",
        school.out[0]
    );
}

/// Runs ormscope on `db` (a path that may not exist) with statements, `--json`.
fn run_on(db: &Path, extra: &[&str], stmts: &[&str]) -> Run {
    let path = db.to_str().expect("a UTF-8 path");
    let mut args = vec!["--db", path, "--json"];
    args.extend_from_slice(extra);
    for s in stmts {
        args.push("-e");
        args.push(s);
    }
    run_args(&args, true)
}

#[test]
fn a_path_where_no_file_is_gets_a_school_said_loudly_with_the_file_meant() {
    let f = File::from_sql(LIBRARY);
    let folder = f.path.parent().expect("a folder");
    let typo = folder.join("mnie.db");
    let r = run_on(&typo, &[], &["students.count()"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        typo.exists(),
        "the contract: a missing path is made a School"
    );
    assert!(
        r.stderr.contains(&format!(
            "ormscope: made a new School database {} (no file was there); did you mean {}?",
            typo.display(),
            f.path.display()
        )),
        "{}",
        r.stderr
    );
    let empty = tempfile::tempdir().expect("temp dir");
    let fresh = empty.path().join("school.db");
    let r = run_on(&fresh, &[], &["students.count()"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "made a new School database {} (no file was there)",
            fresh.display()
        )),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("did you mean"), "{}", r.stderr);
    let again = run_on(&fresh, &[], &["students.count()"]);
    assert_eq!(again.stderr, "", "a School ormscope made opens quietly");
}

#[test]
fn read_only_never_creates_a_file() {
    let f = File::from_sql(LIBRARY);
    let folder = f.path.parent().expect("a folder");
    let missing = folder.join("mien.db");
    let r = run_on(&missing, &["--read-only"], &["books.count()"]);
    assert_eq!(r.status, 1, "{r:?}");
    assert!(!missing.exists(), "--read-only made {}", missing.display());
    let message = r.out[0]["error"]["message"].as_str().unwrap_or("");
    assert_eq!(r.out[0]["error"]["kind"], "io", "{}", r.out[0]);
    for part in [
        format!("{} does not exist", missing.display()),
        "--read-only never creates a file".to_string(),
        format!("did you mean {}?", f.path.display()),
    ] {
        assert!(message.contains(&part), "{part:?} not in {message:?}");
        assert!(r.stderr.contains(&part), "{part:?} not in {}", r.stderr);
    }
    let entries = std::fs::read_dir(folder).expect("the folder").count();
    assert_eq!(entries, 1, "nothing beside {}", f.path.display());
}

#[test]
fn reset_on_a_file_ormscope_did_not_make_is_refused_first_saying_why() {
    let f = File::from_sql(LIBRARY);
    let before = f.bytes();
    let r = f.run(&[":reset"]);
    assert_eq!(r.status, 1, "{r:?}");
    let message = r.out[0]["error"]["message"].as_str().unwrap_or("");
    for part in [
        ":reset is refused",
        f.path_str(),
        "not a School file that ormscope made",
        "nothing was changed",
        "--db on a new path",
        "copy",
    ] {
        assert!(message.contains(part), "{part:?} not in {message:?}");
    }
    assert!(
        !message.contains("asks first"),
        "it refuses, it does not ask: {message}"
    );
    assert_eq!(f.bytes(), before, "the file is as it was");
}

/// Tables whose names are long, or wide on the terminal.
const LONG_NAMES: &str = "
CREATE TABLE a (id INTEGER PRIMARY KEY);
CREATE TABLE invoice_line_items_of_the_year (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));
CREATE TABLE \"名前のとても長いテーブル\" (id INTEGER PRIMARY KEY);
CREATE TABLE café (id INTEGER PRIMARY KEY);
CREATE TABLE \"plain table of no key\" (x TEXT);
INSERT INTO a VALUES (1), (2);
INSERT INTO café VALUES (1);
";

#[test]
fn tables_columns_line_up_whatever_the_names_length_and_width() {
    use unicode_width::UnicodeWidthStr;
    let f = File::from_sql(LONG_NAMES);
    let r = f.run(&[":tables"]);
    let text = r.out[0]["text"].as_str().unwrap_or("").to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    // Where, on the terminal, the second and the third column start on each line.
    let starts = |line: &str| {
        let class = line
            .find(" class ")
            .or_else(|| line.find(" ("))
            .unwrap_or_else(|| panic!("no class column in {line:?}"))
            + 1;
        let count = line
            .rfind(" rows")
            .and_then(|end| line[..end].rfind(' '))
            .unwrap_or_else(|| panic!("no row count in {line:?}"))
            + 1;
        (line[..class].width(), line[..count].width())
    };
    let first = starts(lines[0]);
    for line in &lines {
        assert_eq!(starts(line), first, "not aligned:\n{text}");
    }
    assert!(text.contains("café"), "{text}");
}

/// Columns whose names are not Python identifiers, or are names a declarative class keeps.
const ODD_COLUMNS: &str = "
CREATE TABLE playlists (
    id INTEGER PRIMARY KEY, \"playlist name\" TEXT, playlist_name TEXT, \"class\" TEXT,
    \"from\" INTEGER, metadata TEXT, \"__secret\" TEXT, \"x²\" TEXT, \"1st\" INTEGER,
    _sa_registry TEXT
);
INSERT INTO playlists VALUES (1, 'a', 'b', 'c', 2, 'm', 's', 'x', 1, 'r');
";

#[test]
fn schema_gives_every_column_a_python_attribute_and_its_real_name() {
    let f = File::from_sql(ODD_COLUMNS);
    let r = f.run(&[":schema playlists"]);
    let faces = r.out[0]["faces"].as_array().cloned().unwrap_or_default();
    let face = |title: &str| {
        faces
            .iter()
            .find(|f| f["title"] == title)
            .and_then(|f| f["text"].as_str())
            .unwrap_or_else(|| panic!("no face {title}: {}", r.stdout))
            .to_string()
    };
    let class = face("ORM: the declarative class");
    for line in [
        "playlist_name: Mapped[Optional[str]] = mapped_column(\"playlist name\", Text)",
        "playlist_name_: Mapped[Optional[str]] = mapped_column(\"playlist_name\", Text)",
        "class_: Mapped[Optional[str]] = mapped_column(\"class\", Text)",
        "from_: Mapped[Optional[int]] = mapped_column(\"from\", Integer)",
        "metadata_: Mapped[Optional[str]] = mapped_column(\"metadata\", Text)",
        "_secret: Mapped[Optional[str]] = mapped_column(\"__secret\", Text)",
        "x_: Mapped[Optional[str]] = mapped_column(\"x²\", Text)",
        "_1st: Mapped[Optional[int]] = mapped_column(\"1st\", Integer)",
        "sa_registry: Mapped[Optional[str]] = mapped_column(\"_sa_registry\", Text)",
    ] {
        assert!(
            class.lines().any(|l| l == format!("    {line}")),
            "{line:?} not in\n{class}"
        );
    }
    let core = face("Core: Table and Column");
    assert!(core.contains("Column(\"playlist name\", Text)"), "{core}");
    if let Some(why) = sqlalchemy_missing() {
        eprintln!("the faces are not run in Python: {why}");
        return;
    }
    let program = format!(
        "import warnings\nwarnings.simplefilter('error')\nfrom typing import Optional, Any\nfrom sqlalchemy import *\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship\nclass Base(DeclarativeBase):\n    pass\nmetadata = MetaData()\n{core}\n{class}\nwant = ['id', 'playlist name', 'playlist_name', 'class', 'from', 'metadata', '__secret', 'x²', '1st', '_sa_registry']\nassert [c.name for c in playlists.columns] == want, list(playlists.columns)\nassert [c.name for c in Playlist.__table__.columns] == want, list(Playlist.__table__.columns)\nassert len(inspect(Playlist).column_attrs) == len(want)\n"
    );
    let python = std::process::Command::new("python3")
        .args(["-c", &program])
        .output()
        .expect("python3 runs");
    assert!(
        python.status.success(),
        "{program}\n{}",
        String::from_utf8_lossy(&python.stderr)
    );
}

/// At the prompt, :reset on a learner's own file is refused at once, never asked.
#[test]
fn reset_at_the_prompt_on_a_learners_own_file_is_refused_without_asking() {
    use expectrl::session::OsSession;
    use expectrl::{Eof, Expect};
    let f = File::from_sql(LIBRARY);
    let before = f.bytes();
    let home = tempfile::tempdir().expect("temp dir");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ormscope"));
    cmd.args(["--db", f.path_str()])
        .env("XDG_DATA_HOME", home.path())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut p = OsSession::spawn(cmd).expect("the binary starts on a pty");
    p.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
    p.expect("orm> ").expect("the prompt");
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send_line(":reset").expect("typed");
    let said = p.expect("orm> ").expect("the prompt again, nothing asked");
    let text = String::from_utf8_lossy(said.before()).to_string();
    assert!(text.contains(":reset is refused"), "{text}");
    assert!(
        text.contains("not a School file that ormscope made"),
        "{text}"
    );
    assert!(!text.contains("fresh School?"), "it asked: {text}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send("\x04").expect("Ctrl-D");
    p.expect(Eof).expect("the program ends");
    assert_eq!(f.bytes(), before, "the file is as it was");
}
