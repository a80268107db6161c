//! Core: schema metadata — tables, columns, keys and constraints as data.
//!
//! This is the layer SQLAlchemy calls `MetaData`/`Table`/`Column`: it knows nothing about
//! objects or relationships (that is the [`crate::mapper`]'s job), only what the database holds.

use std::fmt;

/// The type of a column, as the database declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Whole numbers (SQLite `INTEGER`).
    Integer,
    /// Text (SQLite `TEXT`).
    Text,
    /// Decimal numbers (SQLite `REAL`).
    Real,
    /// Any value: a column declared without a type, or as `BLOB` (SQLite's BLOB affinity).
    Any,
}

impl ColumnType {
    /// The SQL spelling of the type.
    pub fn sql_name(self) -> &'static str {
        match self {
            ColumnType::Integer => "INTEGER",
            ColumnType::Text => "TEXT",
            ColumnType::Real => "REAL",
            ColumnType::Any => "BLOB",
        }
    }

    /// The SQLAlchemy spelling of the type, for the Core and declarative views.
    pub fn sqlalchemy_name(self) -> &'static str {
        match self {
            ColumnType::Integer => "Integer",
            ColumnType::Text => "Text",
            ColumnType::Real => "Float",
            ColumnType::Any => "NullType",
        }
    }

    /// The type SQLite gives a declared type name (its affinity rules, section 3.1 of
    /// SQLite's datatype page), with dates and times as text and decimals as numbers.
    /// Whether SQLite gives a declared type NUMERIC affinity (section 3.1 of "Datatypes In
    /// SQLite", rule 5): none of INT, CHAR, CLOB, TEXT, BLOB, REAL, FLOA, DOUB in its name,
    /// and not empty. Such a column keeps text that does not look like a number as text.
    pub fn numeric_affinity(declared: &str) -> bool {
        let upper = declared.to_ascii_uppercase();
        !upper.trim().is_empty()
            && ![
                "INT", "CHAR", "CLOB", "TEXT", "BLOB", "REAL", "FLOA", "DOUB",
            ]
            .iter()
            .any(|w| upper.contains(w))
    }

    /// The type ormscope reads a declared type name as.
    pub fn from_declared(declared: &str) -> ColumnType {
        let upper = declared.to_ascii_uppercase();
        if upper.contains("INT") || upper.contains("BOOL") {
            ColumnType::Integer
        } else if ["CHAR", "CLOB", "TEXT", "DATE", "TIME", "UUID", "JSON"]
            .iter()
            .any(|w| upper.contains(w))
        {
            ColumnType::Text
        } else if upper.trim().is_empty() || upper.contains("BLOB") {
            ColumnType::Any
        } else {
            ColumnType::Real
        }
    }
}

/// What the database does to referencing rows when the referenced row is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDelete {
    /// The delete fails while referencing rows exist (SQLite's default).
    Restrict,
    /// Referencing rows are deleted too.
    Cascade,
    /// The referencing column is set to NULL.
    SetNull,
}

/// A column's reference to another table's key.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKey {
    /// The referenced table.
    pub table: String,
    /// The referenced column (its primary key).
    pub column: String,
    /// What happens to this row when the referenced one is deleted.
    pub on_delete: OnDelete,
}

/// A `CHECK` rule on a column, with its SQL and a sentence a learner can read.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The SQL condition, e.g. `year BETWEEN 1 AND 4`.
    pub sql: String,
    /// The rule in words, e.g. `year must be between 1 and 4`.
    pub explain: String,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Its declared type.
    pub ty: ColumnType,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// Whether every value must differ from every other row's.
    pub unique: bool,
    /// The SQL default, if any (e.g. `3`).
    pub default: Option<String>,
    /// The foreign key, if this column references another table.
    pub foreign_key: Option<ForeignKey>,
    /// A CHECK rule, if any.
    pub check: Option<Check>,
    /// A comment shown after the column in `CREATE TABLE`.
    pub comment: Option<String>,
    /// Whether SQLite keeps values of any type here as given: a declared type of NUMERIC
    /// affinity (`ENUM`, `DECIMAL`, `DATETIME`, `BOOLEAN` …) holds text that is no number.
    /// Conditions then compare as SQLite does and never refuse a value for its type.
    pub loose: bool,
}

