//! The School's default data: a deterministic function of the number of students.
//!
//! A School has the same rows on every machine and every run, so nothing here
//! reads a clock or a random source: every value is arithmetic on a row's index, mixed through a
//! fixed integer hash where a little variety reads better than a visible pattern. Ids in every table
//! run 1..N without gaps: the tables are checked empty first, and SQLite numbers the rows in the
//! order they are inserted (naming the id would make SQLite look each one up before inserting it,
//! a sixteenth of a large seeding).
//!
//! For the default 40 students the data are: 8 teachers in 4 departments, 40 students, 120 classes,
//! the 5 clubs Chess, Drama, Robotics, Choir and Debate, and 40 memberships. `--scale N` gives about
//! N/5 teachers, 3N classes, N/50 clubs and N memberships.

use std::fmt::Write as _;

use rusqlite::{params, params_from_iter, Connection, Transaction};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

mod side;
use side::Side;

use crate::render::{pragma, render};
use crate::sql::{
    ColumnRef, CompareOp, Expr, Insert, Order, PragmaValue, Select, Statement, Value,
};

/// How many students the default School has.
pub const DEFAULT_STUDENTS: u64 = 40;

/// The fewest teachers a School has, whatever its size (teachers 1..6 at least).
const MIN_TEACHERS: u64 = 6;
/// One teacher per this many students, at scale.
const STUDENTS_PER_TEACHER: u64 = 5;
/// The fewest clubs a School has (the five named ones).
const MIN_CLUBS: u64 = 5;
/// One club per this many students, at scale.
const STUDENTS_PER_CLUB: u64 = 50;
/// Up to this many students the `first.last` pairs are all different, so emails need no id.
const DISTINCT_NAMES: u64 = (FIRST_NAMES.len() * LAST_NAMES.len()) as u64;

/// The departments, in the order teachers cycle through them.
const DEPARTMENTS: [&str; 4] = ["Science", "Mathematics", "Humanities", "Arts"];

/// The clubs, in id order; at scale the names repeat with a number ("Chess 2", ...).
const CLUBS: [&str; 5] = ["Chess", "Drama", "Robotics", "Choir", "Debate"];

/// Students' first names.
const FIRST_NAMES: [&str; 20] = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sofia", "Ethan", "Amara", "Lucas", "Mia",
    "Kenji", "Zara", "Diego", "Chloe", "Omar", "Priya", "Jonas", "Leila", "Samuel",
];

/// Students' last names.
const LAST_NAMES: [&str; 20] = [
    "Smith", "Garcia", "Nguyen", "Johnson", "Patel", "Williams", "Kim", "Brown", "Lopez", "Davis",
    "Okafor", "Miller", "Chen", "Wilson", "Haddad", "Moore", "Silva", "Taylor", "Novak", "Harris",
];

/// Teachers' first names.
const TEACHER_FIRST_NAMES: [&str; 12] = [
    "Ada", "Grace", "Alan", "Marie", "Carl", "Rosalind", "Isaac", "Emmy", "Niels", "Hypatia",
    "Leonhard", "Barbara",
];

/// Teachers' last names (a count coprime with the first names', so pairs vary).
const TEACHER_LAST_NAMES: [&str; 11] = [
    "Rivera",
    "Okonkwo",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Kowalski",
    "Haddad",
    "Fischer",
    "Nakamura",
    "Osei",
    "Bianchi",
];

/// One course of the catalogue a class is taken from.
struct Course {
    /// The class's name.
    name: &'static str,
    /// Its short code.
    abbreviation: &'static str,
    /// Its credits.
    credits: u32,
    /// Index into [`DEPARTMENTS`] of the department that teaches it.
    department: usize,
}

/// The course catalogue. "Biology 301" / "BI301" is deliberately absent: a lesson appends it.
const COURSES: [Course; 12] = [
    course("Chemistry 101", "CH101", 3, 0),
    course("Biology 201", "BI201", 4, 0),
    course("Algebra 101", "MA101", 3, 1),
    course("Calculus 201", "MA201", 4, 1),
    course("World History 101", "HI101", 3, 2),
    course("English Literature 201", "EN201", 3, 2),
    course("Painting 101", "AR101", 2, 3),
    course("Music Theory 101", "MU101", 2, 3),
    course("Physics 101", "PH101", 4, 0),
    course("Statistics 201", "ST201", 3, 1),
    course("Philosophy 101", "PL101", 3, 2),
    course("Drama 101", "DR101", 2, 3),
];

/// A catalogue entry (a `const fn` so the table above stays one line per course).
const fn course(
    name: &'static str,
    abbreviation: &'static str,
    credits: u32,
    department: usize,
) -> Course {
    Course {
        name,
        abbreviation,
        credits,
        department,
    }
}

/// How many classes a student takes, by `(id + 3) % 8`: 24 per 8 students, so 3 on average, with
/// students 1, 9, 17, 25, 33, ... taking none and student 13 taking three.
const CLASSES_PER_STUDENT: [u64; 8] = [3, 5, 2, 4, 0, 3, 4, 3];

/// How many clubs a student belongs to, by `id % 8`: 8 per 8 students, so 1 on average.
const CLUBS_PER_STUDENT: [u64; 8] = [1, 2, 0, 1, 1, 2, 0, 1];

/// The grades a finished class can have.
const GRADES: [&str; 4] = ["A", "B", "C", "D"];

