//! The rules raw SQL (`:sql`) runs under on PostgreSQL, checked before it is sent (parsed with
//! sqlparser): one `SELECT`, `INSERT`, `UPDATE` or `DELETE` on the tables of schema
//! `ormscope`; no other schema or system catalog, no `COPY`, `DO`, `SET ROLE`, `ALTER SYSTEM`,
//! extensions, or functions (called in an expression or in `FROM`, after `LATERAL` too) that
//! reach files, large objects, other servers, settings or sequences, or that run a query given
//! as text. A read-only session runs only `SELECT`, with no data-modifying `WITH`.

use super::SCHEMA;
use crate::db::DbError;
use sqlparser::ast::{
    visit_expressions, visit_relations, Expr, ObjectName, Query, SetExpr, Statement, TableFactor,
    Visit, Visitor,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};
use std::ops::ControlFlow;

/// Function name beginnings raw SQL may not call, by what they reach. Raw SQL runs as a role
/// with rights on schema `ormscope` only, but every role may call these: they would still read
/// the catalog, change the session's settings or move the School's sequences.
const REFUSED_FUNCTIONS: &[&str] = &[
    // Files, large objects, the server itself and other servers.
    "pg_",
    "lo_",
    "dblink",
    // Settings (`search_path`, `default_transaction_read_only`, ...).
    "set_config",
    "current_setting",
    // A query given as text, run as it is, whatever it reads.
    "query_to_xml",
    "table_to_xml",
    "cursor_to_xml",
    "schema_to_xml",
    "database_to_xml",
    "ts_stat",
    "ts_rewrite",
    "xpath",
    // The School's sequences: the next id is the School's (as on SQLite, only an INSERT
    // takes one).
    "setval",
    "nextval",
];

/// Whether raw SQL may run; the reason in plain words when not.
pub fn check(text: &str, read_only: bool) -> Result<(), DbError> {
    if spells_a_name_in_unicode_escapes(text) {
        return Err(refuse(
            "a name spelled with Unicode escapes (U&\"...\") is refused with :sql: the server reads it as another name than the one checked here; spell the name plainly".to_string(),
        ));
    }
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, text).map_err(|e| {
        refuse(format!(
            "PostgreSQL's SQL could not be read: {e} (only SELECT, INSERT, UPDATE and DELETE run with :sql)"
        ))
    })?;
    let [statement] = statements.as_slice() else {
        return Err(refuse(
            "give one SQL statement at a time to :sql".to_string(),
        ));
    };
    let reads = matches!(statement, Statement::Query { .. });
    let writes = matches!(
        statement,
        Statement::Insert { .. } | Statement::Update { .. } | Statement::Delete { .. }
    );
    if !reads && !writes {
        let verb = text
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        return Err(refuse(format!(
            "{verb} is not allowed with :sql on PostgreSQL: only SELECT, INSERT, UPDATE and DELETE on the School's tables run (COPY, DO, SET ROLE, ALTER SYSTEM, extensions and schema changes are refused)"
        )));
    }
    if let Statement::Query(query) = statement {
        if makes_a_table(&query.body) {
            return Err(refuse(
                "a query with INTO is refused with :sql: SELECT ... INTO makes a table (one named like a mapped table would hide it, and writes to it would be lost); insert into a table of the School instead".to_string(),
            ));
        }
    }
    let mut reach = Reach::default();
    let _ = statement.visit(&mut reach);
    if (writes || reach.writes) && read_only {
        return Err(refuse(
            "this session is read-only (--read-only): :sql may only SELECT".to_string(),
        ));
    }
    if let ControlFlow::Break(why) =
        visit_relations(statement, |name| outside_the_school(&name.to_string()))
    {
        return Err(refuse(why));
    }
    if let Some(why) = reach
        .tables
        .iter()
        .find_map(|name| outside_the_school(name).break_value())
    {
        return Err(refuse(why));
    }
    let called = visit_expressions(statement, |expr| match expr {
        Expr::Function(f) => refused_function(&f.name),
        _ => ControlFlow::Continue(()),
    });
    if let Some(why) = called.break_value().or_else(|| {
        reach
            .functions
            .iter()
            .find_map(|f| refused_function(f).break_value())
    }) {
        return Err(refuse(why));
    }
    Ok(())
}

