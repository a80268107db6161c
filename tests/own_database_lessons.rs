//! Lessons that bring their own database (`database = "data/library.sql"`), run as a learner
//! would: the built-in lesson on the library, and a course folder of one's own with its script.

use assert_cmd::Command;

fn learn(data_home: &std::path::Path, args: &[&str], input: &str) -> String {
    let output = Command::cargo_bin("ormscope")
        .expect("the binary")
        .env("XDG_DATA_HOME", data_home)
        .env("NO_COLOR", "1")
        .args(["--width", "100", "learn"])
        .args(args)
        .write_stdin(input)
        .output()
        .expect("learn runs");
    assert!(output.status.success(), "exit status {:?}", output.status);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn lessons_check(dir: &std::path::Path) -> (Option<i32>, String) {
    let output = Command::cargo_bin("ormscope")
        .expect("the binary")
        .args(["lessons", "check"])
        .arg(dir)
        .output()
        .expect("runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// A course folder with one lesson on a shop of its own, in `data/shop.sql`.
fn shop_course(database_line: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("data")).expect("mkdir");
    std::fs::write(
        dir.path().join("data/shop.sql"),
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\
         CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER NOT NULL,\n\
           customer_id INTEGER NOT NULL REFERENCES customers(id));\n\
         INSERT INTO customers VALUES (1, 'Ada'), (2, 'Brook');\n\
         INSERT INTO orders VALUES (1, 30, 1), (2, 12, 1), (3, 7, 2);\n",
    )
    .expect("write the script");
    let lesson = format!(
        "number = 1\ntitle = \"A shop\"\n{database_line}\nintroduction = \"A shop of our own.\"\n\
         [[step]]\ntask = \"Show the orders of customer 1.\"\nsolution = \"customers[1].orders\"\n\
         hints = [\"customers[1].orders\"]\ncheck = \"result\"\n\
         [[step]]\ntask = \"Add a total of 5 to the orders of customer 2.\"\n\
         solution = \"customers[2].orders.append({{'total': 5}})\"\nhints = [\"append\"]\ncheck = \"state\"\n"
    );
    std::fs::write(dir.path().join("01-shop.toml"), lesson).expect("write the lesson");
    dir
}

#[test]
fn the_library_lesson_is_played_on_the_library() {
    let home = tempfile::tempdir().expect("temp dir");
    let out = learn(
        home.path(),
        &["--lesson", "13"],
        "students.count()\nloans[4].member\nauthors[3].books_by_translator.select(title)\n\
         members[1].members_by_sponsor.select(name)\nbooks[4].tags.append(tags[6])\ncopies[4, 2]\n:quit\n",
    );
    assert!(out.contains("Lesson 13: Your own database"), "{out}");
    assert!(
        out.contains("no collection or name 'students'") || out.contains("students"),
        "the School is not there: {out}"
    );
    assert!(
        out.contains("✗ Not yet"),
        "students.count() is no answer here: {out}"
    );
    assert_eq!(out.matches("✓ Right.").count(), 5, "{out}");
    assert!(out.contains("✓ Lesson 13 is done."), "{out}");
}

#[test]
fn a_course_folder_brings_its_own_database() {
    let course = shop_course("database = \"data/shop.sql\"");
    let (code, text) = lessons_check(course.path());
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("1 lesson, 2 steps checked (2 passed), 0 pending, 0 problems"),
        "{text}"
    );

    let home = tempfile::tempdir().expect("temp dir");
    let course_arg = course.path().display().to_string();
    let out = learn(
        home.path(),
        &["--lessons", &course_arg],
        "customers[1].orders\ncustomers[2].orders.append({'total': 5})\n:quit\n",
    );
    assert_eq!(out.matches("✓ Right.").count(), 2, "{out}");
    assert!(
        std::fs::read_to_string(course.path().join("data/shop.sql"))
            .expect("the script")
            .contains("(3, 7, 2);"),
        "the script itself is never changed"
    );
}

#[test]
fn a_missing_database_is_reported_with_its_lesson_file() {
    let course = shop_course("database = \"data/nowhere.sql\"");
    let (code, text) = lessons_check(course.path());
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("01-shop.toml"), "{text}");
    assert!(text.contains("data/nowhere.sql"), "{text}");
    assert!(text.contains("no such file"), "{text}");
}

#[test]
fn the_built_in_library_demo_finds_its_database_from_any_folder() {
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let output = Command::cargo_bin("ormscope")
        .expect("the binary")
        .current_dir(elsewhere.path())
        .env("NO_COLOR", "1")
        .args([
            "demo",
            "03-your-own-database.orm",
            "--auto",
            "0",
            "--width",
            "100",
        ])
        .write_stdin("")
        .output()
        .expect("the demo runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        text.contains("class Author"),
        "the library is mapped: {text}"
    );
}
