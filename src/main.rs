//! The `ormscope` command line: runs statements from `-e`, a script or standard input, or opens
//! the interactive prompt on a terminal.

use clap::Parser;
use ormscope::dialect::Choice;
use ormscope::session::{Options, Session};
use ormscope::shell::Shell;
use ormscope::syntax::ahead::{Ahead, Read};
use ormscope::view::{Layout, Painter, Settings};
use ormscope::{repl, syntax, view};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: a statement builds and drops many small strings
/// and trees, and glibc's malloc and free were a fifth of a statement's time (docs/performance.md).
#[global_allocator]
static ALLOCATOR: Mimalloc = Mimalloc;

/// mimalloc, asked for an alignment only where its blocks might not already have it. (The
/// mimalloc crate asks for every allocation's alignment, and mimalloc 3 then over-allocates and
/// aligns by hand each block of over 1 KiB whose size is no power of two: a tenth of the
/// session's allocations on the bench's script.)
struct Mimalloc;

/// The alignment of every block mimalloc hands out (a pointer's).
const MIMALLOC_ALIGN: usize = std::mem::align_of::<usize>();

// SAFETY: every call passes mimalloc the layout's size, and its alignment whenever that is more
// than every mimalloc block has; blocks are freed and resized only by mimalloc, which made them.
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let (size, align) = (layout.size(), layout.align());
        if align <= MIMALLOC_ALIGN {
            unsafe { libmimalloc_sys::mi_malloc(size).cast() }
        } else {
            unsafe { libmimalloc_sys::mi_malloc_aligned(size, align).cast() }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        let (size, align) = (layout.size(), layout.align());
        if align <= MIMALLOC_ALIGN {
            unsafe { libmimalloc_sys::mi_zalloc(size).cast() }
        } else {
            unsafe { libmimalloc_sys::mi_zalloc_aligned(size, align).cast() }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MIMALLOC_ALIGN {
            unsafe { libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast() }
        } else {
            unsafe {
                libmimalloc_sys::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

/// ormscope: type object-style statements, see the SQL an ORM would generate for them, and the result.
#[derive(Parser, Debug)]
#[command(name = "ormscope", version, about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A script of statements to run (one per line), instead of the interactive prompt.
    script: Option<PathBuf>,
    /// Run this statement (repeat -e for several; they share one session).
    #[arg(
        short = 'e',
        long = "execute",
        value_name = "STMT",
        allow_hyphen_values = true
    )]
    execute: Vec<String>,
    /// Use this database file: made with the School data if it does not exist, opened as it is if it does.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Print one JSON object per statement instead of the readable view.
    #[arg(long)]
    json: bool,
    /// Make a School with N students (and the rest in proportion) instead of the default 40.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    scale: Option<u64>,
    /// Place the ORM and SQL panels side by side, stacked, or by the screen's width.
    #[arg(long, value_enum, default_value_t = LayoutArg::Auto, global = true)]
    layout: LayoutArg,
    /// Lay out for this many columns instead of the terminal's width.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(20..=1000), global = true)]
    width: Option<u16>,
    /// No colour, even on a terminal (NO_COLOR in the environment does the same).
    #[arg(long, global = true)]
    no_color: bool,
    /// Look but do not change: every write is refused.
    #[arg(long, global = true)]
    read_only: bool,
    /// Do not read or write the prompt's history file.
    #[arg(long)]
    no_history: bool,
    /// Write the SQL panel for this database: sqlite (what runs), postgresql, mysql, or all.
    #[arg(long, value_name = "DIALECT", value_parser = parse_dialect)]
    dialect: Option<Choice>,
    /// With --db postgresql://…: make the School in schema ormscope again, even when it is there.
    #[arg(long = "reset")]
    reset_school: bool,
    /// Write every statement with its SQL and result to FILE (.md: Markdown, .html: a web page).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Take the course: lessons from "what is an ORM" to sessions, each step checked by what it does.
    Learn {
        /// Start at this lesson.
        #[arg(long, value_name = "N")]
        lesson: Option<u32>,
        /// Use the course in this folder instead of the one shipped with ormscope.
        #[arg(long, value_name = "DIR")]
        lessons: Option<PathBuf>,
        /// Forget this course's progress and start from the beginning.
        #[arg(long)]
        reset: bool,
    },
    /// Work with lesson files.
    Lessons {
        #[command(subcommand)]
        action: LessonsAction,
    },
    /// Step through a prepared script in front of a class: narration, then each statement on a key
    /// (Space, Enter, Right or Page Down forward; b, Left or Page Up back; r restarts; q quits;
    /// anything else typed runs as your own statement). Without a script, lists the built-in demos.
    Demo {
        /// The script: a file of statements with `#` lines of narration above them, or the name of a
        /// built-in demo (seed-story, n-plus-one).
        file: Option<PathBuf>,
        /// Advance by itself every SECONDS.
        #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
        auto: Option<f64>,
        /// Write every statement with its SQL and result to FILE (.md or .html).
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        /// Write the SQL panel for this database: sqlite, postgresql, mysql, or all.
        #[arg(long, value_name = "DIALECT", value_parser = parse_dialect)]
        dialect: Option<Choice>,
        /// Make a School with N students instead of the default 40.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        scale: Option<u64>,
    },
    /// Print the SQL of statements without changing anything (for slides), in one dialect or all.
    Sql {
        /// The statements.
        #[arg(required = true, value_name = "STATEMENT")]
        statements: Vec<String>,
        /// sqlite (what runs), postgresql, mysql, or all.
        #[arg(long, value_name = "DIALECT", value_parser = parse_dialect, default_value = "sqlite")]
        dialect: Choice,
        /// One JSON object per statement: the answer of the statement run and undone, and its
        /// SQL in each dialect chosen.
        #[arg(long)]
        json: bool,
        /// Print each statement's SQLAlchemy 2.x code instead of its SQL.
        #[arg(long)]
        python: bool,
    },
}

#[derive(clap::Subcommand, Debug)]
enum LessonsAction {
    /// Validate a course: every file reads, every step has a hint, every solution passes its own check.
    Check {
        /// The course folder (default: the course built into ormscope).
        dir: Option<PathBuf>,
        /// The course folder, as `learn --lessons DIR` takes it.
        #[arg(long = "lessons", value_name = "DIR", conflicts_with = "dir")]
        lessons: Option<PathBuf>,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum LayoutArg {
    Auto,
    Side,
    Stacked,
}

const EXAMPLES: &str = "Examples:
  ormscope -e \"students[13].classes\"
  ormscope -e \"students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})\" -e \"students[13].classes\"
  ormscope --json -e \"students.where(year == 2).count()\"
  ormscope lesson.orm            (a script, one statement per line)";

fn main() -> ExitCode {
    ignore_file_size_signal();
    let cli = Cli::parse();
    let worker = std::thread::Builder::new()
        .stack_size(ormscope::STACK_SIZE)
        .spawn(move || run(cli));
    match worker.map(|w| w.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        _ => {
            eprintln!("ormscope: internal failure");
            ExitCode::from(1)
        }
    }
}

/// A write past the file-size limit (`ulimit -f`) then fails with EFBIG, which the statement
/// reports as a file that cannot grow and undoes, instead of SIGXFSZ killing the process with
/// the file half written. Only this signal: SIGINT stays as the process was started (ignored in
/// a shell's background job, and then left ignored).
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: sets one signal's disposition to "ignore", before any other thread is started;
    // no handler runs, so nothing is shared.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

fn run(cli: Cli) -> u8 {
    match &cli.command {
        Some(Command::Learn {
            lesson,
            lessons,
            reset,
        }) => {
            return learn(&cli, *lesson, lessons.clone(), *reset);
        }
        Some(Command::Lessons {
            action: LessonsAction::Check { dir, lessons },
        }) => {
            let loaded = match dir.as_ref().or(lessons.as_ref()) {
                Some(dir) => ormscope::lessons::read_dir(dir),
                None => ormscope::lessons::built_in(),
            };
            let report = ormscope::lessons::validate::check(loaded);
            print!("{}", report.text());
            return u8::from(!report.problems.is_empty());
        }
        Some(Command::Demo {
            file,
            auto,
            record,
            dialect,
            scale,
        }) => {
            let Some(file) = file else {
                print!("{}", demo_list());
                return 0;
            };
            return demo(&cli, file, *auto, record.clone(), *dialect, *scale);
        }
        Some(Command::Sql {
            statements,
            python: true,
            ..
        }) => {
            return python_script(statements);
        }
        Some(Command::Sql {
            statements,
            dialect,
            json,
            ..
        }) => {
            if *json || cli.json {
                return sql_json(statements, *dialect);
            }
            let settings = settings(&cli, false);
            let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
            let options = Options {
                db_path: cli.db.clone(),
                scale: None,
                read_only: cli.read_only,
            };
            return view::dialects::sql_command_on(
                options, statements, *dialect, &settings, &mut out, &mut err,
            );
        }
        None => {}
    }
    let source = match gather(&cli) {
        Ok(source) => source,
        Err(message) => {
            eprintln!("ormscope: {message}");
            return 2;
        }
    };
    ormscope::seed::show_progress(!cli.json && std::io::stderr().is_terminal());
    let options = Options {
        db_path: cli.db.clone(),
        scale: cli.scale,
        read_only: cli.read_only,
    };
    let session = match Session::open(options).and_then(|s| reset_server(s, cli.reset_school)) {
        Ok(s) => s,
        Err(e) => {
            let message = format!("could not open the database: {}", e.message);
            if cli.json {
                for_each_statement(source, |read, _| {
                    let mut failed = ormscope::session::Response::of(
                        &read.text,
                        Err(ormscope::error::Error::new(e.kind, e.span, message.clone())),
                    );
                    failed.sqlalchemy = format!(
                        "{} the database could not be opened",
                        ormscope::sqlalchemy::NO_SPELLING
                    );
                    println!("{}", view::to_json(&failed));
                    true
                });
            }
            eprintln!("ormscope: {message}");
            return 1;
        }
    };
    for notice in session.notices() {
        eprintln!("ormscope: {notice}");
    }
    let interactive = matches!(source, Source::Prompt);
    let mut shell = Shell::new(session, settings(&cli, interactive));
    shell.set_dialect(cli.dialect.unwrap_or_default());
    let kept_for_transcript = if cli.record.is_some() {
        view::DEFAULT_ROWS
    } else {
        0
    };
    let stream = cli.json.then(|| {
        let out = Box::new(std::io::BufWriter::with_capacity(
            1 << 16,
            std::io::stdout(),
        ));
        view::json_stream::JsonStream::new(out, kept_for_transcript)
    });
    match &stream {
        Some(stream) => shell.session.set_sink(Some(stream.sink())),
        None => shell.session.set_window(Some(view::DEFAULT_ROWS)),
    }
    // A JSON answer has no place for the mapper's steps in plain words; a transcript shows them.
    shell
        .session
        .set_mapping_steps(!cli.json || cli.record.is_some());
    if let Some(path) = &cli.record {
        if let Err(e) = shell.start_recording(path) {
            eprintln!("ormscope: {e}");
            return 2;
        }
    }
    if interactive {
        let history = if cli.no_history {
            None
        } else {
            repl::history_path()
        };
        return repl::run(&mut shell, history);
    }
    let mut failed = false;
    // Answers are buffered and flushed whenever ormscope is about to wait for more input (and
    // after each one on a terminal): a program driving it through a pipe gets every answer
    // before it sends the next statement, and a script read from a file costs no write per line.
    let terminal = std::io::stdout().is_terminal();
    // Not locked: with --json, many answers are written by the stream's own thread.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
    // The first answer that could not be written ends the run: nothing after it would be seen.
    let mut unwritten: Option<std::io::Error> = None;
    for_each_statement(source, |read, waiting| {
        if let Some(stream) = &stream {
            stream.expect(&read.text);
        }
        let quit = ormscope::shell::commands::is_quit(&read.text);
        let response = shell.run_read(read);
        failed |= !response.ok();
        let flush = waiting || terminal;
        let written = match &stream {
            Some(stream) => stream.answer(response, flush),
            None => writeln!(stdout, "{}", shell.show(&response)).and_then(|()| {
                if flush {
                    stdout.flush()
                } else {
                    Ok(())
                }
            }),
        };
        if let Err(e) = written {
            unwritten = Some(e);
            return false;
        }
        !quit
    });
    if shell.session.close() {
        let message = "a transaction was still open at the end: it was rolled back";
        if cli.json {
            eprintln!("ormscope: {message}");
        } else {
            let _ = writeln!(stdout, "note: {message}");
        }
    }
    if unwritten.is_none() {
        unwritten = stdout.flush().err();
    }
    if let Some(stream) = &stream {
        if let Err(e) = stream.close() {
            unwritten.get_or_insert(e);
        }
    }
    match unwritten {
        // A reader that stopped reading (`| head`): ended quietly, as Unix tools end.
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => u8::from(failed),
        Some(e) => {
            eprintln!(
                "ormscope: the answers could not be written ({e}): is the disk full, or the output closed? The statements after it were not run."
            );
            1
        }
        None => u8::from(failed),
    }
}

/// A School in memory for statements that are run and undone, or `None` (said on standard
/// error) when it cannot be made.
fn school_for_previews() -> Option<Session> {
    Session::open(Options::default())
        .map_err(|e| eprintln!("ormscope: could not open the database: {}", e.message))
        .ok()
}

/// `ormscope sql --json`: each statement run and undone, as JSON with its SQL per dialect.
fn sql_json(statements: &[String], choice: Choice) -> u8 {
    let Some(mut session) = school_for_previews() else {
        return 1;
    };
    let mut failed = false;
    for statement in statements {
        let response = session.preview(statement);
        failed |= !response.ok();
        let mut answer = view::to_json(&response);
        let metadata = &session.registry().metadata;
        let dialects: serde_json::Map<String, serde_json::Value> = choice
            .dialects()
            .into_iter()
            .map(|d| {
                let texts: Vec<String> =
                    ormscope::view::dialects::sql_in(&response.sql, d, metadata)
                        .into_iter()
                        .map(|e| e.display.clone())
                        .collect();
                (d.name().to_string(), serde_json::json!(texts))
            })
            .collect();
        if let Some(object) = answer.as_object_mut() {
            object.insert("dialects".into(), serde_json::Value::Object(dialects));
        }
        println!("{answer}");
    }
    u8::from(failed)
}

/// `ormscope learn`.
/// `--reset` on a PostgreSQL server: the School in schema `ormscope` is made again.
fn reset_server(mut session: Session, reset: bool) -> ormscope::error::Result<Session> {
    if reset && session.server().is_some() {
        session.reset()?;
    }
    Ok(session)
}

fn learn(cli: &Cli, lesson: Option<u32>, dir: Option<PathBuf>, reset: bool) -> u8 {
    let loaded = match &dir {
        Some(dir) => ormscope::lessons::read_dir(dir),
        None => ormscope::lessons::built_in(),
    };
    let course = match loaded.into_result() {
        Ok(c) => c,
        Err(problems) => {
            for p in problems {
                eprintln!("ormscope: {p}");
            }
            return 1;
        }
    };
    let interactive = std::io::stdin().is_terminal();
    let options = ormscope::lessons::learn::Options {
        lesson,
        reset,
        progress_path: ormscope::lessons::progress::default_path(),
        settings: settings(cli, interactive),
        interactive,
    };
    ormscope::lessons::learn::run(course, options)
}

/// `ormscope demo`.
fn demo(
    cli: &Cli,
    file: &std::path::Path,
    auto: Option<f64>,
    record: Option<PathBuf>,
    dialect: Option<Choice>,
    scale: Option<u64>,
) -> u8 {
    if cli.db.is_some() || cli.scale.is_some() {
        eprintln!("ormscope: demo plays on its own in-memory School (so it can go back): put --scale after demo, and leave out --db");
        return 2;
    }
    let terminal = std::io::stdin().is_terminal() && auto.is_none();
    ormscope::demo::run(ormscope::demo::DemoOptions {
        file: file.to_path_buf(),
        auto,
        record: record.or_else(|| cli.record.clone()),
        dialect: dialect.or(cli.dialect).unwrap_or_default(),
        session: Options {
            scale,
            read_only: cli.read_only,
            ..Options::default()
        },
        settings: settings(cli, terminal),
        terminal,
    })
}

/// `ormscope demo` without a script: the built-in demos.
fn demo_list() -> String {
    let mut text =
        String::from("Built-in demos (ormscope demo NAME; a file of your own by its path):\n");
    let demos = ormscope::demo::built_in();
    let width = demos.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, file) in demos {
        text.push_str(&format!("  {name:<width$}  {file}\n"));
    }
    text
}

/// A dialect's name, or `all`.
fn parse_dialect(name: &str) -> Result<Choice, String> {
    Choice::parse(name).ok_or_else(|| format!("choose {}", ormscope::dialect::CHOICES))
}

/// Seconds between the steps of `demo --auto`.
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.0..=3600.0).contains(&s) => Ok(s),
        _ => Err("give a number of seconds from 0 to 3600".to_string()),
    }
}

