//! The raw-SQL sandbox, read-only sessions, the statement time limit, and durable files.

use assert_cmd::Command;
use serde_json::Value;

fn answers(args: &[&str]) -> Vec<Value> {
    let output = Command::cargo_bin("ormscope")
        .expect("binary")
        .args(args)
        .output()
        .expect("runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

fn error_message(answer: &Value) -> String {
    assert_eq!(answer["ok"], false, "{answer}");
    answer["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn attach_is_refused_and_no_file_appears() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("x.db");
    let statement = format!(":sql ATTACH DATABASE '{}' AS x", target.display());
    let a = answers(&["--json", "-e", &statement]);
    assert!(error_message(&a[0]).contains("ATTACH"), "{}", a[0]);
    assert!(!target.exists(), "the attached file was created");
}

#[test]
fn files_extensions_and_setting_pragmas_are_refused_reading_pragmas_are_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vacuum = format!(
        ":sql VACUUM INTO '{}'",
        dir.path().join("copy.db").display()
    );
    let a = answers(&[
        "--json",
        "-e",
        &vacuum,
        "-e",
        ":sql SELECT load_extension('evil')",
        "-e",
        ":sql PRAGMA foreign_keys = OFF",
        "-e",
        ":sql PRAGMA table_info(students)",
        "-e",
        ":sql PRAGMA foreign_keys",
    ]);
    assert!(error_message(&a[0]).contains("VACUUM"));
    assert!(!dir.path().join("copy.db").exists());
    assert!(error_message(&a[1]).contains("load_extension"));
    assert!(error_message(&a[2]).contains("PRAGMA foreign_keys = OFF is refused"));
    assert_eq!(
        a[3]["result"]["rows"].as_array().map(Vec::len),
        Some(5),
        "students has five columns"
    );
    assert_eq!(a[4]["result"]["rows"][0][0], 1, "foreign keys stay on");
}

#[test]
fn the_schools_tables_keep_their_shape() {
    let a = answers(&[
        "--json",
        "-e",
        ":sql DROP TABLE students",
        "-e",
        ":sql ALTER TABLE classes ADD COLUMN room TEXT",
        "-e",
        ":sql CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)",
        "-e",
        "students.count()",
    ]);
    assert!(error_message(&a[0]).contains("schema of students is refused"));
    assert!(error_message(&a[1]).contains("schema of classes is refused"));
    assert_eq!(
        a[2]["ok"], true,
        "a table of one's own is allowed: {}",
        a[2]
    );
    assert_eq!(a[3]["result"]["value"], 40);
}

#[test]
fn a_read_only_session_reads_but_never_writes() {
    let a = answers(&[
        "--read-only",
        "--json",
        "-e",
        "students[13].name = 'Ann'",
        "-e",
        ":sql DELETE FROM classes",
        "-e",
        "students[13].name",
    ]);
    assert!(error_message(&a[0]).contains("read-only"));
    assert!(error_message(&a[1]).contains("read-only"));
    assert_ne!(a[2]["result"]["value"], "Ann");
    assert_eq!(a[2]["ok"], true);
}

#[test]
fn a_runaway_statement_is_stopped_by_the_time_limit() {
    let a = answers(&[
        "--json",
        "-e",
        ":timeout 1",
        "-e",
        ":sql WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
        "-e",
        "students.count()",
    ]);
    assert!(error_message(&a[1]).contains("longer than 1 s"), "{}", a[1]);
    assert_eq!(a[2]["result"]["value"], 40, "the session carries on");
}

#[test]
fn a_write_is_on_disk_when_its_result_is_shown_even_if_the_process_is_killed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("school.sqlite");
    let db = db.to_str().expect("utf-8 path");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ormscope"))
        .args(["--db", db, "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    {
        use std::io::{BufRead, Write};
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "students[13].name = 'Durable'").expect("written");
        drop(stdin);
        let mut line = String::new();
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        stdout.read_line(&mut line).expect("an answer");
        assert!(line.contains("\"ok\":true"), "{line}");
    }
    let _ = child.kill();
    let _ = child.wait();
    let a = on_file(db, &["students[13].name"]);
    assert_eq!(a[0]["result"]["value"], "Durable");
}

#[test]
fn an_enormous_time_limit_means_no_limit_not_a_crash() {
    let a = answers(&[
        "--json",
        "-e",
        ":timeout 9223372036854775807",
        "-e",
        "students.count()",
    ]);
    assert_eq!(a.len(), 2);
    assert_eq!(a[1]["result"]["value"], 40);
}

#[test]
fn a_temporary_table_cannot_hide_a_mapped_one_so_writes_reach_the_file() {
    let (_dir, db) = school_path();
    let db = db.as_str();
    let run = on_file(
        db,
        &[
            ":sql CREATE TEMP TABLE students AS SELECT * FROM main.students",
            "students[13].name = 'Zed'",
        ],
    );
    assert!(
        error_message(&run[0]).contains("would hide the mapped table students"),
        "{}",
        run[0]
    );
    assert_eq!(run[1]["ok"], true, "{}", run[1]);
    // A new session on the file sees the write: it went to the School, not to a temporary copy.
    let again = on_file(db, &["students[13].name"]);
    assert_eq!(again[0]["result"]["value"], "Zed", "{}", again[0]);
}

#[test]
fn read_only_refuses_reindex_and_analyze_and_the_file_is_unchanged() {
    let (_dir, db) = school_path();
    let db = db.as_str();
    make_school(db);
    let before = std::fs::read(db).expect("the file");
    let run = answers(&[
        "--db",
        db,
        "--read-only",
        "--json",
        "-e",
        ":sql REINDEX",
        "-e",
        ":sql ANALYZE",
    ]);
    for answer in &run {
        assert!(error_message(answer).contains("read-only"), "{answer}");
    }
    assert!(
        std::fs::read(db).expect("the file") == before,
        "the file changed"
    );
}

#[test]
fn the_table_of_kept_names_is_protected_and_a_broken_one_still_opens() {
    let (_dir, db) = school_path();
    let db = db.as_str();
    let run = on_file(db, &[":sql CREATE TABLE ormscope_mapping(a)"]);
    assert!(
        error_message(&run[0]).contains("ormscope keeps the names"),
        "{}",
        run[0]
    );
    // A file whose table of names was broken by another program opens anyway, and says so.
    rusqlite::Connection::open(db)
        .and_then(|c| c.execute_batch("CREATE TABLE ormscope_mapping(a)"))
        .expect("broken by another program");
    for args in [vec!["--db", db], vec!["--db", db, "--read-only"]] {
        let output = Command::cargo_bin("ormscope")
            .expect("binary")
            .args(&args)
            .args(["-e", "students.count()"])
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stdout}{stderr}");
        assert!(stdout.contains("\n40\n"), "{stdout}");
        assert!(
            stderr.contains("could not be read") || stdout.contains("could not be read"),
            "the learner is told: {stdout}{stderr}"
        );
    }
}

