//! `:explain STATEMENT`: SQLite's `EXPLAIN QUERY PLAN` for each SQL statement a statement of
//! the language sends, said in plain words — which index is used to find rows, or that a
//! whole table is read.
//!
//! The statement is run in a savepoint and undone ([`Session::preview`]) to learn its SQL;
//! then each SQL statement is planned (not run) with its bound values.

use crate::render::explain_query_plan;
use crate::schema::MetaData;
use crate::session::{Executed, Response, Session};
use std::collections::HashMap;

/// One step of SQLite's plan, with its place in the plan's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStep {
    /// How deep in the plan's tree (0 at the top).
    pub depth: usize,
    /// SQLite's own words (`SEARCH classes USING INDEX ix_classes_student_id (student_id=?)`).
    pub detail: String,
    /// The same in plain words.
    pub words: String,
}

/// The plan of one SQL statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The SQL, values inlined.
    pub sql: String,
    /// Its steps in SQLite's order; empty when SQLite needs no plan (an INSERT of values).
    pub steps: Vec<PlanStep>,
    /// Whose plan it is (`SQLite`, `PostgreSQL`).
    pub engine: &'static str,
}

/// Why a plan could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{engine} could not plan {sql}: {message}")]
pub struct PlanError {
    /// The SQL.
    pub sql: String,
    /// The database's message.
    pub message: String,
    /// Whose plan it would have been (`SQLite`, `PostgreSQL`).
    pub engine: &'static str,
}

/// Previews `statement` (nothing changes) and plans each SQL statement it sends: the
/// preview's answer, and the plans in order.
pub fn explain(session: &mut Session, statement: &str) -> (Response, Result<Vec<Plan>, PlanError>) {
    let response = session.preview(statement);
    let plans = response
        .sql
        .iter()
        .filter(|e| !e.failed)
        .map(|e| plan(session, e))
        .collect();
    (response, plans)
}

/// SQLite's plan of one statement that was sent, with the values it was sent with.
pub fn plan(session: &Session, executed: &Executed) -> Result<Plan, PlanError> {
    if session.server().is_some() {
        return super::explain_pg::plan(session, executed);
    }
    let failure = |e: rusqlite::Error| PlanError {
        sql: executed.display.clone(),
        message: e.to_string(),
        engine: "SQLite",
    };
    let connection = session.database().connection();
    let mut statement = connection
        .prepare(&explain_query_plan(
            executed.statement.as_ref(),
            &executed.text,
        ))
        .map_err(failure)?;
    let rows = statement
        .query_map(rusqlite::params_from_iter(executed.params.iter()), |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(3)?,
            ))
        })
        .map_err(failure)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(failure)?;
    let metadata = &session.registry().metadata;
    Ok(Plan {
        sql: executed.display.clone(),
        steps: steps(&rows, metadata),
        engine: "SQLite",
    })
}

/// Rows of (id, parent, detail) as steps with depths and plain words.
fn steps(rows: &[(i64, i64, String)], metadata: &MetaData) -> Vec<PlanStep> {
    let mut depth_of: HashMap<i64, usize> = HashMap::new();
    rows.iter()
        .map(|(id, parent, detail)| {
            let depth = depth_of.get(parent).map_or(0, |d| d + 1);
            depth_of.insert(*id, depth);
            PlanStep {
                depth,
                detail: detail.clone(),
                words: in_words(detail, metadata),
            }
        })
        .collect()
}

/// The plans as the text `:explain` shows: each SQL statement, then its steps in words with
/// SQLite's own words beneath.
pub fn plans_text(plans: &[Plan]) -> String {
    let mut out = String::new();
    let numbered = plans.len() > 1;
    for (n, plan) in plans.iter().enumerate() {
        let (head, indent) = if numbered {
            (format!("{}. ", n + 1), "   ")
        } else {
            (String::new(), "")
        };
        out.push_str(&format!("{head}{}\n", plan.sql));
        if plan.steps.is_empty() {
            out.push_str(&format!(
                "{indent}  writes the values given: there is nothing to search\n"
            ));
        }
        for step in &plan.steps {
            let pad = format!("{indent}  {}", "  ".repeat(step.depth));
            out.push_str(&format!("{pad}{}\n", step.words));
            out.push_str(&format!("{pad}  ({}: {})\n", plan.engine, step.detail));
        }
    }
    out.trim_end().to_string()
}

