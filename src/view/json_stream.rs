//! `--json` with a statement's rows written as SQLite gives them: the answer's line starts
//! with its input and result while the query runs, and ends with the rest of the answer (its
//! SQL, notes, face) once the statement is done. Memory stays flat however many rows there are,
//! and the line is still one JSON object.

use super::json::{write_answer, Row};
use crate::answer::Response;
use crate::result::RowSink;
use crate::sql::Value;
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// The writer of `--json` answers; give [`JsonStream::sink`] to the session, call
/// [`JsonStream::expect`] before each statement and [`JsonStream::answer`] after it.
#[derive(Clone)]
pub struct JsonStream {
    shared: Rc<RefCell<Streaming>>,
}

struct Streaming {
    out: Box<dyn Write>,
    /// The statement expected next, until its rows begin.
    input: Option<String>,
    /// Whether the answer's line has begun (its rows are being written).
    begun: bool,
    /// Rows written so far in this answer.
    written: u64,
    /// How many of the first rows also stay in the answer (for a transcript being recorded).
    keep: u64,
    /// The first failure to write, reported with the answer.
    failure: Option<std::io::Error>,
}

impl JsonStream {
    /// Answers written to `out`; the first `keep` rows of each also stay in the answer (a
    /// transcript shows them), the others are only written.
    pub fn new(out: Box<dyn Write>, keep: usize) -> JsonStream {
        let streaming = Streaming {
            out,
            input: None,
            begun: false,
            written: 0,
            keep: keep as u64,
            failure: None,
        };
        JsonStream {
            shared: Rc::new(RefCell::new(streaming)),
        }
    }

    /// The sink to give the session ([`crate::session::Session::set_sink`]).
    pub fn sink(&self) -> Box<dyn RowSink> {
        Box::new(self.clone())
    }

    /// The next statement to run is `input`: its rows may be written as they come.
    pub fn expect(&self, input: &str) {
        let mut s = self.shared.borrow_mut();
        s.input = Some(input.to_string());
        s.begun = false;
        s.written = 0;
    }

    /// Writes the answer (the rest of its line when its rows went out already), and flushes
    /// the output when `flush` says so (before the input is waited for).
    pub fn answer(&self, response: &Response, flush: bool) -> std::io::Result<()> {
        let mut s = self.shared.borrow_mut();
        s.input = None;
        let mut text = Vec::with_capacity(512);
        let streamed = std::mem::take(&mut s.begun);
        if let Err(e) = write_answer(&mut text, response, !streamed) {
            s.failure.get_or_insert(e.into());
        }
        if streamed {
            // The object's opening brace went out before its rows: close them, then the rest.
            s.write(b"]}");
            if text.len() > 2 {
                s.write(b",");
            }
            s.write(text.get(1..).unwrap_or_default());
        } else {
            s.write(&text);
        }
        s.write(b"\n");
        if flush {
            if let Err(e) = s.out.flush() {
                s.failure.get_or_insert(e);
            }
        }
        match s.failure.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl JsonStream {
    /// Writes out whatever answers are still buffered.
    pub fn flush(&self) -> std::io::Result<()> {
        self.shared.borrow_mut().out.flush()
    }
}

impl Streaming {
    fn write(&mut self, bytes: &[u8]) {
        if self.failure.is_none() {
            if let Err(e) = self.out.write_all(bytes) {
                self.failure = Some(e);
            }
        }
    }
}

impl RowSink for JsonStream {
    fn begin(&mut self, table: Option<&str>, columns: &[String]) {
        let mut s = self.shared.borrow_mut();
        let Some(input) = s.input.take() else {
            return;
        };
        #[derive(serde::Serialize)]
        struct Head<'a> {
            input: &'a str,
            result: HeadResult<'a>,
        }
        #[derive(serde::Serialize)]
        struct HeadResult<'a> {
            kind: &'static str,
            columns: &'a [String],
            #[serde(skip_serializing_if = "Option::is_none")]
            table: Option<&'a str>,
        }
        let head = Head {
            input: &input,
            result: HeadResult {
                kind: "rows",
                columns,
                table,
            },
        };
        let mut text = serde_json::to_vec(&head).unwrap_or_default();
        // Leave the result open for its rows: `...}}` becomes `...,"rows":[`.
        text.truncate(text.len().saturating_sub(2));
        text.extend_from_slice(b",\"rows\":[");
        s.write(&text);
        s.begun = true;
    }

    fn row(&mut self, row: Vec<Value>) -> Option<Vec<Value>> {
        let mut s = self.shared.borrow_mut();
        if !s.begun {
            return Some(row);
        }
        if s.written > 0 {
            s.write(b",");
        }
        s.written += 1;
        if s.failure.is_none() {
            if let Err(e) = serde_json::to_writer(&mut s.out, &Row(&row)) {
                s.failure = Some(e.into());
            }
        }
        (s.written <= s.keep).then_some(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_serialize_as_the_contract_writes_them() {
        let row = vec![
            Value::Integer(1),
            Value::Null,
            Value::Real(2.5),
            Value::Text("a\"b".into()),
            Value::Blob(vec![0, 255]),
        ];
        let text = serde_json::to_string(&Row(&row)).unwrap_or_default();
        let built = serde_json::Value::Array(row.iter().map(super::super::value_json).collect());
        assert_eq!(text, built.to_string());
    }

    #[test]
    fn rows_are_not_taken_unless_a_statement_is_expected() {
        let mut stream = JsonStream::new(Box::new(std::io::sink()), 0);
        stream.begin(None, &["id".to_string()]);
        assert_eq!(
            stream.row(vec![Value::Integer(1)]),
            Some(vec![Value::Integer(1)])
        );
        stream.expect("students");
        stream.begin(Some("students"), &["id".to_string()]);
        assert_eq!(stream.row(vec![Value::Integer(1)]), None);
    }

    #[test]
    fn the_first_rows_stay_for_a_transcript() {
        let mut stream = JsonStream::new(Box::new(std::io::sink()), 1);
        stream.expect("students");
        stream.begin(Some("students"), &["id".to_string()]);
        assert!(stream.row(vec![Value::Integer(1)]).is_some());
        assert_eq!(stream.row(vec![Value::Integer(2)]), None);
    }
}
