//! Every public conformance case (`../shared/conformance/cases.json`) gives the same answer on
//! PostgreSQL (`--db postgresql://…`) as on SQLite: the same result (rows, values, objects,
//! new ids, rows changed), the same error (kind, place and words), and the same database
//! afterwards. Only the SQL text differs. Each case starts from a fresh School on both.
//!
//! Skipped, saying why, where the cases or PostgreSQL's programs are missing (`.ci/run`
//! installs Debian's `postgresql`, so on CI it runs).

#[path = "common/pg.rs"]
mod pg;

use ormscope::session::{Options, Session};
use ormscope::sql::Value;
use serde_json::Value as Json;
use std::path::Path;

fn open(db: Option<String>) -> Session {
    let options = Options {
        db_path: db.map(Into::into),
        ..Options::default()
    };
    Session::open(options).unwrap_or_else(|e| panic!("opening the School: {}", e.message))
}

/// What a statement answered (its error message too), without the SQL text (which differs
/// by dialect).
fn answer(session: &mut Session, input: &str) -> Json {
    let response = session.run(input);
    let mut json = ormscope::view::to_json(&response);
    if let Some(map) = json.as_object_mut() {
        for key in ["sql", "notes", "sqlalchemy"] {
            map.remove(key);
        }
    }
    json
}

/// Whether two answers agree: numbers to 1e-9 (PostgreSQL's `avg` is a NUMERIC), and the
/// rows of an unordered result as a multiset.
fn same(a: &Json, b: &Json, unordered: bool) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            _ => x == y,
        },
        (Json::Array(x), Json::Array(y)) if unordered => {
            let (mut x, mut y) = (x.clone(), y.clone());
            x.sort_by_key(|v| v.to_string());
            y.sort_by_key(|v| v.to_string());
            x.len() == y.len() && x.iter().zip(&y).all(|(a, b)| same(a, b, false))
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b, unordered))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.get(k)
                        .is_some_and(|w| same(v, w, unordered && k != "columns" && k != "row"))
                })
        }
        _ => a == b,
    }
}

/// Every row of every School table, as text (decimals to 9 places).
fn tables(session: &Session) -> Vec<(String, Vec<Vec<String>>)> {
    let names: Vec<String> = session
        .registry()
        .metadata
        .tables()
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let dump = session
        .database()
        .dump(&names)
        .unwrap_or_else(|e| panic!("reading the tables: {}", e.message));
    dump.into_iter()
        .map(|(table, rows)| {
            let rows = rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|v| match v {
                            Value::Real(r) => format!("{r:.9}"),
                            other => format!("{other:?}"),
                        })
                        .collect()
                })
                .collect();
            (table, rows)
        })
        .collect()
}

#[test]
fn every_conformance_case_answers_alike_on_postgresql() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/cases.json");
    let Ok(text) = std::fs::read_to_string(&file) else {
        println!("skipped: {} is not there", file.display());
        return;
    };
    let server = pg::server();
    let cases: Vec<Json> = serde_json::from_str(&text).expect("cases.json is a JSON list");
    let mut postgres = open(Some(server.url()));
    let mut failures = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap_or("?");
        let input = case["input"].as_str().unwrap_or("");
        let setup: Vec<&str> = case["setup"]
            .as_array()
            .map(|s| s.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let unordered = matches!(case["compare"].as_str(), Some("rows" | "state"));
        postgres.close();
        postgres
            .reset()
            .unwrap_or_else(|e| panic!("{id}: remaking the School: {}", e.message));
        let mut sqlite = open(None);
        for step in setup.iter().chain([&input]) {
            let (want, got) = (answer(&mut sqlite, step), answer(&mut postgres, step));
            if !same(&want, &got, unordered) {
                failures.push(format!(
                    "{id}: {step}\n  SQLite:     {want}\n  PostgreSQL: {got}"
                ));
            }
        }
        if tables(&sqlite) != tables(&postgres) {
            failures.push(format!("{id}: the tables differ after {input}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    println!(
        "{} conformance cases agree on PostgreSQL and SQLite",
        cases.len()
    );
}