/// Refuses a table outside schema `ormscope` or a system catalog, by its written name.
fn outside_the_school(name: &str) -> ControlFlow<String> {
    let full = name.replace('"', "");
    let parts: Vec<&str> = full.split('.').collect();
    let outside = parts.len() > 1 && !parts[parts.len() - 2].eq_ignore_ascii_case(SCHEMA);
    let table = parts.last().copied().unwrap_or("").to_ascii_lowercase();
    if outside || table.starts_with("pg_") || table == "information_schema" {
        return ControlFlow::Break(format!(
            "{full} is outside the School: :sql on PostgreSQL reads and writes only the tables of schema {SCHEMA}"
        ));
    }
    // A function called in FROM (`FROM ts_stat('SELECT ...')`) is a relation to sqlparser.
    if REFUSED_FUNCTIONS.iter().any(|p| table.starts_with(p)) {
        return ControlFlow::Break(format!(
            "the function {table} is not allowed with :sql (it reaches files, settings, the catalog or the server itself)"
        ));
    }
    ControlFlow::Continue(())
}

/// Refuses a function raw SQL may not call, by its written name (a schema-qualified one too,
/// since only the unqualified names of `pg_catalog` are known here).
fn refused_function(name: &ObjectName) -> ControlFlow<String> {
    let name = name.to_string().replace('"', "").to_ascii_lowercase();
    let last = name.rsplit('.').next().unwrap_or("");
    if name.contains('.') || REFUSED_FUNCTIONS.iter().any(|p| last.starts_with(p)) {
        ControlFlow::Break(format!(
            "the function {name} is not allowed with :sql (it reaches files, settings, sequences or the server itself)"
        ))
    } else {
        ControlFlow::Continue(())
    }
}

/// What a statement reaches that sqlparser's walks over relations and expressions do not visit:
/// the tables named by `TABLE x` commands (in a subquery or a CTE too), the functions called
/// in `FROM` after `LATERAL` (`FROM s, LATERAL set_config(...)`: an expression nowhere), and
/// whether a query writes (`WITH d AS (DELETE ...) SELECT ...`).
#[derive(Default)]
struct Reach {
    tables: Vec<String>,
    functions: Vec<ObjectName>,
    writes: bool,
}

impl Visitor for Reach {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        table_commands(&query.body, &mut self.tables);
        self.writes |= changes_rows(&query.body);
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Function { name, .. } = factor {
            self.functions.push(name.clone());
        }
        ControlFlow::Continue(())
    }
}

/// Whether a query's body changes rows (a data-modifying CTE), in any of its parts.
fn changes_rows(body: &SetExpr) -> bool {
    match body {
        SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => true,
        SetExpr::Query(query) => changes_rows(&query.body),
        SetExpr::SetOperation { left, right, .. } => changes_rows(left) || changes_rows(right),
        _ => false,
    }
}

fn table_commands(body: &SetExpr, out: &mut Vec<String>) {
    match body {
        SetExpr::Table(table) => out.push(
            [&table.schema_name, &table.table_name]
                .into_iter()
                .flatten()
                .map(|i| i.value.clone())
                .collect::<Vec<_>>()
                .join("."),
        ),
        SetExpr::Query(query) => table_commands(&query.body, out),
        SetExpr::SetOperation { left, right, .. } => {
            table_commands(left, out);
            table_commands(right, out);
        }
        _ => {}
    }
}

/// Whether the text spells an identifier as `U&"..."`: sqlparser reads it as the word `U`, `&`
/// and a quoted name it does not decode, while the server decodes `\XXXX` into other letters
/// (`U&"pg\005fread_file"` is `pg_read_file`), so no check of names could trust it.
fn spells_a_name_in_unicode_escapes(text: &str) -> bool {
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, text).tokenize() else {
        return false;
    };
    tokens.windows(3).any(|w| match w {
        [Token::Word(u), Token::Ampersand, Token::Word(name)] => {
            u.quote_style.is_none()
                && u.value.eq_ignore_ascii_case("u")
                && name.quote_style == Some('"')
        }
        _ => false,
    })
}

/// Whether a query is a `SELECT ... INTO`, which makes a table, in any of its parts.
fn makes_a_table(body: &SetExpr) -> bool {
    match body {
        SetExpr::Select(select) => select.into.is_some(),
        SetExpr::Query(query) => makes_a_table(&query.body),
        SetExpr::SetOperation { left, right, .. } => makes_a_table(left) || makes_a_table(right),
        _ => false,
    }
}

