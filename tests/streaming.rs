//! Results fetch what is shown: the readable view keeps only the rows it prints (and counts
//! the rest), `:rows N` changes how many, and `--json` still gives every row.

mod common;

use common::{run_args, Db};

#[test]
fn the_view_counts_every_row_but_shows_the_first() {
    let db = Db::with_args(&["--scale", "2000"]);
    let r = run_args(
        &["--db", db.path_str(), "--no-color", "-e", "students"],
        false,
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("2000 rows; the first 20 shown (:rows N shows more)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("→ 2000 rows"), "{}", r.stdout);
}

#[test]
fn rows_n_widens_the_window() {
    let db = Db::with_args(&["--scale", "2000"]);
    let r = run_args(
        &[
            "--db",
            db.path_str(),
            "--no-color",
            "-e",
            ":rows 30",
            "-e",
            "students.where(year == 2)",
        ],
        false,
    );
    let want = db.scalar("SELECT count(*) FROM students WHERE year = 2");
    let caption = format!("{want} rows; the first 30 shown");
    assert!(r.stdout.contains(&caption), "{caption}: {}", r.stdout);
    let body_rows = r.stdout.lines().filter(|l| l.starts_with("│ ")).count();
    assert_eq!(body_rows, 31, "30 rows and the header: {}", r.stdout);
}

#[test]
fn json_gives_every_row() {
    let db = Db::with_args(&["--scale", "2000"]);
    let answer = db.ok("students");
    assert_eq!(
        answer["result"]["rows"].as_array().map(Vec::len),
        Some(2000)
    );
    assert_eq!(answer["sql"][0]["rows"], 2000);
}

#[test]
fn seeding_draws_no_progress_bar_off_a_terminal() {
    let r = run_args(&["--scale", "100000", "-e", "students.count()"], false);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("seeding"), "{}", r.stderr);
    assert!(r.stdout.contains("100000"), "{}", r.stdout);
}