#[test]
fn a_table_named_like_a_school_class_does_not_take_its_name() {
    let (_dir, db) = school_path();
    let db = db.as_str();
    make_school(db);
    rusqlite::Connection::open(db)
        .and_then(|c| {
            c.execute_batch("CREATE TABLE Student (id INTEGER PRIMARY KEY, nickname TEXT)")
        })
        .expect("a table of the learner's");
    let run = on_file(
        db,
        &[
            "Student.count()",
            "session.get(Student, 13).name",
            "Student_.count()",
        ],
    );
    assert_eq!(
        run[0]["result"]["value"], 40,
        "Student is still the School's: {}",
        run[0]
    );
    assert_eq!(run[1]["ok"], true, "{}", run[1]);
    assert_eq!(
        run[2]["result"]["value"], 0,
        "the new table has a class of its own: {}",
        run[2]
    );
}

#[test]
fn a_school_killed_while_it_is_made_is_absent_never_half_made() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("big.db");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ormscope"))
        .args([
            "--db",
            db.to_str().expect("utf-8"),
            "--scale",
            "300000",
            "-e",
            "students.count()",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starts");
    std::thread::sleep(std::time::Duration::from_millis(400));
    child.kill().expect("killed (SIGKILL)");
    child.wait().expect("ended");
    // Whenever the kill came, the file is complete or absent: never an empty School that
    // reopens silently.
    if db.exists() {
        let run = answers(&[
            "--db",
            db.to_str().expect("utf-8"),
            "--json",
            "-e",
            "students.count()",
        ]);
        assert_eq!(run[0]["result"]["value"], 300000, "{}", run[0]);
    }
    // What the killed run left beside it does not stop the next one from making the School.
    let run = answers(&[
        "--db",
        db.to_str().expect("utf-8"),
        "--json",
        "-e",
        "teachers.count()",
    ]);
    assert_eq!(run[0]["ok"], true, "{}", run[0]);
}

#[test]
fn a_dataset_script_reaches_no_other_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let victim = dir.path().join("victim.db");
    let written = dir.path().join("written.db");
    rusqlite::Connection::open(&victim)
        .and_then(|c| c.execute_batch("CREATE TABLE precious(a); INSERT INTO precious VALUES (1);"))
        .expect("a file of someone else's");
    for reach in [
        format!(
            "ATTACH '{}' AS v; DELETE FROM v.precious;",
            victim.display()
        ),
        format!("VACUUM INTO '{}';", written.display()),
    ] {
        let script = dir.path().join("data.sql");
        std::fs::write(
            &script,
            format!("PRAGMA foreign_keys = ON;\nCREATE TABLE t(id INTEGER PRIMARY KEY, a);\nINSERT INTO t VALUES (1, 'x');\n{reach}\n"),
        )
        .expect("the script");
        let run = answers(&[
            "--db",
            script.to_str().expect("utf-8"),
            "--json",
            "-e",
            "t.count()",
        ]);
        assert!(
            error_message(&run[0]).contains("refused"),
            "{reach}: {}",
            run[0]
        );
    }
    let left: i64 = rusqlite::Connection::open(&victim)
        .and_then(|c| c.query_row("SELECT count(*) FROM precious", [], |r| r.get(0)))
        .expect("still readable");
    assert_eq!(left, 1, "the other file is as it was");
    assert!(!written.exists(), "no file was written");
}

