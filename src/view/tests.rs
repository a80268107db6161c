use super::*;
use crate::session::{Options, Session};

fn view_of(input: &str, width: usize, layout: Layout) -> String {
    let mut session = match Session::open(Options::default()) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let response = session.run(input);
    let settings = Settings {
        width,
        layout,
        ..Settings::default()
    };
    statement_view(&response, session.registry(), &settings)
}

#[test]
fn relationship_side_by_side_at_120_columns() {
    insta::assert_snapshot!(view_of("students[13].classes", 120, Layout::Auto));
}

#[test]
fn relationship_stacked_at_80_columns() {
    insta::assert_snapshot!(view_of("students[13].classes", 80, Layout::Auto));
}

#[test]
fn append_stacked() {
    insta::assert_snapshot!(view_of(
        "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
        80,
        Layout::Stacked
    ));
}

#[test]
fn error_view_points_at_the_typo() {
    insta::assert_snapshot!(view_of("students.where(yeer == 2)", 80, Layout::Stacked));
}

#[test]
fn the_caret_stands_under_the_typo_after_wide_characters() {
    let text = view_of(
        "students.where(name == '李小龍🐉' and yeer == 2)",
        80,
        Layout::Stacked,
    );
    let lines: Vec<&str> = text.lines().collect();
    let Some(at) = lines.iter().rposition(|l| l.contains("李小龍🐉")) else {
        panic!("the statement is not shown:\n{text}");
    };
    let caret = lines.get(at + 1).copied().unwrap_or_default();
    let indent = caret.find('^').unwrap_or(0);
    let prefix_width =
        unicode_width::UnicodeWidthStr::width("  students.where(name == '李小龍🐉' and ");
    assert_eq!(indent, prefix_width, "{text}");
    assert_eq!(caret.trim(), "^^^^", "{text}");
}

#[test]
fn caret_place_counts_terminal_columns() {
    assert_eq!(caret_place("ab", 2, "b"), (1, 1));
    assert_eq!(caret_place("名前 x", 4, "x"), (5, 1));
    assert_eq!(caret_place("x 名前", 3, "名前"), (2, 4));
}

#[test]
fn no_line_is_wider_than_the_layout() {
    use unicode_width::UnicodeWidthStr;
    for width in [60, 80, 100, 120] {
        let text = view_of("students.where(advisor.department == 'Science' and classes.any(credits >= 4)).order_by(name)", width, Layout::Auto);
        for line in text.lines() {
            assert!(line.width() <= width, "{width}: {line:?}");
        }
    }
}

#[test]
fn captions_count_rows_and_name_objects() {
    assert_eq!(rows_caption(1, 1), "1 row");
    assert_eq!(rows_caption(45, 20), "45 rows; the first 20 shown");
    let registry = crate::school::registry();
    assert_eq!(
        object_caption(&registry, "students"),
        "one Student object (a row of students)"
    );
    assert_eq!(
        object_caption(&registry, "memberships"),
        "one memberships object (a row of memberships)"
    );
}

fn executed(text: &str, failed: bool) -> Executed {
    Executed {
        rendered: crate::render::Rendered::raw(text),
        rows: 1,
        elapsed: std::time::Duration::default(),
        failed,
    }
}

#[test]
fn a_loop_shows_the_first_few_of_a_shape_and_counts_the_rest() {
    let mut sql = vec![executed("SELECT * FROM students", false)];
    for _ in 0..40 {
        sql.push(executed(
            "SELECT count(*) FROM classes WHERE student_id = ?",
            false,
        ));
        sql.push(executed("SELECT * FROM teachers WHERE id = ?", false));
    }
    let text: String = sql_panel(&sql, &Settings::default(), 200)
        .iter()
        .map(|r| r.text.as_str())
        .collect();
    let numbered = text.lines().filter(|l| l.contains(". SELECT")).count();
    assert_eq!(numbered, 1 + 2 * SAME_SHAPE_SHOWN, "{text}");
    assert!(text.contains("… 37 more of the same shape as 2"), "{text}");
    assert!(text.contains("… 37 more of the same shape as 3"), "{text}");
}

#[test]
fn a_few_repeats_and_a_failed_statement_are_all_shown() {
    let few: Vec<Executed> = (0..5).map(|_| executed("SELECT 1", false)).collect();
    assert!(shown_statements(&few).iter().all(|s| *s == Shown::Yes));
    let mut stopped: Vec<Executed> = (0..10).map(|_| executed("SELECT 1", false)).collect();
    stopped.push(executed("SELECT 1", true));
    let shown = shown_statements(&stopped);
    assert_eq!(shown.last(), Some(&Shown::Yes), "the failure is shown");
    assert_eq!(shown[9], Shown::Summary { hidden: 7, like: 0 });
}
