//! `ormscope learn`: the course as a front end over the session. Each statement is shown as at
//! the prompt and then checked against the current step; progress is saved as the learner goes.

use super::check::{judge_after, model_statements, replay, session_before, Verdict};
use super::progress::{self, CourseProgress, Progress};
use super::spelling::{other_spelling, Other};
use super::text::{reflow, wrap};
use super::{Course, Lesson, Step};
use crate::repl::Prompt;
use crate::shell::Shell;
use crate::view::highlight::Kind;
use crate::view::Settings;
use std::path::{Path, PathBuf};

/// Wrong tries before `:solution` is offered.
const TRIES_BEFORE_SOLUTION: usize = 2;

/// How `learn` was asked to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Start at this lesson instead of where the learner stopped.
    pub lesson: Option<u32>,
    /// Forget this course's progress first.
    pub reset: bool,
    /// Where progress is kept (none: not kept).
    pub progress_path: Option<PathBuf>,
    /// The view's settings.
    pub settings: Settings,
    /// Read from a terminal with the line editor (else statements from standard input).
    pub interactive: bool,
}

/// Where statements come from.
enum Input {
    Terminal(Box<Prompt>),
    Lines(std::vec::IntoIter<String>),
}

/// The learner's place in the course and their session.
struct Tutor {
    course: Course,
    progress: Progress,
    key: String,
    path: Option<PathBuf>,
    lesson: usize,
    step: usize,
    shell: Shell,
    tries: usize,
    hints: usize,
    /// The statements that made the learner's database at the start of this step: the model's
    /// when the step was entered afresh, the learner's own right answers when they led here.
    replay: Vec<String>,
    /// The learner's statements in this step that were not answers (a name bound, a mode set),
    /// kept when a wrong answer puts the database back.
    step_inputs: Vec<String>,
}

/// How a step is arrived at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arrival {
    /// Moved to (`:next`, `:lesson`, a new lesson): the database is made by the model solutions.
    Afresh,
    /// The session was just made for this step.
    Ready,
    /// After a right answer: the learner's session carries on, with the step's setup run in it.
    Carried,
}

/// What to do after a command.
enum Flow {
    Continue,
    Quit,
}

/// Runs the course; the exit status.
pub fn run(course: Course, options: Options) -> u8 {
    let key = progress_key(&course);
    let (mut progress, warning) = match &options.progress_path {
        Some(path) => progress::load(path),
        None => (Progress::default(), None),
    };
    if course.built_in {
        progress::adopt_folder_progress(&mut progress, &key, &legacy_keys());
    }
    if let Some(w) = warning {
        eprintln!("ormscope: warning: {w}");
    }
    if options.reset {
        progress.courses.remove(&key);
    }
    let mine = progress.courses.get(&key).cloned().unwrap_or_default();
    let lesson = match options.lesson {
        Some(n) => match course.lessons.iter().position(|l| l.number == n) {
            Some(i) => i,
            None => {
                let numbers: Vec<String> = course
                    .lessons
                    .iter()
                    .map(|l| l.number.to_string())
                    .collect();
                eprintln!(
                    "ormscope: there is no lesson {n}; the lessons are {}",
                    numbers.join(", ")
                );
                return 2;
            }
        },
        None => resume_at(&course, &mine).0,
    };
    let step = match options.lesson {
        None => resume_at(&course, &mine).1,
        Some(_) => 0,
    };
    let shell = match fresh_shell(&course.lessons[lesson], step, options.settings) {
        Ok(shell) => shell,
        Err(e) => {
            eprintln!("ormscope: {e}");
            return 1;
        }
    };
    let mut tutor = Tutor {
        course,
        progress,
        key,
        path: options.progress_path.clone(),
        lesson,
        step,
        shell,
        tries: 0,
        hints: 0,
        replay: Vec::new(),
        step_inputs: Vec::new(),
    };
    tutor.replay = model_statements(tutor.current(), tutor.step);
    let mut input = if options.interactive {
        match Prompt::new(&tutor.shell, None) {
            Ok(p) => Input::Terminal(Box::new(p)),
            Err(e) => {
                eprintln!("ormscope: {e}");
                return 1;
            }
        }
    } else {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text);
        Input::Lines(crate::syntax::split_statements(&text).into_iter())
    };
    tutor.say(&tutor.course_overview());
    if tutor.step > 0 {
        let lesson = tutor.current();
        let text = format!(
            "Lesson {}: {} — continuing where you stopped",
            lesson.number, lesson.title
        );
        tutor.say_as(Kind::Heading, &text);
    }
    tutor.enter_step(Arrival::Ready);
    loop {
        let prompt = tutor.prompt();
        let line = match &mut input {
            Input::Terminal(p) => {
                p.prepare(&tutor.shell);
                p.read(&prompt)
            }
            Input::Lines(lines) => lines
                .next()
                .inspect(|l| println!("{prompt}{}", l.trim_end())),
        };
        let Some(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        if let Flow::Quit = tutor.handle(line.trim()) {
            break;
        }
    }
    tutor.save();
    tutor.say("Progress saved; `ormscope learn` resumes here.");
    0
}