impl Column {
    /// A NOT NULL column of the given type with no other rules.
    pub fn new(name: &str, ty: ColumnType) -> Column {
        Column {
            name: name.to_string(),
            ty,
            nullable: false,
            unique: false,
            default: None,
            foreign_key: None,
            check: None,
            comment: None,
            loose: false,
        }
    }

    /// The same column, allowing NULL.
    pub fn nullable(mut self) -> Column {
        self.nullable = true;
        self
    }

    /// The same column, with a UNIQUE rule.
    pub fn unique(mut self) -> Column {
        self.unique = true;
        self
    }

    /// The same column, with a default value.
    pub fn default(mut self, sql: &str) -> Column {
        self.default = Some(sql.to_string());
        self
    }

    /// The same column, referencing `table.column`.
    pub fn references(mut self, table: &str, column: &str, on_delete: OnDelete) -> Column {
        self.foreign_key = Some(ForeignKey {
            table: table.to_string(),
            column: column.to_string(),
            on_delete,
        });
        self
    }

    /// The same column, with a CHECK rule.
    pub fn check(mut self, sql: &str, explain: &str) -> Column {
        self.check = Some(Check {
            sql: sql.to_string(),
            explain: explain.to_string(),
        });
        self
    }

    /// The same column, with a comment.
    pub fn comment(mut self, text: &str) -> Column {
        self.comment = Some(text.to_string());
        self
    }
}

/// A table: its columns in order, and which of them form the primary key.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table's name.
    pub name: String,
    /// The columns, in schema order.
    pub columns: Vec<Column>,
    /// The primary key's columns (one for most tables, two for an association table).
    pub primary_key: Vec<String>,
    /// Whether this is a view: its rows can be read, not written.
    pub view: bool,
    /// Sets of two or more columns that are unique together (a `UNIQUE (a, b)` constraint).
    pub unique_together: Vec<Vec<String>>,
    /// The `CREATE` statement as the database file holds it, for a table read from a file.
    pub source_sql: Option<String>,
}

impl Table {
    /// A table with the given columns and primary key.
    pub fn new(name: &str, columns: Vec<Column>, primary_key: &[&str]) -> Table {
        Table {
            name: name.to_string(),
            columns,
            primary_key: primary_key.iter().map(|s| s.to_string()).collect(),
            view: false,
            unique_together: Vec::new(),
            source_sql: None,
        }
    }

    /// Whether `columns` (in any order) are unique together: the primary key, a one-column
    /// UNIQUE rule, or a `UNIQUE (a, b)` constraint.
    pub fn is_unique(&self, columns: &[&str]) -> bool {
        let same = |set: &[String]| {
            set.len() == columns.len() && set.iter().all(|c| columns.contains(&c.as_str()))
        };
        same(&self.primary_key)
            || self.unique_together.iter().any(|s| same(s))
            || matches!(columns, [one] if self.column(one).is_some_and(|c| c.unique))
    }

    /// The column with this name, or, for a column whose name is not a plain name, the one
    /// the language writes this way (`line_no` for `"line no"`: see [`identifier`]).
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .or_else(|| self.columns.iter().find(|c| written_as(&c.name, name)))
    }

    /// The column names, in schema order.
    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// The single primary-key column, when the key has exactly one.
    pub fn single_key(&self) -> Option<&Column> {
        match self.primary_key.as_slice() {
            [only] => self.column(only),
            _ => None,
        }
    }

    /// Whether the primary key is one INTEGER column (SQLite's rowid alias).
    pub fn has_integer_key(&self) -> bool {
        self.single_key()
            .is_some_and(|c| c.ty == ColumnType::Integer)
    }

    /// Columns that reference another table.
    pub fn foreign_keys(&self) -> impl Iterator<Item = (&Column, &ForeignKey)> {
        self.columns
            .iter()
            .filter_map(|c| c.foreign_key.as_ref().map(|fk| (c, fk)))
    }

    /// The indexes the schema gives this table: one on every foreign key column, except a
    /// column that already leads the primary key (SQLite indexes that one by itself).
    pub fn indexes(&self) -> Vec<Index> {
        if self.source_sql.is_some() {
            return Vec::new();
        }
        self.foreign_keys()
            .filter(|(c, _)| self.primary_key.first() != Some(&c.name))
            .map(|(c, _)| Index {
                name: format!("ix_{}_{}", self.name, c.name),
                table: self.name.clone(),
                columns: vec![c.name.clone()],
            })
            .collect()
    }
}