fn refuse(message: String) -> DbError {
    DbError {
        code: None,
        message,
        explained: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(sql: &str) -> bool {
        check(sql, false).is_err()
    }

    #[test]
    fn reads_and_writes_of_the_school_run() {
        assert!(check("SELECT name FROM students WHERE id = 13", true).is_ok());
        assert!(check("UPDATE ormscope.students SET year = 2 WHERE id = 1", false).is_ok());
        assert!(check("DELETE FROM classes WHERE id = 1", false).is_ok());
    }

    #[test]
    fn escapes_are_refused() {
        for sql in [
            "COPY students TO '/tmp/x'",
            "DO $$ BEGIN END $$",
            "SET ROLE postgres",
            "ALTER SYSTEM SET work_mem = '1MB'",
            "CREATE EXTENSION dblink",
            "SELECT * FROM public.secrets",
            "SELECT * FROM pg_authid",
            "SELECT pg_read_file('/etc/passwd')",
            "SELECT lo_import('/etc/passwd')",
            "SELECT 1; DROP TABLE students",
            "COMMIT",
        ] {
            assert!(refused(sql), "{sql} was let through");
        }
    }

    #[test]
    fn names_spelled_with_unicode_escapes_are_refused() {
        assert!(refused(r#"SELECT U&"pg\005fread_file"('/etc/hostname')"#));
        assert!(refused(r#"SELECT u&"lo\005fexport"(1, '/tmp/x')"#));
        assert!(refused(r#"SELECT * FROM U&"\0070g_authid""#));
        assert!(!refused("SELECT name FROM students WHERE name = 'U&co'"));
    }

    #[test]
    fn functions_that_run_text_as_a_query_or_reset_sequences_are_refused() {
        assert!(refused(
            "SELECT ts_stat('SELECT to_tsvector(rolpassword) FROM pg_authid')"
        ));
        assert!(refused("SELECT schema_to_xml('public', true, true, '')"));
        assert!(refused("SELECT database_to_xml(true, true, '')"));
        assert!(refused("SELECT setval('students_id_seq', 1)"));
        assert!(refused("SELECT * FROM (TABLE public.secrets) x"));
        assert!(refused("WITH s AS (TABLE pg_authid) SELECT * FROM s"));
        assert!(!refused("SELECT upper(name) FROM students"));
    }

    #[test]
    fn select_into_is_refused_since_it_makes_a_table() {
        assert!(refused("SELECT * INTO TEMP students FROM students"));
        assert!(refused("SELECT 1 INTO public.evil"));
        assert!(refused("SELECT 1 UNION SELECT 2 INTO evil"));
        assert!(!refused("SELECT * FROM students"));
    }

    #[test]
    fn a_read_only_session_only_reads() {
        assert!(check("DELETE FROM classes", true).is_err());
        // A data-modifying CTE is a write inside a query.
        for sql in [
            "WITH d AS (DELETE FROM classes RETURNING *) SELECT count(*) FROM d",
            "WITH u AS (UPDATE students SET year = 1 RETURNING id) SELECT * FROM u",
            "SELECT * FROM (WITH i AS (INSERT INTO clubs (name) VALUES ('x') RETURNING id) SELECT * FROM i) s",
        ] {
            assert!(check(sql, true).is_err(), "{sql} was let through");
            assert!(check(sql, false).is_ok(), "{sql} is a write of the School's rows");
        }
        assert!(check("WITH s AS (SELECT * FROM students) SELECT * FROM s", true).is_ok());
    }

    #[test]
    fn a_function_called_after_lateral_is_checked_as_any_call() {
        // sqlparser keeps `LATERAL f(...)` in FROM as neither a relation nor an expression:
        // these ran, reading the catalog, moving a sequence and changing the search path.
        for sql in [
            "SELECT * FROM (SELECT 1) s, LATERAL ts_stat('SELECT to_tsvector(rolname) FROM pg_roles') t",
            "SELECT * FROM (SELECT 1) s CROSS JOIN LATERAL nextval('students_id_seq') n",
            "SELECT * FROM (SELECT 1) s, LATERAL set_config('search_path', 'public', false) c",
            "SELECT * FROM students s JOIN LATERAL pg_ls_dir('.') d ON true",
            "SELECT * FROM students s, LATERAL \"PG_CATALOG\".\"SET_CONFIG\"('a.b', 'c', false) c",
        ] {
            assert!(refused(sql), "{sql} was let through");
        }
        assert!(!refused(
            "SELECT * FROM students s, LATERAL generate_series(1, s.year) g"
        ));
    }

    #[test]
    fn queries_given_as_text_and_the_next_id_are_refused() {
        assert!(refused(
            "SELECT ts_rewrite('a'::tsquery, 'SELECT to_tsquery(rolname), ''a''::tsquery FROM pg_roles')"
        ));
        assert!(refused("SELECT nextval('ormscope.students_id_seq')"));
        assert!(refused("SELECT \"NEXTVAL\"('students_id_seq')"));
        assert!(!refused("SELECT currval('students_id_seq')"));
    }
}
