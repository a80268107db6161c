//! Reflection: reads any SQLite file's catalog into the Core [`MetaData`], as SQLAlchemy's
//! `MetaData.reflect()` does — tables and views, their columns with types, NOT NULL, defaults
//! and CHECK rules, primary keys (composite too), unique constraints and foreign keys with
//! their ON DELETE rules.
//!
//! Every SQL text this module sends is in [`CATALOG`] and `NAMES`, in one place: the catalog is read with
//! SQLite's table-valued PRAGMA functions, each bound to a table's name (so no name is ever
//! spliced into SQL, however odd it is).

use super::DbError;
use crate::schema::{Check, Column, ColumnType, ForeignKey, MetaData, OnDelete, Table};
use rusqlite::Connection;

use crate::render::catalog::{CATALOG, NAMES};

/// The table in which ormscope keeps, inside a database file, the names of the classes and
/// relationships a learner declared, so that they are mapped again when the file is reopened.
pub const NAMES_TABLE: &str = "ormscope_mapping";

/// One declared name: a class (`kind` `class`: `owner` is the table, `name` the class) or one
/// direction of a relationship (`kind` `many-to-one`, `one-to-many` or `many-to-many`; `via` is
/// the foreign-key column, or the association table with its two columns).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeclaredName {
    /// The table (of the class, or owning the relationship).
    pub owner: String,
    /// The class or relationship name.
    pub name: String,
    /// `class`, or the relationship's kind.
    pub kind: String,
    /// The related table (empty for a class).
    pub target: String,
    /// The foreign-key column, or the association table.
    pub via: String,
    /// The association table's column holding the owner's key.
    pub owner_column: String,
    /// The association table's column holding the related row's key.
    pub target_column: String,
    /// The name of the way back.
    pub back: String,
}

/// Keeps declared names in the file (in the caller's transaction).
pub fn save_names(conn: &Connection, names: &[DeclaredName]) -> Result<(), DbError> {
    conn.execute_batch(NAMES[0])?;
    let mut stmt = conn.prepare_cached(NAMES[1])?;
    for n in names {
        stmt.execute([
            &n.owner,
            &n.name,
            &n.kind,
            &n.target,
            &n.via,
            &n.owner_column,
            &n.target_column,
            &n.back,
        ])?;
    }
    Ok(())
}

