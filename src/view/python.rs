//! The third face of a statement: its SQLAlchemy 2.x code, under the ORM and SQL panels
//! (`:python on|off`). Stacked (narrow screens) it is a third labelled block, `PY`; side by
//! side (wide screens) it runs the whole width under its own heading, `SQLAlchemy`. Long lines
//! are broken after a comma inside brackets, so what is shown is still valid Python.

use super::highlight::{self, Kind, Run};
use super::panels::{self, Layout};
use super::style::Painter;
use crate::mapper::Registry;
use crate::session::Response;
use crate::sqlalchemy::NO_SPELLING;

/// The label of the stacked block, as wide as `ORM` and `SQL` with their gap.
const STACKED_LABEL: &str = "PY";
/// The heading of the full-width block under side-by-side panels.
const SIDE_HEADING: &str = "SQLAlchemy";
/// The columns before the code in the stacked layout (`ORM ` / `SQL `).
const GUTTER: usize = 4;

/// The SQLAlchemy code worth showing beside an answer: none for a statement with no
/// spelling, for ormscope's own commands, and where the answer's faces show it already
/// (`:schema`).
pub fn shown_face(response: &Response) -> Option<&str> {
    let code = response.sqlalchemy.as_str();
    let hidden = code.trim().is_empty()
        || code.starts_with(NO_SPELLING)
        || code.starts_with("# :")
        || !response.faces.is_empty();
    (!hidden).then_some(code)
}

/// The SQLAlchemy panel of an answer, or nothing when it has none to show.
pub fn python_panel(
    response: &Response,
    registry: &Registry,
    layout: Layout,
    width: usize,
    painter: &Painter,
) -> String {
    let Some(code) = shown_face(response) else {
        return String::new();
    };
    let side = panels::is_side_by_side(layout, width);
    let inner = if side {
        width
    } else {
        width.saturating_sub(GUTTER)
    };
    let mut out = String::new();
    if side {
        out.push_str(&painter.paint(&[Run::new(Kind::Heading, SIDE_HEADING)]));
        out.push('\n');
    }
    let mut first = true;
    for line in code.lines() {
        for piece in break_line(line, inner.max(20)) {
            if !side {
                let label = if first { STACKED_LABEL } else { "" };
                out.push_str(&painter.paint(&[Run::new(Kind::Heading, label)]));
                out.push_str(&" ".repeat(GUTTER - label.len()));
            }
            first = false;
            out.push_str(painter.paint(&highlight::orm(&piece, registry)).trim_end());
            out.push('\n');
        }
    }
    out
}

/// One line of Python broken to `width` columns where it can be: after a comma or before a
/// `.where(`, `.order_by(`, … inside brackets and outside strings, continuation lines indented by four more.
/// A piece with no such place stays whole.
pub fn break_line(line: &str, width: usize) -> Vec<String> {
    let indent = line.len() - line.trim_start().len();
    let pad = " ".repeat(indent + 4);
    let places = break_places(line);
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let room = if start == 0 {
            width
        } else {
            width.saturating_sub(pad.len())
        };
        let rest = &line[start..];
        if rest.chars().count() <= room {
            break;
        }
        let limit = start + byte_of_char(rest, room);
        let fits = places
            .iter()
            .copied()
            .rev()
            .find(|&p| p > start && p <= limit);
        let Some(at) = fits.or_else(|| places.iter().copied().find(|&p| p > limit)) else {
            break;
        };
        out.push(line[start..at].trim_end().to_string());
        start = at;
    }
    out.push(line[start..].to_string());
    out.into_iter()
        .enumerate()
        .map(|(i, piece)| {
            if i == 0 {
                piece
            } else {
                format!("{pad}{}", piece.trim_start())
            }
        })
        .collect()
}

/// The byte offset of the `n`th character of `text` (its length when shorter).
fn byte_of_char(text: &str, n: usize) -> usize {
    text.char_indices().nth(n).map_or(text.len(), |(i, _)| i)
}

/// Where a line of Python may break: after a comma, or before a `.where(`-like call, inside
/// brackets and outside strings.
fn break_places(line: &str) -> Vec<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut places = Vec::new();
    for (i, c) in line.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth > 0 => places.push(i + 1),
            '.' if depth > 0 && is_method_call(&line[i + 1..]) => places.push(i),
            _ => {}
        }
    }
    places
}

/// Whether text starts with `name(` for a method that builds up a statement (`where`,
/// `order_by`, …): the places a chain reads well broken.
fn is_method_call(text: &str) -> bool {
    const CHAIN: &[&str] = &[
        "where",
        "order_by",
        "group_by",
        "having",
        "limit",
        "offset",
        "options",
        "values",
        "select_from",
        "distinct",
    ];
    let name_len = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    CHAIN.contains(&&text[..name_len]) && text[name_len..].starts_with('(')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Options, Session};
    use crate::view::{statement_view, Settings};

    fn python_view_of(input: &str, width: usize) -> String {
        let mut session = match Session::open(Options::default()) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        let response = session.run(input);
        let settings = Settings {
            width,
            layout: Layout::Auto,
            python: true,
            ..Settings::default()
        };
        statement_view(&response, session.registry(), &settings)
    }

    #[test]
    fn python_face_stacked_at_80_columns() {
        insta::assert_snapshot!(python_view_of(
            "students.where(year == 2 and advisor.department == 'Science').order_by(name)",
            80
        ));
    }

    #[test]
    fn python_face_under_the_panels_at_120_columns() {
        insta::assert_snapshot!(python_view_of(
            "students[13].update(year=3, name='Ann')",
            120
        ));
    }

    #[test]
    fn long_lines_break_after_commas_inside_brackets() {
        let line = "session.scalars(select(Student).where(Student.year == 2, Student.name == 'Ann, Bo')).all()";
        let pieces = break_line(line, 60);
        assert_eq!(
            pieces,
            vec![
                "session.scalars(select(Student).where(Student.year == 2,".to_string(),
                "    Student.name == 'Ann, Bo')).all()".to_string(),
            ]
        );
        let chained = "session.scalars(select(Student).where(Student.advisor.has(Teacher.department == 'Arts')).order_by(Student.name)).all()";
        assert_eq!(
            break_line(chained, 70),
            vec![
                "session.scalars(select(Student)".to_string(),
                "    .where(Student.advisor.has(Teacher.department == 'Arts'))".to_string(),
                "    .order_by(Student.name)).all()".to_string(),
            ]
        );
    }

    #[test]
    fn a_line_with_no_place_to_break_stays_whole() {
        let line = "x = 'a very long text without any comma inside brackets at all'";
        assert_eq!(break_line(line, 20), vec![line.to_string()]);
    }
}
