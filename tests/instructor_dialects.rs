//! Every form of the language rendered for SQLite, PostgreSQL and MySQL: snapshots to read,
//! a parser's check that the PostgreSQL and MySQL text is their SQL, and SQLite's own run.

use ormscope::dialect::Dialect;
use ormscope::render::render_in;
use ormscope::session::{Executed, Options, Session};
use ormscope::sql::Statement;
use ormscope::view::dialects::sql_in;
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect};
use sqlparser::parser::Parser;

#[path = "instructor/forms.rs"]
mod forms;
use forms::{CONDITIONS, FAILING_ON_SQLITE, LOOPS, READING, WRITING};

fn session() -> Session {
    match Session::open(Options::default()) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

/// The statement's SQL in each dialect, from a preview (nothing changes).
fn dialects(session: &mut Session, statement: &str) -> Vec<(Dialect, Vec<Executed>)> {
    let response = session.preview(statement);
    let metadata = &session.registry().metadata;
    Dialect::ALL
        .iter()
        .map(|d| (*d, sql_in(&response.sql, *d, metadata)))
        .collect()
}

/// One statement and its SQL, one line per dialect (numbered when it sends several).
fn block(statement: &str, sql: &[(Dialect, Vec<Executed>)]) -> String {
    let mut out = format!("{statement}\n");
    for (dialect, executed) in sql {
        for (n, e) in executed.iter().enumerate() {
            let number = if executed.len() > 1 {
                format!("{}. ", n + 1)
            } else {
                String::new()
            };
            out.push_str(&format!("  {:<11} {number}{}\n", dialect.name(), e.display));
        }
    }
    out
}

fn group(forms: &[&str]) -> String {
    let mut s = session();
    forms
        .iter()
        .map(|f| block(f, &dialects(&mut s, f)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn reading_in_three_dialects() {
    insta::assert_snapshot!("reading", group(READING));
}

#[test]
fn conditions_in_three_dialects() {
    insta::assert_snapshot!("conditions", group(CONDITIONS));
}

#[test]
fn writing_in_three_dialects() {
    insta::assert_snapshot!("writing", group(WRITING));
}

#[test]
fn loops_in_three_dialects() {
    insta::assert_snapshot!("loops", group(LOOPS));
}

#[test]
fn names_and_transactions_in_three_dialects() {
    let mut s = session();
    let mut out = String::new();
    for statement in ["s = students[13]", "begin"] {
        assert!(s.run(statement).ok(), "{statement}");
    }
    out.push_str(&block("s.classes", &dialects(&mut s, "s.classes")));
    out.push('\n');
    let metadata = s.registry().metadata.clone();
    for statement in ["rollback", "begin", "commit"] {
        let response = s.run(statement);
        assert!(response.ok(), "{statement}");
        let per: Vec<_> = Dialect::ALL
            .iter()
            .map(|d| (*d, sql_in(&response.sql, *d, &metadata)))
            .collect();
        out.push_str(&block(statement, &per));
        out.push('\n');
    }
    insta::assert_snapshot!("names_and_transactions", out);
}

#[test]
fn bound_parameters_in_three_dialects() {
    let mut s = session();
    let mut out = String::new();
    for statement in [
        "students.where(year == 2 and name.startswith('A')).order_by(name).limit(5).offset(10)",
        "students[13].classes.append({'name': 'Biology 301', 'abbreviation': 'BI301'})",
    ] {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{statement}\n"));
        for (dialect, executed) in dialects(&mut s, statement) {
            for e in executed {
                let params: Vec<String> = e.params.iter().map(|v| v.sql_literal()).collect();
                out.push_str(&format!(
                    "  {:<11} {}\n  {:<11} params ({})\n",
                    dialect.name(),
                    e.text,
                    "",
                    params.join(", ")
                ));
            }
        }
    }
    insta::assert_snapshot!("bound_parameters", out);
}

fn every_form() -> impl Iterator<Item = &'static str> {
    READING
        .iter()
        .chain(CONDITIONS)
        .chain(WRITING)
        .chain(LOOPS)
        .copied()
}

#[test]
fn every_form_runs_on_sqlite() {
    let mut s = session();
    for form in every_form() {
        let response = s.preview(form);
        let expected_ok = !FAILING_ON_SQLITE.contains(&form);
        assert_eq!(response.ok(), expected_ok, "{form}: {:?}", response.outcome);
        assert!(!response.sql.is_empty(), "{form} sent no SQL");
    }
}

#[test]
fn the_postgresql_rendering_parses_as_postgresql() {
    let mut s = session();
    for form in every_form() {
        for (dialect, executed) in dialects(&mut s, form) {
            if dialect != Dialect::Postgresql {
                continue;
            }
            for e in executed {
                for text in [&e.display, &e.text] {
                    if let Err(err) = Parser::parse_sql(&PostgreSqlDialect {}, text) {
                        panic!("{form}: {text}: {err}");
                    }
                }
                assert!(!e.display.contains("LIMIT -1"), "{form}: {}", e.display);
                assert!(!e.text.contains('?'), "{form}: {}", e.text);
            }
        }
    }
}

/// What MySQL does not accept, which a permissive parser lets through.
fn mysql_problem(sql: &str) -> Option<&'static str> {
    let checks: &[(&str, &str)] = &[
        ("ILIKE", "MySQL has no ILIKE"),
        ("RETURNING", "MySQL has no RETURNING"),
        ("DEFAULT VALUES", "MySQL has no DEFAULT VALUES"),
        ("IN ()", "an empty IN list is not MySQL"),
        ("LIMIT -1", "MySQL has no LIMIT -1"),
        (
            " OFFSET ",
            "MySQL's OFFSET needs a LIMIT; SQLAlchemy writes LIMIT m, n",
        ),
        ("$1", "MySQL's placeholder is ?"),
    ];
    if let Some((_, why)) = checks.iter().find(|(bad, _)| sql.contains(bad)) {
        return Some(why);
    }
    let limited_in = sql.match_indices("IN (SELECT").any(|(at, _)| {
        !sql[at..].starts_with("IN (SELECT id FROM (") && subquery_has_limit(&sql[at..])
    });
    limited_in.then_some("MySQL refuses LIMIT inside IN (SELECT ...)")
}

/// Whether the parenthesised subquery at the start of `text` has its own LIMIT.
fn subquery_has_limit(text: &str) -> bool {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return false;
                }
            }
            'L' if depth == 1 && text[i..].starts_with("LIMIT") => return true,
            _ => {}
        }
    }
    false
}

