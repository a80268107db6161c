//! Checking a learner's statement against a step: by its result or by the database it leaves,
//! compared with the step's solution run on a copy of the same database; and saying what differs.

use super::{CheckKind, Lesson, Step};
use crate::db::compare_rows;
use crate::session::{Options, Outcome, Response, Session};
use crate::sql::Value;
use crate::view::table::plain;
use std::collections::BTreeMap;

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

/// A session on the database as it is just before `step` of `lesson`: a fresh School, the
/// lesson's setup, every earlier step's setup and solution, and this step's setup.
pub fn session_before(lesson: &Lesson, step: usize) -> Result<Session, String> {
    replay(&model_statements(lesson, step), true)
}

/// A fresh School with `statements` run on it in turn; with `strict`, the first one that fails
/// is an error, else failures are passed over (a step's setup may not apply to what the
/// learner's own statements set up, such as `begin` in session mode).
pub fn replay(statements: &[String], strict: bool) -> Result<Session, String> {
    let mut session = Session::open(Options::default()).map_err(|e| e.message)?;
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
    judge_after(
        step,
        &model_statements(lesson, step_index),
        response,
        learner,
    )
}

/// Judges the learner's `response` to `step`, given their session after it ran; `before` are
/// the statements that made the learner's database as it was before the answer (their own
/// earlier answers, so what they set up, such as session mode, counts for the solution too).
pub fn judge_after(
    step: &Step,
    before: &[String],
    response: &Response,
    learner: &Session,
) -> Verdict {
    let input = response.input.trim();
    if input.starts_with(':') {
        return if step.solution.trim().starts_with(':') {
            judge_meta(step, before, response)
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
    let mut reference = match replay(before, false) {
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
            compare_settled(before, input, reference)
        }
        CheckKind::State => compare_states(learner, &reference),
    };
    if !differences.is_empty() {
        return Verdict::Wrong(differences);
    }
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
fn compare_settled(before: &[String], input: &str, mut reference: Session) -> Vec<String> {
    let mut statements = before.to_vec();
    statements.push(input.to_string());
    let Ok(mut learner) = replay(&statements, false) else {
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
fn judge_meta(step: &Step, before: &[String], response: &Response) -> Verdict {
    let Ok(mut reference) = replay(before, false) else {
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

/// Column names as meant: a loop's variable, whatever the learner named it, is written `·`
/// (`for student in …: student.classes` has the columns `·` and `·.classes`).
fn names_by_meaning(columns: &[String], input: &str) -> Vec<String> {
    let Some(variable) = loop_variable(input) else {
        return columns.to_vec();
    };
    columns
        .iter()
        .map(|c| {
            if c == variable {
                "·".to_string()
            } else if let Some(rest) = c.strip_prefix(variable).filter(|r| r.starts_with('.')) {
                format!("·{rest}")
            } else {
                c.clone()
            }
        })
        .collect()
}

/// The variable of a loop statement (`s` in `for s in students: s.classes`).
fn loop_variable(input: &str) -> Option<&str> {
    let rest = input.trim_start().strip_prefix("for ")?;
    let name = rest.split_whitespace().next()?;
    name.chars()
        .all(|c| c.is_alphanumeric() || c == '_')
        .then_some(name)
}

/// A result reduced to what is compared: columns and rows, or a value.
#[derive(Debug, PartialEq)]
enum Shape {
    Rows(Vec<String>, Vec<Vec<Value>>),
    Value(Value),
    Nothing,
    Write,
}

fn shape(outcome: &Outcome) -> Shape {
    match outcome {
        Outcome::Rows { columns, rows, .. } => Shape::Rows(columns.clone(), rows.clone()),
        Outcome::Object { columns, row, .. } => Shape::Rows(columns.clone(), vec![row.clone()]),
        Outcome::Value(v) => Shape::Value(v.clone()),
        Outcome::None => Shape::Nothing,
        Outcome::Write { .. } => Shape::Write,
    }
}

fn shape_words(s: &Shape) -> &'static str {
    match s {
        Shape::Rows(..) => "rows",
        Shape::Value(_) => "a single value",
        Shape::Nothing => "nothing (None)",
        Shape::Write => "a change to the database",
    }
}

/// What differs between the learner's result and the expected one (empty when they agree);
/// `inputs` are the learner's statement and the solution, whose loop variables name no column.
fn compare_results(
    got: &Outcome,
    want: &Outcome,
    ordered: bool,
    inputs: (&str, &str),
) -> Vec<String> {
    match (shape(got), shape(want)) {
        (Shape::Rows(gc, gr), Shape::Rows(wc, wr)) => {
            if gc.len() != wc.len() {
                return vec![format!(
                    "your rows have the columns ({}); the step wants ({})",
                    gc.join(", "),
                    wc.join(", ")
                )];
            }
            let order = column_order(
                &names_by_meaning(&gc, inputs.0),
                &names_by_meaning(&wc, inputs.1),
            );
            let aligned: Vec<Vec<Value>> = gr
                .iter()
                .map(|row| order.iter().map(|&j| row[j].clone()).collect())
                .collect();
            compare_rows_of(&aligned, &wr, ordered)
        }
        (Shape::Value(g), Shape::Value(w)) => {
            if same_value(&g, &w) {
                Vec::new()
            } else {
                vec![format!(
                    "you got {}; the step wants {}",
                    g.sql_literal(),
                    w.sql_literal()
                )]
            }
        }
        (g, w) if g == w => Vec::new(),
        (g, w) => vec![format!(
            "your statement gave {}; the step wants {}",
            shape_words(&g),
            shape_words(&w)
        )],
    }
}

/// For each wanted column, the learner's column that holds it: the one of the same name, else the
/// next one left in order. Names only pair columns up; the values decide.
fn column_order(got: &[String], want: &[String]) -> Vec<usize> {
    let mut used = vec![false; got.len()];
    let mut order: Vec<Option<usize>> = want
        .iter()
        .map(|w| {
            let j = got
                .iter()
                .enumerate()
                .position(|(j, g)| g == w && !used[j])?;
            used[j] = true;
            Some(j)
        })
        .collect();
    for slot in order.iter_mut().filter(|s| s.is_none()) {
        if let Some(j) = used.iter().position(|u| !u) {
            used[j] = true;
            *slot = Some(j);
        }
    }
    order
        .into_iter()
        .enumerate()
        .map(|(i, j)| j.unwrap_or(i))
        .collect()
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Integer(_) | Value::Real(_), Value::Integer(_) | Value::Real(_)) => {
            let (x, y) = (as_f64(a), as_f64(b));
            (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
        }
        _ => a == b,
    }
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Integer(i) => *i as f64,
        Value::Real(r) => *r,
        _ => f64::NAN,
    }
}

fn compare_rows_of(got: &[Vec<Value>], want: &[Vec<Value>], ordered: bool) -> Vec<String> {
    let mut g = got.to_vec();
    let mut w = want.to_vec();
    g.sort_by(|a, b| compare_rows(a, b));
    w.sort_by(|a, b| compare_rows(a, b));
    let (missing, extra) = multiset_difference(&w, &g);
    let mut out = Vec::new();
    if !missing.is_empty() {
        out.push(format!(
            "{} missing, e.g. {}",
            count(missing.len()),
            row_text(&missing[0])
        ));
    }
    if !extra.is_empty() {
        out.push(format!(
            "{} too many, e.g. {}",
            count(extra.len()),
            row_text(&extra[0])
        ));
    }
    if out.is_empty() && ordered && got != want {
        out.push("the right rows, but not in the order the step asks for".into());
    }
    out
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 row".into()
    } else {
        format!("{n} rows")
    }
}

/// Rows of `a` not in `b` and rows of `b` not in `a`, both sorted.
fn multiset_difference(a: &[Vec<Value>], b: &[Vec<Value>]) -> (Vec<Vec<Value>>, Vec<Vec<Value>>) {
    let (mut i, mut j) = (0, 0);
    let (mut only_a, mut only_b) = (Vec::new(), Vec::new());
    while i < a.len() && j < b.len() {
        match compare_rows(&a[i], &b[j]) {
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                only_a.push(a[i].clone());
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                only_b.push(b[j].clone());
                j += 1;
            }
        }
    }
    only_a.extend_from_slice(&a[i..]);
    only_b.extend_from_slice(&b[j..]);
    (only_a, only_b)
}

fn row_text(row: &[Value]) -> String {
    let cells: Vec<String> = row
        .iter()
        .map(|v| match v {
            Value::Text(_) => v.sql_literal(),
            other => plain(other),
        })
        .collect();
    format!("({})", cells.join(", "))
}

/// What differs between the learner's database and the expected one, table by table.
fn compare_states(learner: &Session, expected: &Session) -> Vec<String> {
    let reg = learner.registry();
    let tables: Vec<String> = reg
        .metadata
        .tables()
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let (Ok(got), Ok(want)) = (
        learner.database().dump(&tables),
        expected.database().dump(&tables),
    ) else {
        return vec!["the databases could not be read to compare them".into()];
    };
    let mut out = Vec::new();
    for table in &tables {
        let (g, w) = (&got[table], &want[table]);
        if g == w {
            continue;
        }
        let key_len = reg.metadata.table(table).map_or(1, |t| {
            if t.primary_key.len() == 1 {
                1
            } else {
                t.columns.len()
            }
        });
        let columns = reg
            .metadata
            .table(table)
            .map(|t| t.column_names())
            .unwrap_or_default();
        out.extend(table_differences(table, &columns, key_len, g, w));
    }
    if out.is_empty() && learner.in_transaction() != expected.in_transaction() {
        out.push(if expected.in_transaction() {
            "a transaction should still be open".into()
        } else {
            "the transaction should be finished (commit or rollback)".into()
        });
    }
    out.truncate(5);
    out
}

fn table_differences(
    table: &str,
    columns: &[String],
    key_len: usize,
    got: &[Vec<Value>],
    want: &[Vec<Value>],
) -> Vec<String> {
    let by_key = |rows: &[Vec<Value>]| -> BTreeMap<String, Vec<Value>> {
        rows.iter()
            .map(|r| (row_text(&r[..key_len.min(r.len())]), r.clone()))
            .collect()
    };
    let (g, w) = (by_key(got), by_key(want));
    let mut out = Vec::new();
    for (key, want_row) in &w {
        match g.get(key) {
            None => out.push(format!("{table}: a row is missing: {}", row_text(want_row))),
            Some(got_row) if got_row != want_row => {
                for (i, (a, b)) in got_row.iter().zip(want_row).enumerate() {
                    if a != b {
                        let column = columns.get(i).map_or("?", String::as_str);
                        out.push(format!(
                            "{table} {}: {column} is {}, expected {}",
                            key_words(columns, key_len, want_row),
                            a.sql_literal(),
                            b.sql_literal()
                        ));
                    }
                }
            }
            Some(_) => {}
        }
    }
    for (key, got_row) in &g {
        if !w.contains_key(key) {
            out.push(format!(
                "{table}: a row that should not be there: {}",
                row_text(got_row)
            ));
        }
    }
    out
}

fn key_words(columns: &[String], key_len: usize, row: &[Value]) -> String {
    columns
        .iter()
        .zip(row)
        .take(key_len)
        .map(|(c, v)| format!("{c} {}", v.sql_literal()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(r: &[&[i64]]) -> Outcome {
        Outcome::Rows {
            table: None,
            columns: vec!["id".into()],
            rows: r
                .iter()
                .map(|row| row.iter().map(|i| Value::Integer(*i)).collect())
                .collect(),
        }
    }

    #[test]
    fn same_rows_in_any_order_agree_unless_order_is_asked() {
        assert!(
            compare_results(&rows(&[&[1], &[2]]), &rows(&[&[2], &[1]]), false, ("", "")).is_empty()
        );
        assert_eq!(
            compare_results(&rows(&[&[1], &[2]]), &rows(&[&[2], &[1]]), true, ("", "")),
            vec!["the right rows, but not in the order the step asks for".to_string()]
        );
    }

    #[test]
    fn missing_and_extra_rows_are_named() {
        let d = compare_results(&rows(&[&[1], &[3]]), &rows(&[&[1], &[2]]), false, ("", ""));
        assert_eq!(
            d,
            vec![
                "1 row missing, e.g. (2)".to_string(),
                "1 row too many, e.g. (3)".to_string()
            ]
        );
    }

    #[test]
    fn a_changed_column_is_named_by_key() {
        let columns = vec!["id".to_string(), "name".to_string()];
        let got = vec![vec![Value::Integer(13), Value::Text("Ann".into())]];
        let want = vec![vec![Value::Integer(13), Value::Text("Anna".into())]];
        assert_eq!(
            table_differences("students", &columns, 1, &got, &want),
            vec!["students id 13: name is 'Ann', expected 'Anna'".to_string()]
        );
    }

    fn loop_rows(variable: &str) -> Outcome {
        Outcome::Rows {
            table: None,
            columns: vec![variable.to_string(), format!("{variable}.classes")],
            rows: vec![
                vec![Value::Integer(15), Value::Text("[Algebra 101]".into())],
                vec![Value::Integer(18), Value::Text("[Drama 101]".into())],
            ],
        }
    }

    #[test]
    fn a_loop_variables_name_never_decides() {
        let solution = "for s in students.where(year == 2): s.classes";
        let answer = "for student in students.where(year == 2): student.classes";
        assert_eq!(
            compare_results(
                &loop_rows("student"),
                &loop_rows("s"),
                false,
                (answer, solution)
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn columns_pair_up_by_name_and_labels_never_decide() {
        let want = Outcome::Rows {
            table: None,
            columns: vec!["name".into(), "email".into()],
            rows: vec![vec![Value::Text("Ann".into()), Value::Text("a@x".into())]],
        };
        let swapped = Outcome::Rows {
            table: None,
            columns: vec!["email".into(), "name".into()],
            rows: vec![vec![Value::Text("a@x".into()), Value::Text("Ann".into())]],
        };
        let labelled = Outcome::Rows {
            table: None,
            columns: vec!["who".into(), "mail".into()],
            rows: vec![vec![Value::Text("Ann".into()), Value::Text("a@x".into())]],
        };
        assert!(compare_results(&swapped, &want, false, ("", "")).is_empty());
        assert!(compare_results(&labelled, &want, false, ("", "")).is_empty());
    }

    #[test]
    fn values_compare_as_numbers() {
        assert!(compare_results(
            &Outcome::Value(Value::Integer(3)),
            &Outcome::Value(Value::Real(3.0)),
            false,
            ("", "")
        )
        .is_empty());
        assert_eq!(
            compare_results(
                &Outcome::Value(Value::Integer(3)),
                &Outcome::Value(Value::Integer(4)),
                false,
                ("", "")
            ),
            vec!["you got 3; the step wants 4".to_string()]
        );
    }
}
