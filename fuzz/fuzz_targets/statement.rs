//! Fuzzes the whole statement pipeline (parse → resolve → SQL → SQLite → result): the input
//! is read as UTF-8 (lossily) and its first lines are run, one statement each, through one
//! `Session` on a fresh in-memory School. Nothing may panic, and every failing statement's
//! error must point at a line and column (1-based) of that statement.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ormscope::session::{Options, Session};

/// The most lines of one input that are run.
const MAX_LINES: usize = 8;

fn run(text: &str) {
    let mut session = match Session::open(Options::default()) {
        Ok(session) => session,
        Err(e) => panic!("the in-memory School did not open: {}", e.message),
    };
    for line in text.split('\n').take(MAX_LINES) {
        let response = session.run(line);
        if let Err(error) = &response.outcome {
            let (row, column) = error.span.line_column(line);
            assert!(
                row >= 1 && column >= 1,
                "error without a position: {line:?} gave {error:?} at {row}:{column}"
            );
        }
    }
    session.close();
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    // Statements run on a thread with the stack the command line gives them.
    let worker = std::thread::Builder::new()
        .stack_size(ormscope::STACK_SIZE)
        .spawn(move || run(&text))
        .expect("spawn the statement thread");
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
});
