//! A step's solution in its other spelling: the SQLAlchemy 2.x code ormscope shows for a
//! short-form solution, or the short form of a solution written in SQLAlchemy; shown after a
//! right answer, and run by `lessons check` to see that both spellings do the same.

use super::check::replay;
use super::compare::{compare_results, compare_states};
use super::{CheckKind, Step};
use crate::session::Session;
use std::path::Path;

/// The other spelling of a solution and which one it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Other {
    /// The solution is in the short form; this is its SQLAlchemy code (one or more lines).
    Sqlalchemy(String),
    /// The solution is in SQLAlchemy's spelling; this is its short form.
    Short(String),
}

impl Other {
    /// The line shown after a right answer.
    pub fn line(&self) -> String {
        match self {
            Other::Sqlalchemy(code) if code.contains('\n') => {
                format!("In SQLAlchemy:\n{}", indent(code))
            }
            Other::Sqlalchemy(code) => format!("In SQLAlchemy: {code}"),
            Other::Short(short) => format!("In ormscope: {short}"),
        }
    }

    /// The statements of this spelling, one per line; a loop's indented body joins its
    /// `for ...:` line, as ormscope reads a loop on one line.
    fn statements(&self) -> Vec<String> {
        let text = match self {
            Other::Sqlalchemy(code) | Other::Short(code) => code,
        };
        let mut statements: Vec<String> = Vec::new();
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            match statements.last_mut() {
                Some(open) if line.starts_with(char::is_whitespace) && open.ends_with(':') => {
                    open.push(' ');
                    open.push_str(trimmed);
                }
                _ => statements.push(trimmed.to_string()),
            }
        }
        statements
    }
}

fn indent(code: &str) -> String {
    code.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `solution`'s other spelling in `session` (the database as it is before the step), if it
/// has one that differs from how it is written.
pub fn other_spelling(session: &Session, solution: &str) -> Option<Other> {
    let solution = solution.trim();
    if solution.starts_with(':') {
        return None;
    }
    let face = session.sqlalchemy_face(solution);
    let face = face.trim();
    if face.is_empty() {
        return None;
    }
    if squeezed(face) != squeezed(solution) {
        return Some(Other::Sqlalchemy(face.to_string()));
    }
    let short = crate::syntax::parse(solution).ok()?.to_string();
    (squeezed(&short) != squeezed(solution)).then_some(Other::Short(short))
}

/// The text without spaces, so spacing alone never makes two spellings.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// What differs when `step`'s solution is run in its other spelling, on the database `start`
/// makes (the lesson's own database and the statements before the step); empty when both
/// spellings do the same; `None` when there is no other spelling.
pub fn check_both(
    step: &Step,
    start: (Option<&Path>, &[String]),
) -> Result<Option<Vec<String>>, String> {
    let (database, before) = start;
    let mut model = replay(database, before, true)?;
    if other_spelling(&model, &step.solution).is_none() {
        return Ok(None);
    }
    let mut spelled = replay(database, before, true)?;
    let want = crate::shell::run_in(&mut model, &step.solution);
    Ok(spell_and_compare(step, &want, &mut model, &mut spelled))
}

/// Runs the other spelling of `step`'s solution on `spelled` (the database as it was before
/// the step) and compares it with `want`, the solution's own answer, which left `model` as it
/// is now: the differences, or `None` (nothing run) when the solution has no other spelling.
/// A state is compared after a flush in session mode, so `model` may be flushed.
pub fn spell_and_compare(
    step: &Step,
    want: &crate::session::Response,
    model: &mut Session,
    spelled: &mut Session,
) -> Option<Vec<String>> {
    let other = other_spelling(spelled, &step.solution)?;
    let mut got = None;
    for statement in other.statements() {
        let response = crate::shell::run_in(spelled, &statement);
        if let Err(e) = &response.outcome {
            return Some(vec![format!("'{statement}' failed: {}", e.message)]);
        }
        got = Some(response);
    }
    let got = got?;
    let differences = match (step.check, &got.outcome, &want.outcome) {
        (CheckKind::Result, Ok(g), Ok(w)) => {
            compare_results(g, w, step.in_order(), (&got.input, &step.solution))
        }
        (CheckKind::Result, _, _) => vec!["the solution itself failed".into()],
        (CheckKind::State, _, _) => {
            for session in [&mut *model, &mut *spelled] {
                if session.in_session_mode() {
                    session.run("session.flush()");
                }
            }
            compare_states(spelled, model)
        }
    };
    Some(
        differences
            .into_iter()
            .map(|d| format!("{}: {d}", other.line().replace('\n', " ")))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Options;

    fn school() -> Session {
        Session::open(Options::default()).expect("the School")
    }

    #[test]
    fn a_short_form_has_its_sqlalchemy_code() {
        let other = other_spelling(&school(), "students[13]").expect("a face");
        assert_eq!(other, Other::Sqlalchemy("session.get(Student, 13)".into()));
        assert_eq!(other.line(), "In SQLAlchemy: session.get(Student, 13)");
    }

    #[test]
    fn sqlalchemy_code_has_its_short_form() {
        let other = other_spelling(&school(), "session.get(Student, 13)").expect("a short form");
        assert!(matches!(other, Other::Short(_)), "{other:?}");
    }

    #[test]
    fn a_loop_is_one_statement() {
        let other = Other::Sqlalchemy(
            "for s in session.scalars(select(Student)):\n    print(s.classes)\nsession.commit()"
                .into(),
        );
        assert_eq!(
            other.statements(),
            vec![
                "for s in session.scalars(select(Student)): print(s.classes)".to_string(),
                "session.commit()".to_string()
            ]
        );
    }

    #[test]
    fn a_meta_command_has_none() {
        assert_eq!(other_spelling(&school(), ":schema students"), None);
    }
}
