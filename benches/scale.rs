//! The `--scale` School: how long seeding 1,000,000 students takes, and how long lookups by
//! key and by relationship take on that database (each should stay under 1 ms because every
//! foreign key is indexed). Prints its figures; `cargo bench --bench scale`.
//!
//! Run without `--bench` (as `cargo test --benches` does) it checks itself on a small School.
//! `ORMSCOPE_SCALE=N` sets another number of students.

use ormscope::db::Database;
use ormscope::school;
use ormscope::session::{Options, Session};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Students in the benchmarked School.
const STUDENTS: u64 = 1_000_000;
/// Students when run as a check rather than a benchmark.
const CHECK_STUDENTS: u64 = 2_000;

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let students = std::env::var("ORMSCOPE_SCALE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if benchmarking {
            STUDENTS
        } else {
            CHECK_STUDENTS
        });
    let iterations = if benchmarking { 2_000 } else { 20 };
    let middle = students / 2;

    println!("scale: {students} students");
    let started = Instant::now();
    let db = Database::in_memory(&school::metadata(), students)
        .unwrap_or_else(|e| panic!("seeding failed: {}", e.message));
    let seeded = started.elapsed();
    println!("seed (Database::in_memory): {}", millis(seeded));
    for table in ["teachers", "students", "classes", "clubs", "memberships"] {
        let count: i64 = db
            .connection()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .unwrap_or_else(|e| panic!("counting {table}: {e}"));
        println!("  {table}: {count} rows");
    }
    drop(db);

    let started = Instant::now();
    let mut session = Session::open(Options {
        scale: Some(students),
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("opening the session failed: {}", e.message));
    println!(
        "session open (seed + mapper): {}",
        millis(started.elapsed())
    );

    let lookups = [
        format!("students[{middle}]"),
        format!("students[{middle}].classes"),
        format!("students[{middle}].clubs"),
        format!("students[{middle}].advisor"),
        format!("classes[{}].student", middle * 3),
        format!("teachers[{}].advisees.count()", (middle / 5).max(1)),
        format!("classes.where(student_id == {middle}).sum(credits)"),
    ];
    println!();
    println!("| statement | rows | mean µs | median µs | p99 µs | max µs |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut plans = Vec::new();
    for text in &lookups {
        let response = session.run(text);
        if let Err(e) = &response.outcome {
            panic!("{text} failed: {}", e.message);
        }
        let rows: u64 = response.sql.iter().map(|s| s.rows).sum();
        for sql in &response.sql {
            plans.push((
                sql.display.clone(),
                plan(&session, &sql.text, sql.params.len()),
            ));
        }
        let mut times = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let started = Instant::now();
            black_box(session.run(black_box(text)));
            times.push(started.elapsed());
        }
        times.sort();
        let mean = times.iter().sum::<Duration>() / iterations as u32;
        println!(
            "| `{text}` | {rows} | {} | {} | {} | {} |",
            micros(mean),
            micros(times[iterations / 2]),
            micros(times[iterations * 99 / 100]),
            micros(times[iterations - 1]),
        );
    }
    println!();
    println!("query plans:");
    for (sql, plan) in plans {
        println!("  {sql}");
        for step in plan {
            println!("    {step}");
        }
    }
}

/// SQLite's plan for `sql`, with NULL for each parameter (the plan does not depend on them).
fn plan(session: &Session, sql: &str, params: usize) -> Vec<String> {
    let conn = session.database().connection();
    let mut statement = match conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")) {
        Ok(statement) => statement,
        Err(e) => return vec![format!("(no plan: {e})")],
    };
    let nulls = vec![rusqlite::types::Null; params];
    let rows = statement.query_map(rusqlite::params_from_iter(nulls), |row| {
        row.get::<_, String>(3)
    });
    match rows {
        Ok(rows) => rows.map(|r| r.unwrap_or_else(|e| e.to_string())).collect(),
        Err(e) => vec![format!("(no plan: {e})")],
    }
}

fn millis(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn micros(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}