/// One step of SQLite's plan in plain words.
pub fn in_words(detail: &str, metadata: &MetaData) -> String {
    let d = detail.trim();
    if let Some(rest) = d.strip_prefix("SEARCH ") {
        return search(strip_table_word(rest), metadata);
    }
    if let Some(rest) = d.strip_prefix("SCAN ") {
        return scan(strip_table_word(rest), metadata);
    }
    if let Some(what) = d.strip_prefix("USE TEMP B-TREE FOR ") {
        return temp_tree(what);
    }
    if let Some(rest) = d.strip_prefix("BLOOM FILTER ON ") {
        let table = first_word(rest);
        return format!("builds a Bloom filter on {table} to skip rows that cannot match, quickly");
    }
    subquery(d).unwrap_or_else(|| format!("a step SQLite calls \"{d}\""))
}

fn strip_table_word(rest: &str) -> &str {
    rest.strip_prefix("TABLE ").unwrap_or(rest)
}

fn first_word(text: &str) -> &str {
    text.split_whitespace().next().unwrap_or(text)
}

/// `SEARCH t USING ...`: rows found through a key or an index.
fn search(rest: &str, metadata: &MetaData) -> String {
    let table = first_word(rest);
    let how = rest.split_once(" USING ").map_or("", |(_, how)| how);
    let (method, condition) = match how.split_once(" (") {
        Some((method, condition)) => (method, condition.trim_end_matches(')')),
        None => (how, ""),
    };
    let by = columns_of(condition, table, metadata);
    let by_words = if by.is_empty() {
        String::new()
    } else {
        format!(" by {}", by.join(" and "))
    };
    if method.ends_with("PRIMARY KEY") {
        return format!("uses the primary key of {table} to find rows{by_words}");
    }
    if method.starts_with("AUTOMATIC") {
        return format!(
            "builds a temporary index on {table}{by_words} for this query alone \
             (no index exists for it; a lasting one could help)"
        );
    }
    let covering = method.starts_with("COVERING INDEX ");
    let index = method
        .strip_prefix("COVERING INDEX ")
        .or_else(|| method.strip_prefix("INDEX "))
        .unwrap_or(method);
    let mut words = format!("uses {} to find rows{by_words}", index_phrase(index, table));
    if covering {
        words.push_str("; the index holds every column needed, so the table itself is not read");
    }
    words
}

/// An index in words: `the index ix_classes_student_id on classes`, or, for one SQLite made
/// by itself, what it was made for.
fn index_phrase(index: &str, table: &str) -> String {
    if index.starts_with("sqlite_autoindex_") {
        format!("the index SQLite made for a key or UNIQUE column of {table} ({index})")
    } else {
        format!("the index {index} on {table}")
    }
}

/// The columns a search condition (`student_id=? AND rowid>?`) looks rows up by.
fn columns_of(condition: &str, table: &str, metadata: &MetaData) -> Vec<String> {
    let key = metadata
        .table(table)
        .and_then(|t| t.single_key())
        .map_or("id", |k| k.name.as_str());
    let mut columns: Vec<String> = Vec::new();
    for term in condition.split(" AND ") {
        let name: String = term
            .trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let name = if name == "rowid" {
            key.to_string()
        } else {
            name
        };
        if !name.is_empty() && !columns.contains(&name) {
            columns.push(name);
        }
    }
    columns
}

/// `SCAN t ...`: every row read.
fn scan(rest: &str, metadata: &MetaData) -> String {
    if rest.starts_with("CONSTANT ROW") {
        return "needs no table: one row of constants".to_string();
    }
    let table = first_word(rest);
    let is_table = metadata.table(table).is_some();
    if let Some((_, index)) = rest.split_once(" USING COVERING INDEX ") {
        return format!(
            "reads all of {} instead of the table (a full scan of the index)",
            index_phrase(first_word(index), table)
        );
    }
    if let Some((_, index)) = rest.split_once(" USING INDEX ") {
        return format!(
            "reads the whole table {table} in the order of {} (a full scan, but no sort)",
            index_phrase(first_word(index), table)
        );
    }
    if is_table {
        format!("reads the whole table {table} (a full scan)")
    } else {
        format!("reads every row of {table}, the subquery's result")
    }
}