/// The key of a course's progress: `built-in` for the course built into ormscope, else its folder.
fn progress_key(course: &Course) -> String {
    if course.built_in {
        return super::BUILT_IN_KEY.to_string();
    }
    course
        .dir
        .canonicalize()
        .unwrap_or_else(|_| course.dir.clone())
        .display()
        .to_string()
}

/// The keys under which earlier versions kept progress in the shipped course: the folder it was
/// read from (the source tree's `lessons/`, or `lessons/` in the working folder).
fn legacy_keys() -> Vec<String> {
    let folders = [
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/lessons")),
        PathBuf::from("lessons"),
    ];
    let mut keys = Vec::new();
    for folder in folders {
        if let Ok(canonical) = folder.canonicalize() {
            keys.push(canonical.display().to_string());
        }
        if folder.is_absolute() {
            keys.push(folder.display().to_string());
        }
    }
    keys
}

/// Where to resume: the saved position while its lesson is unfinished, else the first unfinished
/// step of the first unfinished lesson (the first lesson when all are done).
fn resume_at(course: &Course, mine: &CourseProgress) -> (usize, usize) {
    if let Some((n, step)) = mine.position {
        if let Some(i) = course.lessons.iter().position(|l| l.number == n) {
            if !lesson_done(&course.lessons[i], mine) {
                return (i, step);
            }
        }
    }
    match course.lessons.iter().position(|l| !lesson_done(l, mine)) {
        Some(i) => (i, first_unfinished_step(&course.lessons[i], mine)),
        None => (0, 0),
    }
}

/// The first step of `lesson` that is neither done nor pending (0 when there is none).
fn first_unfinished_step(lesson: &Lesson, mine: &CourseProgress) -> usize {
    lesson
        .steps
        .iter()
        .enumerate()
        .position(|(i, s)| !s.is_pending() && !mine.is_done(lesson.number, i))
        .unwrap_or(0)
}

fn lesson_done(lesson: &Lesson, mine: &CourseProgress) -> bool {
    lesson
        .steps
        .iter()
        .enumerate()
        .all(|(i, s)| s.is_pending() || mine.is_done(lesson.number, i))
}

fn fresh_shell(lesson: &Lesson, step: usize, settings: Settings) -> Result<Shell, String> {
    Ok(Shell::new(session_before(lesson, step)?, settings))
}

/// The course's own commands and what each does, for `:help` inside `learn`.
const COURSE_COMMANDS: &[(&str, &str)] = &[
    (":task", "shows the current step's task again"),
    (":hint", "gives the next hint for this step"),
    (
        ":solution",
        "shows a model answer (after a few tries, or once every hint is shown)",
    ),
    (":next", "goes on to the next step"),
    (":back", "goes back to the step before"),
    (":restart", "starts this lesson again on a fresh database"),
    (":lessons", "lists the lessons and what is done"),
    (":lesson N", "goes to lesson N"),
    (
        ":quit",
        "leaves the course; `ormscope learn` resumes where you were",
    ),
];

impl Tutor {
    fn current(&self) -> &Lesson {
        &self.course.lessons[self.lesson]
    }

    fn mine(&mut self) -> &mut CourseProgress {
        self.progress.courses.entry(self.key.clone()).or_default()
    }

    /// Prints lesson text wrapped at spaces to the screen's width.
    fn say(&self, text: &str) {
        println!("{}", wrap(text, self.shell.settings.width));
    }

    /// Prints lesson text in a style, wrapped at spaces to the screen's width.
    fn say_as(&self, kind: Kind, text: &str) {
        let text = wrap(text, self.shell.settings.width);
        println!("{}", self.shell.settings.painter.paint_one(kind, &text));
    }

    fn prompt(&self) -> String {
        format!("learn {}.{}> ", self.current().number, self.step + 1)
    }

