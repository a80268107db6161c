//! Peak memory of the runs that once grew with the data (issue 28, item 13): `:sql` of 10
//! million rows on SQLite and PostgreSQL, in the readable view and in `--json`, and a loop over
//! a million students whose body sends a query per student. Each run is the release binary
//! in a process of its own; its peak resident memory is read from the kernel when it ends
//! (`wait4`'s `ru_maxrss`) and printed beside the 100 MB the issue sets.
//!
//! `cargo bench --bench memory` (about two minutes; `ORMSCOPE_MEMORY_STUDENTS` and
//! `ORMSCOPE_MEMORY_ROWS` make it smaller).

#[path = "../tests/common/pg.rs"]
mod pg;

use std::process::{Command, Stdio};
use std::time::Instant;

/// The ceiling, in megabytes.
const CEILING_MB: f64 = 100.0;

fn main() {
    let rows = setting("ORMSCOPE_MEMORY_ROWS", 10_000_000);
    let students = setting("ORMSCOPE_MEMORY_STUDENTS", 1_000_000);
    let counted = format!(
        ":sql WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {rows}) \
         SELECT x, 'row ' || x AS label FROM c"
    );
    println!("peak resident memory (the issue's ceiling: {CEILING_MB} MB)");
    measure(
        &format!(":sql of {rows} rows, SQLite, view"),
        &["-e", &counted],
    );
    measure(
        &format!(":sql of {rows} rows, SQLite, --json"),
        &["--json", "-e", &counted],
    );
    match pg::Server::start() {
        Ok(server) => {
            let url = server.url();
            measure(
                &format!(":sql of {rows} rows, PostgreSQL, view"),
                &["--db", &url, "-e", &counted],
            );
            measure(
                &format!(":sql of {rows} rows, PostgreSQL, --json"),
                &["--db", &url, "--json", "-e", &counted],
            );
        }
        Err(why) => println!("PostgreSQL runs left out: {why}"),
    }
    let dir = tempfile::tempdir().expect("a scratch folder");
    let file = dir.path().join("school.db");
    let file = file.to_str().expect("a UTF-8 path");
    let made = Command::new(env!("CARGO_BIN_EXE_ormscope"))
        .args([
            "--db",
            file,
            "--scale",
            &students.to_string(),
            "-e",
            "students.count()",
        ])
        .stdout(Stdio::null())
        .status()
        .expect("ormscope runs");
    assert!(
        made.success(),
        "the School of {students} students was not made"
    );
    let looped = "for s in students: s.name, s.classes.count()";
    measure(
        &format!("loop over {students} students, a count each, view"),
        &["--db", file, "-e", looped],
    );
    measure(
        &format!("loop over {students} students, a count each, --json"),
        &["--db", file, "--json", "-e", looped],
    );
}

/// Runs ormscope with `args` and no time limit on statements, its output thrown away, and
/// prints its peak memory and time. The child is reaped by `wait4`, which also gives its peak
/// memory (`Child::wait` would reap it first and lose that).
#[allow(clippy::zombie_processes)]
fn measure(what: &str, args: &[&str]) {
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_ormscope"))
        .args(["-e", ":timeout 0"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ormscope runs");
    let (status, peak_kb) = wait_with_peak(child.id() as libc::pid_t);
    let mb = peak_kb as f64 / 1024.0;
    let verdict = if mb <= CEILING_MB { "within" } else { "OVER" };
    println!(
        "{what:<58} {mb:>8.1} MB  {:>6.1} s  {verdict}{}",
        started.elapsed().as_secs_f64(),
        if status == 0 {
            ""
        } else {
            " (exit status not 0)"
        }
    );
}

/// Waits for the process and gives its exit status and peak resident memory in kilobytes.
fn wait_with_peak(pid: libc::pid_t) -> (i32, i64) {
    let mut status = 0;
    // SAFETY: `usage` is a plain C struct the kernel fills; all zeros is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for; both pointers are to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "waiting for ormscope failed");
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

/// A count from the environment, or `default`.
fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
