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
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

/// The writer of `--json` answers; give [`JsonStream::sink`] to the session, call
/// [`JsonStream::expect`] before each statement, [`JsonStream::answer`] after it and
/// [`JsonStream::close`] at the end.
///
/// Answers are turned into JSON and written in order, on the session's thread while they are
/// few and on a thread of their own once many wait ([`Writing`]), while the session runs the
/// next statement; a statement's streamed rows are written as SQLite gives them, in chunks.
#[derive(Clone)]
pub struct JsonStream {
    shared: Rc<RefCell<Streaming>>,
}

struct Streaming {
    /// Work gathered for the writer, not yet handed over.
    jobs: Vec<Job>,
    /// Rows read since the last job, for the writer to write.
    rows: Vec<Vec<Value>>,
    /// About how many bytes those rows hold.
    rows_bytes: usize,
    /// Where the jobs are carried out.
    writing: Writing,
    /// The statement expected next, until its rows begin.
    input: Option<String>,
    /// Whether the answer's line has begun (its rows are being written).
    begun: bool,
    /// Rows written so far in this answer.
    written: u64,
    /// How many of the first rows also stay in the answer (for a transcript being recorded).
    keep: u64,
}

/// Where the jobs are carried out: here, on the session's thread, until a first full batch
/// (many answers, or a long result's rows) starts a writer thread of its own. A few statements
/// (`-e`, a pipe driven a statement at a time) never start one: starting and waking a thread
/// would cost more than it saves.
enum Writing {
    /// On the session's thread, as they are handed over.
    Here(Output),
    /// On the writer's thread: the channel to it, and the thread, which ends with the first
    /// failure to write (the output's, as [`Output::finish`] gives it).
    Thread {
        jobs: SyncSender<Vec<Job>>,
        thread: JoinHandle<std::io::Result<()>>,
    },
    /// Closed: nothing more is written.
    Closed,
}

impl Writing {
    /// A writer thread carrying on where `output` stands.
    fn thread(output: Output) -> Writing {
        let (jobs, batches) = sync_channel::<Vec<Job>>(HAND_OVERS_WAITING);
        let thread = std::thread::spawn(move || {
            let mut out = output;
            for job in batches.into_iter().flatten() {
                out.run(job);
            }
            out.finish()
        });
        Writing::Thread { jobs, thread }
    }
}

/// What the writer does, in order (on whichever thread writes).
enum Job {
    /// Begins a streamed answer's line: its input, and its result up to the rows.
    Head {
        input: String,
        table: Option<String>,
        columns: Vec<String>,
    },
    /// Writes more rows of the streamed answer.
    Rows(Vec<Vec<Value>>),
    /// Writes an answer: the rest of its line when its rows went out already (`streamed`).
    Answer {
        response: Box<Response>,
        streamed: bool,
    },
    /// Flushes the output.
    Flush,
}

/// Answers gathered before they are handed to the writer (one hand-over per answer would cost
/// about as much as writing it; one per 32 woke the writer every 150 microseconds, often on the
/// session's own core). A pipe's answers still go at once: they are flushed.
const JOBS_AT_ONCE: usize = 256;
/// Answers that start the writer's thread (written here until then).
const JOBS_BEFORE_THREAD: usize = 32;
/// Streamed rows gathered before they are handed over (the writer turns them into JSON)...
const ROWS_AT_ONCE: usize = 512;
/// ...or fewer, once they hold about this many bytes (wide rows of long texts).
const ROW_BYTES_AT_ONCE: usize = 1 << 16;
/// Hand-overs that may wait for the writer (bounds the memory of a fast producer).
const HAND_OVERS_WAITING: usize = 4;

impl JsonStream {
    /// Answers written to `out` (on a thread of its own once there are many); the first `keep`
    /// rows of each also stay in the answer (a transcript shows them), the others are only
    /// written.
    pub fn new(out: Box<dyn Write + Send>, keep: usize) -> JsonStream {
        let streaming = Streaming {
            jobs: Vec::new(),
            rows: Vec::new(),
            rows_bytes: 0,
            writing: Writing::Here(Output::new(out)),
            input: None,
            begun: false,
            written: 0,
            keep: keep as u64,
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
    pub fn answer(&self, response: Response, flush: bool) -> std::io::Result<()> {
        let mut s = self.shared.borrow_mut();
        s.input = None;
        let streamed = std::mem::take(&mut s.begun);
        s.take_rows();
        s.jobs.push(Job::Answer {
            response: Box::new(response),
            streamed,
        });
        if flush {
            s.jobs.push(Job::Flush);
        }
        let full = s.jobs.len() >= s.jobs_at_once();
        if flush || full {
            s.hand_over(full)?;
        }
        Ok(())
    }

    /// Writes out every answer, waits for the writer to finish, and says whether all of it
    /// was written.
    pub fn close(&self) -> std::io::Result<()> {
        let mut s = self.shared.borrow_mut();
        s.take_rows();
        let handed = s.hand_over(false);
        let written = match std::mem::replace(&mut s.writing, Writing::Closed) {
            Writing::Here(output) => output.finish(),
            Writing::Thread { jobs, thread } => {
                drop(jobs);
                thread
                    .join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("the JSON writer stopped")))
            }
            Writing::Closed => Ok(()),
        };
        handed.and(written)
    }
}