#[test]
fn the_mysql_rendering_parses_as_mysql() {
    let mut s = session();
    for form in every_form() {
        for (dialect, executed) in dialects(&mut s, form) {
            if dialect != Dialect::Mysql {
                continue;
            }
            for e in executed {
                for text in [&e.display, &e.text] {
                    if let Err(err) = Parser::parse_sql(&MySqlDialect {}, text) {
                        panic!("{form}: {text}: {err}");
                    }
                    if let Some(why) = mysql_problem(text) {
                        panic!("{form}: {text}: {why}");
                    }
                }
            }
        }
    }
}

#[test]
fn the_mysql_check_catches_what_it_should() {
    assert!(mysql_problem("SELECT * FROM t WHERE a IN (SELECT id FROM t LIMIT 5)").is_some());
    assert!(mysql_problem("SELECT * FROM t LIMIT -1 OFFSET 3").is_some());
    assert!(mysql_problem(
        "SELECT * FROM c WHERE a IN (SELECT id FROM (SELECT id FROM t LIMIT 5) AS anon_1)"
    )
    .is_none());
    assert!(mysql_problem("SELECT * FROM t WHERE a IN (SELECT id FROM t WHERE b = 1)").is_none());
}

#[test]
fn sqlite_is_what_runs_and_other_dialects_only_show() {
    let mut s = session();
    let response = s.preview("students.offset(35)");
    assert_eq!(
        response.sql[0].display,
        "SELECT * FROM students LIMIT -1 OFFSET 35"
    );
    assert_eq!(response.sql[0].rows, 5);
}

/// The School's `CREATE TABLE` and `CREATE INDEX` statements written for `dialect`.
fn school_ddl(dialect: Dialect) -> Vec<String> {
    let metadata = ormscope::school::metadata();
    metadata
        .tables()
        .iter()
        .flat_map(|table| {
            let mut ddl = vec![Statement::CreateTable(table.clone())];
            ddl.extend(table.indexes().into_iter().map(Statement::CreateIndex));
            ddl
        })
        .map(|statement| render_in(&statement, dialect, &metadata).display)
        .collect()
}

#[test]
fn the_schema_in_three_dialects() {
    let mut out = String::new();
    for dialect in Dialect::ALL {
        out.push_str(&format!("-- {}\n", dialect.title()));
        for statement in school_ddl(dialect) {
            out.push_str(&format!("{statement};\n"));
        }
        out.push('\n');
    }
    insta::assert_snapshot!("schema", out);
}

#[test]
fn the_schema_parses_in_each_dialect_and_runs_on_sqlite() {
    for statement in school_ddl(Dialect::Postgresql) {
        if let Err(err) = Parser::parse_sql(&PostgreSqlDialect {}, &statement) {
            panic!("{statement}: {err}");
        }
    }
    for statement in school_ddl(Dialect::Mysql) {
        if let Err(err) = Parser::parse_sql(&MySqlDialect {}, &statement) {
            panic!("{statement}: {err}");
        }
        assert!(
            !statement.contains(" TEXT"),
            "MySQL cannot index TEXT without a length: {statement}"
        );
    }
    let connection = match rusqlite::Connection::open_in_memory() {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    for statement in school_ddl(Dialect::Sqlite) {
        if let Err(err) = connection.execute_batch(&statement) {
            panic!("{statement}: {err}");
        }
    }
}

#[test]
fn the_writers_clause_breaks_are_where_the_view_broke_the_text() {
    let mut s = session();
    let mut compared = 0;
    for form in every_form() {
        let response = s.preview(form);
        let metadata = s.registry().metadata.clone();
        for executed in &response.sql {
            let Some(tree) = &executed.statement else {
                continue;
            };
            for dialect in Dialect::ALL {
                let rendered = render_in(tree, dialect, &metadata);
                let lexed: String = ormscope::view::break_clauses(ormscope::view::highlight::sql(
                    &rendered.display,
                ))
                .into_iter()
                .map(|r| r.text)
                .collect::<String>()
                // The one place the lexer erred: it broke `DEFAULT VALUES` as if VALUES began
                // a clause; the writer knows the two words are one.
                .replace("DEFAULT\nVALUES", "DEFAULT VALUES");
                assert_eq!(
                    ormscope::render::piece::broken_at_clauses(&rendered.pieces()),
                    lexed,
                    "{form} in {dialect:?}"
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 100, "only {compared} statements compared");
}
