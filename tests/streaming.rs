//! Results fetch what is shown: the readable view keeps only the rows it prints (and counts
//! the rest), `:rows N` changes how many, and `--json` still gives every row.

mod common;
#[path = "common/pg.rs"]
mod pg;

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

/// `:sql` of many rows keeps only the window a view shows, on either backend.
fn raw_sql_keeps_only_the_window(options: ormscope::session::Options) {
    let mut session = ormscope::session::Session::open(options).expect("the School opens");
    session.set_window(Some(5));
    let answer = ormscope::shell::run_in(
        &mut session,
        ":sql WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) SELECT x FROM c",
    );
    match answer.outcome {
        Ok(ormscope::session::Outcome::Rows { rows, more, .. }) => {
            assert_eq!(rows.len(), 5, "only the rows shown are kept");
            assert_eq!(more, 995, "the rest are counted");
        }
        other => panic!("rows were expected: {other:?}"),
    }
    assert_eq!(answer.sql[0].rows, 1000);
}

#[test]
fn raw_sql_keeps_only_the_window_on_sqlite() {
    raw_sql_keeps_only_the_window(ormscope::session::Options::default());
}

#[test]
fn raw_sql_keeps_only_the_window_on_postgresql() {
    let server = pg::server();
    raw_sql_keeps_only_the_window(ormscope::session::Options {
        db_path: Some(server.url().into()),
        ..Default::default()
    });
}
