//! `--db postgresql://…` runs the real binary's session on PostgreSQL: the loads and the INSERT
//! PostgreSQL ran are shown with the new row; another scheme, or a server that is not there, is
//! a plain `io` error that never shows the password.

mod common;
#[path = "common/driver.rs"]
mod driver;
#[path = "common/pg.rs"]
mod pg;

use driver::Driver;

use common::run_args;

#[test]
fn an_append_runs_on_postgresql_and_shows_its_insert() {
    let server = pg::server();
    let url = server.url();
    let run = on_fresh_school(
        &url,
        &[
            "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
            "students[13].classes",
        ],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    // The same statements as on SQLite (the student, its classes, then the INSERT), in
    // PostgreSQL's SQL: `$1` parameters and the new id by RETURNING.
    let sql = run.out[0]["sql"].as_array().cloned().unwrap_or_default();
    let shown: Vec<&str> = sql.iter().filter_map(|s| s["display"].as_str()).collect();
    assert_eq!(
        shown,
        [
            "SELECT * FROM students WHERE id = 13",
            "SELECT * FROM classes WHERE student_id = 13",
            "INSERT INTO classes (student_id, name, abbreviation) VALUES (13, 'Biology 301', 'BI301') RETURNING id",
        ]
    );
    let texts: Vec<&str> = sql.iter().filter_map(|s| s["text"].as_str()).collect();
    assert_eq!(
        texts,
        [
            "SELECT * FROM students WHERE id = $1",
            "SELECT * FROM classes WHERE student_id = $1",
            "INSERT INTO classes (student_id, name, abbreviation) VALUES ($1, $2, $3) RETURNING id",
        ]
    );
    let new_id = run.out[0]["result"]["id"].clone();
    let rows = run.out[1]["result"]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        rows.iter().any(|r| r[0] == new_id && r[3] == "Biology 301"),
        "the new class {new_id} is not among {rows:?}"
    );
    let again = run_args(&["--db", &url, "--json", "-e", "classes.count()"], true);
    let fresh = run_args(&["--json", "-e", "classes.count()"], true);
    assert_eq!(
        again.out[0]["result"]["value"].as_i64(),
        fresh.out[0]["result"]["value"].as_i64().map(|n| n + 1),
        "the School in schema ormscope is kept between runs"
    );
}

