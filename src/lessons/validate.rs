//! `ormscope lessons check`: a course is valid when every file reads, no two lessons share a
//! number, every step has a hint, and every solution passes its own check on a fresh database.

use super::check::{judge_own, model_statements, replay, Verdict};
use super::spelling::{check_both, spell_and_compare};
use super::{read_dir, Course, Loaded, Problem};
use super::{CheckKind, Lesson};
use crate::session::Session;
use std::path::Path;

/// What checking a course found.
#[derive(Debug, Default)]
pub struct Report {
    /// Lessons read.
    pub lessons: usize,
    /// Steps whose solution passed.
    pub steps: usize,
    /// Steps checked (every step that is not pending), passed or not.
    pub checked: usize,
    /// Steps whose solution was also run in its other spelling (SQLAlchemy's, or the short form).
    pub spelled: usize,
    /// Steps waiting for a feature, with why.
    pub pending: Vec<String>,
    /// What is wrong.
    pub problems: Vec<Problem>,
}

/// Checks the course in `dir`.
pub fn check_course(dir: &Path) -> Report {
    check(read_dir(dir))
}

/// Checks every lesson that read well, and reports the files that did not beside them.
pub fn check(loaded: Loaded) -> Report {
    let mut report = check_loaded(&loaded.course);
    let mut problems = loaded.problems;
    problems.append(&mut report.problems);
    report.problems = problems;
    report
}

fn check_loaded(course: &Course) -> Report {
    let mut report = Report {
        lessons: course.lessons.len(),
        ..Report::default()
    };
    for lesson in &course.lessons {
        let problem = |message: String| Problem {
            file: lesson.file.clone(),
            line: None,
            message,
        };
        let step_problem = |i: usize, message: String| Problem {
            line: lesson.step_lines.get(i).copied(),
            ..problem(message)
        };
        if lesson.steps.is_empty() {
            report
                .problems
                .push(problem("the lesson has no steps".into()));
        }
        let mut walk = Walk::new(lesson);
        for (i, step) in lesson.steps.iter().enumerate() {
            walk.set_up(i);
            let name = format!("lesson {} step {}", lesson.number, i + 1);
            if step.hints.is_empty() {
                report
                    .problems
                    .push(step_problem(i, format!("{name} has no hint")));
            }
            if let Some(why) = order_mismatch(step) {
                report
                    .problems
                    .push(step_problem(i, format!("{name}: {why}")));
            }
            if step.is_pending() {
                report.pending.push(format!(
                    "{name}: {}",
                    step.pending.clone().unwrap_or_default()
                ));
                continue;
            }
            report.checked += 1;
            let response = match walk.solve(i) {
                Ok(response) => response,
                Err(e) => {
                    report
                        .problems
                        .push(step_problem(i, format!("{name}: {e}")));
                    continue;
                }
            };
            match judge_own(step, &response) {
                Verdict::Right => {
                    report.steps += 1;
                    let differences = match walk.spell(i, &response) {
                        Ok(None) => Vec::new(),
                        Ok(Some(differences)) => {
                            report.spelled += 1;
                            differences
                        }
                        Err(e) => vec![e],
                    };
                    if !differences.is_empty() {
                        report.problems.push(step_problem(
                            i,
                            format!(
                                "{name}: the solution in its other spelling does not do the same: {}",
                                differences.join("; ")
                            ),
                        ));
                    }
                }
                Verdict::Neutral => report.problems.push(step_problem(
                    i,
                    format!(
                        "{name}: the solution '{}' is not an answer that can be checked",
                        step.solution
                    ),
                )),
                Verdict::Wrong(why) => report.problems.push(step_problem(
                    i,
                    format!(
                        "{name}: the solution does not pass its own check: {}",
                        why.join("; ")
                    ),
                )),
            }
        }
    }
    report
}

/// The sessions a lesson's check carries from step to step, so that each statement of a
/// lesson of n steps runs once instead of once per later step (a 1,000-step lesson took 83 s):
/// `model` runs the setups and the solutions, as [`model_statements`] lists them, and
/// `spelled` the same with each solution in its other spelling, so that both stand at the
/// database as it is before the step. A `spelled` whose spelling did not do the same is made
/// again from the model's statements the next time it is needed.
struct Walk<'l> {
    lesson: &'l Lesson,
    /// The model's session, or why it could not be made.
    model: Result<Session, String>,
    spelled: Option<Session>,
}