    fn save(&mut self) {
        let position = (self.current().number, self.step);
        self.mine().position = Some(position);
        if let Some(path) = &self.path {
            if let Err(e) = progress::save(path, &self.progress) {
                eprintln!(
                    "ormscope: warning: progress could not be saved to {}: {e}",
                    path.display()
                );
            }
        }
    }

    fn course_overview(&self) -> String {
        let mine = self
            .progress
            .courses
            .get(&self.key)
            .cloned()
            .unwrap_or_default();
        let total = self.course.lessons.len();
        let done = self
            .course
            .lessons
            .iter()
            .filter(|l| lesson_done(l, &mine))
            .count();
        let width = 24;
        let filled = (done * width).checked_div(total).unwrap_or(0);
        let mut text = format!(
            "Course: {} lessons  [{}{}] {done}/{total} done\n",
            total,
            "█".repeat(filled),
            "░".repeat(width - filled)
        );
        for (i, lesson) in self.course.lessons.iter().enumerate() {
            let mark = if lesson_done(lesson, &mine) {
                "✓"
            } else if i == self.lesson {
                "→"
            } else {
                " "
            };
            let steps = lesson.steps.iter().filter(|s| !s.is_pending()).count();
            let finished = (0..lesson.steps.len())
                .filter(|i| mine.is_done(lesson.number, *i))
                .count();
            let partly = if finished > 0 && !lesson_done(lesson, &mine) {
                format!("  ({finished}/{steps} steps done)")
            } else {
                String::new()
            };
            text.push_str(&format!(
                "  {mark} {:>2}. {}{partly}\n",
                lesson.number, lesson.title
            ));
        }
        let names: Vec<&str> = COURSE_COMMANDS.iter().map(|(name, _)| *name).collect();
        text.push_str(&format!("Commands: {}, :help\n", names.join(", ")));
        text
    }

    /// Shows the current step (and the lesson's introduction when it starts), skipping pending steps.
    fn enter_step(&mut self, arrival: Arrival) {
        self.tries = 0;
        self.hints = 0;
        self.step_inputs.clear();
        while let Some(step) = self.current().steps.get(self.step) {
            if !step.is_pending() {
                break;
            }
            let why = step.pending.clone().unwrap_or_default();
            self.say_as(
                Kind::Dim,
                &format!("(step {} comes later: {why})", self.step + 1),
            );
            if arrival == Arrival::Carried {
                self.run_setup(self.step);
            }
            self.step += 1;
        }
        if self.step >= self.current().steps.len() {
            self.finish_lesson();
            return;
        }
        match arrival {
            Arrival::Afresh => self.make_afresh(),
            Arrival::Carried => self.run_setup(self.step),
            Arrival::Ready => {}
        }
        let lesson = self.current();
        if self.step == 0 {
            let heading = format!("\nLesson {}: {}\n", lesson.number, lesson.title);
            let intro = reflow(lesson.introduction.trim(), self.shell.settings.width);
            self.say_as(Kind::Heading, &heading);
            self.say(&intro);
        }
        self.show_task();
        self.save();
    }

    /// Shows the current step's task (again, with `:task`).
    fn show_task(&self) {
        let lesson = self.current();
        let Some(step) = lesson.steps.get(self.step) else {
            self.say("This lesson has no steps.");
            return;
        };
        let text = format!(
            "\nStep {}/{}: {}",
            self.step + 1,
            lesson.steps.len(),
            step.task.trim()
        );
        self.say_as(Kind::Heading, &text);
    }

    /// `:help` inside the course: the course's own commands first, then the prompt's help;
    /// `:help hint` (any course command) says what that command does.
    fn help(&mut self, topic: &str) {
        let topic = topic.trim().trim_start_matches(':');
        if let Some((name, what)) = COURSE_COMMANDS
            .iter()
            .find(|(name, _)| name.trim_start_matches(':').split(' ').next() == Some(topic))
        {
            self.say(&format!("{name}: {what}"));
            return;
        }
        if topic.is_empty() {
            let mut text = String::from("The course's commands:\n");
            for (name, what) in COURSE_COMMANDS {
                text.push_str(&format!("  {name:<11} {what}\n"));
            }
            text.push_str("Everything else is the prompt's own (below).");
            self.say(&text);
            self.attempt(":help");
            return;
        }
        self.attempt(&format!(":help {topic}"));
    }