/// Separate streams of the hash, one per choice, so choices do not move together.
mod salt {
    /// A student's year.
    pub const YEAR: u64 = 1;
    /// A student's advisor.
    pub const ADVISOR: u64 = 2;
    /// A class's teacher, among its department's.
    pub const CLASS_TEACHER: u64 = 3;
    /// A class's grade.
    pub const GRADE: u64 = 4;
    /// A student's clubs. Picked so that the default clubs have 7–9 members each and student 13
    /// is in Robotics and Choir but not Chess or Drama, so the lessons' `students[13].clubs.append(…)`
    /// of either succeeds on the default data.
    pub const CLUB: u64 = 29;
}

/// A fixed 64-bit integer hash (the SplitMix64 finaliser) of `index` in the stream `salt`.
fn mix(index: u64, salt: u64) -> u64 {
    let mut z = index
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(salt.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `value % len` as an index; `len` is a small array length, so the result fits.
fn pick(value: u64, len: usize) -> usize {
    // `len` is at most a few dozen and the remainder is below it, so both casts are lossless.
    (value % len as u64) as usize
}

/// A count or id as the INTEGER SQLite stores (an error, not a wrap, past `i64::MAX`).
fn int(value: u64) -> rusqlite::Result<i64> {
    i64::try_from(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// A formatting failure as a rusqlite error (writing to a `String` does not fail in practice).
fn fmt_error(e: std::fmt::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// The sizes of every table for a given number of students.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    /// Students 1..N.
    students: u64,
    /// Teachers 1..T: N/5, and at least 6.
    teachers: u64,
    /// Clubs 1..K: N/50, and at least 5.
    clubs: u64,
}

impl Sizes {
    /// The sizes for `students` students.
    fn new(students: u64) -> Sizes {
        Sizes {
            students,
            teachers: MIN_TEACHERS.max(students / STUDENTS_PER_TEACHER),
            clubs: MIN_CLUBS.max(students / STUDENTS_PER_CLUB),
        }
    }
}

/// Fills an empty School database (tables already created) with deterministic data for `students`
/// students, in one transaction with prepared statements.
///
/// The same `students` always gives the same rows. Use [`DEFAULT_STUDENTS`] for the default
/// School; larger values are what `--scale N` asks for. Nothing is written unless everything is:
/// on an error the transaction is rolled back and the error returned (seeding a database that
/// already holds rows fails before inserting any).
///
/// From 10,000 students on, the load is a bulk one, with the same rows: foreign-key
/// enforcement is switched off for its duration (and back on afterwards, if it was on) and the
/// secondary indexes of the tables filled here are dropped and re-created, inside the
/// transaction, from the SQL SQLite stored for them. Keeping a million-row index up to date row by row, and looking up a
/// parent for every reference, cost about three times as much as the rows themselves. While
/// this thread fills the largest table, `classes`, a second one builds the others with their
/// indexes in a file of its own in the system's temporary directory (removed afterwards), and
/// they are copied in at the end of the transaction ([`side`]). Call it before
/// installing trace or progress hooks: it runs millions of statements at scale.
pub fn seed(conn: &mut Connection, students: u64) -> rusqlite::Result<()> {
    load(conn, Sizes::new(students), students >= BULK_STUDENTS)
}

/// From this many students on, [`seed`] loads in bulk (see there); below it every row is checked
/// by SQLite as it is inserted, which costs nothing that matters at that size.
const BULK_STUDENTS: u64 = 10_000;

/// The page cache a bulk load asks for, in KiB: enough for SQLite to sort a 100,000-student
/// School's indexes in memory (with its 2 MB default it writes sorted runs to temporary files
/// and merges them again, a sixteenth of the seeding).
const BULK_CACHE_KIB: i64 = 16 * 1024;

/// [`seed`], with the bulk mode chosen by the caller (the tests run both on the same size).
/// A bulk load switches foreign keys off and enlarges the page cache for its duration, and
/// puts both back as they were.
fn load(conn: &mut Connection, sizes: Sizes, bulk: bool) -> rusqlite::Result<()> {
    let foreign_keys_were_on = bulk
        && conn.query_row(&pragma("foreign_keys", None), [], |row| {
            row.get::<_, bool>(0)
        })?;
    let cache_was = if bulk {
        Some(conn.query_row(&pragma("cache_size", None), [], |row| row.get::<_, i64>(0))?)
    } else {
        None
    };
    if foreign_keys_were_on {
        conn.execute_batch(&pragma("foreign_keys", Some(PragmaValue::Switch(false))))?;
    }
    if cache_was.is_some() {
        let bulk_cache = PragmaValue::Number(-BULK_CACHE_KIB);
        conn.execute_batch(&pragma("cache_size", Some(bulk_cache)))?;
    }
    let loaded = if bulk {
        fill_beside(conn, sizes)
    } else {
        fill(conn, sizes, Fill::Plain)
    };
    let mut restored = Ok(());
    if let Some(size) = cache_was {
        let size = PragmaValue::Number(size);
        restored = restored.and(conn.execute_batch(&pragma("cache_size", Some(size))));
    }
    if foreign_keys_were_on {
        let on = PragmaValue::Switch(true);
        restored = restored.and(conn.execute_batch(&pragma("foreign_keys", Some(on))));
    }
    loaded.and(restored)
}

/// Whether seeding draws a progress bar on standard error (a terminal's, for a large School).
static SHOW_PROGRESS: AtomicBool = AtomicBool::new(false);

/// Draws a progress bar on standard error while a School of at least [`PROGRESS_STUDENTS`]
/// students is seeded; the front end turns it on only when standard error is a terminal and
/// the output is not `--json`.
pub fn show_progress(on: bool) {
    SHOW_PROGRESS.store(on, Ordering::Relaxed);
}

/// The smallest School that shows a progress bar (smaller ones take well under a second).
pub const PROGRESS_STUDENTS: u64 = 100_000;

/// Rows inserted so far out of about how many, drawn as a bar every so many rows; rows a
/// thread building a table aside inserts count too.
struct Progress {
    shown: bool,
    done: u64,
    total: u64,
    /// Rows inserted by the other thread of a bulk load.
    others: Option<Arc<AtomicU64>>,
    /// Whether this is that other thread's count, published for the bar's thread.
    publish: bool,
    /// Set when that other thread's work is no longer wanted.
    stop: Option<Arc<AtomicBool>>,
    /// What is being done: "rows", then "indexes".
    what: &'static str,
}

impl Progress {
    /// Rows between two drawings of the bar.
    const EVERY: u64 = 1 << 16;

    /// The bar of a School of `sizes`, counting the rows of a thread building a table aside
    /// (`others`) too.
    fn new(sizes: Sizes, others: Option<Arc<AtomicU64>>) -> Progress {
        Progress {
            shown: SHOW_PROGRESS.load(Ordering::Relaxed) && sizes.students >= PROGRESS_STUDENTS,
            done: 0,
            // Teachers, students, about three classes and one membership per student, clubs.
            total: sizes.teachers + 5 * sizes.students + sizes.clubs,
            others,
            publish: false,
            stop: None,
            what: "rows",
        }
    }

    /// The count of the thread building tables aside: never drawn, published in `rows`; its
    /// work stops (with an error) once `stop` is set.
    fn counting(rows: Arc<AtomicU64>, stop: Arc<AtomicBool>) -> Progress {
        Progress {
            shown: false,
            done: 0,
            total: 0,
            others: Some(rows),
            publish: true,
            stop: Some(stop),
            what: "rows",
        }
    }

    /// One row inserted; an error once the work is no longer wanted.
    fn step(&mut self) -> rusqlite::Result<()> {
        self.done += 1;
        if self.done.is_multiple_of(Self::EVERY) {
            if self.publish {
                if let Some(rows) = &self.others {
                    rows.fetch_add(Self::EVERY, Ordering::Relaxed);
                }
            }
            if self
                .stop
                .as_ref()
                .is_some_and(|stop| stop.load(Ordering::Relaxed))
            {
                return Err(side::failure("the seed stopped".to_string()));
            }
            self.redraw();
        }
        Ok(())
    }

    /// Draws the bar as it stands (while waiting for the other thread, too).
    fn redraw(&mut self) {
        if self.shown {
            let others = self
                .others
                .as_ref()
                .map_or(0, |rows| rows.load(Ordering::Relaxed));
            self.draw((self.done + others).min(self.total), self.what);
        }
    }

    /// This thread's rows are in; its indexes are being made (and the other thread's rows
    /// may still be going in).
    fn indexing(&mut self) {
        self.what = "indexes";
        if self.others.is_none() {
            self.done = self.total;
        }
        self.redraw();
    }

    /// Every row is in; the other thread's tables are being copied in.
    fn copying(&mut self) {
        self.what = "copying";
        self.done = self.total;
        self.others = None;
        self.redraw();
    }

    /// Clears the bar.
    fn finish(&mut self) {
        if self.shown {
            eprint!("\r{:79}\r", "");
        }
    }

    fn draw(&self, done: u64, what: &str) {
        const WIDTH: u64 = 40;
        let total = self.total.max(1);
        let filled = (done * WIDTH / total) as usize;
        let bar = format!(
            "{}{}",
            "#".repeat(filled),
            "-".repeat(WIDTH as usize - filled)
        );
        eprint!(
            "\rseeding the School [{bar}] {:>3}% {what}   ",
            done * 100 / total
        );
    }
}

/// A bulk load: the largest table ([`HERE_TABLE`]) filled on this thread while a second core
/// builds the others ([`side::tables`]) in a file of their own, copied in at the end, all in
/// the one transaction; the side file is detached and removed whatever happened. Where the side
/// cannot be built (no temporary directory to write to, a full disk), the tables are all filled
/// here after all, more slowly.
fn fill_beside(conn: &mut Connection, sizes: Sizes) -> rusqlite::Result<()> {
    ensure_empty(conn)?;
    let Ok(mut side) = Side::start(conn, sizes) else {
        return fill(conn, sizes, Fill::Bulk);
    };
    let filled = fill(conn, sizes, Fill::Beside(&mut side));
    // Committed or rolled back by now: a side database left attached changes nothing, and its
    // file is removed with `side` either way.
    let _ = side.detach(conn);
    if filled.is_err() && side.failed() {
        drop(side);
        return fill(conn, sizes, Fill::Bulk);
    }
    filled
}

/// How [`fill`] fills the tables.
enum Fill<'s> {
    /// Row by row, every index kept up to date (a small School).
    Plain,
    /// The secondary indexes dropped first and made again once the rows are in.
    Bulk,
    /// As `Bulk` for [`HERE_TABLE`], filled here, while the side builds the other tables.
    Beside(&'s mut Side),
}

/// The one transaction: every table's rows, parents before children; with [`Fill::Beside`],
/// only [`HERE_TABLE`]'s rows here, and then the side's tables copied in from where they were
/// built.
fn fill(conn: &mut Connection, sizes: Sizes, how: Fill<'_>) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    ensure_empty(&tx)?;
    let others = match &how {
        Fill::Beside(side) => Some(Arc::clone(&side.rows)),
        _ => None,
    };
    let mut progress = Progress::new(sizes, others);
    let filled_here: &[&str] = match how {
        Fill::Plain => &[],
        Fill::Bulk => &SCHOOL_TABLES,
        Fill::Beside(_) => &[HERE_TABLE],
    };
    let mut indexes = Vec::new();
    for table in filled_here {
        indexes.extend(drop_indexes(&tx, table)?);
    }
    match how {
        Fill::Beside(side) => {
            insert_rows(&tx, [HERE_TABLE], sizes, &mut progress)?;
            remake_indexes(&tx, &indexes, &mut progress)?;
            side.copy_into(&tx, &mut progress)?;
        }
        Fill::Plain | Fill::Bulk => {
            insert_rows(&tx, SCHOOL_TABLES, sizes, &mut progress)?;
            remake_indexes(&tx, &indexes, &mut progress)?;
        }
    }
    let done = tx.commit();
    progress.finish();
    done
}

/// Inserts the rows of `tables`, in the order given (parents before children).
fn insert_rows<'t>(
    tx: &Transaction<'_>,
    tables: impl IntoIterator<Item = &'t str>,
    sizes: Sizes,
    progress: &mut Progress,
) -> rusqlite::Result<()> {
    for table in tables {
        let insert = match table {
            "teachers" => insert_teachers,
            "students" => insert_students,
            "classes" => insert_classes,
            "clubs" => insert_clubs,
            "memberships" => insert_memberships,
            _ => return Err(side::failure(format!("no rows to seed for {table}"))),
        };
        insert(tx, sizes, progress)?;
    }
    Ok(())
}

/// Makes again the indexes [`drop_indexes`] dropped, from their SQL.
fn remake_indexes(
    tx: &Transaction<'_>,
    indexes: &[String],
    progress: &mut Progress,
) -> rusqlite::Result<()> {
    if indexes.is_empty() {
        return Ok(());
    }
    progress.indexing();
    indexes.iter().try_for_each(|sql| tx.execute_batch(sql))
}

/// The table a bulk load fills on the session's thread (the largest, about three rows a
/// student); the others are built aside ([`side::tables`]).
const HERE_TABLE: &str = "classes";

/// Fails unless every School table is empty: rows are inserted without their ids, which SQLite
/// then numbers 1..N in order, as the School's contract wants, only in empty tables.
fn ensure_empty(tx: &Connection) -> rusqlite::Result<()> {
    for table in SCHOOL_TABLES {
        let count = render(&Statement::Select(Select::count(table)));
        let rows: i64 =
            tx.query_row(&count.text, params_from_iter(count.params.iter()), |row| {
                row.get(0)
            })?;
        if rows > 0 {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
                Some(format!(
                    "{table} already holds rows: the School is seeded only once"
                )),
            ));
        }
    }
    Ok(())
}

/// Drops the explicitly created indexes of `table` and returns the SQL that made them, in
/// creation order, to run again once the rows are in. The indexes SQLite makes for a UNIQUE or
/// composite PRIMARY KEY (those with no SQL) cannot be dropped and stay.
fn drop_indexes(tx: &Transaction<'_>, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut sqls = Vec::new();
    for made in made_with_sql(tx, table)? {
        if made.kind == "index" {
            tx.execute_batch(&render(&Statement::DropIndex(made.name)).text)?;
            sqls.push(made.sql);
        }
    }
    Ok(sqls)
}

/// A table or index as SQLite stored it.
struct Made {
    /// `table` or `index`.
    kind: String,
    name: String,
    /// The SQL that made it.
    sql: String,
}

/// The table `table` and then its indexes made with SQL (not those SQLite makes for a key),
/// in creation order, as SQLite stored them.
fn made_with_sql(conn: &Connection, table: &str) -> rusqlite::Result<Vec<Made>> {
    let query = render(&Statement::Select(made_with_sql_query(table)));
    let mut stmt = conn.prepare(&query.text)?;
    let rows = stmt.query_map(params_from_iter(query.params.iter()), |row| {
        Ok(Made {
            kind: row.get(0)?,
            name: row.get(1)?,
            sql: row.get(2)?,
        })
    })?;
    rows.collect()
}

/// The School's tables, in creation order.
const SCHOOL_TABLES: [&str; 5] = ["teachers", "students", "classes", "clubs", "memberships"];

/// The query behind [`made_with_sql`]: `table` sorts before `index`.
fn made_with_sql_query(table: &str) -> Select {
    let master = |column: &str| Expr::Column(ColumnRef::new("sqlite_master", column));
    let mut query = Select::columns("sqlite_master", &["type", "name", "sql"]);
    query.filter = Expr::all(vec![
        Expr::Compare(
            Box::new(master("tbl_name")),
            CompareOp::Eq,
            Box::new(Expr::value(Value::Text(table.to_string()))),
        ),
        Expr::IsNull(Box::new(master("sql")), true),
    ]);
    query.order_by = vec![
        Order {
            expr: master("type"),
            descending: true,
        },
        Order {
            expr: master("rowid"),
            descending: false,
        },
    ];
    query
}

/// `INSERT INTO table (columns) VALUES (?, ...)`, prepared once and run for each row.
fn insert_sql(table: &str, columns: &[&str]) -> String {
    let insert = Insert {
        table: table.to_string(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        values: vec![Expr::value(Value::Null); columns.len()],
    };
    render(&Statement::Insert(insert)).text
}

/// Teachers 1..T: department cycling through [`DEPARTMENTS`], so teacher `t` teaches in
/// `DEPARTMENTS[(t - 1) % 4]`; every third one is a "Dr.".
fn insert_teachers(
    tx: &Transaction<'_>,
    sizes: Sizes,
    progress: &mut Progress,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(&insert_sql("teachers", &["name", "department"]))?;
    let mut name = String::new();
    for id in 1..=sizes.teachers {
        let n = id - 1;
        let first = TEACHER_FIRST_NAMES[pick(n, TEACHER_FIRST_NAMES.len())];
        let last_index = n
            .wrapping_mul(5)
            .wrapping_add(n / TEACHER_FIRST_NAMES.len() as u64);
        let last = TEACHER_LAST_NAMES[pick(last_index, TEACHER_LAST_NAMES.len())];
        name.clear();
        if n % 3 == 2 {
            name.push_str("Dr. ");
        }
        name.push_str(first);
        name.push(' ');
        name.push_str(last);
        let department = DEPARTMENTS[pick(n, DEPARTMENTS.len())];
        stmt.execute(params![name, department])?;
        progress.step()?;
    }
    Ok(())
}

/// Students 1..N: "First Last" (all different for the first 400), email `first.last@school.edu`
/// (with the id added past 400, so emails stay unique at any scale), year 1..4, and an advisor
/// except for every seventh student.
fn insert_students(
    tx: &Transaction<'_>,
    sizes: Sizes,
    progress: &mut Progress,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(&insert_sql(
        "students",
        &["name", "email", "year", "advisor_id"],
    ))?;
    let first_lower: Vec<String> = FIRST_NAMES.iter().map(|s| s.to_ascii_lowercase()).collect();
    let last_lower: Vec<String> = LAST_NAMES.iter().map(|s| s.to_ascii_lowercase()).collect();
    let mut name = String::new();
    let mut email = String::new();
    for id in 1..=sizes.students {
        let n = id - 1;
        // For n < 400 the pair (n % 20, (7n + n / 20) % 20) is different for every n.
        let first = pick(n, FIRST_NAMES.len());
        let last = pick(
            n.wrapping_mul(7).wrapping_add(n / FIRST_NAMES.len() as u64),
            LAST_NAMES.len(),
        );
        name.clear();
        name.push_str(FIRST_NAMES[first]);
        name.push(' ');
        name.push_str(LAST_NAMES[last]);
        email.clear();
        email.push_str(&first_lower[first]);
        email.push('.');
        email.push_str(&last_lower[last]);
        if id > DISTINCT_NAMES {
            write!(email, ".{id}").map_err(fmt_error)?;
        }
        email.push_str("@school.edu");
        let year = 1 + mix(id, salt::YEAR) % 4;
        let advisor = (!id.is_multiple_of(7)).then(|| 1 + mix(id, salt::ADVISOR) % sizes.teachers);
        let advisor = advisor.map(int).transpose()?;
        stmt.execute(params![name, email, int(year)?, advisor])?;
        progress.step()?;
    }
    Ok(())
}

/// Classes 1..C, student by student: student `i` takes `CLASSES_PER_STUDENT[(i + 3) % 8]`
/// different courses, `(7i + 5j) % 12` for j = 0, 1, ...; the teacher is one of the course's
/// department (none for every ninth class), the grade A–D or NULL (in progress) for about 1 in 5.
fn insert_classes(
    tx: &Transaction<'_>,
    sizes: Sizes,
    progress: &mut Progress,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(&insert_sql(
        "classes",
        &[
            "student_id",
            "teacher_id",
            "name",
            "abbreviation",
            "credits",
            "grade",
        ],
    ))?;
    // Teachers of department d are d + 1, d + 5, d + 9, ... up to T (there are at least 6).
    let per_department: Vec<u64> = (0..DEPARTMENTS.len() as u64)
        .map(|d| (sizes.teachers - d - 1) / DEPARTMENTS.len() as u64 + 1)
        .collect();
    let mut id: u64 = 0;
    for student in 1..=sizes.students {
        let count = CLASSES_PER_STUDENT[pick(student + 3, CLASSES_PER_STUDENT.len())];
        for j in 0..count {
            id += 1;
            let course = &COURSES[pick(student.wrapping_mul(7).wrapping_add(j * 5), COURSES.len())];
            let teacher = (!id.is_multiple_of(9)).then(|| {
                let d = course.department as u64;
                let k = mix(id, salt::CLASS_TEACHER) % per_department[course.department];
                d + 1 + k * DEPARTMENTS.len() as u64
            });
            let g = mix(id, salt::GRADE);
            let grade = (!g.is_multiple_of(5)).then(|| GRADES[pick(g / 5, GRADES.len())]);
            let teacher = teacher.map(int).transpose()?;
            stmt.execute(params![
                int(student)?,
                teacher,
                course.name,
                course.abbreviation,
                course.credits,
                grade
            ])?;
            progress.step()?;
        }
    }
    Ok(())
}

/// Clubs 1..K: the five named ones, then "Chess 2", "Drama 2", ..., "Chess 3", ... at scale.
fn insert_clubs(
    tx: &Transaction<'_>,
    sizes: Sizes,
    progress: &mut Progress,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(&insert_sql("clubs", &["name"]))?;
    let mut name = String::new();
    for id in 1..=sizes.clubs {
        let n = id - 1;
        name.clear();
        name.push_str(CLUBS[pick(n, CLUBS.len())]);
        let round = n / CLUBS.len() as u64;
        if round > 0 {
            write!(name, " {}", round + 1).map_err(fmt_error)?;
        }
        stmt.execute(params![name])?;
        progress.step()?;
    }
    Ok(())
}

/// Memberships: student `i` joins `CLUBS_PER_STUDENT[i % 8]` different clubs (0, 1 or 2).
fn insert_memberships(
    tx: &Transaction<'_>,
    sizes: Sizes,
    progress: &mut Progress,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(&insert_sql("memberships", &["student_id", "club_id"]))?;
    for student in 1..=sizes.students {
        let count = CLUBS_PER_STUDENT[pick(student, CLUBS_PER_STUDENT.len())];
        if count == 0 {
            continue;
        }
        let h = mix(student, salt::CLUB);
        let first = h % sizes.clubs + 1;
        if count == 1 {
            stmt.execute(params![int(student)?, int(first)?])?;
            progress.step()?;
            continue;
        }
        // A different club: an offset of 1..K-1 from the first (there are at least 5 clubs).
        let offset = 1 + (h >> 32) % (sizes.clubs - 1);
        let second = (first - 1 + offset) % sizes.clubs + 1;
        for club in [first.min(second), first.max(second)] {
            stmt.execute(params![int(student)?, int(club)?])?;
            progress.step()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::types::Value;
    use std::collections::{BTreeMap, HashSet};

    /// The School's tables in creation order.
    const TABLES: [&str; 5] = SCHOOL_TABLES;

    /// An in-memory database with the School's tables and indexes, foreign keys enforced.
    fn school() -> rusqlite::Result<Connection> {
        let conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", true)?;
        for table in crate::school::metadata().tables() {
            for statement in crate::render::create_table(table) {
                conn.execute_batch(&statement.text)?;
            }
        }
        Ok(conn)
    }

    /// A School seeded with `students` students, in bulk or not.
    fn seeded(students: u64, bulk: bool) -> rusqlite::Result<Connection> {
        let mut conn = school()?;
        load(&mut conn, Sizes::new(students), bulk)?;
        Ok(conn)
    }

    /// Every row of every table, in rowid order.
    fn dump(conn: &Connection) -> rusqlite::Result<Vec<Vec<Vec<Value>>>> {
        let mut tables = Vec::new();
        for table in TABLES {
            let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))?;
            let width = stmt.column_count();
            let rows = stmt.query_map([], |row| {
                (0..width).map(|i| row.get::<_, Value>(i)).collect()
            })?;
            tables.push(rows.collect::<rusqlite::Result<Vec<Vec<Value>>>>()?);
        }
        Ok(tables)
    }

    /// One integer from a query.
    fn int(conn: &Connection, sql: &str) -> rusqlite::Result<i64> {
        conn.query_row(sql, [], |row| row.get(0))
    }

    /// The strings of a one-column query.
    fn strings(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<String>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        rows.collect()
    }

    /// How many classes each student has (0 included), by student id.
    fn classes_per_student(conn: &Connection) -> rusqlite::Result<BTreeMap<i64, i64>> {
        let mut stmt = conn.prepare(
            "SELECT s.id, count(c.id) FROM students s LEFT JOIN classes c ON c.student_id = s.id \
             GROUP BY s.id",
        )?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect()
    }

    /// The rules every seeded School keeps, whatever its size: gapless ids, sound references,
    /// 0–5 distinct courses per student, unique emails, valid years and grades.
    fn assert_sound(conn: &Connection, students: i64) -> rusqlite::Result<()> {
        for table in ["teachers", "students", "classes", "clubs"] {
            let (count, min, max): (i64, Option<i64>, Option<i64>) = conn.query_row(
                &format!("SELECT count(*), min(id), max(id) FROM {table}"),
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?;
            let may_be_empty = table == "classes" || (table == "students" && students == 0);
            assert!(count > 0 || may_be_empty, "{table} is empty");
            if count > 0 {
                assert_eq!((min, max), (Some(1), Some(count)), "{table} ids have gaps");
            }
        }
        assert_eq!(int(conn, "SELECT count(*) FROM students")?, students);
        let problems: i64 = int(conn, "SELECT count(*) FROM pragma_foreign_key_check")?;
        assert_eq!(problems, 0, "foreign_key_check found problems");
        assert_eq!(
            int(conn, "SELECT count(DISTINCT email) FROM students")?,
            students
        );
        assert_eq!(
            int(
                conn,
                "SELECT count(*) FROM students WHERE year NOT BETWEEN 1 AND 4"
            )?,
            0
        );
        assert_eq!(
            int(
                conn,
                "SELECT count(*) FROM classes WHERE grade IS NOT NULL \
                 AND grade NOT IN ('A', 'B', 'C', 'D')"
            )?,
            0
        );
        assert!(classes_per_student(conn)?
            .values()
            .all(|n| (0..=5).contains(n)));
        // A student's classes are different courses.
        assert_eq!(
            int(
                conn,
                "SELECT count(*) FROM (SELECT student_id, name FROM classes \
                 GROUP BY student_id, name HAVING count(*) > 1)"
            )?,
            0
        );
        // A class's teacher belongs to the course's department.
        let mut stmt = conn.prepare(
            "SELECT DISTINCT c.abbreviation, t.department FROM classes c \
             JOIN teachers t ON t.id = c.teacher_id",
        )?;
        let pairs = stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))?;
        for pair in pairs {
            let (abbreviation, department): (String, String) = pair?;
            let course = COURSES
                .iter()
                .find(|c| c.abbreviation == abbreviation)
                .map(|c| DEPARTMENTS[c.department]);
            assert_eq!(course, Some(department.as_str()), "{abbreviation}");
        }
        Ok(())
    }

    #[test]
    fn default_school_keeps_the_contract() -> rusqlite::Result<()> {
        let mut conn = school()?;
        seed(&mut conn, DEFAULT_STUDENTS)?;
        assert_sound(&conn, 40)?;

        let teachers = int(&conn, "SELECT count(*) FROM teachers")?;
        assert!(teachers >= 6, "{teachers} teachers");
        assert!(int(&conn, "SELECT count(DISTINCT department) FROM teachers")? >= 3);
        assert_eq!(
            strings(&conn, "SELECT name FROM clubs ORDER BY id")?,
            ["Chess", "Drama", "Robotics", "Choir", "Debate"]
        );
        assert_eq!(int(&conn, "SELECT count(*) FROM classes")?, 120);
        assert_eq!(int(&conn, "SELECT count(*) FROM classes WHERE id = 1")?, 1);

        let per_student = classes_per_student(&conn)?;
        assert_eq!(per_student.len(), 40);
        assert!(per_student.values().filter(|n| **n == 0).count() >= 2);
        assert!(per_student.get(&13).copied().unwrap_or(0) >= 2);

        for (sql, what) in [
            (
                "SELECT count(*) FROM students WHERE advisor_id IS NULL",
                "no advisor",
            ),
            (
                "SELECT count(*) FROM students WHERE advisor_id IS NOT NULL",
                "an advisor",
            ),
            (
                "SELECT count(*) FROM classes WHERE teacher_id IS NULL",
                "no teacher",
            ),
            (
                "SELECT count(*) FROM classes WHERE teacher_id IS NOT NULL",
                "a teacher",
            ),
            (
                "SELECT count(*) FROM classes WHERE grade IS NULL",
                "no grade",
            ),
            ("SELECT count(*) FROM classes WHERE grade = 'A'", "an A"),
            (
                "SELECT count(*) FROM classes WHERE credits >= 4",
                "4+ credits",
            ),
            (
                "SELECT count(*) FROM classes WHERE credits = 2",
                "2 credits",
            ),
            (
                "SELECT count(*) FROM memberships WHERE club_id = 1",
                "Chess members",
            ),
            (
                "SELECT count(*) FROM memberships WHERE student_id = 13",
                "13 in a club",
            ),
        ] {
            assert!(int(&conn, sql)? > 0, "no row with {what}");
        }
        assert_eq!(
            int(
                &conn,
                "SELECT count(*) FROM classes WHERE abbreviation = 'BI301'"
            )?,
            0,
            "Biology 301 is the lesson's to append"
        );
        // The lessons append student 13 to Chess and to Drama: neither may clash.
        assert_eq!(
            int(
                &conn,
                "SELECT count(*) FROM memberships WHERE student_id = 13 AND club_id IN (1, 2)"
            )?,
            0
        );
        assert_eq!(int(&conn, "SELECT count(DISTINCT year) FROM students")?, 4);
        assert_eq!(int(&conn, "SELECT count(DISTINCT name) FROM students")?, 40);
        assert_eq!(int(&conn, "SELECT count(*) FROM memberships")?, 40);
        let clubs_per_student = "SELECT count(*) FROM students s WHERE \
             (SELECT count(*) FROM memberships m WHERE m.student_id = s.id)";
        assert!(int(&conn, &format!("{clubs_per_student} = 0"))? > 0);
        assert!(int(&conn, &format!("{clubs_per_student} = 2"))? > 0);
        Ok(())
    }

    #[test]
    fn seeding_is_deterministic() -> rusqlite::Result<()> {
        let mut first = school()?;
        let mut second = school()?;
        seed(&mut first, DEFAULT_STUDENTS)?;
        seed(&mut second, DEFAULT_STUDENTS)?;
        assert_eq!(dump(&first)?, dump(&second)?);
        Ok(())
    }

    #[test]
    fn default_school_is_a_prefix_of_a_bigger_one_where_sizes_agree() -> rusqlite::Result<()> {
        // Students' names and emails depend on the id alone.
        let small = seeded(40, false)?;
        let big = seeded(44, false)?;
        let sql = "SELECT name || ' ' || email FROM students WHERE id <= 40 ORDER BY id";
        assert_eq!(strings(&small, sql)?, strings(&big, sql)?);
        Ok(())
    }

    #[test]
    fn scale_keeps_the_proportions() -> rusqlite::Result<()> {
        let n: i64 = 2000;
        let conn = seeded(2000, false)?;
        assert_sound(&conn, n)?;
        assert_eq!(int(&conn, "SELECT count(*) FROM teachers")?, n / 5);
        assert_eq!(int(&conn, "SELECT count(*) FROM classes")?, 3 * n);
        assert_eq!(int(&conn, "SELECT count(*) FROM memberships")?, n);
        assert_eq!(int(&conn, "SELECT count(*) FROM clubs")?, n / 50);
        assert_eq!(
            strings(
                &conn,
                "SELECT name FROM clubs WHERE id IN (5, 6, 11) ORDER BY id"
            )?,
            ["Debate", "Chess 2", "Chess 3"]
        );
        // Every club and every teacher is used.
        assert_eq!(
            int(&conn, "SELECT count(DISTINCT club_id) FROM memberships")?,
            n / 50
        );
        assert!(int(&conn, "SELECT count(DISTINCT teacher_id) FROM classes")? > n / 5 * 9 / 10);
        Ok(())
    }

    #[test]
    fn odd_sizes_stay_close_to_the_proportions() -> rusqlite::Result<()> {
        for n in [0_i64, 1, 7, 13, 1001] {
            let conn = seeded(n.unsigned_abs(), false)?;
            assert_sound(&conn, n)?;
            assert!((int(&conn, "SELECT count(*) FROM classes")? - 3 * n).abs() <= 8);
            assert!((int(&conn, "SELECT count(*) FROM memberships")? - n).abs() <= 3);
        }
        Ok(())
    }

    #[test]
    fn bulk_load_gives_the_same_database() -> rusqlite::Result<()> {
        let plain = seeded(2000, false)?;
        let bulk = seeded(2000, true)?;
        assert_eq!(dump(&plain)?, dump(&bulk)?);
        let indexes = "SELECT name || ': ' || sql FROM sqlite_master \
                       WHERE type = 'index' AND sql IS NOT NULL ORDER BY name";
        assert_eq!(strings(&plain, indexes)?, strings(&bulk, indexes)?);
        assert_eq!(strings(&bulk, indexes)?.len(), 4);
        assert_eq!(
            int(&bulk, "PRAGMA foreign_keys")?,
            1,
            "foreign keys back on"
        );
        assert_eq!(
            int(&bulk, "PRAGMA cache_size")?,
            int(&plain, "PRAGMA cache_size")?,
            "the page cache back to its size"
        );
        assert_ne!(int(&bulk, "PRAGMA cache_size")?, -BULK_CACHE_KIB);
        assert_eq!(
            int(&bulk, "SELECT count(*) FROM pragma_foreign_key_check")?,
            0
        );
        assert_eq!(strings(&bulk, "PRAGMA integrity_check")?, ["ok"]);
        let attached = strings(&bulk, "SELECT name FROM pragma_database_list")?;
        assert!(
            !attached.contains(&"seed_side".to_string()),
            "the side database detached: {attached:?}"
        );
        Ok(())
    }

    #[test]
    fn the_one_thread_bulk_load_gives_the_same_database() -> rusqlite::Result<()> {
        let plain = seeded(2000, false)?;
        let mut bulk = school()?;
        fill(&mut bulk, Sizes::new(2000), Fill::Bulk)?;
        assert_eq!(dump(&plain)?, dump(&bulk)?);
        let indexes = "SELECT name || ': ' || sql FROM sqlite_master \
                       WHERE type = 'index' AND sql IS NOT NULL ORDER BY name";
        assert_eq!(strings(&plain, indexes)?, strings(&bulk, indexes)?);
        assert_eq!(strings(&bulk, "PRAGMA integrity_check")?, ["ok"]);
        Ok(())
    }

    #[test]
    fn a_side_no_longer_wanted_stops_and_its_file_goes() -> rusqlite::Result<()> {
        let conn = school()?;
        let side = Side::start(&conn, Sizes::new(300_000))?;
        let file = side.file().to_path_buf();
        assert!(file.exists());
        drop(side);
        assert!(!file.exists(), "{} removed", file.display());
        Ok(())
    }

    #[test]
    fn the_side_tables_are_copied_whole_and_their_file_removed() -> rusqlite::Result<()> {
        let conn = school()?;
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        let sizes = Sizes::new(50);
        let mut side = Side::start(&conn, sizes)?;
        let file = side.file().to_path_buf();
        assert!(strings(&conn, "SELECT name FROM pragma_database_list")?
            .contains(&"seed_side".to_string()));
        side.copy_into(&conn, &mut Progress::new(sizes, None))?;
        let plain = seeded(50, false)?;
        let (copied, seeded_plain) = (dump(&conn)?, dump(&plain)?);
        for (i, table) in TABLES.iter().enumerate() {
            if side::tables().any(|t| t == *table) {
                assert_eq!(copied[i], seeded_plain[i], "{table}, ids and all");
                assert!(!copied[i].is_empty(), "{table}");
            } else {
                assert!(copied[i].is_empty(), "{table} is not the side's");
            }
        }
        side.detach(&conn)?;
        drop(side);
        assert!(!file.exists(), "{} removed", file.display());
        assert_eq!(strings(&conn, "PRAGMA integrity_check")?, ["ok"]);
        Ok(())
    }

    #[test]
    fn seeding_twice_fails_and_changes_nothing() -> rusqlite::Result<()> {
        for bulk in [false, true] {
            let mut conn = seeded(40, bulk)?;
            let before = dump(&conn)?;
            assert!(load(&mut conn, Sizes::new(40), bulk).is_err());
            assert_eq!(dump(&conn)?, before);
            assert_eq!(int(&conn, "PRAGMA foreign_keys")?, 1);
        }
        Ok(())
    }

    #[test]
    fn emails_stay_unique_past_the_distinct_names() -> rusqlite::Result<()> {
        let conn = seeded(DISTINCT_NAMES + 50, false)?;
        let emails = strings(&conn, "SELECT email FROM students")?;
        let distinct: HashSet<&String> = emails.iter().collect();
        assert_eq!(distinct.len(), emails.len());
        assert_eq!(
            strings(
                &conn,
                "SELECT email FROM students WHERE id IN (1, 401) ORDER BY id"
            )?,
            ["olivia.smith@school.edu", "olivia.smith.401@school.edu"]
        );
        Ok(())
    }
}