/// An index on columns of a table, named as SQLAlchemy names them (`ix_table_column`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// The index's name.
    pub name: String,
    /// The table.
    pub table: String,
    /// The indexed columns, in order.
    pub columns: Vec<String>,
}

/// The collection of tables the program knows: SQLAlchemy's `MetaData`.
#[derive(Debug, Clone, Default)]
pub struct MetaData {
    tables: Vec<Table>,
}

impl MetaData {
    /// An empty catalogue.
    pub fn new() -> MetaData {
        MetaData::default()
    }

    /// Adds a table; a later table may reference an earlier one.
    pub fn add(&mut self, table: Table) {
        self.tables.push(table);
    }

    /// The table with this name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Every table, in the order they were added (parents before children).
    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    /// Puts `table` in the place of the table of the same name (or adds it).
    pub fn replace(&mut self, table: Table) {
        match self.tables.iter_mut().find(|t| t.name == table.name) {
            Some(slot) => *slot = table,
            None => self.tables.push(table),
        }
    }

    /// The columns of other tables that reference `table`, with their table.
    pub fn referencing(&self, table: &str) -> Vec<(&Table, &Column)> {
        self.tables
            .iter()
            .flat_map(|t| {
                t.foreign_keys()
                    .filter(move |(_, fk)| fk.table == table)
                    .map(move |(c, _)| (t, c))
            })
            .collect()
    }
}

/// Words the language reserves, which a name gets `_` after.
const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "is", "del", "for", "class", "True", "False", "None", "true",
    "false", "null", "begin", "commit", "rollback",
];

/// A table or column name as the language can write it: each character that is not a letter,
/// a digit or `_` becomes `_` (`order items` → `order_items`), `_` goes before a leading digit
/// and after a reserved word (`class` → `class_`). Letters need not be ASCII (`élèves`).
pub fn identifier(name: &str) -> String {
    identifier_avoiding(name, RESERVED)
}

/// A name as an identifier of a language whose reserved words are `reserved`: `_` for each
/// character that cannot stand in one, a leading `_` before a digit, a trailing `_` after a
/// reserved word.
pub fn identifier_avoiding(name: &str, reserved: &[&str]) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    if reserved.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// Whether `typed` is how the language writes `name` ([`identifier`]), without respelling a
/// name the language writes as it is (most are; names are looked up this way per statement).
pub fn written_as(name: &str, typed: &str) -> bool {
    let plain = name.starts_with(|c: char| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !RESERVED.contains(&name);
    if plain {
        name == typed
    } else {
        identifier(name) == typed
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sql_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memberships() -> Table {
        Table::new(
            "memberships",
            vec![
                Column::new("student_id", ColumnType::Integer).references(
                    "students",
                    "id",
                    OnDelete::Cascade,
                ),
                Column::new("club_id", ColumnType::Integer).references(
                    "clubs",
                    "id",
                    OnDelete::Cascade,
                ),
            ],
            &["student_id", "club_id"],
        )
    }

    #[test]
    fn a_name_is_written_as_its_identifier() {
        assert!(written_as("year", "year"));
        assert!(!written_as("year", "years"));
        assert!(written_as("order items", "order_items"));
        assert!(!written_as("order items", "order items"));
        assert!(written_as("class", "class_"));
        assert!(!written_as("class", "class"));
        assert!(written_as("2024", "_2024"));
        assert!(written_as("élèves", "élèves"));
    }

    #[test]
    fn leading_key_column_gets_no_extra_index() {
        assert_eq!(
            memberships().indexes(),
            vec![Index {
                name: "ix_memberships_club_id".into(),
                table: "memberships".into(),
                columns: vec!["club_id".into()],
            }]
        );
    }
}