/// The view settings from the flags and the terminal.
fn settings(cli: &Cli, interactive: bool) -> Settings {
    let terminal = terminal_size::terminal_size().map(|(w, _)| usize::from(w.0));
    let width = cli.width.map(usize::from).or(terminal).unwrap_or(100);
    let layout = match cli.layout {
        LayoutArg::Side => Layout::Side,
        LayoutArg::Stacked => Layout::Stacked,
        LayoutArg::Auto if terminal.is_some() || cli.width.is_some() => Layout::Auto,
        LayoutArg::Auto => Layout::Stacked,
    };
    Settings {
        painter: Painter::detect(cli.no_color),
        layout,
        width,
        max_rows: view::DEFAULT_ROWS,
        params: false,
        timing: interactive,
        python: interactive,
    }
}

/// `ormscope sql --python`: each statement's SQLAlchemy 2.x code, run and undone in one session
/// so that nothing changes, separated by blank lines (a script for a Python prompt).
fn python_script(statements: &[String]) -> u8 {
    let Some(mut session) = school_for_previews() else {
        return 1;
    };
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    for (n, statement) in statements.iter().enumerate() {
        let response = session.preview(statement);
        let separator = if n > 0 { "\n" } else { "" };
        let _ = writeln!(out, "{separator}{}", response.sqlalchemy);
        if let Err(e) = &response.outcome {
            failed = true;
            let painter = view::Painter { color: false };
            eprint!("{}", view::error_text(e, statement, &painter));
        }
    }
    u8::from(failed)
}

