//! Comparing what a learner's statement did with what the solution did, by meaning: results
//! (rows paired by column, values deciding, names never) and databases (table by table, row by
//! key), each difference said in a sentence.

use crate::db::compare_rows;
use crate::session::{Outcome, Session};
use crate::sql::Value;
use crate::view::table::plain;
use std::collections::BTreeMap;

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
pub fn compare_results(
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
pub fn compare_states(learner: &Session, expected: &Session) -> Vec<String> {
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
            more: 0,
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
            more: 0,
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
            more: 0,
        };
        let swapped = Outcome::Rows {
            table: None,
            columns: vec!["email".into(), "name".into()],
            rows: vec![vec![Value::Text("a@x".into()), Value::Text("Ann".into())]],
            more: 0,
        };
        let labelled = Outcome::Rows {
            table: None,
            columns: vec!["who".into(), "mail".into()],
            rows: vec![vec![Value::Text("Ann".into()), Value::Text("a@x".into())]],
            more: 0,
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