#[test]
fn a_demo_opens_only_a_script_beside_it_and_a_recording_never_overwrites_others_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let real = dir.path().join("real.db");
    answers(&[
        "--db",
        real.to_str().expect("utf-8"),
        "--json",
        "-e",
        "students.count()",
    ]);
    let before = std::fs::read(&real).expect("the file");
    let folder = dir.path().join("demos");
    std::fs::create_dir(&folder).expect("a folder");
    for header in [
        real.display().to_string(),
        "../real.db".into(),
        "../x.sql".into(),
    ] {
        let demo = folder.join("a.orm");
        std::fs::write(
            &demo,
            format!("#! database: {header}\nstudents[13].delete()\n"),
        )
        .expect("the demo");
        let output = Command::cargo_bin("ormscope")
            .expect("binary")
            .args(["demo", demo.to_str().expect("utf-8"), "--auto", "0"])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{header}: {stderr}");
        assert!(stderr.contains("is refused"), "{header}: {stderr}");
    }
    assert!(
        std::fs::read(&real).expect("the file") == before,
        "the database was not touched"
    );
    let notes = dir.path().join("README.md");
    std::fs::write(&notes, "# my notes\n").expect("a file of the learner's");
    let run = answers(&["--json", "-e", &format!(":record {}", notes.display())]);
    assert!(
        error_message(&run[0]).contains("never overwrites"),
        "{}",
        run[0]
    );
    assert_eq!(
        std::fs::read_to_string(&notes).expect("kept"),
        "# my notes\n"
    );
    // A transcript ormscope wrote may be written again.
    let mine = dir.path().join("class.md");
    for _ in 0..2 {
        let run = answers(&["--json", "-e", &format!(":record {}", mine.display())]);
        assert_eq!(run[0]["ok"], true, "{}", run[0]);
    }
}

