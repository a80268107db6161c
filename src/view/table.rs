//! Result tables: column headers, numbers right-aligned, NULL dimmed, long text cut with an
//! ellipsis, fitted to the screen's width.

use crate::sql::Value;
use comfy_table::{presets, Attribute, Cell, CellAlignment, ContentArrangement, Row, Table};

/// The most characters of one value laid out when the table has no width: comfy-table splits
/// a long word in time that grows with the square of its length (a 1 MB value took over a
/// minute and Ctrl-C could not stop it), and no screen shows more of a one-line cell.
const WIDEST_CELL: usize = 4096;

/// A value as a person reads it in a table: text unquoted, NULL spelled out.
pub fn plain(v: &Value) -> String {
    v.to_string()
}

/// Rows as a text table within `width` columns (unlimited when none).
pub fn render(
    columns: &[String],
    rows: &[Vec<Value>],
    width: Option<usize>,
    color: bool,
) -> String {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    table.set_truncation_indicator("…");
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    let header: Vec<Cell> = columns
        .iter()
        .map(|c| {
            if color {
                Cell::new(c).add_attribute(Attribute::Bold)
            } else {
                Cell::new(c)
            }
        })
        .collect();
    table.set_header(header);
    match width {
        Some(w) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(u16::try_from(w).unwrap_or(u16::MAX));
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    let limit = width.unwrap_or(WIDEST_CELL);
    for values in rows {
        let cells = values.iter().map(|v| cell(v, color, limit));
        let mut row = Row::from(cells.collect::<Vec<_>>());
        row.max_height(1);
        table.add_row(row);
    }
    for (i, column) in table.column_iter_mut().enumerate() {
        let numeric = rows.iter().all(|r| {
            matches!(
                r.get(i),
                Some(Value::Integer(_) | Value::Real(_) | Value::Null)
            )
        });
        if numeric && !rows.is_empty() {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table.to_string()
}

/// A value's cell, its text cut to `limit` characters (with `…`) before it is laid out.
fn cell(v: &Value, color: bool, limit: usize) -> Cell {
    let text = plain(v);
    let text = match text.char_indices().nth(limit) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    };
    let c = Cell::new(text);
    if color && v.is_null() {
        c.add_attribute(Attribute::Dim)
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn numbers_are_right_aligned_and_null_spelled_out() {
        let rows = vec![
            vec![Value::Integer(7), Value::Null],
            vec![Value::Integer(121), Value::Text("A".into())],
        ];
        let text = render(&["id".into(), "grade".into()], &rows, None, false);
        assert!(text.contains("│   7 ┆ NULL  │"), "{text}");
        assert!(text.contains("│ 121 ┆ A     │"), "{text}");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis_to_fit() {
        let long =
            "a very long piece of text that will never fit into a narrow terminal window at all";
        let rows = vec![vec![Value::Integer(1), Value::Text(long.into())]];
        let text = render(&["id".into(), "name".into()], &rows, Some(40), false);
        assert!(text.lines().all(|l| l.width() <= 40), "{text}");
        assert!(text.contains('…'), "{text}");
        assert_eq!(text.lines().count(), 5, "one line per row: {text}");
    }

    #[test]
    fn a_huge_value_is_cut_before_it_is_laid_out() {
        let huge = "x".repeat(1_000_000);
        let rows = vec![vec![Value::Integer(1), Value::Text(huge)]];
        for width in [Some(80), None] {
            let text = render(&["id".into(), "blob".into()], &rows, width, false);
            assert!(text.contains('…'), "cut: {}", &text[..200]);
            assert!(
                text.lines()
                    .all(|l| l.width() <= width.unwrap_or(WIDEST_CELL + 20)),
                "fits"
            );
        }
    }
}
