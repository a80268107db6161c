//! A transcript as Markdown: each statement under a numbered heading, its SQL in ```sql
//! fences (one per dialect shown), results as Markdown tables, errors and values as text.

use super::{Context, Entry, Record};
use crate::answer::Outcome;
use crate::sql::Value;
use crate::view::dialects::rendered_runs;
use crate::view::{self, table, Painter, Settings};
use crate::view::{object_caption, rows_caption};
use comfy_table::{presets, CellAlignment, ContentArrangement, Table};

/// Columns SQL is broken at in a fence.
const SQL_WIDTH: usize = 80;

/// The whole transcript.
pub fn render(entries: &[Entry], cx: Context<'_>) -> String {
    let mut out = String::from("# ormscope transcript\n\n");
    let mut number = 0;
    for entry in entries {
        match entry {
            Entry::Narration(text) => {
                out.push_str(&escape(text));
                out.push_str("\n\n");
            }
            Entry::Statement(record) => {
                number += 1;
                out.push_str(&statement(number, record, cx));
            }
        }
    }
    out
}

/// One statement: heading, the mapper's step, SQL, result, notes.
fn statement(number: usize, record: &Record, cx: Context<'_>) -> String {
    let response = &record.response;
    let input = response.input.trim();
    let mut out = if input.contains('\n') || input.contains('`') {
        format!("## {number}.\n\n{}", fence("python", input))
    } else {
        format!("## {number}. `{input}`\n\n")
    };
    if let Some(step) = response.mapping.last() {
        out.push_str(&format!("*{}*\n\n", escape(step)));
    }
    if let Some(text) = &response.text {
        out.push_str(&fence("text", text.trim_end()));
    }
    for (title, text) in &response.faces {
        out.push_str(&format!("**{}**\n\n{}", escape(title), fence("text", text)));
    }
    out.push_str(&sql_blocks(record));
    if let Some(code) = view::python::shown_face(response) {
        out.push_str(&format!("**SQLAlchemy**\n\n{}", fence("python", code)));
    }
    out.push_str(&result(record, cx));
    for note in &response.notes {
        out.push_str(&format!("> note: {}\n\n", escape(&note.text)));
    }
    out
}

/// The SQL in a fence per dialect, each statement ended with `;`.
fn sql_blocks(record: &Record) -> String {
    let mut out = String::new();
    let titled = record.dialects.len() > 1;
    for (dialect, sql) in &record.dialects {
        if sql.is_empty() {
            continue;
        }
        if titled {
            out.push_str(&format!("**{}**\n\n", dialect.title()));
        }
        let mut body = String::new();
        for executed in sql {
            let text: String = rendered_runs(&executed.rendered, SQL_WIDTH)
                .into_iter()
                .map(|r| r.text)
                .collect();
            body.push_str(&text);
            body.push(';');
            if executed.failed {
                body.push_str(" -- failed: rolled back");
            }
            body.push('\n');
        }
        out.push_str(&fence("sql", body.trim_end()));
    }
    out
}

/// The result: a table of rows, or the view's words for a value, a write or an error.
fn result(record: &Record, cx: Context<'_>) -> String {
    let response = &record.response;
    let settings = Settings {
        painter: Painter { color: false },
        max_rows: cx.max_rows,
        ..Settings::default()
    };
    match &response.outcome {
        Err(e) => fence(
            "text",
            view::error_text(e, &response.input, &settings.painter).trim_end(),
        ),
        Ok(outcome @ Outcome::Rows { columns, rows, .. }) => {
            let shown = rows.len().min(cx.max_rows);
            let total = outcome.row_total() as usize;
            format!(
                "{}\n*{}*\n\n",
                rows_table(columns, &rows[..shown]),
                rows_caption(total, shown)
            )
        }
        Ok(Outcome::Object {
            table: name,
            columns,
            row,
        }) => {
            format!(
                "{}\n*{}*\n\n",
                rows_table(columns, std::slice::from_ref(row)),
                object_caption(cx.registry, name)
            )
        }
        Ok(Outcome::None) => String::new(),
        Ok(_) => {
            let text = view::outcome_text(response, cx.registry, &settings);
            fence("text", text.trim_end())
        }
    }
}

/// Rows as a Markdown table (comfy-table's Markdown preset, columns padded to one width);
/// number columns are right-aligned, and marked so (`---:`) for a Markdown renderer.
pub fn rows_table(columns: &[String], rows: &[Vec<Value>]) -> String {
    let numeric: Vec<bool> = (0..columns.len())
        .map(|i| is_numeric_column(rows, i))
        .collect();
    let mut grid = Table::new();
    grid.load_style(presets::ASCII_MARKDOWN)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(columns.iter().map(|c| cell(c)));
    for row in rows {
        grid.add_row(row.iter().map(|v| cell(&table::plain(v))));
    }
    for (i, column) in grid.column_iter_mut().enumerate() {
        if numeric.get(i).copied().unwrap_or(false) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let text = grid.to_string();
    let mut out = String::with_capacity(text.len() + columns.len() + 1);
    for (n, line) in text.lines().enumerate() {
        if n == 1 {
            out.push_str(&aligned_separator(line, &numeric));
        } else {
            out.push_str(line.trim_end());
        }
        out.push('\n');
    }
    out
}

/// Whether every value of column `i` is a number (or NULL), so that it is right-aligned.
fn is_numeric_column(rows: &[Vec<Value>], i: usize) -> bool {
    !rows.is_empty()
        && rows.iter().all(|r| {
            matches!(
                r.get(i),
                Some(Value::Integer(_) | Value::Real(_) | Value::Null)
            )
        })
}

/// The header separator (`|----|----|`) with a colon closing each number column (`|---:|`),
/// Markdown's mark for a right-aligned column.
fn aligned_separator(line: &str, numeric: &[bool]) -> String {
    let parts: Vec<&str> = line.split('|').collect();
    let last = parts.len().saturating_sub(1);
    parts
        .iter()
        .enumerate()
        .map(|(n, part)| {
            let column = n.checked_sub(1).filter(|_| n < last);
            match column {
                Some(i) if numeric.get(i).copied().unwrap_or(false) && part.len() > 1 => {
                    format!("{}:", &part[..part.len() - 1])
                }
                _ => (*part).to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// Text inside a table cell: Markdown's own characters and the pipe escaped, on one line.
fn cell(text: &str) -> String {
    escape(text)
}

/// Text with Markdown's special characters escaped, so data reads as itself.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A fenced block whose fence is longer than any run of backticks in the text.
pub fn fence(language: &str, text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let ticks = "`".repeat(longest.max(2) + 1);
    format!("{ticks}{language}\n{text}\n{ticks}\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_escape_pipes_and_align_numbers() {
        let text = rows_table(
            &["id".into(), "name".into()],
            &[vec![Value::Integer(1), Value::Text("a|b <i>".into())]],
        );
        assert_eq!(
            text,
            "| id | name       |\n|---:|------------|\n|  1 | a\\|b \\<i\\> |\n"
        );
    }

    #[test]
    fn a_fence_outgrows_the_backticks_inside() {
        assert_eq!(fence("sql", "SELECT 1"), "```sql\nSELECT 1\n```\n\n");
        assert!(fence("text", "a ```` b").starts_with("`````text\n"));
    }
}
