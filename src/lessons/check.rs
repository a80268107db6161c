//! Checking a learner's statement against a step: by its result or by the database it leaves,
//! compared with the step's solution run on a copy of the same database; and saying what differs.

use super::compare::{compare_results, compare_states};
use super::{CheckKind, Lesson, Step};
use crate::session::{Options, Outcome, Response, Session};
use std::path::Path;

/// The judgement of one statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// It does what the step asks.
    Right,
    /// It does not; what differs, in a few sentences.
    Wrong(Vec<String>),
    /// It was not an answer (a name bound, a meta command): nothing to judge.
    Neutral,
}

/// The statements that make the database as it is just before `step` of `lesson` by the model:
/// the lesson's setup, every earlier step's setup and solution, and this step's setup.
pub fn model_statements(lesson: &Lesson, step: usize) -> Vec<String> {
    let mut statements: Vec<String> = lesson.setup.clone();
    for earlier in lesson.steps.iter().take(step) {
        statements.extend(earlier.setup.iter().cloned());
        if !earlier.is_pending() {
            statements.push(earlier.solution.clone());
        }
    }
    if let Some(current) = lesson.steps.get(step) {
        statements.extend(current.setup.iter().cloned());
    }
    statements
}

/// A session on the database as it is just before `step` of `lesson`: a fresh School (or the
/// lesson's own database), the lesson's setup, every earlier step's setup and solution, and
/// this step's setup.
pub fn session_before(lesson: &Lesson, step: usize) -> Result<Session, String> {
    replay(
        lesson.database_path.as_deref(),
        &model_statements(lesson, step),
        true,
    )
}

/// A fresh School, or a fresh copy of `database` (an SQL script), with `statements` run on it
/// in turn; with `strict`, the first one that fails is an error, else failures are passed over
/// (a step's setup may not apply to what the learner's own statements set up, such as `begin`
/// in session mode).
pub fn replay(
    database: Option<&Path>,
    statements: &[String],
    strict: bool,
) -> Result<Session, String> {
    let options = Options {
        db_path: database.map(Path::to_path_buf),
        ..Options::default()
    };
    let mut session = Session::open(options).map_err(|e| e.message)?;
    for statement in statements {
        let response = crate::shell::run_in(&mut session, statement);
        if let (Err(e), true) = (&response.outcome, strict) {
            return Err(format!(
                "'{statement}' failed while preparing the step: {}",
                e.message
            ));
        }
    }
    Ok(session)
}

/// Judges the learner's `response`, given their session after it ran, against the model
/// database before the step.
pub fn judge(
    lesson: &Lesson,
    step_index: usize,
    response: &Response,
    learner: &Session,
) -> Verdict {
    let Some(step) = lesson.steps.get(step_index) else {
        return Verdict::Neutral;
    };
    let before = model_statements(lesson, step_index);
    judge_after(
        step,
        (lesson.database_path.as_deref(), &before),
        response,
        learner,
    )
}

/// Judges the learner's `response` to `step`, given their session after it ran; `start` is the
/// lesson's own database (the School when none) and the statements that made the learner's
/// database as it was before the answer (their own earlier answers, so what they set up, such
/// as session mode, counts for the solution too).
pub fn judge_after(
    step: &Step,
    start: (Option<&Path>, &[String]),
    response: &Response,
    learner: &Session,
) -> Verdict {
    let (database, before) = start;
    let input = response.input.trim();
    if input.starts_with(':') {
        return if step.solution.trim().starts_with(':') {
            judge_meta(step, (database, before), response)
        } else {
            Verdict::Neutral
        };
    }
    let outcome = match &response.outcome {
        Ok(o) => o,
        Err(e) => return Verdict::Wrong(vec![format!("the statement failed: {}", e.message)]),
    };
    let binds_a_name = matches!(outcome, Outcome::None) && is_binding(input);
    if binds_a_name && step.check == CheckKind::Result {
        return Verdict::Neutral;
    }
    let mut reference = match replay(database, before, false) {
        Ok(s) => s,
        Err(e) => return Verdict::Wrong(vec![format!("this step cannot be checked: {e}")]),
    };
    let expected = crate::shell::run_in(&mut reference, &step.solution);
    let differences = match step.check {
        CheckKind::Result => match &expected.outcome {
            Ok(want) => compare_results(outcome, want, step.in_order(), (input, &step.solution)),
            Err(e) => vec![format!("the step's own solution failed: {}", e.message)],
        },
        CheckKind::State if learner.in_session_mode() || reference.in_session_mode() => {
            compare_settled((database, before), input, reference)
        }
        CheckKind::State => compare_states(learner, &reference),
    };
    if !differences.is_empty() {
        return Verdict::Wrong(differences);
    }
    requirements_verdict(step, response)
}

