//! `ormscope learn`: the course as a front end over the session. Each statement is shown as at
//! the prompt and then checked against the current step; progress is saved as the learner goes.

use super::check::{judge, session_before, Verdict};
use super::progress::{self, CourseProgress, Progress};
use super::{Course, Lesson};
use crate::repl::Prompt;
use crate::shell::Shell;
use crate::view::highlight::Kind;
use crate::view::Settings;
use std::path::PathBuf;

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
}

/// What to do after a command.
enum Flow {
    Continue,
    Quit,
}

/// Runs the course; the exit status.
pub fn run(course: Course, options: Options) -> u8 {
    let key = course
        .dir
        .canonicalize()
        .unwrap_or_else(|_| course.dir.clone())
        .display()
        .to_string();
    let (mut progress, warning) = match &options.progress_path {
        Some(path) => progress::load(path),
        None => (Progress::default(), None),
    };
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
        None => resume_lesson(&course, &mine),
    };
    let step = match (options.lesson, mine.position) {
        (None, Some((n, s))) if course.lessons.get(lesson).is_some_and(|l| l.number == n) => s,
        _ => 0,
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
    };
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
    tutor.enter_step(false);
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

/// The first lesson with an unfinished step (after the position, when there is one).
fn resume_lesson(course: &Course, mine: &CourseProgress) -> usize {
    if let Some((n, _)) = mine.position {
        if let Some(i) = course.lessons.iter().position(|l| l.number == n) {
            return i;
        }
    }
    course
        .lessons
        .iter()
        .position(|l| !lesson_done(l, mine))
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

impl Tutor {
    fn current(&self) -> &Lesson {
        &self.course.lessons[self.lesson]
    }

    fn mine(&mut self) -> &mut CourseProgress {
        self.progress.courses.entry(self.key.clone()).or_default()
    }

    fn say(&self, text: &str) {
        println!("{text}");
    }

    fn say_as(&self, kind: Kind, text: &str) {
        println!("{}", self.shell.settings.painter.paint_one(kind, text));
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
        text.push_str("Commands: :hint, :solution, :next, :back, :restart, :lessons, :quit\n");
        text
    }

    /// Shows the current step (and the lesson's introduction when it starts), skipping pending steps.
    fn enter_step(&mut self, rebuild: bool) {
        self.tries = 0;
        self.hints = 0;
        while let Some(step) = self.current().steps.get(self.step) {
            if !step.is_pending() {
                break;
            }
            let why = step.pending.clone().unwrap_or_default();
            self.say_as(
                Kind::Dim,
                &format!("(step {} comes later: {why})", self.step + 1),
            );
            self.step += 1;
        }
        if self.step >= self.current().steps.len() {
            self.finish_lesson();
            return;
        }
        if rebuild {
            match fresh_shell(self.current(), self.step, self.shell.settings) {
                Ok(shell) => self.shell = shell,
                Err(e) => self.say_as(Kind::Error, &e),
            }
        }
        let lesson = self.current();
        if self.step == 0 {
            let heading = format!("\nLesson {}: {}\n", lesson.number, lesson.title);
            let intro = lesson.introduction.trim().to_string();
            self.say_as(Kind::Heading, &heading);
            self.say(&intro);
        }
        let lesson = self.current();
        let step = &lesson.steps[self.step];
        let text = format!(
            "\nStep {}/{}: {}",
            self.step + 1,
            lesson.steps.len(),
            step.task.trim()
        );
        self.say_as(Kind::Heading, &text);
        self.save();
    }

    fn finish_lesson(&mut self) {
        let number = self.current().number;
        self.say_as(Kind::Heading, &format!("\n✓ Lesson {number} is done."));
        if self.lesson + 1 < self.course.lessons.len() {
            self.lesson += 1;
            self.step = 0;
            self.enter_step(true);
        } else {
            self.step = self.current().steps.len().saturating_sub(1);
            self.say(
                "You have finished the course. :lessons shows it; :restart does this lesson again.",
            );
            self.save();
        }
    }

    fn handle(&mut self, input: &str) -> Flow {
        match input {
            ":quit" | ":q" | ":exit" => return Flow::Quit,
            ":hint" => self.hint(),
            ":solution" => self.solution(),
            ":next" => self.move_by(1),
            ":back" => self.move_by(-1),
            ":restart" => {
                self.step = 0;
                self.enter_step(true);
            }
            ":lessons" => self.say(&self.course_overview()),
            _ => self.attempt(input),
        }
        Flow::Continue
    }

    fn hint(&mut self) {
        let step = &self.current().steps[self.step];
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
        let hints_all_shown = self.hints >= self.current().steps[self.step].hints.len();
        if self.tries < TRIES_BEFORE_SOLUTION && !hints_all_shown {
            let left = TRIES_BEFORE_SOLUTION - self.tries;
            self.say(&format!(
                "Try {left} more time{} first — :hint helps.",
                if left == 1 { "" } else { "s" }
            ));
            return;
        }
        let text = format!(
            "A model answer: {}",
            self.current().steps[self.step].solution
        );
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
        self.enter_step(true);
    }

    fn attempt(&mut self, input: &str) {
        let response = self.shell.run(input);
        print!("{}", self.shell.show(&response));
        let lesson = self.current().clone();
        match judge(&lesson, self.step, &response, &self.shell.session) {
            Verdict::Neutral => {}
            Verdict::Right => {
                let explain = lesson.steps[self.step].explain.clone().unwrap_or_default();
                self.say_as(Kind::Heading, &format!("✓ Right. {}", explain.trim()));
                let (number, step) = (lesson.number, self.step);
                self.mine().finish(number, step);
                self.step += 1;
                self.enter_step(true);
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
                if let Ok(shell) = fresh_shell(&lesson, self.step, self.shell.settings) {
                    self.shell = shell;
                }
            }
        }
        println!();
    }
}
