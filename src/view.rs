//! Stage 6, view: a statement's answer for people (plain text with a table) and for programs
//! (one JSON object per statement, as the contract fixes it).

use crate::error::Error;
use crate::session::{Executed, Outcome, Response};
use crate::sql::Value;
use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
use serde_json::{json, Map, Value as Json};

/// Rows shown before the rest are counted instead.
pub const DEFAULT_ROWS: usize = 20;

/// The contract's JSON object for one answer.
pub fn to_json(response: &Response) -> Json {
    let mut obj = Map::new();
    obj.insert("input".into(), json!(response.input));
    obj.insert("ok".into(), json!(response.ok()));
    match &response.outcome {
        Ok(outcome) => {
            obj.insert("result".into(), outcome_json(outcome));
        }
        Err(e) => {
            obj.insert("error".into(), error_json(e, &response.input));
        }
    }
    obj.insert(
        "sql".into(),
        Json::Array(response.sql.iter().map(sql_json).collect()),
    );
    obj.insert("notes".into(), json!(response.notes));
    if let Some(text) = &response.text {
        obj.insert("text".into(), json!(text));
    }
    Json::Object(obj)
}

fn outcome_json(outcome: &Outcome) -> Json {
    match outcome {
        Outcome::Rows {
            table,
            columns,
            rows,
        } => {
            let mut o = json!({"kind": "rows", "columns": columns, "rows": rows.iter().map(|r| row_json(r)).collect::<Vec<_>>()});
            if let Some(t) = table {
                o["table"] = json!(t);
            }
            o
        }
        Outcome::Object {
            table,
            columns,
            row,
        } => {
            json!({"kind": "object", "table": table, "columns": columns, "row": row_json(row)})
        }
        Outcome::Value(v) => json!({"kind": "value", "value": value_json(v)}),
        Outcome::Write {
            affected,
            table,
            id,
            cascaded,
        } => {
            json!({"kind": "write", "affected": affected, "table": table, "id": id, "cascaded": cascaded})
        }
        Outcome::None => json!({"kind": "none"}),
    }
}

fn error_json(e: &Error, input: &str) -> Json {
    let (line, column) = e.span.line_column(input);
    json!({"kind": e.kind.as_str(), "message": e.full_message(), "line": line, "column": column})
}

fn sql_json(s: &Executed) -> Json {
    json!({"text": s.text, "params": row_json(&s.params), "display": s.display, "rows": s.rows})
}

fn row_json(row: &[Value]) -> Json {
    Json::Array(row.iter().map(value_json).collect())
}

/// A value as JSON: numbers, strings, null.
pub fn value_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Integer(i) => json!(i),
        Value::Real(r) => json!(r),
        Value::Text(s) => json!(s),
        Value::Blob(b) => json!(b.iter().map(|x| format!("{x:02x}")).collect::<String>()),
    }
}

/// The plain view of one answer: the statement, its SQL, and the result.
pub fn to_text(response: &Response, max_rows: usize, width: Option<u16>) -> String {
    let mut out = String::new();
    out.push_str(&format!("orm> {}\n", response.input.trim_end()));
    for s in &response.sql {
        out.push_str(&format!(" sql> {}   -- {}\n", s.display, rows_word(s)));
    }
    match &response.outcome {
        Ok(outcome) => out.push_str(&outcome_text(outcome, max_rows, width)),
        Err(e) => out.push_str(&error_text(e, &response.input)),
    }
    for note in &response.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    if let Some(text) = &response.text {
        out.push_str(text);
        out.push('\n');
    }
    out
}

fn rows_word(s: &Executed) -> String {
    let verb = if s.display.starts_with("SELECT") {
        ""
    } else {
        " changed"
    };
    match s.rows {
        1 => format!("1 row{verb}"),
        n => format!("{n} rows{verb}"),
    }
}

