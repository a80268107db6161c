//! Stage 6, view: a statement's answer for people — the ORM expression and its SQL side by side
//! (or stacked), then the result — and for programs, the JSON answers.

pub mod dialects;
pub mod highlight;
pub mod json;
pub mod json_stream;
pub mod panels;
pub mod python;
pub mod style;
pub mod table;

use crate::answer::{Executed, Outcome, Response};
use crate::error::Error;
use crate::mapper::Registry;
use crate::render::statement_kind;
use crate::sql::StatementKind;
use highlight::{push, Kind, Run};
pub use json::{to_json, value_json};
pub use panels::Layout;
pub use style::Painter;

/// Rows shown before the rest are counted instead.
pub const DEFAULT_ROWS: usize = 20;

/// How answers are shown; `:rows`, `:params` and `:layout` change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Colour or not.
    pub painter: Painter,
    /// Side by side, stacked, or chosen by width.
    pub layout: Layout,
    /// The screen's width in columns.
    pub width: usize,
    /// Rows of a result shown before the rest are only counted.
    pub max_rows: usize,
    /// Show the SQL with `?` and its bound values instead of values inlined.
    pub params: bool,
    /// Show how long each statement took (off for reproducible output).
    pub timing: bool,
    /// Show the statement's SQLAlchemy 2.x code under the panels (`:python on|off`).
    pub python: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            painter: Painter { color: false },
            layout: Layout::Stacked,
            width: 100,
            max_rows: DEFAULT_ROWS,
            params: false,
            timing: false,
            python: false,
        }
    }
}

/// The whole view of one answer: panels, result, notes.
pub fn statement_view(response: &Response, registry: &Registry, settings: &Settings) -> String {
    let painter = &settings.painter;
    let mut out = String::new();
    if let Some(text) = &response.text {
        for line in panels::wrap_text(text, settings.width) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    if !response.faces.is_empty() {
        out.push_str(&panels::columns(&response.faces, settings.width, painter));
    }
    let only_text =
        (response.text.is_some() || !response.faces.is_empty()) && response.sql.is_empty();
    if !(only_text && response.ok()) {
        let left = orm_panel(response, registry);
        let sql_width = panels::right_width(settings.layout, settings.width, 4);
        let mut right = sql_panel(&response.sql, settings, sql_width);
        right.extend(folded_runs(&response.sql_folded));
        out.push_str(&panels::place(
            "ORM",
            &left,
            "SQL",
            &right,
            settings.layout,
            settings.width,
            painter,
        ));
        if settings.python {
            out.push_str(&python::python_panel(
                response,
                registry,
                settings.layout,
                settings.width,
                painter,
            ));
        }
    }
    match &response.outcome {
        Ok(_) => out.push_str(&outcome_text(response, registry, settings)),
        Err(e) => out.push_str(&error_text(e, &response.input, painter)),
    }
    for note in &response.notes {
        for line in panels::wrap_text(&format!("note: {note}"), settings.width) {
            out.push_str(&painter.paint_one(Kind::Dim, &line));
            out.push('\n');
        }
    }
    out
}

/// The SQL panel's last lines for the statements sent after the first kept ones: each text
/// once, with how many times it was sent.
fn folded_runs(folded: &[crate::answer::Folded]) -> Vec<Run> {
    let mut runs = Vec::new();
    if folded.is_empty() {
        return runs;
    }
    let total: u64 = folded.iter().map(|f| f.times).sum();
    push(&mut runs, Kind::Plain, "\n");
    push(
        &mut runs,
        Kind::Dim,
        &format!(
            "… and {total} more after the first {}, only counted:",
            crate::answer::SQL_KEPT
        ),
    );
    for f in folded {
        push(&mut runs, Kind::Plain, "\n");
        push(&mut runs, Kind::Dim, &format!("{} × ", f.times));
        runs.extend(highlight::sql(&f.text));
    }
    runs
}

/// The ORM panel's runs: the statement highlighted, and the mapper's last step in words.
pub fn orm_panel(response: &Response, registry: &Registry) -> Vec<Run> {
    let mut runs = highlight::orm(response.input.trim(), registry);
    if let Some(last) = response.mapping.last() {
        push(&mut runs, Kind::Plain, "\n");
        push(&mut runs, Kind::Dim, last);
    }
    runs
}

/// Statements of one shape (the same text with `?`) shown before the rest are only counted.
pub const SAME_SHAPE_SHOWN: usize = 3;

/// A shape is summed up only when it ran more than this many times (a loop's N+1).
const SAME_SHAPE_SUMMED_UP: usize = 5;

/// The SQL panel's runs: each statement sent (broken before its clauses when wider than
/// `width`), with the rows it gave. A shape that ran many times (a loop) shows its first
/// [`SAME_SHAPE_SHOWN`] and a count of the rest; a failed statement is always shown.
pub fn sql_panel(sql: &[Executed], settings: &Settings, width: usize) -> Vec<Run> {
    let mut runs = Vec::new();
    if sql.is_empty() {
        push(&mut runs, Kind::Dim, "(no SQL sent)");
    }
    let shown = shown_statements(sql);
    let mut first_line = true;
    for (i, s) in sql.iter().enumerate() {
        match &shown[i] {
            Shown::Yes => {}
            Shown::No => continue,
            Shown::Summary { hidden, like } => {
                if !first_line {
                    push(&mut runs, Kind::Plain, "\n");
                }
                first_line = false;
                push(
                    &mut runs,
                    Kind::Dim,
                    &format!("… {hidden} more of the same shape as {}", like + 1),
                );
                continue;
            }
        }
        if !first_line {
            push(&mut runs, Kind::Plain, "\n");
        }
        first_line = false;
        if sql.len() > 1 {
            push(&mut runs, Kind::Dim, &format!("{}. ", i + 1));
        }
        let text = if settings.params { &s.text } else { &s.display };
        let numbered = if sql.len() > 1 { 3 } else { 0 };
        let indent = " ".repeat(numbered);
        let tagged = !settings.params && !s.pieces().is_empty();
        let sql_runs = if tagged {
            highlight::sql_pieces(&s.pieces(), false)
        } else {
            highlight::sql(text)
        };
        if panels::line_width(&sql_runs) + numbered > width {
            let continued = format!("\n{indent}");
            let broken = if tagged {
                highlight::sql_pieces(&s.pieces(), true)
            } else {
                break_clauses(sql_runs)
            };
            runs.extend(broken.into_iter().map(|mut r| {
                r.text = r.text.replace('\n', &continued);
                r
            }));
        } else {
            runs.extend(sql_runs);
        }
        push(&mut runs, Kind::Plain, "\n");
        push(
            &mut runs,
            Kind::Dim,
            &format!("{indent}→ {}", sql_summary(s, settings)),
        );
        if settings.params && !s.params.is_empty() {
            let values: Vec<String> = s.params.iter().map(|v| v.sql_literal()).collect();
            push(
                &mut runs,
                Kind::Dim,
                &format!(" · params ({})", values.join(", ")),
            );
        }
    }
    runs
}

/// Whether the SQL panel shows a statement, or in its place the count of those of its shape
/// left out.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shown {
    Yes,
    No,
    /// The last one left out of a shape: `hidden` were, like statement `like` (0-based).
    Summary {
        hidden: usize,
        like: usize,
    },
}

