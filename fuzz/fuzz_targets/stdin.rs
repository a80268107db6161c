//! Fuzzes the piped path of the binary, `… | ormscope --json`: the input's bytes are standard
//! input, read and parsed ahead on the reader's own thread (`Ahead::spawn`, as `main` does for a
//! pipe), and its first statements are run, one at a time and in order, through a `Shell` on a
//! fresh in-memory School with the settings `--json` gives, their answers written by the same
//! `JsonStream`. Nothing may panic or overflow a stack (a panic on the reader's thread aborts
//! too); every failing statement's error must point at a line and column (1-based) of that
//! statement, counted in the whole input; and the output must be one JSON object per statement
//! answered, one per line, each with its statement as `input`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ormscope::session::{Options, Session};
use ormscope::shell::commands::Call;
use ormscope::shell::Shell;
use ormscope::syntax::ahead::Ahead;
use ormscope::view::json_stream::JsonStream;
use ormscope::view::Settings;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// The most statements of one input that are run (all of them are still read and parsed).
const MAX_STATEMENTS: usize = 16;
/// The longest output line kept to be checked as JSON (a longer one, a result of many rows,
/// is only counted), so that a large result does not fill the fuzzer's memory.
const MAX_CHECKED_LINE: usize = 1 << 20;

/// The JSON answers as they are written: the lines seen so far, each checked when whole.
#[derive(Default)]
struct Lines {
    /// The line being written, while it is short enough to be checked.
    current: Vec<u8>,
    /// Whether the line being written grew past `MAX_CHECKED_LINE`.
    too_long: bool,
    /// The whole lines: `Some(object)` for a line checked, `None` for one too long to check.
    done: Vec<Option<serde_json::Value>>,
}

impl Lines {
    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.current);
        let checked = (!std::mem::take(&mut self.too_long)).then(|| {
            match serde_json::from_slice::<serde_json::Value>(&line) {
                Ok(value) if value.is_object() => value,
                Ok(value) => panic!("an answer's line is not a JSON object: {value}"),
                Err(e) => panic!(
                    "an answer's line is not JSON ({e}): {}",
                    String::from_utf8_lossy(&line)
                ),
            }
        });
        self.done.push(checked);
    }
}

/// The output given to the `JsonStream` (on whichever thread it writes).
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Lines>>);

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut lines = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut rest = bytes;
        while let Some(at) = rest.iter().position(|&b| b == b'\n') {
            if !lines.too_long {
                lines.current.extend_from_slice(&rest[..at]);
            }
            lines.end_line();
            rest = &rest[at + 1..];
        }
        if !lines.too_long {
            if lines.current.len() + rest.len() > MAX_CHECKED_LINE {
                lines.too_long = true;
                lines.current = Vec::new();
            } else {
                lines.current.extend_from_slice(rest);
            }
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether the shell would act on `text` as `:record`, which writes a transcript file where
/// the statement says: such statements are left out.
fn writes_a_file(text: &str) -> bool {
    Call::parse(text).is_some_and(|(word, _)| word == ":record")
}

fn run(data: Vec<u8>) {
    // As `main` does for a pipe: the reader starts first, and reads ahead while the School opens.
    let mut ahead = Ahead::spawn(std::io::Cursor::new(data), |e| {
        panic!("reading from memory failed: {e}")
    });
    let session = match Session::open(Options::default()) {
        Ok(session) => session,
        Err(e) => panic!("the in-memory School did not open: {}", e.message),
    };
    let mut shell = Shell::new(session, Settings::default());
    let output = Output::default();
    let stream = JsonStream::new(Box::new(output.clone()), 0);
    shell.session.set_sink(Some(stream.sink()));
    shell.session.set_mapping_steps(false);

    let mut answered: Vec<String> = Vec::new();
    while answered.len() < MAX_STATEMENTS {
        let Some((read, waiting)) = ahead.next_statement() else {
            break;
        };
        if writes_a_file(&read.text) {
            continue;
        }
        let (first_line, text) = (read.line, read.text.clone());
        assert!(first_line >= 1, "statement {text:?} starts on line 0");
        let quit = matches!(text.trim(), ":quit" | ":q" | ":exit");
        stream.expect(&text);
        let response = shell.run_read(read);
        if let Err(error) = &response.outcome {
            let (row, column) = error.line_column(&response.input);
            let last_line = first_line + text.matches('\n').count();
            assert!(
                row >= first_line && row <= last_line && column >= 1,
                "error outside its statement (lines {first_line}..={last_line}): \
                 {text:?} gave {error:?} at {row}:{column}"
            );
        }
        answered.push(text);
        // `main` flushes when nothing is ready after the statement; the output never fails.
        stream
            .answer(response, waiting)
            .expect("an answer written to memory");
        if quit {
            break;
        }
    }
    // The rest of the input is still read and parsed here (unlike `main`, which stops reading
    // at `:quit`), so that all the reader's work belongs to this input.
    while ahead.next_statement().is_some() {}
    shell.session.close();
    stream.close().expect("the answers written to memory");
    drop(shell);

    let lines = output.0.lock().unwrap_or_else(|e| e.into_inner());
    assert!(
        lines.current.is_empty() && !lines.too_long,
        "the output ends in the middle of a line"
    );
    assert_eq!(
        lines.done.len(),
        answered.len(),
        "not one line of JSON per statement answered"
    );
    for (line, text) in lines.done.iter().zip(&answered) {
        let Some(answer) = line else { continue };
        assert_eq!(
            answer["input"].as_str(),
            Some(text.as_str()),
            "an answer for another statement: {answer}"
        );
        assert!(answer["ok"].is_boolean(), "an answer without ok: {answer}");
        if let Some(error) = answer.get("error") {
            let at = |key: &str| error[key].as_u64().unwrap_or(0);
            assert!(
                at("line") >= 1 && at("column") >= 1,
                "an error without a position: {answer}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let data = data.to_vec();
    // Statements run on a thread with the stack `main` gives them; the reader has its own.
    let worker = std::thread::Builder::new()
        .stack_size(ormscope::STACK_SIZE)
        .spawn(move || run(data))
        .expect("spawn the statement thread");
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
});
