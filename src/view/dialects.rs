//! A view of dialects: the SQL a statement sent, written again for another dialect from the
//! statement trees it kept: for `ormscope sql`, `:translate`, the REPL's `:dialect`, and
//! transcripts. Nothing is run again; the rows and changes reported are SQLite's. A long
//! statement is broken into lines where the writer marked its clauses
//! ([`crate::render::PieceKind::ClauseBreak`]); only raw SQL typed with `:sql` is read again.

use crate::dialect::{Choice, Dialect};
use crate::mapper::Registry;
use crate::render::{render_in, statement_kind, Rendered};
use crate::schema::MetaData;
use crate::session::{Executed, Response};
use crate::view::highlight::{self, Kind, Run};
use crate::view::{self, panels, Painter, Settings};

/// One statement sent, written for `dialect` (raw SQL from `:sql` is kept as typed).
pub fn executed_in(executed: &Executed, dialect: Dialect, metadata: &MetaData) -> Executed {
    let mut out = executed.clone();
    if let Some(tree) = &executed.statement {
        out.rendered = render_in(tree, dialect, metadata);
    }
    out
}

/// Every statement sent, written for `dialect`.
pub fn sql_in(sql: &[Executed], dialect: Dialect, metadata: &MetaData) -> Vec<Executed> {
    sql.iter()
        .map(|e| executed_in(e, dialect, metadata))
        .collect()
}

/// An answer with its SQL written for `dialect`; everything else as it was.
pub fn response_in(response: &Response, dialect: Dialect, metadata: &MetaData) -> Response {
    let mut out = response.clone();
    out.sql = sql_in(&response.sql, dialect, metadata);
    out
}

/// One statement sent, written for `dialect` as runs, broken before its main clauses (where
/// the writer marked them) when wider than `width`.
fn executed_runs(
    executed: &Executed,
    dialect: Dialect,
    metadata: &MetaData,
    width: usize,
) -> Vec<Run> {
    match &executed.statement {
        Some(tree) => rendered_runs(&render_in(tree, dialect, metadata), width),
        None => statement_runs(&executed.display, width),
    }
}

/// A rendered statement as runs from the writer's tagged pieces (raw SQL, which has none, is
/// read by the lexer), broken at its clause breaks when wider than `width`.
pub fn rendered_runs(rendered: &Rendered, width: usize) -> Vec<Run> {
    if rendered.pieces().is_empty() {
        return statement_runs(&rendered.display, width);
    }
    let runs = highlight::sql_pieces(&rendered.pieces(), false);
    if panels::line_width(&runs) > width {
        highlight::sql_pieces(&rendered.pieces(), true)
    } else {
        runs
    }
}

/// One SQL statement's text as runs, broken before its main clauses when wider than `width`.
pub fn statement_runs(text: &str, width: usize) -> Vec<Run> {
    let runs = highlight::sql(text);
    if panels::line_width(&runs) > width {
        view::break_clauses(runs)
    } else {
        runs
    }
}

/// The SQL of the statements as a script for slides or a SQL prompt: each statement ended
/// with `;`, and with `-- Dialect` headings when several dialects are chosen.
pub fn sql_script(
    sql: &[Executed],
    choice: Choice,
    metadata: &MetaData,
    painter: &Painter,
    width: usize,
) -> String {
    let dialects = choice.dialects();
    let mut out = String::new();
    for (n, dialect) in dialects.iter().enumerate() {
        if dialects.len() > 1 {
            if n > 0 {
                out.push('\n');
            }
            let heading = format!("-- {}", dialect.title());
            out.push_str(&painter.paint_one(Kind::Dim, &heading));
            out.push('\n');
        }
        for executed in sql {
            let mut runs = executed_runs(executed, *dialect, metadata, width);
            highlight::push(&mut runs, Kind::Plain, ";");
            out.push_str(&painter.paint(&runs));
            out.push('\n');
        }
    }
    out
}

/// The SQL of the statements in one dialect as highlighted runs, numbered when there are
/// several, each broken before its clauses when wider than `width`.
pub fn dialect_runs(
    sql: &[Executed],
    dialect: Dialect,
    metadata: &MetaData,
    width: usize,
) -> Vec<Run> {
    dialect_runs_shown(sql, dialect, metadata, width, false)
}