    /// At the end of a lesson: says whether it is done, then goes on to the next lesson, or, after
    /// the last one, to the first unfinished one; the course is finished only when every lesson is.
    /// The learner's database made again as the model leaves it before this step.
    fn make_afresh(&mut self) {
        self.replay = model_statements(self.current(), self.step);
        match session_before(self.current(), self.step) {
            Ok(session) => self.shell.session = session,
            Err(e) => self.say_as(Kind::Error, &e),
        }
    }

    /// Runs the setup of step `index` in the learner's own session (what their statements set up
    /// carries on; a setup that does not apply to it, such as `begin` in session mode, is passed over).
    fn run_setup(&mut self, index: usize) {
        let setup = self.current().steps[index].setup.clone();
        for statement in setup {
            crate::shell::run_in(&mut self.shell.session, &statement);
            self.replay.push(statement);
        }
    }

    fn finish_lesson(&mut self) {
        let mine = self.mine().clone();
        let lesson = self.current();
        let number = lesson.number;
        let open: Vec<String> = lesson
            .steps
            .iter()
            .enumerate()
            .filter(|(i, s)| !s.is_pending() && !mine.is_done(number, *i))
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        if open.is_empty() {
            self.say_as(Kind::Heading, &format!("\n✓ Lesson {number} is done."));
        } else {
            self.say_as(
                Kind::Heading,
                &format!(
                    "\nEnd of lesson {number}; step{} {} not done yet (:lesson {number} goes back to it).",
                    if open.len() == 1 { "" } else { "s" },
                    open.join(", ")
                ),
            );
        }
        let unfinished: Vec<usize> = (0..self.course.lessons.len())
            .filter(|i| !lesson_done(&self.course.lessons[*i], &mine))
            .collect();
        if self.lesson + 1 < self.course.lessons.len() {
            self.lesson += 1;
            self.step = 0;
            self.enter_step(Arrival::Afresh);
        } else if let Some(&first) = unfinished.first() {
            let numbers: Vec<String> = unfinished
                .iter()
                .map(|i| self.course.lessons[*i].number.to_string())
                .collect();
            self.say(&format!(
                "That was the last lesson, but the course is not finished: {} of {} lessons are not done yet ({}). On to lesson {}.",
                unfinished.len(),
                self.course.lessons.len(),
                numbers.join(", "),
                self.course.lessons[first].number
            ));
            self.lesson = first;
            self.step = first_unfinished_step(&self.course.lessons[first], &mine);
            self.enter_step(Arrival::Afresh);
        } else {
            self.step = self.current().steps.len().saturating_sub(1);
            self.say(&format!(
                "You have finished the course: all {} lessons are done. :lessons shows it; :lesson N takes one again.",
                self.course.lessons.len()
            ));
            self.save();
        }
    }

    /// `:lesson N`: to the first step of lesson N, its database made afresh.
    fn go_to_lesson(&mut self, argument: &str) {
        let numbers: Vec<String> = self
            .course
            .lessons
            .iter()
            .map(|l| l.number.to_string())
            .collect();
        let found = argument
            .trim()
            .parse::<u32>()
            .ok()
            .and_then(|n| self.course.lessons.iter().position(|l| l.number == n));
        match found {
            Some(i) => {
                self.lesson = i;
                self.step = 0;
                self.enter_step(Arrival::Afresh);
            }
            None if argument.trim().is_empty() => self.say(&format!(
                ":lesson N goes to lesson N; the lessons are {}",
                numbers.join(", ")
            )),
            None => self.say(&format!(
                "there is no lesson {}; the lessons are {}",
                argument.trim(),
                numbers.join(", ")
            )),
        }
    }

    fn handle(&mut self, input: &str) -> Flow {
        let input = input.trim();
        match input {
            _ if crate::shell::commands::is_quit(input) => return Flow::Quit,
            ":hint" => self.hint(),
            ":task" => self.show_task(),
            ":help" => self.help(""),
            _ if input.starts_with(":help ") => self.help(&input[":help ".len()..]),
            ":solution" => self.solution(),
            ":next" => self.move_by(1),
            ":back" => self.move_by(-1),
            ":restart" => {
                self.step = 0;
                self.enter_step(Arrival::Afresh);
            }
            ":lessons" => self.say(&self.course_overview()),
            ":lesson" => self.go_to_lesson(""),
            _ if input.starts_with(":lesson ") => self.go_to_lesson(&input[":lesson ".len()..]),
            _ => self.attempt(input),
        }
        Flow::Continue
    }

