//! Transcripts: `--record FILE` and `:record FILE` / `:record off`, in Markdown and as one
//! self-contained HTML page, checked for their content by reading (and parsing) the files.

use std::path::Path;

const APPEND: &str =
    "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})";
const SCRIPT: &str = "students.where(name == '<script>alert(1)</script>')";

#[path = "instructor/run.rs"]
mod run;
use run::ormscope;

fn record(file: &Path, extra: &[&str], statements: &[&str]) -> String {
    let path = file.display().to_string();
    let mut args = vec!["--record", path.as_str()];
    args.extend_from_slice(extra);
    for s in statements {
        args.push("-e");
        args.push(s);
    }
    let (status, _, stderr) = ormscope(&args);
    assert!(status == 0 || status == 1, "{stderr}");
    std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

#[test]
fn markdown_has_sql_fences_and_result_tables() {
    let dir = temp();
    let text = record(
        &dir.path().join("class.md"),
        &[],
        &[
            "students[13].classes",
            APPEND,
            "students[13].classes.count()",
        ],
    );
    assert!(text.starts_with("# ormscope transcript\n"), "{text}");
    assert!(text.contains("## 1. `students[13].classes`"), "{text}");
    assert!(
        text.contains(
            "```sql\nSELECT * FROM students WHERE id = 13;\nSELECT * FROM classes WHERE student_id = 13;\n```"
        ),
        "{text}"
    );
    let rows = table_rows(&text);
    assert!(
        rows.contains(&squeezed(
            "| id | student\\_id | teacher\\_id | name | abbreviation | credits | grade |"
        )),
        "{text}"
    );
    assert!(
        rows.contains(&squeezed("|---:|---:|---:|---|---|---:|---|")),
        "{text}"
    );
    assert!(
        rows.contains(&squeezed(
            "| 37 | 13 | 3 | English Literature 201 | EN201 | 3 | C |"
        )),
        "{text}"
    );
    assert!(text.contains("*3 rows*"), "{text}");
    // No name holds student 13, so the append loads it and its classes again before the INSERT.
    assert!(
        text.contains(
            "```sql\nSELECT * FROM students WHERE id = 13;\nSELECT * FROM classes WHERE student_id = 13;\n\
             INSERT INTO classes (student_id, name, abbreviation)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("1 row inserted into classes, id 121"),
        "{text}"
    );
    assert!(text.contains("```text\n4\n```"), "{text}");
}

#[test]
fn markdown_records_errors_and_every_dialect_when_all_are_shown() {
    let dir = temp();
    let text = record(
        &dir.path().join("class.markdown"),
        &["--dialect", "all"],
        &["students[13].yeer", "students.offset(38)"],
    );
    assert!(
        text.contains("name error at line 1, column 14: no column or relationship 'yeer'"),
        "{text}"
    );
    assert!(text.contains("hint: did you mean 'year'?"), "{text}");
    for (title, sql) in [
        ("SQLite", "SELECT * FROM students LIMIT -1 OFFSET 38;"),
        ("PostgreSQL", "SELECT * FROM students OFFSET 38;"),
        (
            "MySQL",
            "SELECT * FROM students LIMIT 38, 18446744073709551615;",
        ),
    ] {
        assert!(
            text.contains(&format!("**{title}**\n\n```sql\n{sql}\n```")),
            "{title}: {text}"
        );
    }
}

#[test]
fn record_off_stops_and_record_file_starts_in_the_session() {
    let dir = temp();
    let md = dir.path().join("part.md");
    let start = format!(":record {}", md.display());
    let (status, stdout, _) = ormscope(&[
        "-e",
        "students[1]",
        "-e",
        &start,
        "-e",
        "students[2]",
        "-e",
        ":record off",
        "-e",
        "students[3]",
    ]);
    assert_eq!(status, 0, "{stdout}");
    assert!(
        stdout.contains("recording stopped: 1 statement in"),
        "{stdout}"
    );
    let text = std::fs::read_to_string(&md).expect("the transcript is written");
    assert!(text.contains("WHERE id = 2;"), "{text}");
    assert!(!text.contains("WHERE id = 1;"), "before :record: {text}");
    assert!(!text.contains("WHERE id = 3;"), "after :record off: {text}");
    assert!(!text.contains(":record"), "{text}");
}

#[test]
fn a_transcript_needs_md_or_html() {
    let dir = temp();
    let txt = dir.path().join("notes.txt").display().to_string();
    let (status, _, stderr) = ormscope(&["--record", &txt, "-e", "students[1]"]);
    assert_eq!(status, 2);
    assert!(
        stderr.contains("give a name ending in .md or .html"),
        "{stderr}"
    );
    let (status, stdout, _) = ormscope(&["-e", &format!(":record {txt}")]);
    assert_eq!(status, 1);
    assert!(stdout.contains("io error"), "{stdout}");
}

fn html_page(dir: &Path) -> String {
    record(
        &dir.join("class.html"),
        &[],
        &["students[13].classes", APPEND, SCRIPT, "students[13].yeer"],
    )
}

#[test]
fn the_html_page_is_self_contained() {
    let dir = temp();
    let page = html_page(dir.path());
    assert!(!page.contains("http://"), "an external address");
    assert!(!page.contains("https://"), "an external address");
    let dom = tl::parse(&page, tl::ParserOptions::default()).expect("the page parses");
    let parser = dom.parser();
    let mut tags = 0;
    for node in dom.nodes() {
        let Some(tag) = node.as_tag() else { continue };
        tags += 1;
        let name = tag.name().as_utf8_str().to_lowercase();
        assert!(
            !["script", "link", "img", "iframe", "object", "embed"].contains(&name.as_str()),
            "a <{name}> element"
        );
        for attribute in ["src", "href", "srcset", "data"] {
            assert!(
                tag.attributes().get(attribute).is_none(),
                "<{name}> has {attribute}"
            );
        }
    }
    assert!(tags > 20, "the page has its panels and tables");
    let style = dom
        .query_selector("style")
        .and_then(|mut s| s.next())
        .and_then(|h| h.get(parser))
        .map(|n| n.inner_text(parser).into_owned())
        .unwrap_or_default();
    assert!(style.contains("@media print"), "{style}");
    assert!(!style.contains("url("), "{style}");
    assert!(!style.contains("@import"), "{style}");
}

/// The text of every element with `class`, in order.
fn texts_of(page: &str, class: &str) -> Vec<String> {
    let dom = tl::parse(page, tl::ParserOptions::default()).expect("the page parses");
    let parser = dom.parser();
    let selector = format!(".{class}");
    let Some(found) = dom.query_selector(&selector) else {
        return Vec::new();
    };
    found
        .filter_map(|h| h.get(parser))
        .map(|n| decode(&n.inner_text(parser)))
        .collect()
}

/// The few entities the page uses, decoded.
fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

#[test]
fn the_html_page_shows_each_statement_beside_its_sql() {
    let dir = temp();
    let page = html_page(dir.path());
    let orm = texts_of(&page, "orm");
    let sql = texts_of(&page, "sql");
    assert_eq!(orm.len(), 4, "{orm:?}");
    assert_eq!(sql.len(), 4, "{sql:?}");
    assert!(
        orm[0].starts_with("ORMstudents[13].classes\n"),
        "{:?}",
        orm[0]
    );
    assert!(
        sql[0].contains(
            "1. SELECT * FROM students WHERE id = 13\n   → 1 row\n\
             2. SELECT * FROM classes WHERE student_id = 13\n   → 3 rows"
        ),
        "{:?}",
        sql[0]
    );
    assert!(orm[1].contains(APPEND), "{:?}", orm[1]);
    assert!(
        sql[1].contains("VALUES (13, 'Biology 301', 'BI301')"),
        "{:?}",
        sql[1]
    );
    assert!(sql[3].contains("(no SQL sent)"), "{:?}", sql[3]);
    assert!(
        page.contains("<span class=\"keyword\">SELECT</span>"),
        "the colours"
    );
    assert!(page.contains("<span class=\"collection\">students</span>"));
    assert!(page.contains("<td class=\"num\">121</td>") || page.contains("id 121"));
    assert!(page.contains("name error at line 1, column 14"));
}

#[test]
fn markup_in_statements_and_data_is_escaped() {
    let dir = temp();
    let page = html_page(dir.path());
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the statement is escaped"
    );
    assert!(!page.contains("<script>"), "no script element is made");
    let orm = texts_of(&page, "orm");
    assert!(orm[2].contains(SCRIPT), "{:?}", orm[2]);
}

/// The Markdown table lines of a transcript, each squeezed (see [`squeezed`]).
fn table_rows(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with('|'))
        .map(squeezed)
        .collect()
}

/// A Markdown table line without the padding that lines its columns up: the cells trimmed,
/// runs of dashes in the separator as three.
fn squeezed(line: &str) -> String {
    let mut out = String::new();
    let mut last = ' ';
    for c in line.chars() {
        if c == ' ' || (c == '-' && last == '-' && out.ends_with("---")) {
            continue;
        }
        out.push(c);
        last = c;
    }
    out
}