/// `USE TEMP B-TREE FOR ...`: a sort or a set built while the query runs.
fn temp_tree(what: &str) -> String {
    match what {
        "ORDER BY" => "sorts the rows for ORDER BY (no index gives this order)".to_string(),
        "GROUP BY" => "sorts the rows to form the groups of GROUP BY".to_string(),
        "DISTINCT" => "remembers the rows seen, to drop duplicates (DISTINCT)".to_string(),
        other => format!(
            "sorts the rows for the {} of ORDER BY",
            other.to_lowercase()
        ),
    }
}

/// Subqueries and how often they run.
fn subquery(detail: &str) -> Option<String> {
    let words = if detail.starts_with("CORRELATED ") {
        "for each row, runs the subquery below again (it refers to that row)".to_string()
    } else if detail.starts_with("LIST SUBQUERY") {
        "runs the subquery below once and keeps its list of values for IN".to_string()
    } else if detail.starts_with("SCALAR SUBQUERY") {
        "runs the subquery below once, for its value".to_string()
    } else if let Some(name) = detail.strip_prefix("CO-ROUTINE ") {
        format!("computes the subquery {name} row by row, as they are read")
    } else if let Some(name) = detail.strip_prefix("MATERIALIZE ") {
        format!("computes the subquery {name} first and keeps its rows")
    } else if detail == "MULTI-INDEX OR" {
        "looks up each side of the OR separately, each with its own index".to_string()
    } else if detail.starts_with("INDEX ") {
        "one side of the OR:".to_string()
    } else {
        return None;
    };
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::school;

    fn words(detail: &str) -> String {
        in_words(detail, &school::registry().metadata)
    }

    #[test]
    fn an_index_search_names_the_index_table_and_column() {
        assert_eq!(
            words("SEARCH classes USING INDEX ix_classes_student_id (student_id=?)"),
            "uses the index ix_classes_student_id on classes to find rows by student_id"
        );
    }

    #[test]
    fn a_rowid_search_is_the_primary_key() {
        assert_eq!(
            words("SEARCH students USING INTEGER PRIMARY KEY (rowid=?)"),
            "uses the primary key of students to find rows by id"
        );
        assert_eq!(
            words("SEARCH TABLE students USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"),
            "uses the primary key of students to find rows by id"
        );
    }

    #[test]
    fn a_scan_is_a_full_scan_of_a_table_or_a_subquery() {
        assert_eq!(
            words("SCAN students"),
            "reads the whole table students (a full scan)"
        );
        assert_eq!(
            words("SCAN TABLE students"),
            "reads the whole table students (a full scan)"
        );
        assert_eq!(
            words("SCAN sub"),
            "reads every row of sub, the subquery's result"
        );
    }

    #[test]
    fn covering_automatic_and_sqlite_made_indexes() {
        let covering = words(
            "SEARCH memberships USING COVERING INDEX sqlite_autoindex_memberships_1 (student_id=?)",
        );
        assert!(covering.starts_with("uses the index SQLite made for a key or UNIQUE column of memberships (sqlite_autoindex_memberships_1) to find rows by student_id"), "{covering}");
        assert!(covering.contains("table itself is not read"), "{covering}");
        let automatic = words("SEARCH t USING AUTOMATIC COVERING INDEX (x=?)");
        assert!(
            automatic.starts_with("builds a temporary index on t by x"),
            "{automatic}"
        );
    }

    #[test]
    fn sorts_subqueries_and_unknown_steps() {
        assert!(words("USE TEMP B-TREE FOR ORDER BY").starts_with("sorts the rows for ORDER BY"));
        assert!(words("CORRELATED SCALAR SUBQUERY 2").starts_with("for each row"));
        assert!(words("LIST SUBQUERY 1").contains("once"));
        assert_eq!(
            words("SOMETHING NEW"),
            "a step SQLite calls \"SOMETHING NEW\""
        );
    }

    #[test]
    fn steps_nest_by_parent() {
        let rows = vec![
            (2, 0, "SCAN students".to_string()),
            (4, 0, "CORRELATED SCALAR SUBQUERY 1".to_string()),
            (
                7,
                4,
                "SEARCH classes USING INDEX ix_classes_student_id (student_id=?)".to_string(),
            ),
        ];
        let s = steps(&rows, &school::registry().metadata);
        assert_eq!(s.iter().map(|s| s.depth).collect::<Vec<_>>(), vec![0, 0, 1]);
    }
}