/// A folder of the test's own and the path of a School file in it (made by the first run).
fn school_path() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("school.db");
    let path = path.to_str().expect("utf-8 path").to_string();
    (dir, path)
}

/// Makes the School at `db`.
fn make_school(db: &str) {
    let made = on_file(db, &["students.count()"]);
    assert_eq!(made[0]["result"]["value"], 40, "{}", made[0]);
}

/// The answers to `statements` (`--json`) on the database file `db`.
fn on_file(db: &str, statements: &[&str]) -> Vec<Value> {
    let mut args = vec!["--db", db, "--json"];
    for statement in statements {
        args.extend(["-e", statement]);
    }
    answers(&args)
}

#[test]
fn an_empty_file_and_a_file_of_ones_own_are_spoken_of_as_what_they_are() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("a 0-byte file");
    let run = on_file(empty.to_str().expect("utf-8"), &["students"]);
    let message = error_message(&run[0]);
    assert!(
        !message.contains("known names: ") && message.contains("nothing"),
        "{message}"
    );
    let own = dir.path().join("own.db");
    rusqlite::Connection::open(&own)
        .and_then(|c| c.execute_batch("CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT)"))
        .expect("a file of one's own");
    let run = on_file(own.to_str().expect("utf-8"), &[":sql DROP TABLE items"]);
    let message = error_message(&run[0]);
    assert!(
        message.contains("the mapped tables keep their shape"),
        "{message}"
    );
    assert!(
        !message.contains("School"),
        "no School in a file that has none: {message}"
    );
}

#[test]
fn a_file_locked_by_another_program_is_said_so_and_the_session_goes_on() {
    use std::io::{BufRead, Write};
    let (_dir, db) = school_path();
    make_school(&db);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ormscope"))
        .args(["--db", &db, "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut ask = |statement: &str| -> Value {
        writeln!(stdin, "{statement}").expect("sent");
        stdin.flush().expect("flushed");
        let mut line = String::new();
        stdout.read_line(&mut line).expect("an answer");
        serde_json::from_str(&line).expect("JSON")
    };
    assert_eq!(ask("students.count()")["result"]["value"], 40);
    let other = rusqlite::Connection::open(&db).expect("another program");
    other.execute_batch("BEGIN EXCLUSIVE").expect("it writes");
    let locked = ask("students[13].name = 'X'");
    let message = error_message(&locked);
    assert!(message.contains("locked by another program"), "{message}");
    assert!(message.contains("try the statement again"), "{message}");
    other.execute_batch("ROLLBACK").expect("it is done");
    assert_eq!(
        ask("students[13].name = 'X'")["ok"],
        true,
        "the session goes on"
    );
    drop(stdin);
    child.wait().expect("ends");
}

/// Whether the tests run as root.
fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs the binary as a user who does not own the test's files: `nobody` (through runuser)
/// when the tests run as root, since root may write any file; otherwise the user itself,
/// whom the files' modes then stop. The answers, and the exit status.
fn as_another_user(args: &[&str]) -> (Vec<Value>, Option<i32>) {
    let binary = assert_cmd::cargo::cargo_bin("ormscope");
    let output = if is_root() {
        std::process::Command::new("runuser")
            .args(["-u", "nobody", "--"])
            .arg(&binary)
            .args(args)
            .output()
            .expect("runuser runs ormscope as nobody (the tests run as root)")
    } else {
        std::process::Command::new(&binary)
            .args(args)
            .output()
            .expect("runs")
    };
    let answers = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    (answers, output.status.code())
}

/// Sets a file's or folder's permission bits.
fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn a_file_or_folder_this_user_may_not_write_is_named_with_what_to_do() {
    let (dir, db) = school_path();
    make_school(&db);
    let write = "students[1].name = 'Zed'";
    set_mode(dir.path(), 0o755);
    if is_root() {
        // A file another user owns (here root's, its owner may write it, so it is not
        // read-only on disk) opened by nobody: the file is named. (A user who owns every file
        // has no such file: a file without write bits is opened read-only, said at opening.)
        let (file, _) = as_another_user(&["--db", &db, "--json", "-e", write]);
        let message = error_message(&file[0]);
        assert!(
            message.starts_with(&format!("{db} cannot be written by this user"))
                && message.contains("--read-only")
                && message.contains("copy it to a folder of your own"),
            "{message}"
        );
    }
    // The file writable, its folder not (SQLite makes its journal there): the folder is named.
    set_mode(std::path::Path::new(&db), 0o666);
    set_mode(dir.path(), 0o555);
    let (folder, _) = as_another_user(&["--db", &db, "--json", "-e", write]);
    let message = error_message(&folder[0]);
    let named = dir.path().display().to_string();
    assert!(
        message.starts_with(&format!(
            "the folder {named} cannot be written by this user"
        )) && message.contains("--read-only"),
        "{message}"
    );
    // A new School in that folder cannot be made, and the answer says why.
    let new = dir.path().join("new.db").display().to_string();
    let (made, _) = as_another_user(&["--db", &new, "--json", "-e", "students.count()"]);
    assert!(
        error_message(&made[0]).contains(&format!(
            "the folder {named} cannot be written by this user"
        )),
        "{}",
        made[0]
    );
    set_mode(dir.path(), 0o755);
    let name = on_file(&db, &["students[1].name"]);
    assert_eq!(name[0]["result"]["value"], "Olivia Smith", "{}", name[0]);
}

/// Runs ormscope under `ulimit -f blocks`: its answers, and its exit status (none: a signal
/// ended it).
fn under_file_size_limit(blocks: u32, args: &[&str]) -> (Vec<Value>, Option<i32>) {
    let binary = assert_cmd::cargo::cargo_bin("ormscope");
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -f {blocks} && exec \"$0\" \"$@\""))
        .arg(&binary)
        .args(args)
        .output()
        .expect("sh runs ormscope");
    let answers = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    (answers, output.status.code())
}