#[test]
fn another_scheme_is_an_io_error() {
    let run = run_args(&["--db", "mysql://x", "--json", "-e", "students"], true);
    assert_eq!(run.status, 1);
    assert_eq!(run.out[0]["error"]["kind"], "io");
    assert!(
        run.stderr.contains("mysql:// is not supported"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_server_that_is_down_says_so_without_the_password() {
    let url = "postgresql://ann:hunter2secret@127.0.0.1:1/school";
    let run = run_args(&["--db", url, "--json", "-e", "students"], true);
    assert_eq!(run.status, 1);
    assert_eq!(run.out[0]["error"]["kind"], "io");
    assert!(
        run.stderr.contains("cannot reach the PostgreSQL server"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("postgresql://ann@127.0.0.1:1/school"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hunter2secret") && !run.stdout.contains("hunter2secret"));
}

#[test]
fn explain_and_raw_sql_on_postgresql() {
    let server = server();
    let url = server.url();
    let run = run_args(
        &[
            "--db",
            &url,
            "--json",
            "-e",
            ":explain students.where(name == 'Ann')",
            "-e",
            ":sql SELECT name FROM students WHERE id = 2",
            "-e",
            ":sql SELECT pg_read_file('/etc/passwd')",
            "-e",
            ":sql COPY students TO '/tmp/ormscope-copy'",
            "-e",
            ":sql SELECT * FROM pg_catalog.pg_roles",
        ],
        true,
    );
    let plan = run.out[0]["text"].as_str().unwrap_or("");
    assert!(plan.contains("reads the whole table students"), "{plan}");
    assert!(plan.contains("PostgreSQL: Seq Scan students"), "{plan}");
    assert_eq!(run.out[1]["result"]["rows"][0][0], "Liam Brown");
    for refused in &run.out[2..] {
        assert_eq!(refused["ok"], false, "{refused}");
        assert!(
            refused["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("not allowed") || m.contains("outside the School")),
            "{refused}"
        );
    }
    assert!(!std::path::Path::new("/tmp/ormscope-copy").exists());
}

#[test]
fn a_key_beyond_32_bits_is_an_error_never_another_row() {
    let server = server();
    let url = server.url();
    // 4294967309 is 2^32 + 13 and 4294967298 is 2^32 + 2: cut to 32 bits they were student 13
    // and year 2, and the delete and the update below hit those rows.
    let run = on_fresh_school(
        &url,
        &[
            "students[4294967309].delete()",
            "students.where(year == 4294967298).update(year=3)",
            "students[13].name",
            "students.where(year == 2).count()",
        ],
    );
    for answer in &run.out[..2] {
        assert_eq!(answer["ok"], false, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap_or("");
        assert!(
            message.ends_with(
                "is out of range for a PostgreSQL INTEGER (from -2147483648 to 2147483647)"
            ),
            "the learner is told why, and not that the connection failed: {answer}"
        );
    }
    assert_eq!(
        run.out[2]["ok"], true,
        "student 13 is still there: {}",
        run.out[2]
    );
    assert_eq!(
        run.out[3]["result"]["value"], 6,
        "no year-2 student was changed: {}",
        run.out[3]
    );
}

#[test]
fn select_into_cannot_make_a_table_that_hides_a_mapped_one() {
    let server = server();
    let url = server.url();
    let run = on_fresh_school(
        &url,
        &[
            ":sql SELECT * INTO TEMP students FROM students",
            "students[13].name = 'Zed'",
        ],
    );
    assert_eq!(run.out[0]["ok"], false, "{}", run.out[0]);
    assert!(
        run.out[0]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("a query with INTO is refused")),
        "{}",
        run.out[0]
    );
    assert_eq!(run.out[1]["ok"], true, "{}", run.out[1]);
    let again = run_args(&["--db", &url, "--json", "-e", "students[13].name"], true);
    assert_eq!(again.out[0]["result"]["value"], "Zed", "{}", again.out[0]);
}

#[test]
fn a_password_in_the_url_is_never_printed() {
    let server = server();
    let url = format!("{}&password=hunter2", server.url());
    for json in [false, true] {
        let mut args = vec![
            "--db",
            url.as_str(),
            "--reset",
            "-e",
            "students.count()",
            "-e",
            ":tables",
        ];
        if json {
            args.push("--json");
        }
        let run = run_args(&args, json);
        assert_eq!(run.status, 0, "{}", run.stderr);
        assert!(
            !run.stdout.contains("hunter2") && !run.stderr.contains("hunter2"),
            "the password is shown:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
    let down = run_args(
        &[
            "--db",
            "postgresql://127.0.0.1:1/x?user=ann&password=hunter2",
            "--json",
            "-e",
            "students",
        ],
        true,
    );
    assert!(
        !down.stdout.contains("hunter2") && !down.stderr.contains("hunter2"),
        "{}",
        down.stdout
    );
}

#[test]
fn a_function_named_in_unicode_escapes_is_refused_before_the_server_sees_it() {
    let server = server();
    let url = server.url();
    // U&"pg\005fread_file" is pg_read_file to the server: as a superuser it read server files.
    let run = on_fresh_school(
        &url,
        &[
            r#":sql SELECT U&"pg\005fread_file"('PG_VERSION')"#,
            r#":sql SELECT * FROM U&"\0070g_authid""#,
        ],
    );
    for answer in &run.out {
        assert_eq!(answer["ok"], false, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains("Unicode escapes"), "{answer}");
        assert!(
            answer["result"].is_null() && !answer.to_string().contains("rolpassword"),
            "{answer}"
        );
    }
}

#[test]
fn query_as_text_functions_and_table_commands_cannot_reach_the_catalog() {
    let server = server();
    let url = server.url();
    let hostile = [
        ":sql SELECT * FROM ts_stat('SELECT to_tsvector(rolname) FROM pg_authid')",
        ":sql SELECT database_to_xml(true, true, '')",
        ":sql SELECT * FROM (TABLE pg_authid) x",
        ":sql WITH s AS (TABLE pg_authid) SELECT * FROM s",
        ":sql SELECT setval('students_id_seq', 1)",
    ];
    let mut statements = hostile.to_vec();
    statements.push("Student(name='Ada', email='ada@school.edu', year=1)");
    let run = on_fresh_school(&url, &statements);
    for answer in &run.out[..hostile.len()] {
        assert_eq!(answer["ok"], false, "refused: {answer}");
        assert!(answer["result"].is_null(), "{answer}");
    }
    let made = &run.out[hostile.len()];
    assert_eq!(
        made["result"]["id"], 41,
        "the sequence was not reset: {made}"
    );
}

/// The throwaway PostgreSQL server these tests need (.ci/run installs PostgreSQL): a test
/// whose tool is missing fails, it never passes by skipping.
fn server() -> pg::Server {
    pg::server()
}

/// Runs `statements` (`--json`) on a School made afresh on the server at `url`.
fn on_fresh_school(url: &str, statements: &[&str]) -> common::Run {
    let mut args = vec!["--db", url, "--reset", "--json"];
    for statement in statements {
        args.extend(["-e", statement]);
    }
    run_args(&args, true)
}

#[test]
fn raw_sql_runs_as_a_role_with_rights_on_the_school_only() {
    let server = server();
    let url = server.url();
    let run = on_fresh_school(
        &url,
        &[
            ":sql SELECT current_user",
            ":sql UPDATE students SET name = 'Zed' WHERE id = 13",
            ":sql INSERT INTO clubs (name) VALUES ('Go')",
            "students[13].name",
            "class Award(Base):\n    __tablename__ = 'awards'\n    id = Column(Integer, primary_key=True)\n    title = Column(String)",
            ":sql SELECT count(*) FROM awards",
            ":sql SELECT current_user",
        ],
    );
    let value = |i: usize| run.out[i]["result"]["rows"][0][0].clone();
    for (i, answer) in run.out.iter().enumerate() {
        assert_eq!(answer["ok"], true, "statement {i}: {answer}");
    }
    assert_eq!(value(0), "ormscope_learner", "{}", run.out[0]);
    assert_eq!(run.out[3]["result"]["value"], "Zed");
    assert_eq!(value(5), 0, "a table declared later is the role's too");
    assert_eq!(value(6), "ormscope_learner");
    let read_only = run_args(
        &[
            "--db",
            &url,
            "--read-only",
            "--json",
            "-e",
            ":sql SELECT current_user",
        ],
        true,
    );
    assert_eq!(
        read_only.out[0]["result"]["rows"][0][0], "ormscope_reader",
        "{}",
        read_only.out[0]
    );
}

#[test]
fn raw_sql_is_refused_never_run_as_the_user_when_the_role_cannot_be_made() {
    let server = server();
    server
        .psql("CREATE ROLE plain LOGIN; GRANT CREATE ON DATABASE postgres TO plain;")
        .expect("a user who may not create roles");
    let url = server.url().replace("user=postgres", "user=plain");
    let run = on_fresh_school(
        &url,
        &[
            ":sql SELECT current_user",
            "students.count()",
            ":explain students.count()",
        ],
    );
    assert_eq!(run.out[0]["ok"], false, "{}", run.out[0]);
    let message = run.out[0]["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains("could not make it"), "{message}");
    let explained = run.out[2]["error"]["message"].as_str().unwrap_or("");
    assert!(
        explained.starts_with("PostgreSQL could not plan SELECT count(*) FROM students")
            && explained.contains(":explain on PostgreSQL asks as a role"),
        "the plan is never asked as the connecting user: {}",
        run.out[2]
    );
    assert_eq!(
        run.out[1]["result"]["value"], 40,
        "the ORM's own statements run: {}",
        run.out[1]
    );
}

#[test]
fn dividing_a_column_by_zero_is_the_same_error_as_on_sqlite() {
    let server = server();
    let url = server.url();
    let run = on_fresh_school(&url, &["students.where(id // 0 == 1).count()"]);
    let sqlite = common::mem(&["students.where(id // 0 == 1).count()"]);
    assert_eq!(
        run.out[0]["error"], sqlite.out[0]["error"],
        "{}",
        run.out[0]
    );
    assert_eq!(run.out[0]["error"]["kind"], "type");
}

/// The process id of the server's backend for ormscope's connection (the one other than psql's).
fn backend_of_ormscope(server: &pg::Server) -> String {
    let listed = server
        .psql(
            "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' \
             AND pid <> pg_backend_pid()",
        )
        .expect("psql lists the backends");
    let pids: Vec<&str> = listed.lines().skip(1).collect();
    assert_eq!(pids.len(), 1, "one connection of ormscope's: {listed}");
    pids[0].to_string()
}

/// Ends ormscope's connection from the server's side, as a restart does ("terminating
/// connection due to administrator command").
fn end_ormscope_connection(server: &pg::Server) {
    let pid = backend_of_ormscope(server);
    server
        .psql(&format!("SELECT pg_terminate_backend({pid}, 5000)"))
        .expect("the backend is ended");
}

/// A backend stopped with SIGSTOP, let go again when dropped (before the server is stopped).
struct Frozen(String);

impl Frozen {
    fn freeze(pid: String) -> Frozen {
        let stopped = std::process::Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .expect("kill runs");
        assert!(stopped.success(), "backend {pid} is stopped");
        Frozen(pid)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-CONT", &self.0])
            .status();
    }
}

#[test]
fn a_frozen_backend_is_given_up_after_the_timeout_and_the_next_statement_runs() {
    let server = server();
    let url = server.url();
    let mut ormscope = Driver::start(&["--db", &url, "--reset"]);
    assert_eq!(ormscope.ask(":timeout 1")["ok"], true);
    assert_eq!(ormscope.ask("students.count()")["result"]["value"], 40);
    // A backend that is stopped answers neither its statement_timeout nor a cancel request:
    // only the client can end the wait.
    let frozen = Frozen::freeze(backend_of_ormscope(&server));
    let started = std::time::Instant::now();
    let answer = ormscope.ask_within("students.count()", std::time::Duration::from_secs(60));
    let took = started.elapsed();
    drop(frozen);
    assert_eq!(answer["ok"], false, "{answer}");
    assert_eq!(answer["error"]["kind"], "sql", "{answer}");
    let message = answer["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with("the statement ran longer than 1 s and was stopped")
            && message.contains("did not answer")
            && message.contains("nothing of this statement was saved"),
        "{answer}"
    );
    // 1 s, the cancel's grace of 2 s, and room for a loaded machine.
    assert!(
        took < std::time::Duration::from_secs(8),
        "stopped after {took:?}"
    );
    let after = ormscope.ask("students.count()");
    assert_eq!(
        after["result"]["value"], 40,
        "the next statement runs: {after}"
    );
}

#[test]
fn after_the_server_ends_the_connection_the_next_statement_connects_again_and_runs() {
    let server = server();
    let url = server.url();
    let mut ormscope = Driver::start(&["--db", &url, "--reset"]);
    assert_eq!(ormscope.ask(":timeout 3")["ok"], true);
    assert_eq!(ormscope.ask("students.count()")["result"]["value"], 40);
    end_ormscope_connection(&server);
    let answer = ormscope.ask("students[13].name");
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["result"]["value"], "Zara Patel", "{answer}");
    // The new connection has the session's settings: the School's schema (above), and the
    // limit, which the server keeps (the client's watchdog would say the server did not answer).
    let slow = ormscope.ask(
        ":sql SELECT count(*) FROM students a, students b, students c, students d, students e, students f",
    );
    let message = slow["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with("the statement ran longer than 3 s")
            && !message.contains("did not answer"),
        "{slow}"
    );
}

#[test]
fn a_transaction_lost_with_the_connection_is_said_to_be_lost_and_its_write_is_gone() {
    let server = server();
    let url = server.url();
    let mut ormscope = Driver::start(&["--db", &url, "--reset"]);
    assert_eq!(ormscope.ask("begin")["ok"], true);
    let write = ormscope.ask("students[13].name = 'Zed'");
    assert_eq!(write["ok"], true, "{write}");
    end_ormscope_connection(&server);
    let answer = ormscope.ask("students[13].name");
    assert_eq!(answer["ok"], false, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("the open transaction was lost") && message.contains("is gone"),
        "{answer}"
    );
    let again = ormscope.ask("students[13].name");
    assert_eq!(again["result"]["value"], "Zara Patel", "{again}");
    let commit = ormscope.ask("commit");
    assert_eq!(commit["ok"], false, "nothing is left to commit: {commit}");
    let stored = server
        .psql("SELECT name FROM ormscope.students WHERE id = 13")
        .expect("psql reads");
    assert!(!stored.contains("Zed"), "{stored}");
}

#[test]
fn a_server_that_is_gone_is_an_io_error_that_says_what_to_do() {
    let server = server();
    let url = server.url();
    let mut ormscope = Driver::start(&["--db", &url, "--reset"]);
    assert_eq!(ormscope.ask("students.count()")["result"]["value"], 40);
    drop(server);
    let answer = ormscope.ask("students[13].name");
    assert_eq!(answer["ok"], false, "{answer}");
    assert_eq!(
        answer["error"]["kind"], "io",
        "the contract's kind for a database not reached: {answer}"
    );
    let message = answer["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains("connecting again failed"), "{message}");
}
