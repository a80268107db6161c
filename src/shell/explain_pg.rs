//! `:explain` on PostgreSQL: the server's `EXPLAIN (FORMAT JSON)` of each SQL statement, with
//! the values it was sent with, said in plain words (which index finds rows, or that a whole
//! table is read; sorts, joins, aggregates). The plan is asked for, never run (no `ANALYZE`).

use super::explain::{Plan, PlanError, PlanStep};
use crate::render::{server, Rendered};
use crate::session::{Executed, Session};
use serde_json::Value as Json;

/// PostgreSQL's plan of one statement that was sent.
pub fn plan(session: &Session, executed: &Executed) -> Result<Plan, PlanError> {
    let failure = |message: String| PlanError {
        sql: executed.display.clone(),
        message,
        engine: "PostgreSQL",
    };
    let mut explain = Rendered::raw(&server::explain_json(&executed.text));
    explain.params = executed.params.clone();
    let rows = session
        .database()
        .explain(&explain)
        .map_err(|e| failure(e.message))?;
    let text = match rows.rows.first().and_then(|r| r.first()) {
        Some(crate::sql::Value::Text(t)) => t.clone(),
        _ => return Err(failure("PostgreSQL gave no plan".into())),
    };
    let json: Json = serde_json::from_str(&text).map_err(|e| failure(e.to_string()))?;
    let mut steps = Vec::new();
    if let Some(top) = json.get(0).and_then(|p| p.get("Plan")) {
        walk(top, 0, &mut steps);
    }
    Ok(Plan {
        sql: executed.display.clone(),
        steps,
        engine: "PostgreSQL",
    })
}

fn walk(node: &Json, depth: usize, steps: &mut Vec<PlanStep>) {
    let field = |name: &str| node.get(name).and_then(Json::as_str).unwrap_or("");
    let kind = field("Node Type");
    let detail = [
        kind.to_string(),
        field("Relation Name").to_string(),
        field("Index Name").to_string(),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .cloned()
    .collect::<Vec<_>>()
    .join(" ");
    steps.push(PlanStep {
        depth,
        detail,
        words: in_words(node),
    });
    for child in node
        .get("Plans")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        walk(child, depth + 1, steps);
    }
}

/// One node of PostgreSQL's plan in plain words.
pub fn in_words(node: &Json) -> String {
    let field = |name: &str| node.get(name).and_then(Json::as_str).unwrap_or("");
    let (table, index) = (field("Relation Name"), field("Index Name"));
    let via = if index.ends_with("_pkey") {
        format!("the primary key of {table}")
    } else {
        format!("the index {index} on {table}")
    };
    match field("Node Type") {
        "Seq Scan" => format!("reads the whole table {table}, row by row (no index helps here)"),
        "Index Scan" => format!("uses {via} to find rows"),
        "Index Only Scan" => format!(
            "uses {via} to find rows; the index holds every column needed, so the table itself is not read"
        ),
        "Bitmap Index Scan" => format!("uses the index {index} to mark the rows that match"),
        "Bitmap Heap Scan" => format!("reads the rows of {table} the index marked"),
        "Sort" => "sorts the rows (ORDER BY, or to group them)".to_string(),
        "Aggregate" | "HashAggregate" | "GroupAggregate" => {
            "computes the aggregate (count, sum, avg, … or one row per group)".to_string()
        }
        "Hash Join" | "Merge Join" | "Nested Loop" => format!(
            "joins the rows of the steps below ({})",
            field("Node Type").to_lowercase()
        ),
        "Hash" => "builds a hash table of the rows below, to join them".to_string(),
        "Limit" => "keeps only the rows asked for (LIMIT/OFFSET)".to_string(),
        "Unique" => "drops repeated rows (DISTINCT)".to_string(),
        "ModifyTable" => format!(
            "{} on {table}",
            field("Operation").to_uppercase()
        ),
        "Result" => "computes values without reading a table".to_string(),
        other => format!("a step PostgreSQL calls \"{other}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_are_said_in_words() {
        let seq: Json = serde_json::json!({"Node Type": "Seq Scan", "Relation Name": "students"});
        assert!(in_words(&seq).contains("reads the whole table students"));
        let pk: Json = serde_json::json!({"Node Type": "Index Scan", "Relation Name": "students", "Index Name": "students_pkey"});
        assert_eq!(
            in_words(&pk),
            "uses the primary key of students to find rows"
        );
    }
}