/// The declared names kept in the file (none when it keeps none).
pub fn load_names(conn: &Connection) -> Result<Vec<DeclaredName>, DbError> {
    let kept: i64 = conn.query_row(NAMES[3], [NAMES_TABLE], |r| r.get(0))?;
    if kept == 0 {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare(NAMES[2])?;
    let rows = stmt.query_map([], |r| {
        Ok(DeclaredName {
            owner: r.get(0)?,
            name: r.get(1)?,
            kind: r.get(2)?,
            target: r.get(3)?,
            via: r.get(4)?,
            owner_column: r.get(5)?,
            target_column: r.get(6)?,
            back: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What reflection found: the tables, and what it could not take in, with why.
#[derive(Debug, Clone, Default)]
pub struct Reflected {
    /// Every table and view read.
    pub metadata: MetaData,
    /// Things left out, each `(what, why)` (a foreign key of two columns, for example).
    pub left_out: Vec<(String, String)>,
}

/// Reads every table and view of the database `conn` is open on.
pub fn reflect(conn: &Connection) -> Result<Reflected, DbError> {
    let mut out = Reflected::default();
    let objects: Vec<(String, String, Option<String>)> = {
        let mut stmt = conn.prepare(CATALOG.objects)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (name, kind, sql) in objects {
        if name == NAMES_TABLE {
            continue;
        }
        let mut table = match read_table(conn, &name, &mut out.left_out) {
            Ok(table) => table,
            Err(e) => {
                out.left_out.push((
                    name,
                    format!("SQLite could not describe it ({})", e.message),
                ));
                continue;
            }
        };
        table.view = kind == "view";
        if let (Some(sql), false) = (&sql, table.view) {
            apply_checks(&mut table, sql);
        }
        table.source_sql = sql;
        out.metadata.add(table);
    }
    Ok(out)
}

/// One table's columns, key, unique rules and foreign keys.
fn read_table(
    conn: &Connection,
    name: &str,
    left_out: &mut Vec<(String, String)>,
) -> Result<Table, DbError> {
    let mut columns = Vec::new();
    let mut key: Vec<(i64, String)> = Vec::new();
    let mut stmt = conn.prepare_cached(CATALOG.columns)?;
    let mut rows = stmt.query([name])?;
    while let Some(r) = rows.next()? {
        let column_name: String = r.get(0)?;
        let declared: Option<String> = r.get(1)?;
        let not_null: bool = r.get(2)?;
        let default: Option<String> = r.get(3)?;
        let pk: i64 = r.get(4)?;
        let hidden: i64 = r.get(5)?;
        if hidden == 1 {
            continue;
        }
        let mut column = Column::new(
            &column_name,
            ColumnType::from_declared(declared.as_deref().unwrap_or("")),
        );
        column.nullable = !not_null && pk == 0;
        column.default = default;
        column.loose = ColumnType::numeric_affinity(declared.as_deref().unwrap_or(""));
        if pk > 0 {
            key.push((pk, column_name));
        }
        columns.push(column);
    }
    key.sort();
    let key: Vec<&str> = key.iter().map(|(_, c)| c.as_str()).collect();
    let mut table = Table::new(name, columns, &key);
    read_unique(conn, &mut table)?;
    read_foreign_keys(conn, &mut table, left_out)?;
    Ok(table)
}

/// UNIQUE constraints and unique indexes: one column marks the column, several are kept as a set.
fn read_unique(conn: &Connection, table: &mut Table) -> Result<(), DbError> {
    let mut stmt = conn.prepare_cached(CATALOG.unique_indexes)?;
    let mut rows = stmt.query([&table.name])?;
    let mut sets: Vec<(String, Vec<String>)> = Vec::new();
    while let Some(r) = rows.next()? {
        let index: String = r.get(0)?;
        let column: Option<String> = r.get(2)?;
        let Some(column) = column else { continue };
        match sets.last_mut() {
            Some((name, cols)) if *name == index => cols.push(column),
            _ => sets.push((index, vec![column])),
        }
    }
    for (_, cols) in sets {
        match cols.as_slice() {
            [one] => {
                if let Some(c) = table.columns.iter_mut().find(|c| &c.name == one) {
                    c.unique = true;
                }
            }
            _ => table.unique_together.push(cols),
        }
    }
    Ok(())
}

/// One column of a foreign key: the referred table, this column, the referred column (none:
/// the key), and the ON DELETE rule.
type KeyPart = (String, String, Option<String>, String);

/// Foreign keys of one column; those of several columns are left out, with the reason.
fn read_foreign_keys(
    conn: &Connection,
    table: &mut Table,
    left_out: &mut Vec<(String, String)>,
) -> Result<(), DbError> {
    let mut stmt = conn.prepare_cached(CATALOG.foreign_keys)?;
    let mut rows = stmt.query([&table.name])?;
    let mut keys: Vec<(i64, Vec<KeyPart>)> = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let entry = (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        match keys.last_mut() {
            Some((last, parts)) if *last == id => parts.push(entry),
            _ => keys.push((id, vec![entry])),
        }
    }
    for (_, parts) in keys {
        let [(target, from, to, on_delete)] = parts.as_slice() else {
            let cols: Vec<&str> = parts.iter().map(|p| p.1.as_str()).collect();
            left_out.push((
                format!("{}({})", table.name, cols.join(", ")),
                "a foreign key of several columns is not mapped to a relationship".into(),
            ));
            continue;
        };
        let Some(column) = table.columns.iter_mut().find(|c| &c.name == from) else {
            continue;
        };
        column.foreign_key = Some(ForeignKey {
            table: target.clone(),
            column: to.clone().unwrap_or_default(),
            on_delete: match on_delete.to_ascii_uppercase().as_str() {
                "CASCADE" => OnDelete::Cascade,
                "SET NULL" => OnDelete::SetNull,
                _ => OnDelete::Restrict,
            },
        });
    }
    Ok(())
}

/// Puts each `CHECK (...)` written in a column's definition on that column.
fn apply_checks(table: &mut Table, sql: &str) {
    let Some(body) = sql
        .find('(')
        .and_then(|open| sql.get(open + 1..sql.rfind(')')?))
    else {
        return;
    };
    for part in split_top_level(body) {
        let part = part.trim();
        let Some(check) = check_of(part) else {
            continue;
        };
        let first = first_word(part);
        if let Some(column) = table
            .columns
            .iter_mut()
            .find(|c| c.name.eq_ignore_ascii_case(&first))
        {
            column.check = Some(Check {
                explain: format!("{} must satisfy {check}", column.name),
                sql: check,
            });
        }
    }
}

/// The condition of a `CHECK (...)` in one definition, if it has one.
fn check_of(part: &str) -> Option<String> {
    let upper = part.to_ascii_uppercase();
    let at = upper.find("CHECK")?;
    let rest = &part[at + 5..];
    let open = rest.find('(')?;
    if !rest[..open].trim().is_empty() {
        return None;
    }
    let inner = &rest[open + 1..];
    let mut depth = 1;
    for (i, c) in inner.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(inner[..i].trim().to_string());
                }
            }
            _ => {}
        }
    }
    None
}

/// The first word of a definition, without its quotes (`"order id"` → `order id`).
fn first_word(part: &str) -> String {
    let mut chars = part.chars();
    match chars.next() {
        Some(q @ ('"' | '`' | '[')) => {
            let close = if q == '[' { ']' } else { q };
            chars.take_while(|c| *c != close).collect()
        }
        _ => part
            .split(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or("")
            .to_string(),
    }
}

/// Splits a `CREATE TABLE` body at its top-level commas, minding brackets and quotes.
fn split_top_level(body: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (i, c) in body.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q || (q == '[' && c == ']') => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`' | '[') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&body[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reflect_sql(sql: &str) -> Reflected {
        let conn = Connection::open_in_memory().expect("memory");
        conn.execute_batch(sql).expect("schema");
        reflect(&conn).expect("reflect")
    }

    #[test]
    fn columns_keys_and_rules_are_read() {
        let r = reflect_sql(
            "CREATE TABLE authors (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL UNIQUE);
             CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL,
               pages INT CHECK (pages > 0), price NUMERIC DEFAULT 9.5, cover BLOB,
               author_id INTEGER REFERENCES authors(id) ON DELETE CASCADE);
             CREATE TABLE lines (order_id INT, n INT, qty INT, PRIMARY KEY (order_id, n),
               UNIQUE (qty, n));
             CREATE VIEW long_books AS SELECT * FROM books WHERE pages > 300;",
        );
        let books = r.metadata.table("books").expect("books");
        assert_eq!(books.primary_key, vec!["id"]);
        let pages = books.column("pages").expect("pages");
        assert_eq!(pages.ty, ColumnType::Integer);
        assert_eq!(
            pages.check.as_ref().map(|c| c.sql.as_str()),
            Some("pages > 0")
        );
        assert_eq!(
            books.column("price").and_then(|c| c.default.clone()),
            Some("9.5".into())
        );
        assert_eq!(books.column("cover").map(|c| c.ty), Some(ColumnType::Any));
        let fk = books
            .column("author_id")
            .and_then(|c| c.foreign_key.clone())
            .expect("fk");
        assert_eq!(
            (fk.table.as_str(), fk.on_delete),
            ("authors", OnDelete::Cascade)
        );
        assert!(!books.column("title").expect("title").nullable);
        let authors = r.metadata.table("authors").expect("authors");
        assert!(authors.column("name").expect("name").unique);
        let lines = r.metadata.table("lines").expect("lines");
        assert_eq!(lines.primary_key, vec!["order_id", "n"]);
        assert!(lines.is_unique(&["n", "qty"]));
        let view = r.metadata.table("long_books").expect("view");
        assert!(view.view && view.primary_key.is_empty());
        assert_eq!(view.columns.len(), 6);
    }

    #[test]
    fn odd_names_are_read_as_they_are() {
        let r = reflect_sql(
            "CREATE TABLE \"order items\" (\"select\" INTEGER PRIMARY KEY, \"naïve, col\" TEXT);
             CREATE TABLE p (a INT, b INT, PRIMARY KEY (a, b));
             CREATE TABLE c (x INT, y INT, FOREIGN KEY (x, y) REFERENCES p(a, b));",
        );
        let t = r.metadata.table("order items").expect("spaces");
        assert_eq!(t.column_names(), vec!["select", "naïve, col"]);
        assert_eq!(r.left_out.len(), 1, "{:?}", r.left_out);
    }
}
