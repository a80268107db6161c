//! The JSON answers: one object per statement, one per line, for programs and tests.

use crate::answer::{Executed, Outcome, Response};
use crate::error::Error;
use crate::sql::Value;
use serde_json::{json, Map, Value as Json};

/// The JSON object for one answer.
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
    obj.insert("sqlalchemy".into(), json!(sqlalchemy_face(response)));
    if let Some(text) = &response.text {
        obj.insert("text".into(), json!(text));
    }
    if !response.faces.is_empty() {
        let faces: Vec<Json> = response
            .faces
            .iter()
            .map(|(title, text)| json!({"title": title, "text": text}))
            .collect();
        obj.insert("faces".into(), Json::Array(faces));
    }
    Json::Object(obj)
}

/// The answer's SQLAlchemy code; an answer made where none was written (a command of the
/// front end's own) still gets the comment that says it has none.
fn sqlalchemy_face(response: &Response) -> String {
    if response.sqlalchemy.is_empty() {
        crate::sqlalchemy::unwritten_face(&response.input)
    } else {
        response.sqlalchemy.clone()
    }
}

fn outcome_json(outcome: &Outcome) -> Json {
    match outcome {
        Outcome::Rows {
            table,
            columns,
            rows,
            ..
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
    let (line, column) = e.line_column(input);
    let mut error = json!({"kind": e.kind.as_str(), "message": e.full_message(), "line": line, "column": column});
    if e.line_offset > 0 {
        error["statement_line"] = json!(line - e.line_offset);
    }
    error
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
            mapping: Vec::new(),
            faces: Vec::new(),
            text: None,
            sqlalchemy: "session.get(Student, 13).nickname".into(),
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
    fn every_answer_carries_a_face() {
        let mut answer = response(Ok(Outcome::None));
        assert_eq!(
            to_json(&answer)["sqlalchemy"],
            json!("session.get(Student, 13).nickname")
        );
        answer.sqlalchemy = String::new();
        answer.input = ":layout side".into();
        assert_eq!(
            to_json(&answer)["sqlalchemy"],
            json!("# :layout is ormscope's own command: it has no SQLAlchemy spelling")
        );
    }

    #[test]
    fn json_rows_keep_nulls_and_types() {
        let outcome = Outcome::Rows {
            table: Some("classes".into()),
            columns: vec!["id".into(), "grade".into(), "avg".into()],
            rows: vec![vec![Value::Integer(1), Value::Null, Value::Real(2.5)]],
            more: 0,
        };
        let j = to_json(&response(Ok(outcome)));
        assert_eq!(j["result"]["rows"], json!([[1, null, 2.5]]));
        assert_eq!(j["result"]["table"], json!("classes"));
    }
}