    fn hint(&mut self) {
        let Some(step) = self.current().steps.get(self.step) else {
            self.say("This lesson has no steps.");
            return;
        };
        match step.hints.get(self.hints) {
            Some(h) => {
                let text = format!("hint {}/{}: {h}", self.hints + 1, step.hints.len());
                self.say_as(Kind::Hint, &text);
                self.hints += 1;
            }
            None => self.say("No more hints; :solution shows a model answer."),
        }
    }

    fn solution(&mut self) {
        let Some(step) = self.current().steps.get(self.step) else {
            self.say("This lesson has no steps.");
            return;
        };
        let hints_all_shown = self.hints >= step.hints.len();
        if self.tries < TRIES_BEFORE_SOLUTION && !hints_all_shown {
            let left = TRIES_BEFORE_SOLUTION - self.tries;
            self.say(&format!(
                "Try {left} more time{} first — :hint helps.",
                if left == 1 { "" } else { "s" }
            ));
            return;
        }
        let text = format!("A model answer: {}", step.solution);
        self.say_as(Kind::Hint, &text);
    }

    fn move_by(&mut self, delta: i64) {
        let last = self.current().steps.len().saturating_sub(1) as i64;
        let target = self.step as i64 + delta;
        if target < 0 {
            if self.lesson == 0 {
                self.say("This is the first step of the course.");
                return;
            }
            self.lesson -= 1;
            self.step = self.current().steps.len().saturating_sub(1);
        } else if target > last {
            if self.lesson + 1 >= self.course.lessons.len() {
                self.say("This is the last step of the course.");
                return;
            }
            self.lesson += 1;
            self.step = 0;
        } else {
            self.step = target as usize;
        }
        self.enter_step(Arrival::Afresh);
    }

    fn attempt(&mut self, input: &str) {
        let response = self.shell.run(input);
        print!("{}", self.shell.show(&response));
        let lesson = self.current().clone();
        let mut before = self.replay.clone();
        before.extend(self.step_inputs.iter().cloned());
        let Some(step) = lesson.steps.get(self.step) else {
            println!();
            return;
        };
        let database = lesson.database_path.as_deref();
        match judge_after(step, (database, &before), &response, &self.shell.session) {
            Verdict::Neutral => {
                if response.ok() && sets_something_up(input) {
                    self.step_inputs.push(input.to_string());
                }
            }
            Verdict::Right => {
                let explain = step.explain.clone().unwrap_or_default();
                self.say_as(Kind::Heading, &format!("✓ Right. {}", explain.trim()));
                if let Some(line) = sqlalchemy_line(step, (database, &before)) {
                    self.say_as(Kind::Dim, &line);
                }
                let (number, index) = (lesson.number, self.step);
                self.mine().finish(number, index);
                let inputs = std::mem::take(&mut self.step_inputs);
                self.replay.extend(inputs);
                self.replay.push(input.to_string());
                self.step += 1;
                self.enter_step(Arrival::Carried);
            }
            Verdict::Wrong(differences) => {
                self.tries += 1;
                self.say_as(Kind::Error, "✗ Not yet:");
                for d in differences {
                    self.say(&format!("  - {d}"));
                }
                let offer = if self.tries >= TRIES_BEFORE_SOLUTION {
                    ", :solution for a model answer"
                } else {
                    ""
                };
                self.say_as(
                    Kind::Dim,
                    &format!(
                        "(:hint for a hint{offer}; the database is as it was before this step)"
                    ),
                );
                if let Ok(session) = replay(database, &before, false) {
                    self.shell.session = session;
                }
            }
        }
        println!();
    }
}

/// "In SQLAlchemy: ..." with the SQLAlchemy code of the step's model solution, spelled on the
/// database as it was before the step; none for a solution written in SQLAlchemy already.
fn sqlalchemy_line(step: &Step, (database, before): (Option<&Path>, &[String])) -> Option<String> {
    let session = replay(database, before, false).ok()?;
    match other_spelling(&session, &step.solution)? {
        other @ Other::Sqlalchemy(_) => Some(other.line()),
        Other::Short(_) => None,
    }
}

/// Whether a statement that was not an answer may have set something up that later statements
/// rely on (a name, session mode, a change made with `:sql`), so it is kept when the database
/// is made again.
fn sets_something_up(input: &str) -> bool {
    let input = input.trim_start();
    !input.starts_with(':') || input.starts_with(":session") || input.starts_with(":sql")
}