/// The result part of the plain view.
pub fn outcome_text(outcome: &Outcome, max_rows: usize, width: Option<u16>) -> String {
    match outcome {
        Outcome::Rows { columns, rows, .. } => {
            let shown = rows.len().min(max_rows);
            let mut text = table_text(columns, &rows[..shown], width);
            text.push('\n');
            if rows.len() > shown {
                text.push_str(&format!(
                    "({} rows; {} more not shown)\n",
                    rows.len(),
                    rows.len() - shown
                ));
            } else {
                text.push_str(&format!(
                    "({} row{})\n",
                    rows.len(),
                    if rows.len() == 1 { "" } else { "s" }
                ));
            }
            text
        }
        Outcome::Object {
            table,
            columns,
            row,
        } => {
            format!(
                "{}\n({table} object)\n",
                table_text(columns, std::slice::from_ref(row), width)
            )
        }
        Outcome::Value(v) => format!("{}\n", plain(v)),
        Outcome::Write {
            affected,
            table,
            id,
            cascaded,
        } => {
            let mut text = format!(
                "{affected} row{} of {table} changed",
                if *affected == 1 { "" } else { "s" }
            );
            if let Some(id) = id {
                text = format!("{affected} row inserted into {table}, id {id}");
            }
            for (other, n) in cascaded {
                text.push_str(&format!("; {n} of {other} by ON DELETE"));
            }
            text.push('\n');
            text
        }
        Outcome::None => String::new(),
    }
}

/// An error with the statement, a caret under the fault, and the hint.
pub fn error_text(e: &Error, input: &str) -> String {
    let (line, column) = e.span.line_column(input);
    let mut text = format!(
        "error ({}) at line {line}, column {column}: {}\n",
        e.kind.as_str(),
        e.message
    );
    if let Some(source_line) = input.lines().nth(line - 1) {
        let width = input[e.span.start.min(input.len())..e.span.end.min(input.len())]
            .chars()
            .count()
            .clamp(
                1,
                source_line
                    .chars()
                    .count()
                    .saturating_sub(column - 1)
                    .max(1),
            );
        text.push_str(&format!(
            "  {source_line}\n  {}{}\n",
            " ".repeat(column - 1),
            "^".repeat(width)
        ));
    }
    if let Some(hint) = &e.hint {
        text.push_str(&format!("hint: {hint}\n"));
    }
    text
}

/// A value as a person reads it in a table: text unquoted, NULL spelled out.
pub fn plain(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        other => other.sql_literal(),
    }
}

/// Rows as a text table, numbers right-aligned.
pub fn table_text(columns: &[String], rows: &[Vec<Value>], width: Option<u16>) -> String {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    table.set_header(columns);
    match width {
        Some(w) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(w);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    for row in rows {
        table.add_row(row.iter().map(plain));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorKind, Span};

    fn response(outcome: std::result::Result<Outcome, Error>) -> Response {
        Response {
            input: "students[13].nickname".into(),
            outcome,
            sql: Vec::new(),
            notes: Vec::new(),
            text: None,
        }
    }

    #[test]
    fn json_errors_carry_kind_line_and_column() {
        let err = Error::new(ErrorKind::Name, Span::new(13, 21), "no column 'nickname'");
        let j = to_json(&response(Err(err)));
        assert_eq!(j["ok"], json!(false));
        assert_eq!(j["error"]["kind"], json!("name"));
        assert_eq!(
            (j["error"]["line"].clone(), j["error"]["column"].clone()),
            (json!(1), json!(14))
        );
    }

    #[test]
    fn json_rows_keep_nulls_and_types() {
        let outcome = Outcome::Rows {
            table: Some("classes".into()),
            columns: vec!["id".into(), "grade".into(), "avg".into()],
            rows: vec![vec![Value::Integer(1), Value::Null, Value::Real(2.5)]],
        };
        let j = to_json(&response(Ok(outcome)));
        assert_eq!(j["result"]["rows"], json!([[1, null, 2.5]]));
        assert_eq!(j["result"]["table"], json!("classes"));
    }

    #[test]
    fn error_text_points_at_the_fault() {
        let err = Error::new(ErrorKind::Name, Span::new(13, 21), "no column 'nickname'")
            .with_hint("did you mean 'name'?");
        let text = error_text(&err, "students[13].nickname");
        assert_eq!(
            text,
            "error (name) at line 1, column 14: no column 'nickname'\n  students[13].nickname\n               ^^^^^^^^\nhint: did you mean 'name'?\n"
        );
    }

    #[test]
    fn long_results_say_how_many_are_not_shown() {
        let rows: Vec<Vec<Value>> = (0..25).map(|i| vec![Value::Integer(i)]).collect();
        let text = outcome_text(
            &Outcome::Rows {
                table: None,
                columns: vec!["id".into()],
                rows,
            },
            20,
            None,
        );
        assert!(text.ends_with("(25 rows; 5 more not shown)\n"), "{text}");
        assert!(
            text.contains("│ 19 │") && !text.contains("│ 20 │"),
            "{text}"
        );
    }
}
