//! The statement view's two panels — the ORM expression and the SQL it became — laid out side
//! by side on a wide screen or stacked on a narrow one, wrapped at word boundaries.

use super::highlight::{push, Kind, Run};
use super::style::Painter;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A line of highlighted runs.
pub type Line = Vec<Run>;

/// How the two panels are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Side by side when the width allows it (100 columns or more), else stacked.
    Auto,
    /// Always side by side.
    Side,
    /// Always one above the other.
    Stacked,
}

/// The narrowest width at which `Auto` puts the panels side by side.
pub const SIDE_BY_SIDE_MIN: usize = 100;

/// The display width of a line.
pub fn line_width(line: &[Run]) -> usize {
    line.iter().map(|r| r.text.width()).sum()
}

/// Wraps runs to `width` columns, breaking only at spaces and at newlines in the text; a word
/// longer than a line breaks after a `.`, `(`, `[` or `,`, and only failing that inside a name.
pub fn wrap(runs: &[Run], width: usize) -> Vec<Line> {
    let width = width.max(1);
    let mut lines: Vec<Line> = vec![Vec::new()];
    let mut used = 0;
    let mut after_newline = false;
    for unit in units(runs) {
        let starts_line = after_newline;
        after_newline = matches!(unit, Unit::Newline);
        match unit {
            Unit::Newline => {
                trim_line_end(&mut lines);
                lines.push(Vec::new());
                used = 0;
            }
            Unit::Blank(kind, text) => {
                let w = text.width();
                if (used > 0 || starts_line) && used + w <= width {
                    push_run(&mut lines, kind, &text);
                    used += w;
                }
            }
            Unit::Word(parts) => {
                let w: usize = parts.iter().map(|(_, t)| t.width()).sum();
                let segments = if w > width {
                    soft_segments(parts)
                } else {
                    vec![parts]
                };
                for segment in segments {
                    let sw: usize = segment.iter().map(|(_, t)| t.width()).sum();
                    if used > 0 && used + sw > width {
                        trim_line_end(&mut lines);
                        lines.push(Vec::new());
                        used = 0;
                    }
                    place_word(&mut lines, &mut used, segment, width);
                }
            }
        }
    }
    trim_line_end(&mut lines);
    lines
}

/// Puts a word's parts on the lines, splitting it between characters where it is wider than
/// a whole line.
fn place_word(lines: &mut Vec<Line>, used: &mut usize, parts: Vec<(Kind, String)>, width: usize) {
    for (kind, text) in parts {
        if *used + text.width() <= width {
            *used += text.width();
            push_run(lines, kind, &text);
            continue;
        }
        for c in text.chars() {
            let cw = c.width().unwrap_or(0);
            if *used + cw > width && *used > 0 {
                lines.push(Vec::new());
                *used = 0;
            }
            push_run(lines, kind, &c.to_string());
            *used += cw;
        }
    }
}

/// A word too wide for a line, cut after each `.`, `(`, `[` and `,` (`session.scalars(` |
/// `select(` | `Student)` …), so that it breaks where code reads naturally, not inside a name.
fn soft_segments(parts: Vec<(Kind, String)>) -> Vec<Vec<(Kind, String)>> {
    let mut segments: Vec<Vec<(Kind, String)>> = vec![Vec::new()];
    for (kind, text) in parts {
        let mut current = String::new();
        for c in text.chars() {
            current.push(c);
            if matches!(c, '.' | '(' | '[' | ',') {
                if let Some(last) = segments.last_mut() {
                    last.push((kind, std::mem::take(&mut current)));
                }
                segments.push(Vec::new());
            }
        }
        if !current.is_empty() {
            if let Some(last) = segments.last_mut() {
                last.push((kind, current));
            }
        }
    }
    segments.retain(|s| !s.is_empty());
    segments
}

/// A unit of wrapping: a word (possibly of several kinds, e.g. `'BI301'})`), blanks, or a newline.
enum Unit {
    Word(Vec<(Kind, String)>),
    Blank(Kind, String),
    Newline,
}

fn units(runs: &[Run]) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    for run in runs {
        for piece in pieces(&run.text) {
            if piece == "\n" {
                out.push(Unit::Newline);
            } else if piece.trim().is_empty() {
                out.push(Unit::Blank(run.kind, piece.to_string()));
            } else if let Some(Unit::Word(parts)) = out.last_mut() {
                parts.push((run.kind, piece.to_string()));
            } else {
                out.push(Unit::Word(vec![(run.kind, piece.to_string())]));
            }
        }
    }
    out
}