impl Streaming {
    /// Ends the current run of rows as a job of its own.
    fn take_rows(&mut self) {
        if !self.rows.is_empty() {
            let rows = std::mem::take(&mut self.rows);
            self.rows_bytes = 0;
            self.jobs.push(Job::Rows(rows));
        }
    }

    /// Hands the rows gathered so far to the writer once they are many or large, so a long
    /// result takes flat memory.
    fn hand_over_if_large(&mut self) {
        if self.rows.len() >= ROWS_AT_ONCE || self.rows_bytes >= ROW_BYTES_AT_ONCE {
            self.take_rows();
            let _ = self.hand_over(true);
        }
    }

    /// How many answers make a full batch: fewer before the writer's thread starts, so it
    /// starts early in a long script.
    fn jobs_at_once(&self) -> usize {
        match self.writing {
            Writing::Here(_) => JOBS_BEFORE_THREAD,
            _ => JOBS_AT_ONCE,
        }
    }

    /// Gives the writer the jobs gathered so far; a `full` batch starts the writer's thread
    /// if it is not running yet.
    fn hand_over(&mut self, full: bool) -> std::io::Result<()> {
        if self.jobs.is_empty() {
            return Ok(());
        }
        if full {
            self.writing = match std::mem::replace(&mut self.writing, Writing::Closed) {
                Writing::Here(output) => Writing::thread(output),
                other => other,
            };
        }
        let jobs = std::mem::take(&mut self.jobs);
        match &mut self.writing {
            Writing::Here(output) => {
                jobs.into_iter().for_each(|job| output.run(job));
                Ok(())
            }
            Writing::Thread { jobs: writer, .. } => writer
                .send(jobs)
                .map_err(|_| std::io::Error::other("the JSON writer stopped")),
            Writing::Closed => Err(std::io::Error::other("the JSON answers were closed")),
        }
    }
}

/// The writing side: the output, how many rows of the current answer it wrote, and its first
/// failure to write (the jobs after it are still tried, on either thread).
struct Output {
    out: Box<dyn Write + Send>,
    rows: u64,
    first_failure: std::io::Result<()>,
}

impl Output {
    fn new(out: Box<dyn Write + Send>) -> Output {
        Output {
            out,
            rows: 0,
            first_failure: Ok(()),
        }
    }

    /// Carries out one job, keeping its failure if it is the first.
    fn run(&mut self, job: Job) {
        if let Err(e) = self.job(job) {
            if self.first_failure.is_ok() {
                self.first_failure = Err(e);
            }
        }
    }

    /// Flushes the output: the first failure to write, if any.
    fn finish(mut self) -> std::io::Result<()> {
        let flushed = self.out.flush();
        self.first_failure.and(flushed)
    }

    /// Carries out one job.
    fn job(&mut self, job: Job) -> std::io::Result<()> {
        match job {
            Job::Head {
                input,
                table,
                columns,
            } => {
                self.rows = 0;
                self.out
                    .write_all(&head(&input, table.as_deref(), &columns))
            }
            Job::Rows(rows) => {
                let mut text = Vec::with_capacity(64 * rows.len());
                for row in &rows {
                    if self.rows > 0 {
                        text.push(b',');
                    }
                    self.rows += 1;
                    // Writing into a Vec fails only for a value serde cannot write, which a
                    // row has none of.
                    let _ = serde_json::to_writer(&mut text, &Row(row));
                }
                self.out.write_all(&text)
            }
            Job::Flush => self.out.flush(),
            Job::Answer { response, streamed } => {
                let mut text = Vec::with_capacity(512);
                write_answer(&mut text, &response, !streamed)?;
                text.push(b'\n');
                if !streamed {
                    return self.out.write_all(&text);
                }
                // The object's opening brace went out before its rows: close them, then the
                // rest.
                self.out.write_all(b"]}")?;
                if text.len() > 3 {
                    self.out.write_all(b",")?;
                }
                self.out.write_all(text.get(1..).unwrap_or_default())
            }
        }
    }
}

/// The start of a streamed answer's line, up to its rows: `{"input":...,"result":{"kind":
/// "rows","columns":[...],"table":...,"rows":[`.
fn head(input: &str, table: Option<&str>, columns: &[String]) -> Vec<u8> {
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
        input,
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
    text
}

/// About how many bytes a row holds: its texts and bytes, and a word for every value.
fn row_bytes(row: &[Value]) -> usize {
    row.iter()
        .map(|value| {
            8 + match value {
                Value::Text(text) => text.len(),
                Value::Blob(bytes) => bytes.len(),
                _ => 0,
            }
        })
        .sum()
}