/// [`dialect_runs`], with `?` and the bound values when `params` is on (`:params`).
fn dialect_runs_shown(
    sql: &[Executed],
    dialect: Dialect,
    metadata: &MetaData,
    width: usize,
    params: bool,
) -> Vec<Run> {
    let mut runs = Vec::new();
    let numbered = sql.len() > 1;
    for (n, executed) in sql.iter().enumerate() {
        if n > 0 {
            highlight::push(&mut runs, Kind::Plain, "\n");
        }
        if numbered {
            highlight::push(&mut runs, Kind::Dim, &format!("{}. ", n + 1));
        }
        let prefix = if numbered { 3 } else { 0 };
        let width = width.saturating_sub(prefix);
        if params {
            let rendered = match &executed.statement {
                Some(tree) => render_in(tree, dialect, metadata),
                None => executed.rendered.clone(),
            };
            runs.extend(statement_runs(&rendered.text, width));
            if !rendered.params.is_empty() {
                let values: Vec<String> = rendered.params.iter().map(|v| v.sql_literal()).collect();
                highlight::push(
                    &mut runs,
                    Kind::Dim,
                    &format!(
                        "
params ({})",
                        values.join(", ")
                    ),
                );
            }
        } else {
            runs.extend(executed_runs(executed, dialect, metadata, width));
        }
    }
    runs
}

/// The SQL of the statements in one dialect as plain text (see [`dialect_runs`]).
pub fn plain_sql(sql: &[Executed], dialect: Dialect, metadata: &MetaData, width: usize) -> String {
    dialect_runs(sql, dialect, metadata, width)
        .into_iter()
        .map(|r| r.text)
        .collect()
}

/// Titled columns of runs side by side within `width`, wrapped at spaces; one under another
/// when a column would be narrower than 24.
fn columns(faces: &[(String, Vec<Run>)], width: usize, painter: &Painter) -> String {
    let count = faces.len().max(1);
    let column = width.saturating_sub(panels::GAP.len() * (count - 1)) / count;
    let mut out = String::new();
    if column < 24 {
        for (title, runs) in faces {
            out.push_str(&painter.paint_one(Kind::Heading, &format!("── {title}")));
            out.push('\n');
            for line in panels::wrap(runs, width.max(10)) {
                out.push_str(&painter.paint(&line));
                out.push('\n');
            }
        }
        return out;
    }
    let columns: Vec<panels::Column> = faces
        .iter()
        .map(|(title, runs)| {
            let mut lines = vec![vec![Run::new(Kind::Heading, title.clone())]];
            lines.extend(panels::wrap(runs, column));
            panels::Column {
                lines,
                width: column,
            }
        })
        .collect();
    panels::beside(&columns, painter)
}

/// The view with the SQL in SQLite, PostgreSQL and MySQL together (`:dialect all` and
/// `:translate`): the statement, the three dialects side by side when they fit (else one
/// under another), then the result as SQLite gave it. `ran` says whether the statement ran
/// (`:translate` only previews it, so no rows are reported).
pub fn all_dialects_view(
    response: &Response,
    registry: &Registry,
    settings: &Settings,
    ran: bool,
) -> String {
    if response.sql.is_empty() {
        return view::statement_view(response, registry, settings);
    }
    let painter = &settings.painter;
    let metadata = &registry.metadata;
    let mut out = String::new();
    let orm = view::orm_panel(response, registry);
    for (i, line) in panels::wrap(&orm, settings.width.saturating_sub(4).max(10))
        .iter()
        .enumerate()
    {
        let label = if i == 0 { "ORM " } else { "    " };
        out.push_str(&painter.paint_one(Kind::Heading, label));
        out.push_str(&painter.paint(line));
        out.push('\n');
    }
    let column = (settings.width.saturating_sub(6) / 3).max(24);
    let faces: Vec<(String, Vec<Run>)> = Dialect::ALL
        .iter()
        .map(|d| {
            (
                format!("SQL · {}", d.title()),
                dialect_runs_shown(&response.sql, *d, metadata, column, settings.params),
            )
        })
        .collect();
    out.push_str(&columns(&faces, settings.width, painter));
    if ran {
        out.push_str(&painter.paint_one(Kind::Dim, &ran_on_sqlite(&response.sql)));
        out.push('\n');
    }
    match &response.outcome {
        Ok(_) => out.push_str(&view::outcome_text(response, registry, settings)),
        Err(e) => out.push_str(&view::error_text(e, &response.input, painter)),
    }
    for note in &response.notes {
        out.push_str(&painter.paint_one(Kind::Dim, &format!("note: {note}")));
        out.push('\n');
    }
    out
}