/// Judges a step's own solution, run on the database as it is before the step: what it
/// gives is by definition what the step expects, so only its failures and the step's
/// requirements (words it must or must not use, an order) are judged. `lessons check` uses it
/// instead of [`judge`], which would run the solution a second time to compare with.
pub fn judge_own(step: &Step, response: &Response) -> Verdict {
    let input = response.input.trim();
    if input.starts_with(':') {
        return match &response.outcome {
            Ok(_) => Verdict::Right,
            Err(e) => Verdict::Wrong(vec![format!("the command failed: {}", e.message)]),
        };
    }
    let outcome = match &response.outcome {
        Ok(o) => o,
        Err(e) => return Verdict::Wrong(vec![format!("the statement failed: {}", e.message)]),
    };
    if matches!(outcome, Outcome::None) && is_binding(input) && step.check == CheckKind::Result {
        return Verdict::Neutral;
    }
    requirements_verdict(step, response)
}

/// Right when the answer meets the step's requirements (words it must or must not use, an
/// order asked for), else what it misses.
fn requirements_verdict(step: &Step, response: &Response) -> Verdict {
    let mut unmet = unmet_requirements(step, response);
    if step.check == CheckKind::Result && step.in_order() && !orders(response) {
        unmet.push(
            "the rows are in that order only by chance: without order_by(...) SQL promises no \
             order, and this step asks for one"
                .into(),
        );
    }
    if unmet.is_empty() {
        Verdict::Right
    } else {
        Verdict::Wrong(unmet)
    }
}

/// Whether the statement asked the database for an order (an ORDER BY in its SQL).
fn orders(response: &Response) -> bool {
    response
        .sql
        .iter()
        .any(|s| s.display.to_uppercase().contains("ORDER BY"))
}

/// In session mode, changes may wait as pending: the learner's answer is replayed on a copy, and
/// both databases are compared after a flush, as the next query would send them.
fn compare_settled(
    (database, before): (Option<&Path>, &[String]),
    input: &str,
    mut reference: Session,
) -> Vec<String> {
    let mut statements = before.to_vec();
    statements.push(input.to_string());
    let Ok(mut learner) = replay(database, &statements, false) else {
        return vec!["your database could not be made again to compare it".into()];
    };
    for session in [&mut learner, &mut reference] {
        if session.in_session_mode() {
            session.run("session.flush()");
        }
    }
    compare_states(&learner, &reference)
}

/// A step whose answer is a meta command (`:schema students`): right when it shows the same as
/// the solution does (`:schema Student` shows the same faces).
fn judge_meta(
    step: &Step,
    (database, before): (Option<&Path>, &[String]),
    response: &Response,
) -> Verdict {
    let Ok(mut reference) = replay(database, before, false) else {
        return Verdict::Wrong(vec!["this step cannot be checked".into()]);
    };
    let expected = crate::shell::run_in(&mut reference, &step.solution);
    let shown = |r: &Response| (r.outcome.is_ok(), r.text.clone(), r.faces.clone());
    if shown(response) == shown(&expected) {
        Verdict::Right
    } else {
        let command = step.solution.split_whitespace().next().unwrap_or("");
        Verdict::Wrong(vec![format!(
            "this step asks for {command} with the right name"
        )])
    }
}

fn is_binding(input: &str) -> bool {
    let Some((left, right)) = input.split_once('=') else {
        return false;
    };
    !right.starts_with('=') && left.trim().chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The step's requirements on the SQL and on the statement that the response does not meet.
pub fn unmet_requirements(step: &Step, response: &Response) -> Vec<String> {
    let sql: String = response
        .sql
        .iter()
        .map(|s| s.display.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    let input = response.input.to_lowercase();
    let mut unmet = Vec::new();
    let requirement = || step.requirement.clone();
    for want in &step.sql_contains {
        if !sql.contains(&want.to_lowercase()) {
            unmet.push(requirement().unwrap_or_else(|| format!("the SQL should contain {want}")));
        }
    }
    for unwanted in &step.sql_excludes {
        if sql.contains(&unwanted.to_lowercase()) {
            unmet.push(
                requirement().unwrap_or_else(|| format!("the SQL should not contain {unwanted}")),
            );
        }
    }
    if let Some(n) = step.sql_statements {
        if response.sql.len() != n {
            unmet.push(requirement().unwrap_or_else(|| {
                format!(
                    "it sent {} SQL statements; this step wants {n}",
                    response.sql.len()
                )
            }));
        }
    }
    for want in &step.expression_contains {
        if !input.contains(&want.to_lowercase()) {
            unmet.push(requirement().unwrap_or_else(|| format!("the statement should use {want}")));
        }
    }
    for unwanted in &step.expression_excludes {
        if input.contains(&unwanted.to_lowercase()) {
            unmet.push(
                requirement().unwrap_or_else(|| format!("the statement should not use {unwanted}")),
            );
        }
    }
    unmet.dedup();
    unmet
}
