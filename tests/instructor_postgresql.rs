//! The PostgreSQL rendering of every read-only form, run on a real PostgreSQL server loaded
//! with the same School, must give the rows SQLite gives. The server is a throwaway cluster in
//! a temporary folder, listening on a Unix socket there only, stopped at the end.
//!
//! Skipped, saying why, where PostgreSQL's programs are not installed (Debian's package
//! `postgresql`; `.ci/run` would need `apt-get install -y postgresql` for CI to run it).

#[path = "instructor/forms.rs"]
mod forms;
#[path = "common/pg.rs"]
mod pg;

use ormscope::dialect::Dialect;
use ormscope::render::render_in;
use ormscope::session::{Options, Session};
use ormscope::sql::{Statement, Value};
use ormscope::view::dialects::sql_in;

fn session() -> Session {
    match Session::open(Options::default()) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

/// The School's tables and rows as PostgreSQL SQL.
fn school_sql(session: &Session) -> String {
    let metadata = &session.registry().metadata;
    let names: Vec<String> = metadata.tables().iter().map(|t| t.name.clone()).collect();
    let rows = session
        .database()
        .dump(&names)
        .unwrap_or_else(|e| panic!("{}", e.message));
    let mut sql = String::new();
    for table in metadata.tables() {
        let mut ddl = vec![Statement::CreateTable(table.clone())];
        ddl.extend(table.indexes().into_iter().map(Statement::CreateIndex));
        for statement in ddl {
            let created = render_in(&statement, Dialect::Postgresql, metadata);
            sql.push_str(&format!("{};\n", created.display));
        }
        let Some(table_rows) = rows.get(&table.name).filter(|r| !r.is_empty()) else {
            continue;
        };
        let values: Vec<String> = table_rows
            .iter()
            .map(|row| {
                let cells: Vec<String> =
                    row.iter().map(|v| Dialect::Postgresql.literal(v)).collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        sql.push_str(&format!(
            "INSERT INTO {} ({}) VALUES {};\n",
            table.name,
            table.column_names().join(", "),
            values.join(", ")
        ));
    }
    sql
}

/// A cell as both databases are compared: numbers by value, NULL as nothing.
fn normal(cell: &str) -> String {
    if let Ok(i) = cell.parse::<i64>() {
        return i.to_string();
    }
    match cell.parse::<f64>() {
        Ok(f) => format!("{f:.6}"),
        Err(_) => cell.to_string(),
    }
}

/// psql's CSV: a header line, then rows; quoted fields may hold commas and quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows.into_iter().skip(1).collect()
}

/// SQLite's rows for the same SQL, as text.
fn sqlite_rows(session: &Session, sql: &str) -> Vec<Vec<String>> {
    let connection = session.database().connection();
    let mut statement = connection
        .prepare(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let columns = statement.column_count();
    let rows = statement
        .query_map([], |row| {
            (0..columns)
                .map(|i| {
                    let value: rusqlite::types::Value = row.get(i)?;
                    Ok(match value {
                        rusqlite::types::Value::Null => String::new(),
                        rusqlite::types::Value::Integer(i) => i.to_string(),
                        rusqlite::types::Value::Real(r) => r.to_string(),
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Blob(_) => "<bytes>".to_string(),
                    })
                })
                .collect::<Result<Vec<String>, _>>()
        })
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.map(|r| r.unwrap_or_else(|e| panic!("{sql}: {e}")))
        .collect()
}

/// Whether SQL keeps only some rows (LIMIT/OFFSET): without an ORDER BY that leaves no ties,
/// which rows is up to the database, and SQLite and PostgreSQL choose differently (SQLite may
/// read the ids through an index, in that index's order).
fn pages(sql: &str) -> bool {
    sql.contains(" LIMIT ") || sql.contains(" OFFSET ")
}

fn sorted(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| r.iter().map(|c| normal(c)).collect())
        .collect();
    rows.sort();
    rows
}

#[test]
fn postgresql_gives_the_rows_sqlite_gives() {
    let server = pg::server();
    let mut s = session();
    server
        .psql(&school_sql(&s))
        .unwrap_or_else(|e| panic!("loading the School: {e}"));
    let mut compared = 0;
    let mut paged = 0;
    for form in forms::READING
        .iter()
        .chain(forms::CONDITIONS)
        .chain(forms::LOOPS)
    {
        let response = s.preview(form);
        assert!(response.ok(), "{form}: {:?}", response.outcome);
        let metadata = s.registry().metadata.clone();
        let postgresql = sql_in(&response.sql, Dialect::Postgresql, &metadata);
        for (lite, pg) in response.sql.iter().zip(&postgresql) {
            if !lite.display.starts_with("SELECT") {
                continue;
            }
            if pages(&lite.display) {
                paged += 1;
                continue;
            }
            let want = sorted(sqlite_rows(&s, &lite.display));
            let got = server
                .psql(&pg.display)
                .unwrap_or_else(|e| panic!("{form}: PostgreSQL refused {}: {e}", pg.display));
            assert_eq!(
                sorted(parse_csv(&got)),
                want,
                "{form}: {} gave other rows than SQLite's {}",
                pg.display,
                lite.display
            );
            compared += 1;
        }
    }
    assert!(compared > 80, "only {compared} statements compared");
    println!(
        "{compared} statements gave the same rows on PostgreSQL and SQLite; \
         {paged} with LIMIT or OFFSET were not compared (which rows they keep is up to each database)"
    );
}

#[test]
fn a_value_literal_survives_the_trip_through_postgresql() {
    let server = pg::server();
    let text = Value::Text("It's a \\ back'slash".into());
    let out = server
        .psql(&format!("SELECT {}", Dialect::Postgresql.literal(&text)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        parse_csv(&out),
        vec![vec!["It's a \\ back'slash".to_string()]]
    );
}

#[test]
fn csv_fields_with_commas_and_quotes_are_read_whole() {
    assert_eq!(
        parse_csv("a,b\n1,\"x, \"\"y\"\"\"\n,z\n"),
        vec![
            vec!["1".to_string(), "x, \"y\"".to_string()],
            vec![String::new(), "z".to_string()],
        ]
    );
}