/// `ormscope sql STATEMENT...`: each statement run and undone on a fresh School, its SQL
/// written to `out` in the chosen dialects; what went wrong to `err`. The exit status: 0, or 1
/// when a statement failed.
pub fn sql_command(
    statements: &[String],
    choice: Choice,
    settings: &Settings,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> u8 {
    let options = crate::session::Options::default();
    sql_command_on(options, statements, choice, settings, out, err)
}

/// `ormscope --db FILE sql STATEMENT...`: the same on the database `options` open (each
/// statement run and undone, so the file is left as it was).
pub fn sql_command_on(
    options: crate::session::Options,
    statements: &[String],
    choice: Choice,
    settings: &Settings,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> u8 {
    let mut session = match crate::session::Session::open(options) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "ormscope: could not open the database: {}", e.message);
            return 1;
        }
    };
    let mut failed = false;
    for (n, statement) in statements.iter().enumerate() {
        if n > 0 && choice == Choice::All {
            let _ = writeln!(out);
        }
        let response = session.preview(statement);
        let metadata = &session.registry().metadata;
        let script = sql_script(
            &response.sql,
            choice,
            metadata,
            &settings.painter,
            settings.width,
        );
        let _ = out.write_all(script.as_bytes());
        if let Err(e) = &response.outcome {
            failed = true;
            let _ = err.write_all(view::error_text(e, statement, &settings.painter).as_bytes());
        }
    }
    u8::from(failed)
}

/// `→ ran on SQLite: 3 rows`, for each statement sent.
fn ran_on_sqlite(sql: &[Executed]) -> String {
    let counts: Vec<String> = sql
        .iter()
        .map(|e| {
            if e.failed {
                "failed".to_string()
            } else if statement_kind(e.statement.as_ref(), &e.display).returns_rows() {
                plural(e.rows, "row")
            } else {
                format!("{} changed", plural(e.rows, "row"))
            }
        })
        .collect();
    format!("→ ran on SQLite: {}", counts.join(", "))
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Options, Session};

    fn session() -> Session {
        match Session::open(Options::default()) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_same_statement_in_each_dialect() {
        let mut s = session();
        let r = s.preview("students.order_by(name).offset(5)");
        let meta = &s.registry().metadata;
        let texts: Vec<String> = Dialect::ALL
            .iter()
            .map(|d| sql_in(&r.sql, *d, meta)[0].display.clone())
            .collect();
        assert_eq!(
            texts,
            vec![
                "SELECT * FROM students ORDER BY name LIMIT -1 OFFSET 5",
                "SELECT * FROM students ORDER BY name OFFSET 5",
                "SELECT * FROM students ORDER BY name LIMIT 5, 18446744073709551615",
            ]
        );
    }

    #[test]
    fn raw_sql_is_kept_as_typed() {
        let mut s = session();
        let r = s.run_raw_sql(
            ":sql SELECT 1 LIMIT -1",
            "SELECT 1 LIMIT -1",
            crate::error::Span::new(5, 6),
        );
        let meta = &s.registry().metadata;
        assert_eq!(
            sql_in(&r.sql, Dialect::Postgresql, meta)[0].display,
            "SELECT 1 LIMIT -1"
        );
    }

    #[test]
    fn a_script_ends_statements_and_heads_dialects() {
        let mut s = session();
        let r = s.preview("students[13].advisor");
        let meta = &s.registry().metadata;
        let plain = Painter { color: false };
        let one = sql_script(&r.sql, Choice::One(Dialect::Mysql), meta, &plain, 100);
        assert_eq!(
            one,
            "SELECT * FROM students WHERE id = 13;\nSELECT * FROM teachers WHERE id = 8;\n"
        );
        let all = sql_script(&r.sql, Choice::All, meta, &plain, 100);
        assert!(all.starts_with("-- SQLite\n"), "{all}");
        assert!(all.contains("\n\n-- PostgreSQL\n"), "{all}");
        assert!(all.contains("\n\n-- MySQL\n"), "{all}");
    }

    #[test]
    fn a_long_statement_is_broken_before_its_clauses() {
        let text = plain_sql(
            &session()
                .preview("students.where(year == 2).order_by(name).limit(3)")
                .sql,
            Dialect::Postgresql,
            &crate::school::registry().metadata,
            30,
        );
        assert_eq!(
            text,
            "SELECT *\nFROM students\nWHERE year = 2\nORDER BY name\nLIMIT 3"
        );
    }
}