impl<'l> Walk<'l> {
    fn new(lesson: &'l Lesson) -> Walk<'l> {
        Walk {
            lesson,
            model: replay(lesson.database_path.as_deref(), &lesson.setup, true),
            spelled: None,
        }
    }

    /// Runs step `i`'s setup on both sessions.
    fn set_up(&mut self, i: usize) {
        let Some(step) = self.lesson.steps.get(i) else {
            return;
        };
        for statement in &step.setup {
            if let Ok(model) = &mut self.model {
                let response = crate::shell::run_in(model, statement);
                if let Err(e) = &response.outcome {
                    self.model = Err(preparing_failed(statement, &e.message));
                }
            }
            if let Some(spelled) = &mut self.spelled {
                if !crate::shell::run_in(spelled, statement).ok() {
                    self.spelled = None;
                }
            }
        }
    }

    /// Runs step `i`'s solution on the model: its answer. A solution that fails leaves the
    /// model unable to prepare the later steps, as a replay of it would.
    fn solve(&mut self, i: usize) -> Result<crate::session::Response, String> {
        let solution = &self.lesson.steps[i].solution;
        let model = self.model.as_mut().map_err(|e| e.clone())?;
        let response = crate::shell::run_in(model, solution);
        if let Err(e) = &response.outcome {
            self.model = Err(preparing_failed(solution, &e.message));
        }
        Ok(response)
    }

    /// Runs step `i`'s solution in its other spelling on `spelled` and compares it with the
    /// model's `answer`: the differences, or `None` when it has no other spelling. Either way
    /// `spelled` then stands where the model does.
    fn spell(
        &mut self,
        i: usize,
        answer: &crate::session::Response,
    ) -> Result<Option<Vec<String>>, String> {
        let step = &self.lesson.steps[i];
        let mut spelled = match self.spelled.take() {
            Some(spelled) => spelled,
            None => replay(
                self.lesson.database_path.as_deref(),
                &model_statements(self.lesson, i),
                true,
            )?,
        };
        let model = self.model.as_mut().map_err(|e| e.clone())?;
        let in_session_mode = model.in_session_mode() || spelled.in_session_mode();
        if step.check == CheckKind::State && in_session_mode {
            // Comparing states flushes both sessions, which would change what the model's
            // later steps see: this step is compared on copies made for it.
            let before = model_statements(self.lesson, i);
            let start = (self.lesson.database_path.as_deref(), before.as_slice());
            let differences = check_both(step, start);
            crate::shell::run_in(&mut spelled, &step.solution);
            self.spelled = Some(spelled);
            return differences;
        }
        let differences = spell_and_compare(step, answer, model, &mut spelled);
        match &differences {
            None => {
                crate::shell::run_in(&mut spelled, &step.solution);
                self.spelled = Some(spelled);
            }
            Some(found) if found.is_empty() => self.spelled = Some(spelled),
            Some(_) => {}
        }
        Ok(differences)
    }
}

/// Why a step cannot be prepared: an earlier statement of the lesson failed.
fn preparing_failed(statement: &str, message: &str) -> String {
    format!("'{statement}' failed while preparing the step: {message}")
}

/// Words in a task that ask for an order.
const ORDER_WORDS: &[&str] = &[
    "order",
    "alphabetical",
    "sorted",
    "ascending",
    "descending",
    "by name",
];

/// Whether a task asks for the rows in an order ("in alphabetical order", "by name").
pub fn names_an_order(task: &str) -> bool {
    let task = task.to_lowercase().replace("in order to", "");
    ORDER_WORDS.iter().any(|w| has_word(&task, w))
}

/// Whether `text` holds `word` as a word of its own, or with -ed ("ordered"), not inside a
/// longer one (a table named `orders` asks for no order).
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = &text[at + word.len()..];
        let ends = after.strip_prefix("ed").unwrap_or(after);
        !before.is_some_and(char::is_alphanumeric) && !ends.starts_with(char::is_alphanumeric)
    })
}

/// Why a step's task and its check disagree about order, if they do: a task that names an order
/// must be checked in order (and the learner's SQL must then order), and a step checked in order
/// must say so in its task.
fn order_mismatch(step: &super::Step) -> Option<String> {
    match (names_an_order(&step.task), step.in_order()) {
        (true, false) => Some(
            "the task asks for an order but the step does not check it: order the solution with \
             order_by(...), or set ordered = true"
                .into(),
        ),
        (false, true) => Some(
            "the step checks the order of the rows but its task does not ask for one: say the \
             order in the task"
                .into(),
        ),
        _ => None,
    }
}

