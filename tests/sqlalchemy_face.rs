//! The SQLAlchemy face, run by SQLAlchemy: for a sample of statements (every kind of form),
//! the code in each answer's `sqlalchemy` field runs in one real SQLAlchemy 2.x Session on a
//! copy of the same database and must give what ormscope gave — the same rows, object or
//! value, or the same database after a write.
//!
//! Skipped, saying why, where `python3` with SQLAlchemy 2 is not installed
//! (`pip install 'sqlalchemy>=2,<3'`).

mod common;

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Statement sequences (run in one session); the last one's answer is compared.
const SAMPLE: &[&[&str]] = &[
    &["students.where(year == 2).order_by(name)"],
    &["students[13]"],
    &["students[13].classes"],
    &["students[13].advisor.name"],
    &["classes[1].teacher"],
    &["clubs[1].members"],
    &["students.where(advisor.department == 'Science' and not classes.any(credits >= 4))"],
    &["students.where(clubs.any(name == 'Chess') or classes.count() > 3)"],
    &["students.where(name.startswith('A') or email.contains('_'))"],
    &["classes.where(grade not in ['A', 'B'] and teacher_id is not None)"],
    &["students.filter_by(year=2, advisor=teachers[1])"],
    &["students.order_by(-year, name).offset(3).limit(5)"],
    &["students.where(year == 5).first()"],
    &["students[13].classes.order_by(name).first()"],
    &["students.where(year >= 2).avg(year)"],
    &["students.order_by(name).limit(7).sum(year)"],
    &["students[13].clubs.count()"],
    &["teachers.select(department).distinct()"],
    &["classes.group_by(student_id).count()"],
    &["students.where(year == 2).clubs"],
    &["teachers.where(department == 'Arts').classes.where(credits > 2)"],
    &["memberships.where(club_id == 2)"],
    &["students.where(year == 2).join_load(classes)"],
    &["s = students[13]", "s.classes.where(credits >= 3)"],
    &["q = students.where(year == 3)", "q.count()"],
    &["students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})"],
    &["students[13].clubs.append(clubs[5])"],
    &["students[1].clubs.remove(students[1].clubs.first())"],
    &["Student(name='Ada', email='ada@face.test', year=1)"],
    &[
        "x = students.create(name='Bo', email='bo@face.test', year=2)",
        "x.id",
    ],
    &["students[13].update(year=3, name='Ann')"],
    &["students[13].advisor = teachers[2]"],
    &["classes.where(grade is None).update(grade='B')"],
    &["students.where(year == 1).order_by(name).limit(2).delete()"],
    &["del students[13]"],
    &["for s in students.where(year == 4): s.year = 3"],
    &["begin", "students[13].delete()", "rollback"],
    &["begin", "students[13].name = 'Zed'", "commit"],
    &[
        "session.begin()",
        "students[20].name = 'Zoe'",
        "session.flush()",
        "session.commit()",
    ],
    &[":sql DELETE FROM memberships WHERE club_id = 5"],
];

/// Why the face cannot be run here, if it cannot.
fn missing_sqlalchemy() -> Option<String> {
    let probe = Command::new("python3")
        .args([
            "-c",
            "import sqlalchemy, sys; sys.exit(0 if sqlalchemy.__version__.startswith('2.') else 3)",
        ])
        .output();
    match probe {
        Err(_) => Some("python3 is not installed".into()),
        Ok(o) if o.status.success() => None,
        Ok(o) if o.status.code() == Some(3) => Some("SQLAlchemy is not version 2".into()),
        Ok(_) => Some("SQLAlchemy 2 is not installed (pip install 'sqlalchemy>=2,<3')".into()),
    }
}

fn harness() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sqlalchemy_face")
}

/// Runs one sequence in ormscope on a copy of `base`, and the job for the Python harness.
fn job(base: &Path, dir: &Path, statements: &[&str]) -> Value {
    let ours = dir.join("ormscope.sqlite");
    let theirs = dir.join("sqlalchemy.sqlite");
    std::fs::copy(base, &ours).expect("copy");
    std::fs::copy(base, &theirs).expect("copy");
    let mut args = vec!["--db", ours.to_str().expect("path"), "--json"];
    for s in statements {
        args.extend(["-e", s]);
    }
    let run = common::run_args(&args, true);
    assert_eq!(run.out.len(), statements.len(), "{}", run.stdout);
    for (s, answer) in statements.iter().zip(&run.out) {
        assert_eq!(answer["ok"], true, "{s} failed in ormscope: {answer}");
    }
    let faces: Vec<Value> = run.out.iter().map(|a| a["sqlalchemy"].clone()).collect();
    json!({
        "faces": faces,
        "answer": run.out.last(),
        "ormscope_db": ours,
        "db": theirs,
        "state_only": statements.last().is_some_and(|s| s.starts_with("for ")),
    })
}