fn push_run(lines: &mut [Line], kind: Kind, text: &str) {
    if let Some(line) = lines.last_mut() {
        push(line, kind, text);
    }
}

fn trim_line_end(lines: &mut [Line]) {
    if let Some(line) = lines.last_mut() {
        while let Some(last) = line.last_mut() {
            let trimmed = last.text.trim_end().len();
            if trimmed == 0 {
                line.pop();
            } else {
                last.text.truncate(trimmed);
                break;
            }
        }
    }
}

/// Splits text into words, runs of blanks, and newlines.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut blank: Option<bool> = None;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            if start < i {
                out.push(&text[start..i]);
            }
            out.push("\n");
            start = i + 1;
            blank = None;
            continue;
        }
        let is_blank = c.is_whitespace();
        if blank.is_some_and(|b| b != is_blank) {
            out.push(&text[start..i]);
            start = i;
        }
        blank = Some(is_blank);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Places the panels: a title and lines each, within `width` columns.
pub fn place(
    left_title: &str,
    left: &[Run],
    right_title: &str,
    right: &[Run],
    layout: Layout,
    width: usize,
    painter: &Painter,
) -> String {
    if is_side_by_side(layout, width) {
        side_by_side(left_title, left, right_title, right, width, painter)
    } else {
        stacked(left_title, left, right_title, right, width, painter)
    }
}

/// Whether the panels go side by side at this width.
pub fn is_side_by_side(layout: Layout, width: usize) -> bool {
    match layout {
        Layout::Side => true,
        Layout::Stacked => false,
        Layout::Auto => width >= SIDE_BY_SIDE_MIN,
    }
}

/// The width of the right (SQL) panel's text.
pub fn right_width(layout: Layout, width: usize, gutter: usize) -> usize {
    if is_side_by_side(layout, width) {
        let width = width.max(20);
        width.saturating_sub((width * 2 / 5).max(10) + 3).max(1)
    } else {
        width.saturating_sub(gutter).max(10)
    }
}

fn side_by_side(
    lt: &str,
    left: &[Run],
    rt: &str,
    right: &[Run],
    width: usize,
    painter: &Painter,
) -> String {
    let width = width.max(20);
    let left_width = (width * 2 / 5).max(10);
    let right_width = right_width(Layout::Side, width, 0);
    let mut l = vec![vec![Run::new(Kind::Heading, lt)]];
    l.extend(wrap(left, left_width));
    let mut r = vec![vec![Run::new(Kind::Heading, rt)]];
    r.extend(wrap(right, right_width));
    beside(
        &[
            Column {
                lines: l,
                width: left_width,
            },
            Column {
                lines: r,
                width: right_width,
            },
        ],
        painter,
    )
}

/// The gap between columns placed side by side.
pub const GAP: &str = " │ ";

/// One column of a side-by-side layout: its lines (its title first) and its width.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The lines, already wrapped to `width`.
    pub lines: Vec<Line>,
    /// The columns it takes; every column but the last is padded to it.
    pub width: usize,
}