/// Where the statements come from.
enum Source {
    /// Statements given whole (`-e` or a script file), each with the line it starts on.
    Given(Vec<(usize, String)>),
    /// Standard input that is not a terminal: each statement is answered as soon as its last
    /// line arrives, so another program can drive ormscope through a pipe. It is read and
    /// parsed ahead from the start, while the database opens.
    Piped(Ahead),
    /// The interactive prompt.
    Prompt,
}

/// The statements to run, from the flags, a script or standard input.
fn gather(cli: &Cli) -> Result<Source, String> {
    if !cli.execute.is_empty() {
        if cli.script.is_some() {
            return Err("give either -e statements or a script, not both".into());
        }
        return Ok(Source::Given(
            cli.execute.iter().map(|s| (1, s.clone())).collect(),
        ));
    }
    if let Some(path) = &cli.script {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        return Ok(Source::Given(syntax::split_statements_at(&text)));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(Source::Piped(Ahead::spawn(std::io::stdin(), |e| {
            eprintln!("ormscope: cannot read standard input: {e}");
        })));
    }
    Ok(Source::Prompt)
}

/// Calls `each` with every statement (its text, the line it starts on and its parse) as soon as
/// it is whole, until `each` says stop, and whether no statement is ready after it (the moment to
/// flush answers, as the input's writer may be waiting for them). Standard input is read and
/// parsed ahead on a thread of its own ([`syntax::ahead`]), as far as its writer has written.
fn for_each_statement(source: Source, mut each: impl FnMut(Read, bool) -> bool) {
    match source {
        Source::Given(statements) => {
            let last = statements.len();
            for (n, (line, statement)) in statements.into_iter().enumerate() {
                if !each(Read::parsed(line, statement), n + 1 == last) {
                    return;
                }
            }
        }
        Source::Piped(mut ahead) => {
            while let Some((read, waiting)) = ahead.next_statement() {
                if !each(read, waiting) {
                    return;
                }
            }
        }
        Source::Prompt => {}
    }
}
