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
