//! The PostgreSQL backend's own statements (its schema, search path, sequences, settings,
//! counts and plans), written here so that all SQL text stays in `render`.

use crate::sql::{Select, Statement};

/// `CREATE SCHEMA IF NOT EXISTS name`.
pub fn create_schema(schema: &str) -> String {
    format!("CREATE SCHEMA IF NOT EXISTS {schema}")
}

/// `DROP SCHEMA IF EXISTS name CASCADE`.
pub fn drop_schema(schema: &str) -> String {
    format!("DROP SCHEMA IF EXISTS {schema} CASCADE")
}

/// `SET search_path TO name`: unqualified table names are the schema's.
pub fn search_path(schema: &str) -> String {
    format!("SET search_path TO {schema}, pg_temp")
}

/// The role raw SQL runs as (`reader`: under `--read-only`): it may read (and, not a reader,
/// write) the rows of schema `schema`, nothing else; it cannot log in, and is no superuser.
pub fn raw_sql_role(reader: bool) -> &'static str {
    if reader {
        "ormscope_reader"
    } else {
        "ormscope_learner"
    }
}

/// Makes the two roles raw SQL runs as, when missing, and gives them their rights on `schema`
/// (and on tables made there later), and the connecting user the right to become them.
pub fn raw_sql_roles(schema: &str) -> String {
    let (learner, reader) = (raw_sql_role(false), raw_sql_role(true));
    format!(
        "DO $$ BEGIN \
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{learner}') THEN \
             CREATE ROLE {learner} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT; END IF; \
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{reader}') THEN \
             CREATE ROLE {reader} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT; END IF; \
         END $$; \
         GRANT USAGE ON SCHEMA {schema} TO {learner}, {reader}; \
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {learner}; \
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {learner}; \
         GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {reader}; \
         ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} \
           GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {learner}; \
         ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE ON SEQUENCES TO {learner}; \
         ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {reader}; \
         GRANT {learner}, {reader} TO CURRENT_USER"
    )
}

/// Becomes `role` until the transaction ends or [`own_role`] (raw SQL runs as it).
pub fn become_role(role: &str) -> String {
    format!("SET LOCAL ROLE {role}")
}

/// Back to the connecting user's own role.
pub fn own_role() -> &'static str {
    "RESET ROLE"
}

/// How many tables the schema holds.
pub fn count_tables(schema: &str) -> String {
    format!("SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}'")
}

/// The tables of the schema, by name.
pub fn table_names(schema: &str) -> String {
    format!(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}' ORDER BY table_name"
    )
}

/// The columns of a table of the schema: name, type, nullable, default, in order.
pub fn columns_of(schema: &str, table: &str) -> String {
    format!(
        "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns \
         WHERE table_schema = '{schema}' AND table_name = '{table}' ORDER BY ordinal_position"
    )
}

/// Makes a table's key sequence continue after its highest id.
pub fn continue_sequence(table: &str, column: &str) -> String {
    format!(
        "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), coalesce(max({column}), 0) + 1, false) FROM {table}"
    )
}

/// `SELECT count(*) FROM table`.
pub fn count_rows(table: &str) -> String {
    super::render(&Statement::Select(Select::count(table))).text
}

/// `BEGIN`.
pub fn begin() -> String {
    super::render(&Statement::Begin).text
}

/// `COMMIT`.
pub fn commit() -> String {
    super::render(&Statement::Commit).text
}

/// `ROLLBACK`.
pub fn rollback() -> String {
    super::render(&Statement::Rollback).text
}

/// `SAVEPOINT name`.
pub fn savepoint(name: &str) -> String {
    super::render(&Statement::Savepoint(name.into())).text
}

/// `RELEASE SAVEPOINT name`.
pub fn release(name: &str) -> String {
    super::render(&Statement::Release(name.into())).text
}

/// `ROLLBACK TO SAVEPOINT name`.
pub fn rollback_to(name: &str) -> String {
    super::render(&Statement::RollbackTo(name.into())).text
}

/// Makes every later transaction of the session read-only (or not).
pub fn read_only(on: bool) -> String {
    format!(
        "SET default_transaction_read_only = {}",
        if on { "on" } else { "off" }
    )
}

/// Stops any statement that runs longer than `millis` (0: no limit).
pub fn statement_timeout(millis: u64) -> String {
    format!("SET statement_timeout = {millis}")
}

/// PostgreSQL's plan of a query, as JSON.
pub fn explain_json(sql: &str) -> String {
    format!("EXPLAIN (FORMAT JSON) {sql}")
}