/// The Python harness's verdict on each job: "ok" or "FAIL: why".
fn verdicts(jobs: &[Value]) -> Vec<String> {
    let mut child = Command::new("python3")
        .arg(harness().join("check_face.py"))
        .current_dir(harness())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(json!(jobs).to_string().as_bytes())
        .expect("write the jobs");
    let out = child.wait_with_output().expect("python3 finishes");
    let said: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(
        said.len(),
        jobs.len(),
        "the harness answered {} of {} jobs: {}",
        said.len(),
        jobs.len(),
        String::from_utf8_lossy(&out.stderr)
    );
    said
}

#[test]
fn faces_run_in_sqlalchemy_and_give_the_same_answer() {
    if let Some(why) = missing_sqlalchemy() {
        println!("skipped: {why}");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path().join("base.sqlite");
    let made = common::run_args(
        &[
            "--db",
            base.to_str().expect("path"),
            "--json",
            "-e",
            "students.count()",
        ],
        true,
    );
    assert_eq!(made.status, 0, "{}", made.stderr);
    let jobs: Vec<Value> = SAMPLE
        .iter()
        .enumerate()
        .map(|(n, statements)| {
            let case = dir.path().join(n.to_string());
            std::fs::create_dir(&case).expect("case dir");
            job(&base, &case, statements)
        })
        .collect();
    let failures: Vec<String> = SAMPLE
        .iter()
        .zip(&jobs)
        .zip(verdicts(&jobs))
        .filter(|(_, said)| said != "ok")
        .map(|((statements, job), said)| {
            format!(
                "{}\n  {said}\n  faces: {}",
                statements.join(" ; "),
                job["faces"]
            )
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_answer_carries_a_face_as_json_text() {
    let run = common::run_args(
        &[
            "--json",
            "-e",
            "students[13]",
            "-e",
            ":help",
            "-e",
            "students.where(",
            "-e",
            "pupils",
        ],
        true,
    );
    let faces: Vec<&str> = run
        .out
        .iter()
        .map(|a| a["sqlalchemy"].as_str().expect("a string on every answer"))
        .collect();
    assert_eq!(faces[0], "session.get(Student, 13)");
    assert!(
        faces[1].starts_with("# :help is ormscope's own command"),
        "{}",
        faces[1]
    );
    assert!(
        faces[2].starts_with("# no SQLAlchemy spelling: the statement does not parse"),
        "{}",
        faces[2]
    );
    assert!(
        faces[3].starts_with("# no SQLAlchemy spelling: 'pupils'"),
        "{}",
        faces[3]
    );
}

#[test]
fn sql_python_prints_the_code_instead_of_the_sql() {
    let run = common::run_args(
        &[
            "sql",
            "--python",
            "students.where(year == 2).order_by(name)",
            "students[13].delete()",
        ],
        false,
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "session.scalars(select(Student).where(Student.year == 2).order_by(Student.name)).all()\n\n\
         session.delete(session.get(Student, 13))\nsession.commit()\n"
    );
}

#[test]
fn the_python_view_is_a_third_panel_that_can_be_switched() {
    let shown = common::run_args(
        &[
            "--width",
            "80",
            "-e",
            ":python on",
            "-e",
            "students[13].classes",
        ],
        false,
    );
    assert!(
        shown
            .stdout
            .contains("\nPY  session.get(Student, 13).classes\n"),
        "{}",
        shown.stdout
    );
    let wide = common::run_args(
        &[
            "--width",
            "120",
            "--layout",
            "auto",
            "-e",
            ":python on",
            "-e",
            "students[13]",
        ],
        false,
    );
    assert!(
        wide.stdout
            .contains("\nSQLAlchemy\nsession.get(Student, 13)\n"),
        "{}",
        wide.stdout
    );
    let hidden = common::run_args(&["-e", ":python off", "-e", "students[13].classes"], false);
    assert!(!hidden.stdout.contains("session.get"), "{}", hidden.stdout);
    let wrong = common::run_args(&["--json", "-e", ":python maybe"], true);
    assert_eq!(wrong.out[0]["error"]["kind"], "type");
}

#[test]
fn transcripts_carry_the_face() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["class.md", "class.html"] {
        let path = dir.path().join(name);
        let run = common::run_args(
            &[
                "--record",
                path.to_str().expect("path"),
                "-e",
                "students[13].update(year=3, name='Ann')",
                "-e",
                ":tables",
            ],
            false,
        );
        assert_eq!(run.status, 0, "{}", run.stderr);
        let text = std::fs::read_to_string(&path).expect("the transcript");
        let code = "student = session.get(Student, 13)\nstudent.year = 3\nstudent.name = 'Ann'\nsession.commit()";
        if name.ends_with(".md") {
            assert!(
                text.contains(&format!("**SQLAlchemy**\n\n```python\n{code}\n```")),
                "{text}"
            );
        } else {
            assert!(
                text.contains("<div class=\"panel python\"><div class=\"title\">SQLAlchemy</div>"),
                "{text}"
            );
            assert!(
                text.contains(
                    "student.name = <span class=\"text\">&#x27;Ann&#x27;</span>\nsession."
                ),
                "{text}"
            );
        }
        assert!(
            !text.contains("ormscope's own command"),
            "commands show no face: {text}"
        );
    }
}
