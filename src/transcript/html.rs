//! A transcript as one self-contained HTML page: the terminal's panels side by side (the ORM
//! statement on the left, its SQL on the right, stacked on a narrow window), coloured with the
//! same highlighting runs as the terminal, results as tables. Everything is inline — the CSS,
//! no scripts, no fonts or images from elsewhere — so the file can be mailed, projected and
//! printed as it is.

use super::{Context, Entry, Record};
use crate::answer::{Executed, Outcome};
use crate::sql::Value;
use crate::view::highlight::{Kind, Run};
use crate::view::{self, table, Painter, Settings};
use crate::view::{object_caption, rows_caption};

/// Columns of the SQL panel a long statement is broken to fit.
const SQL_WIDTH: usize = 56;

/// The page's style: large type for a projector, the terminal's colours on a light ground,
/// and a print layout that keeps each statement on one page.
const STYLE: &str = "
:root { --fg: #1f2328; --dim: #6e7781; --rule: #d0d7de; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 20px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; }
main { max-width: 1500px; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
h1 { font-size: 1.4rem; margin: 0 0 1.5rem; color: var(--dim); font-weight: 600; }
pre, code, table { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 1.05rem; }
.narration { font-size: 1.15rem; margin: 2rem 0 0.75rem; }
.entry { border-top: 1px solid var(--rule); padding: 1rem 0 1.25rem; }
.number { color: var(--dim); font-size: 0.8rem; }
.panels { display: grid; grid-template-columns: 2fr 3fr; gap: 0 1.5rem; }
.panels.all { grid-template-columns: 1fr 1fr 1fr; }
.panels.all .orm { grid-column: 1 / -1; }
.panels .python { grid-column: 1 / -1; }
.panel { background: var(--panel); border-radius: 6px; padding: 0.6rem 0.9rem; margin: 0.3rem 0; }
.title { color: var(--dim); font-weight: 700; font-size: 0.75rem; letter-spacing: 0.08em;
  text-transform: uppercase; margin-bottom: 0.25rem; }
.output { margin-top: 0.6rem; }
table { border-collapse: collapse; font-size: 0.95rem; margin: 0.3rem 0; }
th, td { border: 1px solid var(--rule); padding: 0.15rem 0.6rem; text-align: left; }
th { background: var(--panel); }
td.num { text-align: right; }
td.null { color: var(--dim); }
.caption, .note { color: var(--dim); font-size: 0.9rem; margin: 0.2rem 0; }
.error { color: #b42318; }
.keyword { color: #0550ae; font-weight: 700; }
.collection { color: #0a7b83; font-weight: 700; }
.method { color: #0969da; }
.text { color: #116329; }
.number-literal { color: #8a5a00; }
.param { color: #8250df; font-weight: 700; }
.dim { color: var(--dim); }
.heading { color: var(--dim); font-weight: 700; }
.error-run { color: #b42318; font-weight: 700; }
.hint { color: #8a5a00; }
@media (max-width: 900px) {
  body { font-size: 17px; }
  main { padding: 1rem; }
  .panels, .panels.all { grid-template-columns: 1fr; }
}
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  .entry { break-inside: avoid; page-break-inside: avoid; }
  .panel { background: none; border: 1px solid var(--rule); }
  th { background: none; }
}
";

/// The whole page.
pub fn render(entries: &[Entry], cx: Context<'_>) -> String {
    let mut body = String::new();
    let mut number = 0;
    for entry in entries {
        match entry {
            Entry::Narration(text) => {
                body.push_str(&format!("<p class=\"narration\">{}</p>\n", escape(text)));
            }
            Entry::Statement(record) => {
                number += 1;
                body.push_str(&statement(number, record, cx));
            }
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>ormscope transcript</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>ormscope transcript</h1>\n{body}</main>\n</body>\n</html>\n"
    )
}

/// One statement: its panels, then the output.
fn statement(number: usize, record: &Record, cx: Context<'_>) -> String {
    let response = &record.response;
    let settings = plain_settings(cx);
    let all = record.dialects.len() > 1;
    let mut out = format!(
        "<section class=\"entry\">\n<div class=\"number\">{number}</div>\n<div class=\"panels{}\">\n",
        if all { " all" } else { "" }
    );
    let orm = view::orm_panel(response, cx.registry);
    out.push_str(&panel("orm", "ORM", &orm));
    for (dialect, sql) in &record.dialects {
        let title = if all {
            format!("SQL · {}", dialect.title())
        } else {
            "SQL".to_string()
        };
        out.push_str(&panel("sql", &title, &sql_runs(sql, &settings)));
    }
    if let Some(code) = view::python::shown_face(response) {
        let runs = crate::view::highlight::orm(code, cx.registry);
        out.push_str(&panel("python", "SQLAlchemy", &runs));
    }
    out.push_str("</div>\n<div class=\"output\">\n");
    if let Some(text) = &response.text {
        out.push_str(&format!("<pre>{}</pre>\n", escape(text.trim_end())));
    }
    for (title, text) in &response.faces {
        out.push_str(&format!(
            "<div class=\"panel\"><div class=\"title\">{}</div><pre>{}</pre></div>\n",
            escape(title),
            escape(text)
        ));
    }
    out.push_str(&result(record, cx, &settings));
    for note in &response.notes {
        out.push_str(&format!(
            "<p class=\"note\">note: {}</p>\n",
            escape(&note.text)
        ));
    }
    out.push_str("</div>\n</section>\n");
    out
}

fn plain_settings(cx: Context<'_>) -> Settings {
    Settings {
        painter: Painter { color: false },
        max_rows: cx.max_rows,
        ..Settings::default()
    }
}

/// The SQL panel's runs, as the terminal makes them.
fn sql_runs(sql: &[Executed], settings: &Settings) -> Vec<Run> {
    view::sql_panel(sql, settings, SQL_WIDTH)
}

/// A titled panel of highlighted runs.
fn panel(class: &str, title: &str, runs: &[Run]) -> String {
    format!(
        "<div class=\"panel {class}\"><div class=\"title\">{}</div><pre>{}</pre></div>\n",
        escape(title),
        spans(runs)
    )
}

/// Runs as HTML: each coloured kind a span with the CSS class of its colour.
pub fn spans(runs: &[Run]) -> String {
    runs.iter()
        .map(|run| match class_of(run.kind) {
            Some(class) => format!("<span class=\"{class}\">{}</span>", escape(&run.text)),
            None => escape(&run.text),
        })
        .collect()
}

/// The CSS class for a kind of run (none for plain text).
fn class_of(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Plain => return None,
        Kind::Keyword => "keyword",
        Kind::Collection => "collection",
        Kind::Method => "method",
        Kind::Text => "text",
        Kind::Number => "number-literal",
        Kind::Param => "param",
        Kind::Dim => "dim",
        Kind::Heading => "heading",
        Kind::Error => "error-run",
        Kind::Hint => "hint",
    })
}

/// The result: a table of rows, or the view's words for a value, a write or an error.
fn result(record: &Record, cx: Context<'_>, settings: &Settings) -> String {
    let response = &record.response;
    match &response.outcome {
        Err(e) => format!(
            "<pre class=\"error\">{}</pre>\n",
            escape(view::error_text(e, &response.input, &settings.painter).trim_end())
        ),
        Ok(outcome @ Outcome::Rows { columns, rows, .. }) => {
            let shown = rows.len().min(cx.max_rows);
            let total = outcome.row_total() as usize;
            format!(
                "{}<p class=\"caption\">{}</p>\n",
                rows_table(columns, &rows[..shown]),
                escape(&rows_caption(total, shown))
            )
        }
        Ok(Outcome::Object {
            table: name,
            columns,
            row,
        }) => {
            format!(
                "{}<p class=\"caption\">{}</p>\n",
                rows_table(columns, std::slice::from_ref(row)),
                escape(&object_caption(cx.registry, name))
            )
        }
        Ok(Outcome::None) => String::new(),
        Ok(_) => format!(
            "<pre>{}</pre>\n",
            escape(view::outcome_text(response, cx.registry, settings).trim_end())
        ),
    }
}

/// Rows as an HTML table: numbers right-aligned, NULL dimmed.
pub fn rows_table(columns: &[String], rows: &[Vec<Value>]) -> String {
    let mut out = String::from("<table>\n<thead><tr>");
    for column in columns {
        out.push_str(&format!("<th>{}</th>", escape(column)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for value in row {
            let class = match value {
                Value::Null => " class=\"null\"",
                Value::Integer(_) | Value::Real(_) => " class=\"num\"",
                _ => "",
            };
            out.push_str(&format!("<td{class}>{}</td>", escape(&table::plain(value))));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// Text made safe inside HTML elements and attribute values (html-escape's quoted-attribute
/// encoding: `& < > " '`); control characters other than newline and tab are shown as Rust
/// escapes (`\u{1b}`), so that no terminal sequence reaches the page.
pub fn escape(text: &str) -> String {
    let visible: String = if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        text.chars()
            .map(|c| match c {
                c if c.is_control() && c != '\n' && c != '\t' => c.escape_default().to_string(),
                c => c.to_string(),
            })
            .collect()
    } else {
        text.to_string()
    };
    html_escape::encode_quoted_attribute(&visible).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(escape("a\u{1b}[31m<b"), "a\\u{1b}[31m&lt;b");
    }

    #[test]
    fn runs_become_spans_with_the_colour_classes() {
        let runs = vec![
            Run::new(Kind::Keyword, "SELECT"),
            Run::new(Kind::Plain, " * FROM t WHERE a = "),
            Run::new(Kind::Text, "'<b>'"),
        ];
        assert_eq!(
            spans(&runs),
            "<span class=\"keyword\">SELECT</span> * FROM t WHERE a = \
             <span class=\"text\">&#x27;&lt;b&gt;&#x27;</span>"
        );
    }

    #[test]
    fn tables_mark_numbers_and_nulls() {
        let html = rows_table(
            &["id".into()],
            &[vec![Value::Integer(3)], vec![Value::Null]],
        );
        assert!(html.contains("<td class=\"num\">3</td>"), "{html}");
        assert!(html.contains("<td class=\"null\">NULL</td>"), "{html}");
    }
}