fn shown_statements(sql: &[Executed]) -> Vec<Shown> {
    use std::collections::HashMap;
    let mut totals: HashMap<&str, usize> = HashMap::new();
    for s in sql {
        *totals.entry(s.text.as_str()).or_default() += 1;
    }
    let mut shown = Vec::with_capacity(sql.len());
    // Per shape: how many met, the first one's place, how many left out, the last left out.
    let mut shapes: HashMap<&str, (usize, usize, usize, usize)> = HashMap::new();
    for (i, s) in sql.iter().enumerate() {
        let total = totals.get(s.text.as_str()).copied().unwrap_or(0);
        let shape = shapes.entry(s.text.as_str()).or_insert((0, i, 0, i));
        shape.0 += 1;
        if total > SAME_SHAPE_SUMMED_UP && shape.0 > SAME_SHAPE_SHOWN && !s.failed {
            shape.2 += 1;
            shape.3 = i;
            shown.push(Shown::No);
        } else {
            shown.push(Shown::Yes);
        }
    }
    for (_, like, hidden, last) in shapes.into_values() {
        if hidden > 0 {
            shown[last] = Shown::Summary { hidden, like };
        }
    }
    shown
}

/// Puts each main clause of a long statement on its own line (outside parentheses).
pub fn break_clauses(runs: Vec<Run>) -> Vec<Run> {
    const CLAUSES: &[&str] = &[
        "FROM", "WHERE", "ORDER", "GROUP", "LIMIT", "VALUES", "SET", "JOIN", "LEFT",
    ];
    let mut out: Vec<Run> = Vec::new();
    let mut depth = 0i32;
    let mut previous_keyword = String::new();
    for run in runs {
        let joins_left = run.text == "JOIN" && previous_keyword == "OUTER";
        if run.kind == Kind::Keyword {
            previous_keyword = run.text.clone();
        }
        if run.kind == Kind::Keyword
            && depth == 0
            && CLAUSES.contains(&run.text.as_str())
            && !joins_left
            && !out.is_empty()
        {
            if let Some(last) = out.last_mut() {
                let trimmed = last.text.trim_end().len();
                last.text.truncate(trimmed);
            }
            push(&mut out, Kind::Plain, "\n");
        }
        if run.kind == Kind::Plain {
            depth += run.text.matches('(').count() as i32 - run.text.matches(')').count() as i32;
        }
        out.push(run);
    }
    out
}

