//! The JSON answers: one object per statement, one per line, for programs and tests.
//!
//! The shape is written once, as serde types borrowing the answer: [`write_answer`] writes it
//! straight to the output (no tree of values in between), [`to_json`] gives it as a value for
//! the few callers that add to it. Keys are in alphabetical order, as both print them.

use crate::answer::{Executed, Note, Outcome, Response};
use crate::error::Error;
use crate::sql::Value;
use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::Value as Json;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The JSON object for one answer.
pub fn to_json(response: &Response) -> Json {
    serde_json::to_value(Answer::of(response, true)).unwrap_or(Json::Null)
}

/// Writes the JSON object for one answer to `out` (without a newline); with `head` false it
/// leaves out the input and the result, which a streamed answer has written already.
pub fn write_answer(
    out: &mut impl std::io::Write,
    response: &Response,
    head: bool,
) -> serde_json::Result<()> {
    serde_json::to_writer(out, &Answer::of(response, head))
}

/// One answer, as the contract spells it.
#[derive(serde::Serialize)]
struct Answer<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorJson>,
    #[serde(skip_serializing_if = "FaceList::is_empty")]
    faces: FaceList<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<&'a str>,
    notes: &'a [Note],
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<OutcomeJson<'a>>,
    sql: SqlList<'a>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    sql_folded: &'a [crate::answer::Folded],
    sqlalchemy: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

impl<'a> Answer<'a> {
    fn of(response: &'a Response, head: bool) -> Answer<'a> {
        let (result, error) = match &response.outcome {
            Ok(outcome) => (head.then_some(OutcomeJson(outcome)), None),
            Err(e) => (None, Some(ErrorJson::of(e, &response.input))),
        };
        Answer {
            error,
            faces: FaceList(&response.faces),
            input: head.then_some(response.input.as_str()),
            notes: &response.notes,
            ok: response.ok(),
            result,
            sql: SqlList(&response.sql),
            sql_folded: &response.sql_folded,
            sqlalchemy: sqlalchemy_face(response),
            text: response.text.as_deref(),
        }
    }
}

/// The answer's SQLAlchemy code; an answer made where none was written (a command of the
/// front end's own) still gets the comment that says it has none.
fn sqlalchemy_face(response: &Response) -> Cow<'_, str> {
    if response.sqlalchemy.is_empty() {
        Cow::Owned(crate::sqlalchemy::unwritten_face(&response.input))
    } else {
        Cow::Borrowed(&response.sqlalchemy)
    }
}

/// Titled faces, each as `{"text": ..., "title": ...}`.
struct FaceList<'a>(&'a [(String, String)]);

impl FaceList<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for FaceList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Face<'a> {
            text: &'a str,
            title: &'a str,
        }
        serializer.collect_seq(self.0.iter().map(|(title, text)| Face { text, title }))
    }
}

/// What a statement gave, by kind.
struct OutcomeJson<'a>(&'a Outcome);

#[derive(serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum OutcomeShape<'a> {
    Rows {
        columns: &'a [String],
        rows: Rows<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        table: Option<&'a str>,
    },
    Object {
        columns: &'a [String],
        row: Row<'a>,
        table: &'a str,
    },
    Value {
        value: JsonValue<'a>,
    },
    Write {
        affected: u64,
        cascaded: &'a BTreeMap<String, u64>,
        id: Option<i64>,
        table: &'a str,
    },
    None,
}

impl Serialize for OutcomeJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let shape = match self.0 {
            Outcome::Rows {
                table,
                columns,
                rows,
                ..
            } => OutcomeShape::Rows {
                columns,
                rows: Rows(rows),
                table: table.as_deref(),
            },
            Outcome::Object {
                table,
                columns,
                row,
            } => OutcomeShape::Object {
                columns,
                row: Row(row),
                table,
            },
            Outcome::Value(v) => OutcomeShape::Value {
                value: JsonValue(v),
            },
            Outcome::Write {
                affected,
                table,
                id,
                cascaded,
            } => OutcomeShape::Write {
                affected: *affected,
                cascaded,
                id: *id,
                table,
            },
            Outcome::None => OutcomeShape::None,
        };
        shape.serialize(serializer)
    }
}

/// An error: its kind, its words, and where (line and column of the input).
#[derive(serde::Serialize)]
struct ErrorJson {
    column: usize,
    kind: &'static str,
    line: usize,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    statement_line: Option<usize>,
}

impl ErrorJson {
    fn of(e: &Error, input: &str) -> ErrorJson {
        let (line, column) = e.line_column(input);
        ErrorJson {
            column,
            kind: e.kind.as_str(),
            line,
            message: e.full_message(),
            statement_line: (e.line_offset > 0).then(|| line - e.line_offset),
        }
    }
}

/// The SQL a statement sent, each as `{"display", "params", "rows", "text"}`.
struct SqlList<'a>(&'a [Executed]);

impl Serialize for SqlList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Sql<'a> {
            display: &'a str,
            params: Row<'a>,
            rows: u64,
            text: &'a str,
        }
        serializer.collect_seq(self.0.iter().map(|s| Sql {
            display: &s.display,
            params: Row(&s.params),
            rows: s.rows,
            text: &s.text,
        }))
    }
}

/// Rows as arrays of values.
struct Rows<'a>(&'a [Vec<Value>]);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for row in self.0 {
            seq.serialize_element(&Row(row))?;
        }
        seq.end()
    }
}

/// One row (or a statement's parameters) as an array of values.
pub(super) struct Row<'a>(pub(super) &'a [Value]);

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(JsonValue))
    }
}

/// One value: numbers, strings, null; bytes as hex text.
struct JsonValue<'a>(&'a Value);

impl Serialize for JsonValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => serializer.serialize_unit(),
            Value::Integer(i) => serializer.serialize_i64(*i),
            Value::Real(r) => serializer.serialize_f64(*r),
            Value::Text(t) => serializer.serialize_str(t),
            Value::Blob(b) => serializer.serialize_str(&hex(b)),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|x| format!("{x:02x}")).collect()
}

/// A value as JSON: numbers, strings, null.
pub fn value_json(v: &Value) -> Json {
    serde_json::to_value(JsonValue(v)).unwrap_or(Json::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorKind, Span};
    use serde_json::json;

    fn response(outcome: std::result::Result<Outcome, Error>) -> Response {
        let mut response = Response::of("students[13].nickname", outcome);
        response.sqlalchemy = "session.get(Student, 13).nickname".into();
        response
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