/// Columns side by side, row by row, joined by a dim [`GAP`], each row's end trimmed: the one
/// side-by-side layout of the view (the ORM and SQL panels, the dialects, `:schema`'s faces).
pub fn beside(columns: &[Column], painter: &Painter) -> String {
    let height = columns.iter().map(|c| c.lines.len()).max().unwrap_or(0);
    let mut out = String::new();
    for row in 0..height {
        let mut text = String::new();
        for (i, column) in columns.iter().enumerate() {
            let line = column.lines.get(row).map_or(&[][..], Vec::as_slice);
            text.push_str(&painter.paint(line));
            if i + 1 < columns.len() {
                text.push_str(&" ".repeat(column.width.saturating_sub(line_width(line))));
                text.push_str(&painter.paint_one(Kind::Dim, GAP));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

fn stacked(
    lt: &str,
    left: &[Run],
    rt: &str,
    right: &[Run],
    width: usize,
    painter: &Painter,
) -> String {
    let gutter = lt.width().max(rt.width()) + 1;
    let inner = width.saturating_sub(gutter).max(10);
    let mut out = String::new();
    for (title, runs) in [(lt, left), (rt, right)] {
        for (i, line) in wrap(runs, inner).iter().enumerate() {
            let label = if i == 0 { title } else { "" };
            let pad = gutter - label.width();
            out.push_str(&painter.paint(&[Run::new(Kind::Heading, label)]));
            out.push_str(&" ".repeat(pad));
            out.push_str(&painter.paint(line));
            out.push('\n');
        }
    }
    out
}

/// Each line of `text` wrapped at spaces to `width` columns. A continued line keeps the
/// line's indentation and, for a comment (`# …`, `-- …`), its marker, then is indented a
/// little more (code lines by four, comments by two), so no line is wider than `width`.
pub fn wrap_text(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let (first, more) = continued_prefix(line, width);
        let body = &line[first.len()..];
        let head = wrap(
            &[Run::new(Kind::Plain, body)],
            width.saturating_sub(first.width()).max(8),
        );
        let Some(head) = head.first() else {
            out.push(line.trim_end().to_string());
            continue;
        };
        let head: String = head.iter().map(|r| r.text.as_str()).collect();
        out.push(format!("{first}{head}"));
        let rest = body.strip_prefix(head.as_str()).unwrap_or("").trim_start();
        if rest.is_empty() {
            continue;
        }
        let room = width.saturating_sub(more.width()).max(8);
        for piece in wrap(&[Run::new(Kind::Plain, rest)], room) {
            let text: String = piece.iter().map(|r| r.text.as_str()).collect();
            out.push(format!("{more}{text}"));
        }
    }
    out
}

/// A line's own prefix (indentation, and a comment marker with its spaces), and the prefix
/// its continued lines take: under the text after a column gap of two spaces or more (a
/// command beside its description) when that is in the left half, else four spaces in.
fn continued_prefix(line: &str, width: usize) -> (&str, String) {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let marker = ["# ", "-- ", "#", "--"]
        .iter()
        .find(|m| rest.starts_with(**m))
        .map_or(0, |m| m.len());
    if marker == 0 {
        let hang = column_gap(line)
            .filter(|&column| column <= width / 2)
            .unwrap_or(indent + 4);
        return (&line[..indent], " ".repeat(hang));
    }
    let after = &rest[marker..];
    let spaces = after.len() - after.trim_start().len();
    let first = &line[..indent + marker + spaces];
    let more = format!("{}{}  ", &line[..indent + marker], &after[..spaces]);
    (first, more)
}

/// The display column where the text after the last gap of two or more spaces starts.
fn column_gap(line: &str) -> Option<usize> {
    let body = line.trim_start();
    let lead = line.len() - body.len();
    let gap = body.trim_end().rfind("  ")?;
    let after = &body[gap..];
    let start = lead + gap + (after.len() - after.trim_start().len());
    Some(line[..start].width())
}

/// Texts under titles, side by side when they fit in `width` (wrapped when needed), else one
/// after another.
pub fn columns(faces: &[(String, String)], width: usize, painter: &Painter) -> String {
    let widths: Vec<usize> = faces
        .iter()
        .map(|(title, text)| {
            text.lines()
                .map(UnicodeWidthStr::width)
                .chain([title.width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let separators = 3 * faces.len().saturating_sub(1);
    let total: usize = widths.iter().sum::<usize>() + separators;
    let mut out = String::new();
    let share = width.saturating_sub(separators) / faces.len().max(1);
    let titles: usize = faces.iter().map(|(t, _)| t.width()).sum::<usize>() + separators;
    if titles <= width && (total <= width || share >= 36) {
        let wrapped: Vec<Vec<String>> = faces
            .iter()
            .zip(&widths)
            .map(|((_, text), w)| {
                wrap_text(text, (*w).min(if total <= width { *w } else { share }))
            })
            .collect();
        let widths: Vec<usize> = wrapped
            .iter()
            .zip(faces)
            .map(|(lines, (title, _))| {
                lines
                    .iter()
                    .map(|l| l.width())
                    .chain([title.width()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let columns: Vec<Column> = wrapped
            .into_iter()
            .zip(faces)
            .zip(widths)
            .map(|((lines, (title, _)), width)| {
                let mut all = vec![vec![Run::new(Kind::Heading, title.clone())]];
                all.extend(lines.into_iter().map(|l| vec![Run::new(Kind::Plain, l)]));
                Column { lines: all, width }
            })
            .collect();
        return beside(&columns, painter);
    }
    for (title, text) in faces {
        out.push_str(&painter.paint_one(Kind::Heading, &format!("── {title}")));
        out.push('\n');
        for line in wrap_text(text, width) {
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.iter().map(|r| r.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn wraps_at_spaces_without_cutting_words() {
        let runs = vec![Run::new(
            Kind::Plain,
            "SELECT * FROM classes WHERE student_id = 13",
        )];
        assert_eq!(
            plain(&wrap(&runs, 22)),
            vec!["SELECT * FROM classes", "WHERE student_id = 13"]
        );
    }

    #[test]
    fn runs_without_a_space_between_stay_together() {
        let runs = vec![
            Run::new(Kind::Plain, "abc "),
            Run::new(Kind::Text, "'BI301'"),
            Run::new(Kind::Plain, "})"),
        ];
        assert_eq!(plain(&wrap(&runs, 10)), vec!["abc", "'BI301'})"]);
    }

    #[test]
    fn a_long_chain_breaks_after_dots_and_brackets_not_inside_names() {
        let runs = vec![Run::new(
            Kind::Plain,
            "session.scalars(select(Student).where(Student.year == 2)).all()",
        )];
        assert_eq!(
            plain(&wrap(&runs, 24)),
            vec![
                "session.scalars(select(",
                "Student).where(Student.",
                "year == 2)).all()",
            ]
        );
    }

    #[test]
    fn a_word_longer_than_the_line_is_split() {
        let runs = vec![Run::new(Kind::Plain, "abcdefghij")];
        assert_eq!(plain(&wrap(&runs, 4)), vec!["abcd", "efgh", "ij"]);
    }

    #[test]
    fn wrapped_text_keeps_comment_markers_indentation_and_columns() {
        assert_eq!(
            wrap_text("# SQLAlchemy 2 spells this registry.map_imperatively", 30),
            vec![
                "# SQLAlchemy 2 spells this",
                "#   registry.map_imperatively"
            ]
        );
        assert_eq!(
            wrap_text("    advisor = relationship(Teacher)", 30),
            vec!["    advisor =", "        relationship(Teacher)"]
        );
        assert_eq!(
            wrap_text("  :rows N  show up to N rows of a result", 30),
            vec!["  :rows N  show up to N rows", "           of a result"]
        );
        assert_eq!(wrap_text("a\n\nb", 10), vec!["a", "", "b"]);
    }

    #[test]
    fn wide_characters_count_twice() {
        let runs = vec![Run::new(Kind::Plain, "日本語 テキスト")];
        let lines = wrap(&runs, 7);
        assert_eq!(plain(&lines), vec!["日本語", "テキス", "ト"]);
        assert!(lines.iter().all(|l| line_width(l) <= 7));
    }

    #[test]
    fn no_placed_line_is_wider_than_the_screen() {
        let painter = Painter { color: false };
        let left = vec![Run::new(
            Kind::Plain,
            "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
        )];
        let right = vec![Run::new(Kind::Plain, "INSERT INTO classes (student_id, name, abbreviation) VALUES (13, 'Biology 301', 'BI301')")];
        for (layout, width) in [
            (Layout::Side, 100),
            (Layout::Stacked, 80),
            (Layout::Auto, 60),
            (Layout::Auto, 120),
        ] {
            let text = place("ORM", &left, "SQL", &right, layout, width, &painter);
            for line in text.lines() {
                assert!(line.width() <= width, "{layout:?} {width}: {line:?}");
            }
        }
    }

    #[test]
    fn auto_layout_switches_at_one_hundred_columns() {
        let painter = Painter { color: false };
        let left = vec![Run::new(Kind::Plain, "students")];
        let right = vec![Run::new(Kind::Plain, "SELECT * FROM students")];
        let wide = place("ORM", &left, "SQL", &right, Layout::Auto, 100, &painter);
        assert_eq!(
            wide.lines().next().map(|l| l.contains('│')),
            Some(true),
            "{wide}"
        );
        let narrow = place("ORM", &left, "SQL", &right, Layout::Auto, 99, &painter);
        assert_eq!(narrow, "ORM students\nSQL SELECT * FROM students\n");
    }
}