impl RowSink for JsonStream {
    fn begin(&mut self, table: Option<&str>, columns: &[String]) {
        let mut s = self.shared.borrow_mut();
        let Some(input) = s.input.take() else {
            return;
        };
        s.jobs.push(Job::Head {
            input,
            table: table.map(str::to_owned),
            columns: columns.to_vec(),
        });
        s.begun = true;
    }

    fn row(&mut self, row: Vec<Value>) -> Option<Vec<Value>> {
        let mut s = self.shared.borrow_mut();
        if !s.begun {
            return Some(row);
        }
        s.written += 1;
        let kept = (s.written <= s.keep).then(|| row.clone());
        s.rows_bytes += row_bytes(&row);
        s.rows.push(row);
        s.hand_over_if_large();
        kept
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

    /// Output shared with the test, as the writer's thread writes it.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let mut out = self
                .0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?;
            out.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn response(input: &str) -> Response {
        Response::of(input, Ok(crate::answer::Outcome::None))
    }

    #[test]
    fn answers_are_written_whole_and_in_order_by_the_writer() {
        let out = Shared::default();
        written_whole_and_in_order(JsonStream::new(Box::new(out.clone()), 0), &out);
    }

    #[test]
    fn wide_rows_are_handed_over_before_they_are_many() {
        let out = Shared::default();
        let mut stream = JsonStream::new(Box::new(out.clone()), 0);
        stream.expect("notes");
        stream.begin(Some("notes"), &["text".to_string()]);
        for _ in 0..20 {
            assert_eq!(stream.row(vec![Value::Text("x".repeat(10_000))]), None);
        }
        assert!(
            stream.shared.borrow().rows.len() < 10,
            "about 64 KiB of rows wait at most"
        );
        stream.answer(response("notes"), true).expect("written");
        stream.close().expect("everything is written");
        let text = String::from_utf8(out.0.lock().expect("not poisoned").clone()).expect("UTF-8");
        let line: serde_json::Value = serde_json::from_str(text.trim()).expect("one JSON object");
        assert_eq!(line["result"]["rows"].as_array().map(Vec::len), Some(20));
    }

    /// Output that takes nothing.
    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failure_to_write_is_reported_at_close_on_either_thread() {
        for answers in [2, 100] {
            let stream = JsonStream::new(Box::new(Broken), 0);
            for n in 0..answers {
                let input = format!("students[{n}]");
                stream.expect(&input);
                let _ = stream.answer(response(&input), false);
            }
            let closed = stream.close();
            assert!(closed.is_err(), "{answers} answers: {closed:?}");
        }
    }

    #[test]
    fn a_few_answers_are_written_without_a_thread() {
        let out = Shared::default();
        let stream = JsonStream::new(Box::new(out.clone()), 0);
        for input in ["students[1]", "students[2]"] {
            stream.expect(input);
            stream
                .answer(response(input), true)
                .expect("written at once");
            assert!(matches!(stream.shared.borrow().writing, Writing::Here(_)));
        }
        let text = String::from_utf8(out.0.lock().expect("not poisoned").clone()).expect("UTF-8");
        assert_eq!(
            text.lines().count(),
            2,
            "flushed answers are out before close"
        );
        stream.close().expect("everything is written");
    }

    /// Writes 100 answers, every tenth with 20,000 streamed rows, through `stream` and checks
    /// what came out in `out`.
    fn written_whole_and_in_order(stream: JsonStream, out: &Shared) {
        let mut stream = stream;
        let inputs: Vec<String> = (0..100).map(|n| format!("students[{n}]")).collect();
        for (n, input) in inputs.iter().enumerate() {
            stream.expect(input);
            if n % 10 == 0 {
                // Every tenth answer streams rows, as a plain query's would, more than one hand-over.
                stream.begin(Some("students"), &["id".to_string()]);
                for id in 0..20_000 {
                    assert_eq!(stream.row(vec![Value::Integer(id)]), None);
                }
            }
            stream
                .answer(response(input), n % 7 == 0)
                .expect("the writer takes the answer");
        }
        stream.close().expect("everything is written");
        let text = String::from_utf8(out.0.lock().expect("not poisoned").clone()).expect("UTF-8");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
            .collect();
        assert_eq!(lines.len(), 100);
        for (n, line) in lines.iter().enumerate() {
            assert_eq!(line["input"], inputs[n].as_str());
            let rows = line["result"]["rows"].as_array();
            assert_eq!(
                rows.map(Vec::len),
                (n % 10 == 0).then_some(20_000),
                "answer {n}"
            );
            if let Some(rows) = rows {
                // Every row once, in the order it was read, across the hand-overs.
                for (id, row) in rows.iter().enumerate() {
                    assert_eq!(row, &serde_json::json!([id]), "answer {n}");
                }
                assert_eq!(line["result"]["columns"], serde_json::json!(["id"]));
                assert_eq!(line["result"]["table"], "students");
            }
        }
    }
}