impl Report {
    /// The report as text for the terminal.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for p in &self.problems {
            out.push_str(&format!("error: {p}\n"));
        }
        for p in &self.pending {
            out.push_str(&format!("pending: {p}\n"));
        }
        out.push_str(&format!(
            "{} also run in their other spelling (SQLAlchemy's or the short form)\n",
            counted(self.spelled, "solution", "solutions")
        ));
        out.push_str(&format!(
            "{}, {} checked ({} passed), {} pending, {}\n",
            counted(self.lessons, "lesson", "lessons"),
            counted(self.checked, "step", "steps"),
            self.steps,
            self.pending.len(),
            counted(self.problems.len(), "problem", "problems")
        ));
        out
    }
}

/// `1 lesson`, `2 lessons`.
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(step: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = format!("number = 1\ntitle = \"t\"\nintroduction = \"i\"\n\n[[step]]\n{step}\n");
        std::fs::write(dir.path().join("01-t.toml"), text).expect("write");
        dir
    }

    #[test]
    fn a_good_step_passes() {
        let dir = course("task = \"t\"\nsolution = \"students[13].classes\"\nhints = [\"h\"]\ncheck = \"result\"\nexpression_contains = [\".classes\"]");
        let report = check_course(dir.path());
        assert!(report.problems.is_empty(), "{}", report.text());
        assert_eq!(report.steps, 1);
    }

    #[test]
    fn a_requirement_the_solution_breaks_is_reported() {
        let dir = course("task = \"t\"\nsolution = \"classes.where(student_id == 13)\"\nhints = [\"h\"]\ncheck = \"result\"\nsql_contains = [\"JOIN\"]");
        let report = check_course(dir.path());
        assert_eq!(report.problems.len(), 1, "{}", report.text());
        assert!(report.problems[0]
            .message
            .contains("does not pass its own check"));
    }

    #[test]
    fn a_command_the_sandbox_always_refuses_is_no_solution() {
        let dir = course("task = \"t\"\nsolution = \":sql ATTACH 'x.db' AS x\"\nhints = [\"h\"]\ncheck = \"result\"");
        let report = check_course(dir.path());
        assert_eq!(report.problems.len(), 1, "{}", report.text());
        assert!(
            report.problems[0].message.contains("the command failed"),
            "{}",
            report.text()
        );
    }

    #[test]
    fn later_steps_see_what_earlier_solutions_did_in_either_spelling() {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = "number = 1\ntitle = \"t\"\nintroduction = \"i\"\n\n\
            [[step]]\ntask = \"t\"\nsolution = \"students[1].name = 'Zed'\"\nhints = [\"h\"]\ncheck = \"state\"\n\n\
            [[step]]\ntask = \"t\"\nsolution = \"students.where(name == 'Zed')\"\nhints = [\"h\"]\ncheck = \"result\"\n";
        std::fs::write(dir.path().join("01-t.toml"), text).expect("write");
        let report = check_course(dir.path());
        assert!(report.problems.is_empty(), "{}", report.text());
        assert_eq!((report.steps, report.spelled), (2, 2), "{}", report.text());
    }

    #[test]
    fn the_summary_counts_every_step_checked_and_says_how_many_passed() {
        let dir = course("task = \"t\"\nsolution = \"students[999]\"\nhints = [\"h\"]\ncheck = \"result\"\n\n[[step]]\ntask = \"t\"\nsolution = \"students[1]\"\nhints = [\"h\"]\ncheck = \"result\"");
        let report = check_course(dir.path());
        assert!(
            report
                .text()
                .ends_with("1 lesson, 2 steps checked (0 passed), 0 pending, 2 problems\n"),
            "{}",
            report.text()
        );
    }

    #[test]
    fn a_task_that_names_an_order_must_check_it() {
        let dir = course("task = \"List the students in alphabetical order.\"\nsolution = \"students\"\nhints = [\"h\"]\ncheck = \"result\"");
        let report = check_course(dir.path());
        assert!(
            report.text().contains("the task asks for an order"),
            "{}",
            report.text()
        );
        let dir = course("task = \"List the students.\"\nsolution = \"students.order_by(name)\"\nhints = [\"h\"]\ncheck = \"result\"");
        let report = check_course(dir.path());
        assert!(
            report.text().contains("its task does not ask for one"),
            "{}",
            report.text()
        );
    }

    #[test]
    fn a_table_named_orders_asks_for_no_order() {
        assert!(!names_an_order("Show the orders of customer 1."));
        assert!(names_an_order("Show them in order of name."));
        assert!(names_an_order("Show the titles, ordered by year."));
        assert!(names_an_order("Show them sorted by name."));
    }

    #[test]
    fn a_step_without_hints_is_reported() {
        let dir = course("task = \"t\"\nsolution = \"students\"\ncheck = \"result\"");
        let report = check_course(dir.path());
        assert!(report.text().contains("has no hint"), "{}", report.text());
        assert_eq!(report.problems[0].line, Some(5), "{}", report.text());
    }
}