#[test]
fn a_file_size_limit_is_a_file_that_cannot_grow_never_a_killed_process() {
    let (dir, db) = school_path();
    // 64 blocks (32 or 64 KB, by the shell) cannot hold a School of 20,000 students.
    let (made, status) = under_file_size_limit(
        64,
        &[
            "--db",
            &db,
            "--scale",
            "20000",
            "--json",
            "-e",
            "students.count()",
        ],
    );
    assert_eq!(
        status,
        Some(1),
        "ended by a signal, not by an answer: {made:?}"
    );
    assert!(
        error_message(&made[0]).contains(&format!(
            "{db} cannot grow: a file-size limit (ulimit -f) or a full disk"
        )),
        "{}",
        made[0]
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the folder")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    assert!(left.is_empty(), "nothing half made is left: {left:?}");
    // A School that exists (60 KB) and a write that would add 400 KB past a 150-block limit.
    make_school(&db);
    let (answers, status) = under_file_size_limit(
        150,
        &[
            "--db",
            &db,
            "--json",
            "-e",
            ":sql UPDATE students SET name = name || hex(zeroblob(5000))",
            "-e",
            "students[1].name",
        ],
    );
    assert_eq!(
        status,
        Some(1),
        "ended by a signal, not by an answer: {answers:?}"
    );
    let message = error_message(&answers[0]);
    assert!(
        message.starts_with(&format!("{db} cannot grow"))
            && message.contains("nothing of it was kept"),
        "{message}"
    );
    assert_eq!(
        answers[1]["result"]["value"], "Olivia Smith",
        "{}",
        answers[1]
    );
    let after = on_file(&db, &["students[1].name", "students.count()"]);
    assert_eq!(after[0]["result"]["value"], "Olivia Smith", "{}", after[0]);
    assert_eq!(after[1]["result"]["value"], 40, "{}", after[1]);
}
