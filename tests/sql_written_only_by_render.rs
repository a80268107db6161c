//! SQL text is written only by `src/render/`: every other file builds statement trees
//! (`ormscope::sql::Statement`) and has them rendered. This test reads every `.rs` file under
//! `src/` outside `src/render/` and fails, listing `file:line`, where a string literal starts
//! with SQL (`SELECT ...`, `INSERT INTO`, `CREATE TABLE`, `PRAGMA ...`, a lone `"ROLLBACK"`
//! passed to a call...). Tests are allowed: files named `tests.rs`, and everything from a
//! file's `#[cfg(test)] mod` on (test modules sit at the end of their files). The few literals
//! that only look like SQL are listed in [`EXCEPTIONS`] with the reason.

use std::path::{Path, PathBuf};

/// How a string literal may start when it is SQL the program would run.
const STATEMENT_OPENINGS: &[&str] = &[
    "SELECT ",
    "INSERT INTO ",
    "INSERT OR ",
    "REPLACE INTO ",
    "DELETE FROM ",
    "CREATE TABLE",
    "CREATE INDEX",
    "CREATE UNIQUE INDEX",
    "CREATE VIEW",
    "CREATE TRIGGER",
    "DROP TABLE",
    "DROP INDEX",
    "DROP VIEW",
    "DROP TRIGGER",
    "ALTER TABLE",
    "PRAGMA ",
    "EXPLAIN ",
    "SAVEPOINT ",
    "RELEASE ",
    "ROLLBACK TO",
    "BEGIN ",
    "FROM ",
    "WHERE ",
    "ORDER BY ",
    "GROUP BY ",
    "LIMIT ",
    "VALUES (",
    "LEFT OUTER JOIN ",
];

/// Statements of one word, SQL when a literal of just that word is passed to a call:
/// `db.control("ROLLBACK")`.
const ONE_WORD_STATEMENTS: &[&str] = &["BEGIN", "COMMIT", "ROLLBACK", "END", "VACUUM"];

/// Literals outside `src/render/` that look like SQL but are not SQL the program runs.
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "CREATE TABLE statements and relationships",
        "help text of `:schema`, in words",
    ),
    (
        "CREATE TABLE {table_name}",
        "the sandbox names, in SQL's words, the action SQLite's authorizer refused",
    ),
    ("DROP TABLE {table_name}", "as above"),
    ("ALTER TABLE {table_name}", "as above"),
    ("CREATE INDEX {index_name}", "as above"),
    ("DROP INDEX {index_name}", "as above"),
    ("CREATE VIEW {view_name}", "as above"),
    ("CREATE TRIGGER {trigger_name}", "as above"),
    ("PRAGMA {pragma_name}{} is refused", "as above"),
];

/// A string literal found in source: its line and its text as written between the quotes.
#[derive(Debug, PartialEq)]
struct Literal {
    line: usize,
    text: String,
    /// The character before the opening quote, skipping spaces (`(` for a call's argument).
    before: Option<char>,
}

/// The source up to its test module (`#[cfg(test)] mod ...`), if it has one.
fn without_tests(source: &str) -> &str {
    let end = source
        .match_indices("#[cfg(test)]")
        .map(|(at, marker)| at + marker.len())
        .find(|end| source[*end..].trim_start().starts_with("mod "))
        .map_or(source.len(), |end| end - "#[cfg(test)]".len());
    &source[..end]
}

/// The string literals of Rust source, outside comments and its test module.
fn literals(source: &str) -> Vec<Literal> {
    let code = without_tests(source);
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                line += usize::from(chars[i] == '\n');
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            i = skip_char_literal(&chars, i);
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && !is_ident(chars.get(i.wrapping_sub(1)))
        {
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                i += 1;
                continue;
            }
            let start = i + 2 + hashes;
            let closing: String = std::iter::once('"')
                .chain("#".repeat(hashes).chars())
                .collect();
            let rest: String = chars[start..].iter().collect();
            let len = rest.find(&closing).unwrap_or(rest.len());
            let text: String = rest.chars().take(len).collect();
            out.push(Literal {
                line,
                before: before(&chars, i),
                text: text.clone(),
            });
            line += text.matches('\n').count();
            i = start + text.chars().count() + closing.chars().count();
        } else if c == '"' {
            let start = i + 1;
            let mut j = start;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let text: String = chars[start..j.min(chars.len())].iter().collect();
            out.push(Literal {
                line,
                before: before(&chars, i),
                text: text.clone(),
            });
            line += text.matches('\n').count();
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// Past a char literal (`'"'`, `'\''`), or past the quote of a lifetime (`'a`).
fn skip_char_literal(chars: &[char], i: usize) -> usize {
    match (chars.get(i + 1), chars.get(i + 2)) {
        (Some('\\'), _) => {
            let mut j = i + 3;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            j + 1
        }
        (Some(_), Some('\'')) => i + 3,
        _ => i + 1,
    }
}

fn before(chars: &[char], i: usize) -> Option<char> {
    chars[..i]
        .iter()
        .rev()
        .find(|c| !c.is_whitespace() && **c != '&')
        .copied()
}

/// Whether a literal is SQL the program would run.
fn is_sql(literal: &Literal) -> bool {
    let text = literal.text.trim_start();
    let statement = STATEMENT_OPENINGS.iter().any(|o| text.starts_with(o))
        || (text.starts_with("UPDATE ") && text.contains(" SET "));
    let one_word = ONE_WORD_STATEMENTS.contains(&text) && literal.before == Some('(');
    let excepted = EXCEPTIONS.iter().any(|(e, _)| text.starts_with(e));
    (statement || one_word) && !excepted
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_sql_text_is_written_outside_render() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 20, "src/ has its files: {files:?}");
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
        let in_render = relative.starts_with("src/render");
        let a_test = file.file_name().is_some_and(|n| n == "tests.rs");
        if in_render || a_test {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        for literal in literals(&source).iter().filter(|l| is_sql(l)) {
            found.push(format!(
                "{}:{}: \"{}\"",
                relative.display(),
                literal.line,
                literal.text
            ));
        }
    }
    assert!(
        found.is_empty(),
        "SQL text written outside src/render/ (build a statement tree and render it):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_sql_in_code_and_not_in_comments_prose_or_tests() {
    let source = r##"
        // conn.execute("DELETE FROM classes")
        fn go(db: &Db) {
            let lifetime: &'static str = "a";
            let quote = '"';
            db.control("ROLLBACK");
            let words = ["BEGIN", "COMMIT"];
            db.run(&format!("SELECT * FROM {table}"));
            let raw = r#"PRAGMA foreign_keys = ON"#;
            let prose = "the condition becomes the WHERE clause";
            let help = "CREATE TABLE statements and relationships; for one table";
        }
        #[cfg(test)]
        const ONLY_IN_TESTS: &str = "DELETE FROM clubs";
        #[cfg(test)]
        mod tests { const Q: &str = "SELECT 1"; }
    "##;
    let lines: Vec<usize> = literals(source)
        .iter()
        .filter(|l| is_sql(l))
        .map(|l| l.line)
        .collect();
    assert_eq!(lines, vec![6, 8, 9, 14]);
}