fn sql_summary(s: &Executed, settings: &Settings) -> String {
    if s.failed {
        return "failed: rolled back".to_string();
    }
    let kind = statement_kind(s.statement.as_ref(), &s.display);
    let reads = kind.returns_rows();
    if kind == StatementKind::Definition {
        return "done".to_string();
    }
    let rows = match (s.rows, reads) {
        (1, true) => "1 row".to_string(),
        (n, true) => format!("{n} rows"),
        (1, false) => "1 row changed".to_string(),
        (n, false) => format!("{n} rows changed"),
    };
    if settings.timing {
        format!("{rows} · {:.2} ms", s.elapsed.as_secs_f64() * 1000.0)
    } else {
        rows
    }
}

/// The result part of the view.
pub fn outcome_text(response: &Response, registry: &Registry, settings: &Settings) -> String {
    let painter = &settings.painter;
    let dim = |t: String| format!("{}\n", painter.paint_one(Kind::Dim, &t));
    let Ok(outcome) = &response.outcome else {
        return String::new();
    };
    match outcome {
        Outcome::Rows { columns, rows, .. } => {
            let total = outcome.row_total() as usize;
            let shown = rows.len().min(settings.max_rows);
            let mut text =
                table::render(columns, &rows[..shown], Some(settings.width), painter.color);
            text.push('\n');
            let more = if total > shown {
                " (:rows N shows more)"
            } else {
                ""
            };
            text.push_str(&dim(format!("{}{more}", rows_caption(total, shown))));
            text
        }
        Outcome::Object {
            table: t,
            columns,
            row,
        } => {
            let mut text = table::render(
                columns,
                std::slice::from_ref(row),
                Some(settings.width),
                painter.color,
            );
            text.push('\n');
            text.push_str(&dim(object_caption(registry, t)));
            text
        }
        Outcome::Value(v) => format!("{}\n", painter.paint(&highlight::sql(&v.sql_literal()))),
        Outcome::Write {
            affected,
            table: t,
            id,
            ..
        } => {
            let verb = match response
                .sql
                .last()
                .map(|s| statement_kind(s.statement.as_ref(), &s.display))
            {
                Some(StatementKind::Insert) => "inserted into",
                Some(StatementKind::Delete) => "deleted from",
                _ => "changed in",
            };
            let id = id.map_or_else(String::new, |id| format!(", id {id}"));
            format!("{} {verb} {t}{id}\n", plural(*affected, "row"))
        }
        Outcome::None => String::new(),
    }
}

/// A result's rows as a count in words: `3 rows`, or `45 rows; the first 20 shown`.
pub fn rows_caption(total: usize, shown: usize) -> String {
    let rows = plural(total as u64, "row");
    if shown < total {
        format!("{rows}; the first {shown} shown")
    } else {
        rows
    }
}

/// What one object is, in words: `one Student object (a row of students)`.
pub fn object_caption(registry: &Registry, table: &str) -> String {
    format!(
        "one {} object (a row of {table})",
        registry.class_name(table)
    )
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// An error with the statement, a caret under the fault, and the hint.
pub fn error_text(e: &Error, input: &str, painter: &Painter) -> String {
    let (line, column) = e.span.line_column(input);
    let (script_line, _) = e.line_column(input);
    let head = format!(
        "{} error at line {script_line}, column {column}:",
        e.kind.as_str()
    );
    let mut text = format!("{} {}\n", painter.paint_one(Kind::Error, &head), e.message);
    if let Some(source_line) = input.lines().nth(line - 1) {
        let marked = input
            .get(e.span.start.min(input.len())..e.span.end.min(input.len()))
            .unwrap_or("");
        let (indent, width) = caret_place(source_line, column, marked);
        text.push_str(&format!(
            "  {source_line}\n  {}{}\n",
            " ".repeat(indent),
            painter.paint_one(Kind::Error, &"^".repeat(width))
        ));
    }
    if let Some(hint) = &e.hint {
        text.push_str(&painter.paint_one(Kind::Hint, &format!("hint: {hint}")));
        text.push('\n');
    }
    text
}

/// Where the caret goes under `source_line` for an error at 1-based `column` (in characters)
/// marking `marked`: the indent and the caret's length, both in terminal columns, so that it
/// stands under the right characters when some are wide (CJK, emoji) or zero-width (combining).
fn caret_place(source_line: &str, column: usize, marked: &str) -> (usize, usize) {
    use unicode_width::UnicodeWidthStr;
    let split = source_line
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(source_line.len(), |(i, _)| i);
    let (before, after) = source_line.split_at(split);
    let rest = after.width().max(1);
    (before.width(), marked.width().clamp(1, rest))
}

#[cfg(test)]
mod tests;
